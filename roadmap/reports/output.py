"""Writers of a report (roadmap.reports.table.Report): a rich table for the terminal, JSON
for scripts, CSV for Russian Excel (UTF-8 with a byte-order mark, `;`, decimal comma), an
XLSX workbook with number formats and totals, and one self-contained HTML page with charts
(Plotly, its script inlined: the page opens offline).

Money is kopecks in the rows and roubles everywhere it is written: exact decimals in JSON
("1234.56"), numbers with two places in CSV and XLSX, grouped thousands on the terminal.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from roadmap.errors import UserError
from roadmap.i18n import current_locale, t
from roadmap.reports.table import Chart, Column, Report

#: Kinds of columns whose values are numbers: right-aligned wherever they are shown.
NUMERIC_KINDS = frozenset({"int", "year", "money", "percent", "number"})


def roubles(kopecks: int | None) -> Decimal | None:
    return None if kopecks is None else (Decimal(kopecks) / 100).quantize(Decimal("0.01"))


# --- plain values (JSON) --------------------------------------------------------------------


def json_value(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.kind == "money":
        return str(roubles(value))
    if column.kind == "percent":
        return round(float(value), 4)
    if column.kind == "number":
        return float(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def as_json(report: Report) -> dict[str, Any]:
    """The report as JSON data: columns with their kinds, rows and totals keyed by column."""

    def record(row: dict[str, Any]) -> dict[str, Any]:
        return {c.key: json_value(c, row.get(c.key)) for c in report.columns}

    return {
        "report": report.name,
        "title": report.title,
        "region": report.region,
        "strategy": report.strategy,
        "generated_at": report.generated_at.isoformat() if report.generated_at else None,
        "today": report.today.isoformat() if report.today else None,
        "filters": report.filters,
        "columns": [{"key": c.key, "title": c.title, "kind": c.kind} for c in report.columns],
        "rows": [record(row) for row in report.rows],
        "totals": record(report.totals) if report.totals is not None else None,
        "notes": report.notes,
    }


def _json_default(value: Any) -> Any:
    """What a report's filters may hold beyond JSON's own types: dates, decimals, sets."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str)
    return str(value)


def write_json(report: Report, out: Any) -> None:
    json.dump(as_json(report), out, ensure_ascii=False, indent=2, default=_json_default)
    out.write("\n")


# --- text (terminal, CSV) -------------------------------------------------------------------


def _decimal_text(value: Decimal | float, places: int, group: bool) -> str:
    text = f"{value:,.{places}f}" if group else f"{value:.{places}f}"
    text = text.replace(",", "\u202f")
    return text.replace(".", ",") if current_locale() == "ru" else text


def text_value(column: Column, value: Any, *, group: bool = True) -> str:
    """A value as a person reads it: money with two places, shares as percentages, dates
    as dd.mm.yyyy in Russian; "—" for no data (an empty field in CSV, group=False)."""
    if value is None:
        return "—" if group else ""
    if isinstance(value, str):  # a code with a label, or a label in a number's column
        return column.labels.get(value, value) if column.labels else value
    kind = column.kind
    if kind == "money":
        return _decimal_text(roubles(value), 2, group)
    if kind == "percent":
        return _decimal_text(float(value) * 100, 1, group) + (" %" if group else "")
    if kind == "number":
        number = float(value)
        places = 0 if number.is_integer() else 2
        return _decimal_text(number, places, group)
    if kind == "int":
        return _decimal_text(int(value), 0, group) if group else str(int(value))
    if kind == "year":
        return str(int(value))
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y") if current_locale() == "ru" else value.isoformat()
    return str(value)


def csv_header(column: Column) -> str:
    return f"{column.title}, %" if column.kind == "percent" else column.title


def write_csv(report: Report, out: Any) -> None:
    """CSV that Russian Excel opens as it is: UTF-8 with BOM, `;` between fields, numbers
    with a decimal comma (a point in English), percentages as numbers, the totals last."""
    import csv

    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_header(c) for c in report.columns])
    for row in _rows_with_totals(report):
        writer.writerow(
            [_inert(c, text_value(c, row.get(c.key), group=False)) for c in report.columns]
        )


