"""What the application holds for every request: its store (opened on first use) and its
clock (tests give the app a fixed one)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from fastapi import Request

from roadmap.store.engine import Store
from roadmap.store.unit_of_work import open_store

_store_lock = threading.Lock()


def get_store(request: Request) -> Store:
    """The portal's store, opened on first use (one engine and pool for the process)."""
    state = request.app.state
    store = getattr(state, "store", None)
    if store is None:
        with _store_lock:
            store = getattr(state, "store", None)
            if store is None:
                store = open_store(state.settings)
                state.store = store
    return store


def clock(request: Request) -> datetime:
    """The moment the request is served at (UTC)."""
    now = getattr(request.app.state, "clock", None)
    return now() if now is not None else datetime.now(UTC)
