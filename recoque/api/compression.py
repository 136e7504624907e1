"""Responses compressed where that is safe: the console's scripts and styles, and every answer
to a request without a session cookie (the public pages, the map's layers, API clients that send
their token in a header).

An answer inside a browser session is sent as it is: its pages carry the session's form token,
and a compressed page that also echoes what a visitor typed would let an eavesdropper guess the
token from the compressed sizes (the BREACH attack). Pictures and answers the read cache already
compressed pass untouched (Starlette's ``GZipMiddleware`` skips both).
"""

from __future__ import annotations

from starlette.middleware.gzip import GZipMiddleware

from recoque.api.deps import SESSION_COOKIE

MINIMUM_BYTES = 1024   # smaller answers gain little and cost a round of work
ALWAYS = ("/static/",)


class Compression:
    def __init__(self, app, minimum_size: int = MINIMUM_BYTES) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and compressible(scope):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def compressible(scope) -> bool:
    if scope["path"].startswith(ALWAYS):
        return True
    cookies = b";".join(v for k, v in scope.get("headers", ()) if k == b"cookie")
    return f"{SESSION_COOKIE}=".encode() not in cookies