def _inert(column: Column, text: str) -> str:
    """Text that Excel would run as a formula (=, +, -, @ first) is written with a leading
    apostrophe, as Excel itself shows a text cell: a name is never a formula."""
    if column.kind == "text" and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _rows_with_totals(report: Report) -> list[dict[str, Any]]:
    return [*report.rows, report.totals] if report.totals is not None else report.rows


def print_report(report: Report, console: Any) -> None:
    """A rich table: numbers right-aligned, totals as the footer, then the notes."""
    from rich.table import Table
    from rich.text import Text

    # Text, not strings: a name with brackets in it is shown as it is, not read as markup.
    caption = _filters_line(report)
    table = Table(
        title=Text(f"{report.title}: {report.region}"),
        title_justify="left",
        caption=Text(caption) if caption else None,
        caption_justify="left",
        show_footer=report.totals is not None,
    )
    shown = [column for column in report.columns if not column.below]
    texts = {
        column.key: [text_value(column, row.get(column.key)) for row in _rows_with_totals(report)]
        for column in shown
    }
    for column in shown:
        footer = ""
        if report.totals is not None:
            footer = text_value(column, report.totals.get(column.key))
            footer = "" if footer == "—" and column.key not in report.totals else footer
        values = texts[column.key]
        # Numbers, dates and codes are never cut or wrapped: their column is as wide as they
        # are. Names and explanations wrap within 40 characters.
        prose = column.kind == "text" and any(" " in value for value in values)
        widest = max([len(value) for value in values] + [min(len(column.title), 12)])
        table.add_column(
            Text(column.title),
            justify="right" if column.kind in NUMERIC_KINDS else "left",
            no_wrap=not prose,
            max_width=40 if prose else None,
            min_width=None if prose else min(widest, 24),
            footer=Text(footer),
        )
    for row in report.rows:
        table.add_row(*[Text(text_value(c, row.get(c.key))) for c in shown])
    console.print(table)
    if not report.rows:
        console.print(Text(t("report.no_rows")))
    key = shown[0] if shown else None
    for column in report.columns:
        if not column.below or key is None:
            continue
        console.print(Text(f"{column.title}:"))
        for row in report.rows:
            console.print(
                Text(
                    f"  {text_value(key, row.get(key.key))}: {text_value(column, row.get(column.key))}"
                )
            )
    for note in report.notes:
        console.print(Text(note))


def _filter_text(value: Any) -> str:
    return ",".join(map(str, value)) if isinstance(value, list | tuple) else str(value)


def _filters_line(report: Report) -> str:
    shown = {k: v for k, v in report.filters.items() if v not in (None, "", [], ())}
    if not shown:
        return ""
    parts = [f"{k}={_filter_text(v)}" for k, v in shown.items()]
    return t("report.filters", filters="; ".join(parts))


# --- XLSX -----------------------------------------------------------------------------------

_XLSX_FORMATS = {
    "money": "#,##0.00",
    "int": "#,##0",
    "year": "0",
    "percent": "0.0%",
    "number": "#,##0.##",
    "date": "DD.MM.YYYY",
}


def xlsx_value(column: Column, value: Any) -> Any:
    if isinstance(value, str) and column.labels:
        return column.labels.get(value, value)
    if value is None or isinstance(value, str):
        return value
    if column.kind == "money":
        return float(roubles(value))
    if column.kind in ("percent", "number"):
        return float(value)
    return value


