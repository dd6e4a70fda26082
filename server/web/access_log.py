"""The access log: one structured line per request, or only the requests worth a look.

`access_log = "on"` logs every request; `"errors"` only answers with status >= 400 and
requests slower than one second (the reverse proxy in `deploy/` logs every request anyway);
`"off"` none. The line is formatted by hand instead of by aiohttp's format-string
interpreter, which costs several microseconds a request on the hot GET path."""

from __future__ import annotations

import logging
from typing import Any, Literal

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

AccessLogMode = Literal["on", "errors", "off"]
SLOW_SECONDS = 1.0

access_log = logging.getLogger("mitwirken.access")


class AccessLogger(AbstractAccessLogger):
    """`access remote=… method=… path=… status=… bytes=… ms=…`"""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info("access remote=%s method=%s path=%s status=%d bytes=%d ms=%.1f",
                         request.remote, request.method, request.path_qs, response.status,
                         response.body_length, time * 1000)


class ErrorAccessLogger(AccessLogger):
    """Only failed or slow requests."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        if response.status >= 400 or time >= SLOW_SECONDS:
            super().log(request, response, time)


def runner_options(mode: AccessLogMode) -> dict[str, Any]:
    """Keyword arguments for `web.run_app` / `web.AppRunner` for the chosen mode."""
    if mode == "off":
        return {"access_log": None}
    return {"access_log": access_log,
            "access_log_class": AccessLogger if mode == "on" else ErrorAccessLogger}
