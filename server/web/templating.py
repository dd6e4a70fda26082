"""Jinja2 templates for the HTML pages (autoescaping on), German or English.

The templates speak German; `{{ _("…") }}` and `{% trans %}` mark what a person reads, and
each render gets the gettext functions of the request's language (`server/web/i18n.py`) in
its context — there is no global language switch."""

from __future__ import annotations

import gettext as gettext_module
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from aiohttp import web
from markupsafe import Markup

from mitwirken.models.vocab import label as vocab_label
from mitwirken.server.app_keys import JINJA, SETTINGS, URLS
from mitwirken.server.usecases.reports import REPORTER_ROLES
from mitwirken.server.web import i18n
from mitwirken.server.web.request_keys import csrf_token, current_session

TEMPLATES = Path(__file__).parent / "templates"
# Our pages run no script at all; remote content can never bring one in (defence in depth
# behind autoescaping and the HTML sanitiser). Images may come from anywhere over https.
CSP = ("default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
       "img-src 'self' https: data:; style-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
# A page depends on the language (header and cookie) and on the login cookie.
VARY = "Accept, Accept-Language, Cookie"


def make_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # The callables come with each render's context; these mark the newstyle semantics
    # (`_("… %(name)s", name=x)`, escaped like any other output).
    env.newstyle_gettext = True  # type: ignore[attr-defined]
    env.globals["reporter_roles"] = REPORTER_ROLES  # who sees „Melden“ at remote content
    return env


def gettext_callables(tr: gettext_module.NullTranslations) -> dict[str, Any]:
    """`gettext`/`ngettext` for one render, as Jinja's newstyle i18n calls them: the result
    is a format string (`%(name)s`), and safe when the template autoescapes."""
    @jinja2.pass_context
    def gettext(context: jinja2.runtime.Context, string: str, /, **variables: Any) -> str:
        rv = tr.gettext(string)
        if context.eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables

    @jinja2.pass_context
    def ngettext(context: jinja2.runtime.Context, singular: str, plural: str, count: int, /,
                 **variables: Any) -> str:
        variables.setdefault("num", count)
        rv = tr.ngettext(singular, plural, count)
        if context.eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables

    return {"gettext": gettext, "ngettext": ngettext}


def i18n_context(request: web.Request) -> dict[str, Any]:
    """What every template gets for its language: the locale, gettext, `translate` for a
    German text made in Python (marked with `N_`), labels and dates of that language, and
    the switch to the other language."""
    locale = i18n.locale_of(request)
    tr = i18n.translations(locale)
    other = "en" if locale == "de" else "de"
    return {
        **gettext_callables(tr),
        "locale": locale,
        "translate": tr.gettext,
        "label": lambda value: vocab_label(value, locale),
        "date": lambda dt: i18n.date_text(dt, locale) if isinstance(dt, datetime) else "",
        "switch": {"lang": other, "name": i18n.NAMES[other],
                   "href": f"/sprache?lang={other}&weiter={quote(request.path_qs, safe='/')}"},
    }


def render(request: web.Request, name: str, context: dict[str, Any], status: int = 200,
           headers: dict[str, str] | None = None) -> web.Response:
    app = request.app
    env = app[JINJA]
    base = {"settings": app[SETTINGS], "urls": app[URLS], "request": request,
            "session": current_session(request), "csrf": lambda: csrf_token(request)}
    # The language's callables win over a handler's own `label` (the German one).
    body = env.get_template(name).render({**base, **context, **i18n_context(request)})
    # A page's header depends on the login cookie: caches must key on it, and a page made for
    # a logged-in person is kept by nobody.
    personal = {"Cache-Control": "private, no-store"} if base["session"] else {}
    return web.Response(text=body, status=status, content_type="text/html",
                        headers={"Vary": VARY, "Content-Security-Policy": CSP,
                                 "X-Content-Type-Options": "nosniff",
                                 "Content-Language": i18n.locale_of(request), **personal,
                                 **(headers or {})})