def _sheet_title(text: str, fallback: str) -> str:
    """A sheet's name as Excel allows it: at most 31 characters, none of []:*?/\\, not
    starting or ending with an apostrophe."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in text).strip().strip("'")
    return cleaned[:31].strip() or fallback


def _append(sheet: Any, values: list[Any]) -> None:
    """A row of values; text is kept as text (a name starting with "=" is not a formula)."""
    sheet.append(values)
    for cell, value in zip(sheet[sheet.max_row], values, strict=False):
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"


def write_xlsx(report: Report, path: Path) -> None:
    """A workbook: the report's sheet (headers, number formats, autofilter, frozen header,
    totals in bold) and a sheet of what it was computed on and its notes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = _sheet_title(report.title, report.name or "report")
    bold = Font(bold=True)
    _append(sheet, [c.title for c in report.columns])
    for cell in sheet[1]:
        cell.font = bold
    for row in report.rows:
        _append(sheet, [xlsx_value(c, row.get(c.key)) for c in report.columns])
    last_data_row = sheet.max_row
    if report.totals is not None:
        _append(sheet, [xlsx_value(c, report.totals.get(c.key)) for c in report.columns])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
    for index, column in enumerate(report.columns, 1):
        letter = get_column_letter(index)
        number_format = _XLSX_FORMATS.get(column.kind)
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
        longest = max(
            [len(column.title)]
            + [len(text_value(column, row.get(column.key))) for row in report.rows[:500]]
        )
        sheet.column_dimensions[letter].width = min(max(10, longest + 2), 60)
    sheet.freeze_panes = "A2"
    if report.rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(report.columns))}{last_data_row}"
    about = book.create_sheet(_sheet_title(t("report.about_sheet"), "about"))
    if about.title == sheet.title:  # a report titled as the about sheet
        about.title = f"{about.title[:29]} 2"
    for key, value in _about(report):
        _append(about, [key, value])
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 80
    _save(path, book.save)


def _about(report: Report) -> list[tuple[str, str]]:
    lines = [
        (t("report.about.report"), report.title),
        (t("report.about.region"), report.region),
        (t("report.about.strategy"), report.strategy),
        (
            t("report.about.generated"),
            report.generated_at.isoformat(timespec="seconds") if report.generated_at else "",
        ),
    ]
    lines += [
        (key, _filter_text(value)) for key, value in report.filters.items() if value is not None
    ]
    lines += [(t("report.about.note"), note) for note in report.notes]
    return lines


# --- HTML -----------------------------------------------------------------------------------


def chart_figure(chart: Chart) -> Any:
    import plotly.graph_objects as go

    figure = go.Figure()
    horizontal = chart.kind in ("hbar", "hstack")
    for series in chart.series:
        if chart.kind == "line":
            trace = go.Scatter(
                x=chart.categories, y=series.values, name=series.name, mode="lines+markers"
            )
        elif horizontal:
            trace = go.Bar(y=chart.categories, x=series.values, name=series.name, orientation="h")
        else:
            trace = go.Bar(x=chart.categories, y=series.values, name=series.name)
        figure.add_trace(trace)
    layout: dict[str, Any] = {
        "title": {"text": chart.title},
        "barmode": "stack" if chart.kind in ("stack", "hstack") else "group",
        "template": "plotly_white",
        "margin": {"l": 60, "r": 20, "t": 60, "b": 60},
        "legend": {"orientation": "h"},
        # A bar per category: long names read along the bar, not under it.
        "height": max(360, 28 * len(chart.categories) + 140) if horizontal else 420,
    }
    layout["xaxis" if horizontal else "yaxis"] = {"title": {"text": chart.unit}}
    if horizontal:
        layout["yaxis"] = {"autorange": "reversed", "automargin": True}
    figure.update_layout(**layout)
    return figure


_PAGE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ report.title }} — {{ report.region }}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 1.5rem;
       color: #1f2933; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
