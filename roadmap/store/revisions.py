"""The schema revisions the program knows, read from the migration files' headers without
importing Alembic or SQLAlchemy: every command checks the store's revision against the
head, and a quick read must not pay for the migration machinery."""

from __future__ import annotations

import functools
import re
from pathlib import Path

# The released migrations keep their place (roadmap/migrations): released history never moves.
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


@functools.cache
def revision_graph() -> dict[str, str | None]:
    """{revision: the revision it follows}, from the migration files' headers."""
    graph: dict[str, str | None] = {}
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        text = path.read_text("utf-8")
        revision = re.search(r'^revision: str = "([^"]+)"', text, re.M)
        down = re.search(r'^down_revision: str \| None = (?:"([^"]+)"|None)', text, re.M)
        if revision is None or down is None:
            raise RuntimeError(f"{path.name}: no revision header")
        graph[revision.group(1)] = down.group(1)
    return graph


def head_revision() -> str:
    graph = revision_graph()
    heads = set(graph) - {down for down in graph.values() if down}
    if len(heads) != 1:
        raise RuntimeError(f"migrations have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()


def known_revisions() -> set[str]:
    return set(revision_graph())
