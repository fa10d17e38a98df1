"""How the API says no: every refusal is JSON in the viewer's language, never a 500 for bad
input.

- `ApiRoute` (the route class of every /api route) turns a request that does not match the
  schema (or a body that cannot be decoded) into 422 with one problem per field, each
  message from the catalogue, and a `UserError` a domain service raised (a due date in the
  past, an unknown organisation) into 422 with its message.
- `refuse(status, message)` is every other refusal: 403, 404, 409.
- `ERRORS` documents the error responses in the OpenAPI schema.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.web.api_models import ErrorOut, GateRefusedOut, InvalidOut

# The longest part of a wrong value a message quotes.
QUOTED = 60


class ApiRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                problems = [field_problem(error) for error in exc.errors()]
                return JSONResponse(status_code=422, content={"detail": problems})
            except UserError as exc:
                return JSONResponse(status_code=422, content={"detail": str(exc)})
            except StarletteHTTPException as exc:
                if exc.status_code != 400:
                    raise
                # FastAPI's answer to a body it cannot decode (not UTF-8): a 422 like any
                # other body that is not JSON.
                problem = {"loc": ["body"], "msg": t("web.api.body_unreadable")}
                return JSONResponse(
                    status_code=422, content={"detail": [problem | {"type": "json_invalid"}]}
                )

        return route


def refuse(status: int, message: str) -> HTTPException:
    """An HTTPException to raise: `{"detail": message}` with that status."""
    return HTTPException(status_code=status, detail=message)


def field_problem(error: dict[str, Any]) -> dict[str, Any]:
    """One of pydantic's errors as {loc, msg, type}, the message in the viewer's language."""
    return {
        "loc": [part if isinstance(part, int) else str(part) for part in error.get("loc", ())],
        "msg": _message(error),
        "type": str(error.get("type", "")),
    }


def _quoted(value: Any) -> Any:
    if isinstance(value, str) and len(value) > QUOTED:
        return value[:QUOTED] + "…"
    if isinstance(value, dict | list):
        return _quoted(str(value))
    return value


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    value = _quoted(error.get("input"))
    simple = {
        "missing": ("format.missing", {}),
        "extra_forbidden": ("web.api.unknown_field", {}),
        "string_too_short": ("format.empty", {}),
        "list_type": ("format.list", {}),
    }
    if kind in simple:
        key, values = simple[kind]
        return t(key, **values)
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return t("format.int", input=value)
    if kind in ("float_parsing", "float_type", "finite_number"):
        return t("format.number", input=value)
    if kind in ("bool_parsing", "bool_type"):
        return t("format.bool", input=value)
    if kind == "string_type":
        return t("format.text", input=value)
    if kind == "string_too_long":
        return t("format.too_long", max=ctx.get("max_length"))
    if kind == "string_pattern_mismatch":
        return t("web.api.pattern", input=value)
    if kind in ("enum", "literal_error"):
        return t("format.choice", expected=ctx.get("expected", "?"), input=value)
    if kind.startswith("date_") or kind == "datetime_from_date_parsing":
        return t("format.date", input=value)
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return t("format.mapping")
    if kind == "json_invalid":
        return t("web.api.json", reason=ctx.get("error", "?"))
    bounds = {
        "greater_than_equal": ("web.api.at_least", "ge"),
        "greater_than": ("web.api.above", "gt"),
        "less_than_equal": ("web.api.at_most", "le"),
        "less_than": ("web.api.below", "lt"),
    }
    if kind in bounds:
        key, limit = bounds[kind]
        return t(key, limit=ctx.get(limit), input=value)
    if kind == "value_error" and isinstance(ctx.get("error"), ValueError):
        # The roadmap file's validators raise their message already translated.
        return str(ctx["error"])
    return str(error.get("msg", kind))


def _response(model: type, what: str) -> dict[str, Any]:
    return {"model": model, "description": what}


#: The error responses, for the OpenAPI schema: every route has 401, 403, 422 and 429; routes that
#: name a task or a stage add 404, actions add 409.
ERRORS: dict[int | str, dict[str, Any]] = {
    401: _response(ErrorOut, "No credentials, or a revoked or expired token or session."),
    403: _response(
        ErrorOut,
        "Not the viewer's: another organisation's task, a coordinators-only action, or a"
        " session-cookie request without its X-CSRF-Token.",
    ),
    422: _response(InvalidOut, "The request or its values cannot be used."),
    429: _response(ErrorOut, "Too many failed sign-ins from this address: wait (Retry-After)."),
}
NOT_FOUND = {404: _response(ErrorOut, "No such task or stage anywhere in the region.")}
CONFLICT = {409: _response(ErrorOut, "Not possible in the current state (e.g. status).")}
GATE_REFUSED = {409: _response(GateRefusedOut, "The stage's gate does not hold: what it misses.")}
