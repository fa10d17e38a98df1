"""The portal's composition root: `create_app(settings)` builds the FastAPI application with
its sign-in, pages and API, the security headers, and the answers to errors (an HTML page for
a browser, JSON under /api)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.settings import Settings, get_settings
from roadmap.web.auth import SignInRequired, TooManyAttempts, templates
from roadmap.web.security import FailureLimiter, SecurityHeaders

STATIC_DIR = Path(__file__).resolve().parent / "static"

_ERROR_PAGE = """{% extends "base.html" %}
{% block title %}{{ heading }}{% endblock %}
{% block content %}<h1>{{ heading }}</h1><p class="notice">{{ message }}</p>{% endblock %}"""


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def error_page(request: Request, status: int, message: str, headers=None) -> Response:
    """An error as a page of the portal (for browsers) or as JSON {"detail"} (under /api)."""
    if _is_api(request):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    page = templates().env.from_string(_ERROR_PAGE)
    context = templates().context_processors[0](request)
    html = page.render(
        **context, request=request, heading=t("web.error.title", status=status), message=message
    )
    return HTMLResponse(html, status_code=status, headers=headers)


def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if _is_api(request):
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )
    message = exc.detail if isinstance(exc.detail, str) else t("web.error.generic")
    if exc.status_code == 404 and message == "Not Found":
        message = t("web.error.not_found")
    return error_page(request, exc.status_code, message, exc.headers)


def _sign_in_required(request: Request, exc: SignInRequired) -> Response:
    return RedirectResponse("/sign-in", status_code=303)


def _too_many(request: Request, exc: TooManyAttempts) -> Response:
    return error_page(
        request,
        429,
        t("web.sign_in.limited", seconds=exc.retry_after),
        {"Retry-After": str(exc.retry_after)},
    )


def _user_error(request: Request, exc: UserError) -> Response:
    return error_page(request, 400, str(exc))


def create_app(
    settings: Settings | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
    region_code: str | None = None,
) -> FastAPI:
    """The portal for the store of `settings`. `clock` gives the moment requests are served
    at (default: the system clock); `region_code` the region anonymous pages show when the
    store holds several."""
    from roadmap.web import api, pages, sign_in

    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        store = getattr(app.state, "store", None)
        if store is not None:
            store.dispose()
            app.state.store = None

    app = FastAPI(
        title="roadmap",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.clock = clock
    app.state.region_code = region_code
    app.state.store = None
    app.state.sign_in_limiter = FailureLimiter(settings.web_sign_in_limit)
    app.add_middleware(SecurityHeaders, default_locale=settings.locale)
    app.add_exception_handler(SignInRequired, _sign_in_required)
    app.add_exception_handler(TooManyAttempts, _too_many)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(UserError, _user_error)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(sign_in.router)
    app.include_router(pages.router)
    app.include_router(api.router)
    return app
