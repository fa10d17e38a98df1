"""The name under which the released migrations refer to the store's column types.

Migrations 0001–0003 say `roadmap.models.UTCDateTime`; released migrations are never
edited, so this name stays. The tables live in `roadmap.store.models`.
"""

from roadmap.store.models import UTCDateTime

__all__ = ["UTCDateTime"]
