"""The organisations a report lists: executive bodies and municipalities of the region
(Agency.kind), all of them or one kind, in code order."""

from __future__ import annotations

from sqlmodel import Session, select

from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.store.models import Agency, AgencyKind, Region

#: `--kind` as a person writes it, and the kind it means.
KIND_OPTIONS = {
    "body": AgencyKind.executive_body.value,
    "executive_body": AgencyKind.executive_body.value,
    "municipality": AgencyKind.municipality.value,
}


def parse_kind(value: str | None) -> str | None:
    """`--kind body|municipality` as an Agency.kind value (None: both kinds)."""
    if value is None or not value.strip():
        return None
    kind = KIND_OPTIONS.get(value.strip().lower())
    if kind is None:
        raise UserError(t("rating.bad_kind", value=value, known="body, municipality"))
    return kind


def organisations(session: Session, region: Region, kind: str | None = None) -> list[Agency]:
    """The region's organisations of `kind` (both kinds for None), by code."""
    query = select(Agency).where(Agency.region_id == region.id)
    if kind is not None:
        query = query.where(Agency.kind == kind)
    return list(session.exec(query.order_by(Agency.code)))
