"""A small region whose indicators are assessed by hand, for the indicators report, the
records and the report tasks. Strategy 2023–2027, Moscow time (UTC+3):

    indicator  agency            direction  frequency  baseline (2022)  targets                 actuals (file)
    SHARE      mincifra          higher     yearly     50               2023: 70, 2024: 80, 2025: 90   2023: 64
    PAPER      mincifra          lower      yearly     40               2023: 30, 2024: 20             2023: 28
    FLAT       —                 higher     yearly     10               2023: 10, 2024: 12             2023: 9
    QUART      mo-city (munic.)  higher     quarterly  0                2024: 100                      —

SHARE 2023 is the issue's case: 64 against a target of 70, where more is better.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from roadmap.plan.importer import import_roadmap
from roadmap.plan.indicator_records import IndicatorRecorded, RecordLine, record_indicator_values
from tests.support import Backend

NOW = datetime(2024, 6, 15, 7, 0, tzinfo=UTC)  # 10:00 in Moscow

ROADMAP = """\
format: 1
region: {code: TST, name: Тестовая область, timezone: Europe/Moscow}
strategy: {title: Стратегия, start_year: 2023, end_year: 2027}
coordinator: {code: coord, name: Координатор К. К.}
agencies:
  - code: mincifra
    name: Министерство цифрового развития
    emissary: {code: e-cifra, name: Эмиссар Э. Э.}
    responsible: {code: r-cifra, name: Ответственный О. О.}
  - code: mo-city
    name: Городской округ
    kind: municipality
    emissary: {code: e-city, name: Эмиссар Г. Г.}
    responsible: {code: r-city, name: Глава Г. Г.}
initiatives: []
indicators:
  - code: SHARE
    name: Доля услуг онлайн
    unit: "%"
    sector: public_admin
    agency: mincifra
    baseline: {year: 2022, value: 50}
    targets: {2023: 70, 2024: 80, 2025: 90}
    actuals: {2023: 64}
  - code: PAPER
    name: Доля бумажных документов
    unit: "%"
    sector: public_admin
    agency: mincifra
    higher_is_better: false
    baseline: {year: 2022, value: 40}
    targets: {2023: 30, 2024: 20}
    actuals: {2023: 28}
  - code: FLAT
    name: Число центров
    unit: шт.
    sector: public_admin
    baseline: {year: 2022, value: 10}
    targets: {2023: 10, 2024: 12}
    actuals: {2023: 9}
  - code: QUART
    name: Обращения онлайн
    unit: "%"
    sector: public_admin
    agency: mo-city
    frequency: quarterly
    baseline: {year: 2022, value: 0}
    targets: {2024: 100}
"""


def build(backend: Backend, tmp_path: Path) -> Path:
    """The region above in the (migrated, empty) store, imported from its roadmap file."""
    path = tmp_path / "indicators.yaml"
    path.write_text(ROADMAP, encoding="utf-8")
    import_roadmap(backend.settings, path)
    return path


def record(
    backend: Backend, *lines: tuple[str, str, str], now: datetime = NOW, by: str | None = "coord"
) -> list[IndicatorRecorded]:
    """Record (code, period, value) lines as `roadmap indicator record` does."""
    return record_indicator_values(
        backend.settings, [RecordLine(*line) for line in lines], by=by, now=now
    )
