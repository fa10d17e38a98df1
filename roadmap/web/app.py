"""The portal's composition root: `create_app(settings)` builds the FastAPI application
with its pages and API."""

from __future__ import annotations

from fastapi import FastAPI

from roadmap.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    from roadmap.web import api, pages

    app = FastAPI(title="roadmap", docs_url="/api/docs", openapi_url="/openapi.json")
    app.state.settings = settings or get_settings()
    app.include_router(pages.router)
    app.include_router(api.router)
    return app
