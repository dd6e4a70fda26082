"""`server/web/routes.py` is the one table of routes: every request handler of the web package
is listed there (a handler nobody routes is dead code or a forgotten line), and the app serves
exactly the table."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

from mitwirken.models.store import Store
from mitwirken.server.app import create_app
from mitwirken.server.config import Settings
from mitwirken.server.web.routes import ROUTES

WEB = Path(__file__).resolve().parents[2] / "server" / "web"


def request_handlers(source: str) -> set[str]:
    """Public coroutine functions of one parameter, `request`, that answer a response."""
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.AsyncFunctionDef) and not node.name.startswith("_") \
                and [a.arg for a in node.args.args] == ["request"] \
                and "Response" in ast.unparse(node.returns or ast.Constant(None)):
            names.add(node.name)
    return names


def test_every_handler_is_in_the_table():
    handlers = {f"{p.stem}.{name}" for p in sorted(WEB.glob("*.py"))
                for name in request_handlers(p.read_text("utf-8"))}
    routed = {f"{inspect.getmodule(r.handler).__name__.rsplit('.', 1)[-1]}.{r.handler.__name__}"
              for r in ROUTES}
    assert handlers == routed


def test_handler_finder_ignores_helpers():
    source = ("async def page(request) -> web.Response: ...\n"
              "async def _helper(request) -> web.Response: ...\n"
              "async def body(request) -> dict: ...\n"
              "async def middleware(request, handler) -> web.Response: ...\n"
              "def render(request) -> web.Response: ...\n")
    assert request_handlers(source) == {"page"}


def test_the_app_serves_the_table(tmp_path):
    settings = Settings(data_dir=tmp_path, base_url="http://city.test", instance_name="X",
                        city_username="city")
    store = Store.memory()
    app = create_app(settings, store=store, start_workers=False)
    served = {(r.method, r.resource.canonical) for r in app.router.routes()
              if r.method != "HEAD" and not r.resource.canonical.startswith("/static")}
    store.close()
    # aiohttp's canonical form drops a placeholder's pattern: {kind:a|b} → {kind}
    listed = [(r.method, re.sub(r"\{(\w+):[^}]*\}", r"{\1}", r.path)) for r in ROUTES]
    assert len(listed) == len(set(listed)), "a route is listed twice"
    assert served == set(listed)
