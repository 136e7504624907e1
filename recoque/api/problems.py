"""Every error of the API as an RFC 9457 problem-details body (``application/problem+json``):
``type``, ``title``, ``status``, ``detail`` (one readable sentence), and for invalid requests
``errors``, one entry per field at fault. The same shape is documented on every operation."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from recoque.core.errors import NotBuiltError, RecoqueError, UnknownNameError

# what the web surface answers a person in a browser instead of a problem body
ErrorPage = Callable[[Request, int, str], Response]

MEDIA_TYPE = "application/problem+json"


class FieldError(BaseModel):
    field: str = Field(description="where in the request: body.age, query.limit, …")
    message: str


class Problem(BaseModel):
    type: str = Field(default="about:blank", description="a URI naming the kind of problem")
    title: str = Field(description="the HTTP status in words")
    status: int
    detail: str = Field(description="what went wrong, for a person to read")
    errors: list[FieldError] | None = Field(default=None, description="each invalid field (422)")


def _documented(description: str) -> dict:
    return {"description": description, "model": Problem,
            "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


# documented on every operation: what any of them may answer besides its success
ERROR_RESPONSES: dict[int | str, dict] = {
    400: _documented("the request is refused by a rule of the platform"),
    401: _documented("log in first"),
    403: _documented("this role may not, or the request came from another site"),
    404: _documented("nothing by that name or number"),
    409: _documented("the request conflicts with the current state (e.g. nothing built yet: the detail says "
                     "what to run)"),
    413: _documented("the body is over this route's ceiling"),
    422: _documented("a field of the request is invalid"),
    429: _documented("too many requests: come back after Retry-After seconds"),
}


def problem(status: int, detail: str, *, headers: dict | None = None, errors: list[dict] | None = None) -> JSONResponse:
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, headers=headers, media_type=MEDIA_TYPE)


def _wants_page(request: Request) -> bool:
    """A person in a browser, not a program: a page outside /api that asks for HTML."""
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def _methods(request: Request) -> set[str]:
    from starlette.routing import Match

    found: set[str] = set()
    for route in request.app.routes:
        for r in getattr(getattr(route, "original_router", None), "routes", [route]):
            if getattr(r, "methods", None) and r.matches(request.scope)[0] != Match.NONE:
                found |= set(r.methods)
    return found


def _field(location: tuple) -> str:
    return ".".join(str(part) for part in location)


def install(app: FastAPI, *, error_page: ErrorPage | None = None) -> None:
    """Register the handlers that turn every error into a problem body, or into the
    ``error_page`` the web surface hands over for a person in a browser."""

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        if error_page is not None and _wants_page(request):
            return error_page(request, exc.status_code, detail)
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:  # a path served by several routes: every method any of them takes
            headers = {**(headers or {}), "Allow": ", ".join(sorted(_methods(request)))}
        return problem(exc.status_code, detail, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"field": _field(e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors()]
        first = errors[0] if errors else {"field": "request", "message": "invalid"}
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return problem(422, f"{first['field']}: {first['message']}{more}", errors=errors)

    @app.exception_handler(UnknownNameError)
    async def _unknown(_request: Request, exc: UnknownNameError) -> JSONResponse:
        return problem(404, str(exc))

    @app.exception_handler(NotBuiltError)
    async def _not_built(_request: Request, exc: NotBuiltError) -> JSONResponse:
        # the server works; what was asked for is not built yet: a state of the data, not an outage
        return problem(409, str(exc))

    @app.exception_handler(RecoqueError)
    async def _refused(_request: Request, exc: RecoqueError) -> JSONResponse:
        return problem(400, str(exc))
