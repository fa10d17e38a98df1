"""The coordinator's reports in the browser: the list, and each report as the page
`roadmap report NAME --html` writes (roadmap.reports.output.render_html: the table and its
Plotly charts), with the portal's bar on top — back to the list, another year, the same
report as CSV for Russian Excel or as an XLSX workbook."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from roadmap.errors import UserError
from roadmap.i18n import t
from roadmap.settings import Settings
from roadmap.web.deps import DB, Now
from roadmap.web.security import CHARTS_CSP
from roadmap.web.views import Coordinator, render, settings_of

router = APIRouter(include_in_schema=False)


def _budget(session, region, now, year, settings):
    from roadmap.reports.budget import budget_report

    return budget_report(session, region, year=year, now=now)


def _indicators(session, region, now, year, settings):
    from roadmap.reports.indicators import indicators_report

    return indicators_report(session, region, year=year, now=now)


def _rating(session, region, now, year, settings):
    from roadmap.reports.rating import rating_report
    from roadmap.reports.rating_config import load_rating_config

    return rating_report(session, region, config=load_rating_config(settings), year=year, now=now)


def _progress(session, region, now, year, settings):
    from roadmap.reports.progress import progress_report

    return progress_report(session, region, year=year, now=now, settings=settings)


def _sessions(session, region, now, year, settings):
    from roadmap.reports.sessions import sessions_report

    return sessions_report(session, region, year=year, now=now)


def _services(session, region, now, year, settings):
    from roadmap.reports.services import services_report

    return services_report(session, region, year=year, now=now)


@dataclass(frozen=True, slots=True)
class ReportPage:
    name: str
    compute: Callable[[Any, Any, datetime, int | None, Settings], Any]


#: The reports of `roadmap report`, in the order the list shows them; each is computed
#: with its defaults and an optional year.
REPORTS = {
    page.name: page
    for page in (
        ReportPage("budget", _budget),
        ReportPage("indicators", _indicators),
        ReportPage("rating", _rating),
        ReportPage("progress", _progress),
        ReportPage("sessions", _sessions),
        ReportPage("services", _services),
    )
}


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, viewer: Coordinator) -> HTMLResponse:
    return render(request, "reports.html", reports=list(REPORTS))


def _year(value: str | None) -> int | None:
    if value is None or value.strip() == "":
        return None
    text = value.strip()
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise UserError(t("pages.reports.bad_year", value=text))
    return int(text)


def _report(name: str, database, now: datetime, year: str | None, settings: Settings):
    page = REPORTS.get(name)
    if page is None:
        raise HTTPException(404, t("pages.reports.unknown", name=name, known=", ".join(REPORTS)))
    session, region = database
    return page.compute(session, region, now, _year(year), settings)


@router.get("/reports/{name}.{kind}")
def report_file(
    request: Request,
    name: str,
    kind: str,
    viewer: Coordinator,
    database: DB,
    now: Now,
    year: str | None = None,
) -> Response:
    """The report as a download: CSV (UTF-8 with BOM, ";", decimal comma) or XLSX."""
    from roadmap.reports import output

    if kind not in ("csv", "xlsx"):
        raise HTTPException(404, t("pages.reports.unknown_format", kind=kind))
    report = _report(name, database, now, year, settings_of(request))
    filename = f"{name}-{year}.{kind}" if year else f"{name}.{kind}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if kind == "csv":
        buffer = io.StringIO(newline="")
        output.write_csv(report, buffer)
        return Response(
            buffer.getvalue().encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers=headers,
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / filename
        output.write_xlsx(report, path)
        content = path.read_bytes()
    return Response(
        content,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=headers,
    )


# After the downloads: `{name}` alone would also match `budget.csv`.
@router.get("/reports/{name}", response_class=HTMLResponse)
def report_page(
    request: Request,
    name: str,
    viewer: Coordinator,
    database: DB,
    now: Now,
    year: str | None = None,
) -> Response:
    """The report's own page with its charts (Plotly inlined: the page allows inline
    scripts, nothing else more than the portal's other pages) under the portal's bar."""
    from roadmap.reports.output import render_html
    from roadmap.web.auth import templates

    report = _report(name, database, now, year, settings_of(request))
    page = render_html(report)
    bar = (
        templates()
        .get_template("report_bar.html")
        .render(
            request=request,
            viewer=viewer,
            csrf_token=viewer.csrf_token,
            name=name,
            year=year or "",
            t=t,
        )
    )
    html = page.replace("<body>", "<body>\n" + bar, 1)
    return HTMLResponse(html, headers={"Content-Security-Policy": CHARTS_CSP})
