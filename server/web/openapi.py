"""``GET /api/v1/openapi.json``: the editor API's OpenAPI 3.1 description, public.

Public on purpose: it describes the API, not anyone's data, and client generators and API
browsers must be able to load it without a token (hence also the permissive CORS header).
"""

from __future__ import annotations

from aiohttp import web

from mitwirken.server.app_keys import URLS
from mitwirken.server.web.openapi_spec import build_openapi


async def openapi_json(request: web.Request) -> web.Response:
    return web.json_response(build_openapi(request.app[URLS].base),
                             headers={"Access-Control-Allow-Origin": "*",
                                      "Cache-Control": "public, max-age=300"})
