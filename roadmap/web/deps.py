"""Per-request dependencies every route shares: the store, the clock, and one unit of work.

Use `DB` (or `Depends(db, scope="function")`) in a route: the unit of work then commits
before the response is sent, so a redirect after a POST never shows the old state and a
failed commit is the request's error. `db` yields (session, region): the signed-in person's
region, or for an anonymous request the portal's region (`roadmap web --region`, or the only
one in the store).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from roadmap.store.models import Region
from roadmap.store.unit_of_work import resolve_region
from roadmap.web.auth import Viewer, current_viewer
from roadmap.web.state import clock, get_store

__all__ = ["DB", "Now", "clock", "db", "get_store"]


def db(
    request: Request, viewer: Annotated[Viewer | None, Depends(current_viewer)]
) -> Iterator[tuple[Session, Region]]:
    """One unit of work: (session, region), committed on success, rolled back on error."""
    with get_store(request).session() as session:
        if viewer is not None:
            region = session.get(Region, viewer.region_id)
        else:
            region = resolve_region(session, getattr(request.app.state, "region_code", None))
        yield session, region


DB = Annotated[tuple[Session, Region], Depends(db, scope="function")]
Now = Annotated[datetime, Depends(clock)]
