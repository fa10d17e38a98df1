"""The JSON API under /api: the portal's actions for the region's other systems."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api")
