"""The portal's pages (server-rendered, Jinja2), one module per area:

- `pages_tasks`: my tasks, a task's card, handing in, accepting and returning, taking an
  escalation, downloading a handed-in file;
- `pages_stages`: the coordinator's stage runs and gates, start and close;
- `pages_reports`: the reports with their charts, as CSV and XLSX;
- `pages_office`: the alert log and the yearly review.
"""

from __future__ import annotations

from fastapi import APIRouter

from roadmap.web import pages_office, pages_reports, pages_stages, pages_tasks

router = APIRouter(include_in_schema=False)
for _area in (pages_tasks, pages_stages, pages_reports, pages_office):
    router.include_router(_area.router)
