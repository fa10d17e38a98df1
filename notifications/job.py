"""The deadline job: check the delivery config, plan the sweep at one exact moment, deliver.

The one place that chains sweep → dispatch: `roadmap sweep` and the Prefect flow
`deadline-sweep` both call `run_deadline_job`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from notifications.dispatcher import DispatchCounts, dispatch, require_channel
from notifications.sender import Sender
from roadmap.alerts.config import delivery_settings
from roadmap.alerts.sweep import PlannedAlert, RegionSweep, sweep
from roadmap.settings import Settings
from roadmap.store.clock import utc_moment


@dataclass(frozen=True, slots=True)
class DeadlineJobResult:
    """What the sweep planned per region and (unless a dry run) what dispatch delivered."""

    regions: list[RegionSweep]
    planned: list[PlannedAlert]
    dispatch: DispatchCounts | None = None  # None for a dry run


def make_sender(settings: Settings) -> Sender:
    """The Apprise sender; no channel at all, or a missing, empty or unreadable config, is a
    UserError here (before anything is planned: alerts planned for nobody would be lost)."""
    require_channel(settings)
    return Sender(
        settings.apprise_config,
        settings.smtp_url,
        timeout=delivery_settings(settings).timeout_seconds,
    )


def run_deadline_job(
    settings: Settings,
    now: datetime | None = None,
    *,
    region: str | None = None,
    dry_run: bool = False,
    sender: Sender | None = None,
) -> DeadlineJobResult:
    """Sweep every region (or one) at `now` (aware; default the clock) and deliver at that
    same moment. A broken Apprise config is refused before anything is written."""
    moment = utc_moment(now)
    if not dry_run and sender is None:
        sender = make_sender(settings)
    report = sweep(settings, now=moment, dry_run=dry_run, region_code=region)
    if dry_run:
        return DeadlineJobResult(report.regions, report.planned)
    counts = dispatch(settings, now=moment, sender=sender)
    return DeadlineJobResult(report.regions, report.planned, counts)