.meta { color: #52606d; margin-top: 0; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(480px, 1fr)); gap: 1rem; }
.table { overflow-x: auto; }
.chart { border: 1px solid #e4e7eb; border-radius: 6px; padding: .5rem; }
table { border-collapse: collapse; margin-top: 1.5rem; font-size: .9rem; }
th, td { border-bottom: 1px solid #e4e7eb; padding: .3rem .6rem; }
th { background: #f5f7fa; text-align: left; position: sticky; top: 0; }
td.num, th.num { text-align: right; white-space: nowrap; }
tfoot td { font-weight: bold; border-top: 2px solid #9aa5b1; }
.notes { color: #52606d; }
</style>
<script>{{ plotly_js | safe }}</script>
</head>
<body>
<h1>{{ report.title }}</h1>
<p class="meta">{{ report.region }} · {{ report.strategy }}{% if generated %} · {{ generated }}{% endif %}{% if filters %} · {{ filters }}{% endif %}</p>
<div class="charts">
{% for chart in charts %}<div class="chart">{{ chart | safe }}</div>
{% endfor %}</div>
<div class="table"><table>
<thead><tr>{% for c in columns %}<th class="{{ c.css }}">{{ c.title }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in rows %}<tr>{% for cell in row %}<td class="{{ cell.css }}">{{ cell.text }}</td>{% endfor %}</tr>
{% endfor %}</tbody>
{% if totals %}<tfoot><tr>{% for cell in totals %}<td class="{{ cell.css }}">{{ cell.text }}</td>{% endfor %}</tr></tfoot>{% endif %}
</table></div>
{% if not rows %}<p>{{ no_rows }}</p>{% endif %}
{% for note in report.notes %}<p class="notes">{{ note }}</p>
{% endfor %}
<script>
// Each chart drew itself before the page was laid out: fit them to their boxes now.
window.addEventListener("load", function () {
  document.querySelectorAll(".js-plotly-plot").forEach(function (el) { Plotly.Plots.resize(el); });
});
</script>
</body>
</html>
"""


def render_html(report: Report) -> str:
    """One page that needs nothing else: Plotly's script is inlined once, each chart is a
    div that draws from it, the table follows (totals in the footer)."""
    import jinja2
    from plotly.offline import get_plotlyjs

    def cells(row: dict[str, Any]) -> list[dict[str, str]]:
        return [
            {
                "text": text_value(c, row.get(c.key)),
                "css": "num" if c.kind in NUMERIC_KINDS else "",
            }
            for c in report.columns
        ]

    charts = [
        chart_figure(chart).to_html(
            full_html=False,
            include_plotlyjs=False,
            config={"displaylogo": False, "responsive": True},
            div_id=f"chart-{n}",
        )
        for n, chart in enumerate(report.charts, 1)
    ]
    environment = jinja2.Environment(autoescape=True)
    return environment.from_string(_PAGE).render(
        lang=current_locale(),
        report=report,
        plotly_js=get_plotlyjs(),
        charts=charts,
        generated=report.generated_at.strftime("%Y-%m-%d %H:%M UTC") if report.generated_at else "",
        filters=_filters_line(report),
        columns=[
            {"title": c.title, "css": "num" if c.kind in NUMERIC_KINDS else ""}
            for c in report.columns
        ],
        rows=[cells(row) for row in report.rows],
        totals=cells(report.totals) if report.totals is not None else None,
        no_rows=t("report.no_rows"),
    )


def write_html(report: Report, path: Path) -> None:
    page = render_html(report)
    _save(path, lambda target: Path(target).write_text(page, encoding="utf-8"))


# --- files ----------------------------------------------------------------------------------


def check_output_path(option: str, path: Path) -> Path:
    """An output file's place is checked before any work: its folder exists and can be
    written to, and it is not a folder itself."""
    if path.is_dir():
        raise UserError(t("report.path_is_dir", option=option, path=path))
    folder = path.parent
    if not folder.is_dir():
        raise UserError(t("report.path_no_dir", option=option, path=path))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UserError(t("report.path_not_writable", option=option, path=path))
    return path


def _save(path: Path, write: Callable[[str], Any]) -> None:
    """Written next to its place and moved there: a reader never sees half a file. What
    the system refuses (a full disk, a read-only folder) is one message, not a traceback."""
    try:
        _replace(path, write)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UserError(t("report.write_failed", path=path, reason=reason)) from exc


def _replace(path: Path, write: Callable[[str], Any]) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(temporary)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
