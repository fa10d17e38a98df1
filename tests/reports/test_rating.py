"""`roadmap report rating`: components, scores, ranks and changes computed by hand on the
small region of tests/reports/rating_data.py, on SQLite and PostgreSQL; the weights file."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from roadmap.cli.app import app
from roadmap.errors import UserError
from roadmap.reports.local_day import as_date, local_day_sql, offset_spans
from roadmap.reports.rating import rating_report
from roadmap.reports.rating_config import RatingConfig, RatingWeights, load_rating_config
from roadmap.reports.table import Report
from roadmap.settings import get_settings
from roadmap.store.models import UTCDateTime
from tests.reports.rating_data import NOW, build
from tests.support import Backend, in_region

runner = CliRunner()
DEFAULT = RatingConfig()

# Components in 2026 (see rating_data.py), by hand:
# a-min: on time 1 of 3 (A1; A2 late 1 wd, A3 overdue 6 wd) → delay 1 − 3.5/10;
#        initiatives ia1, ia2 funded (ia3 dropped, ia4 unfunded) 1/2; budget 900/2000;
#        indicators (0.5 + 0.6 + 1 + 0) / 4.
A_MIN = {"on_time": 1 / 3, "delay": 0.65, "initiatives": 0.5, "budget": 0.45, "indicators": 0.525}
A_SCORE = 0.35 / 3 + 0.15 * 0.65 + 0.2 * 0.5 + 0.15 * 0.45 + 0.15 * 0.525  # 0.4604…
# b-min: B1 on time, B3 late 1 wd (its submit event), B2 returned and overdue 8 wd;
#        ib1 in progress, 1500 spent of 1000 (capped); no indicators.
B_MIN = {"on_time": 1 / 3, "delay": 0.55, "initiatives": 1.0, "budget": 1.0, "indicators": None}
B_SCORE = (0.35 / 3 + 0.15 * 0.55 + 0.2 + 0.15) / 0.85  # 0.6461…
# t-min, u-min, s-min: on time 1 of 2, mean delay 5 wd → 0.5 and 0.5; m-mun: initiatives
# 1/2 and budget 1000/2000 → 0.5. Four scores of 0.5: s-min has an overdue task, m-mun no
# tasks at all, t-min and u-min are the same in everything but the code.
ORDER_2026 = ["b-min", "t-min", "u-min", "s-min", "m-mun", "a-min", "z-none"]
# 2025: a-min A6 handed in (no time known) counts on time → 1.0; b-min B4 overdue 217 wd → 0.0; t-min it1 1/1 and 80/100 →
# (0.2 + 0.15 × 0.8) / 0.35. Ranks: a-min 1, t-min 2, b-min 3.
T_2025 = (0.2 + 0.15 * 0.8) / 0.35


def _report(backend: Backend, config: RatingConfig = DEFAULT, **options) -> Report:
    options.setdefault("now", NOW)
    return in_region(
        backend,
        lambda session, region: rating_report(session, region, config=config, **options),
    )


def _by_code(report: Report) -> dict[str, dict]:
    return {row["agency"]: row for row in report.rows}


def test_components_scores_ranks_and_changes(store: Backend) -> None:
    build(store)
    report = _report(store)
    rows = _by_code(report)

    assert [row["agency"] for row in report.rows] == ORDER_2026
    assert [row["rank"] for row in report.rows] == [1, 2, 3, 4, 5, 6, None]
    for name, value in A_MIN.items():
        assert rows["a-min"][name] == pytest.approx(value), name
    for name, value in B_MIN.items():
        assert rows["b-min"][name] == pytest.approx(value), name
    assert rows["a-min"]["score"] == round(A_SCORE, 3) == 0.46
    assert rows["b-min"]["score"] == round(B_SCORE, 3) == 0.646
    assert {rows[c]["score"] for c in ("t-min", "u-min", "s-min", "m-mun")} == {0.5}
    assert rows["s-min"]["overdue"] == 1 and rows["t-min"]["overdue"] == 0
    assert rows["a-min"]["overdue"] == 1 and rows["b-min"]["overdue"] == 1
    assert rows["m-mun"]["on_time"] is None and rows["m-mun"]["delay"] is None

    # The explanation says what each component came from and what had no data.
    assert rows["a-min"]["explanation"] == (
        "в срок 1/3; задержка 3,5 р.д. (поручений: 2); инициативы в работе 1/2; "
        "бюджет 45,0 %; показатели 52,5 % (показателей: 4)"
    )
    assert rows["b-min"]["explanation"].endswith("нет данных: показатели (веса пересчитаны)")
    assert rows["m-mun"]["explanation"] == (
        "инициативы в работе 1/2; бюджет 50,0 %; "
        "нет данных: в срок, задержка, показатели (веса пересчитаны)"
    )
    # No data at all: no score, no rank, no change.
    assert rows["z-none"]["score"] is None and rows["z-none"]["change"] is None
    assert rows["z-none"]["explanation"] == "нет данных за период"

    # The previous period (2025) and the change.
    assert rows["a-min"]["previous_score"] == 1.0 and rows["a-min"]["previous_rank"] == 1
    assert rows["t-min"]["previous_score"] == round(T_2025, 3)
    assert rows["b-min"]["previous_score"] == 0.0 and rows["b-min"]["previous_rank"] == 3
    changes = {row["agency"]: row["change"] for row in report.rows}
    assert changes == {
        "b-min": "▲2",
        "t-min": "=",
        "u-min": "новый",
        "s-min": "новый",
        "m-mun": "новый",
        "a-min": "▼5",
        "z-none": None,
    }

    (chart,) = report.charts
    assert chart.kind == "hbar" and chart.categories == ORDER_2026[:-1]
    assert chart.series[0].values == [64.6, 50.0, 50.0, 50.0, 50.0, 46.0]


def test_kind_year_without_data_and_previous_year(store: Backend) -> None:
    build(store)
    # Municipalities among themselves; executive bodies among themselves.
    municipalities = _report(store, kind="municipality")
    assert [(r["agency"], r["rank"]) for r in municipalities.rows] == [("m-mun", 1)]
    bodies = _report(store, kind="executive_body")
    assert [r["agency"] for r in bodies.rows] == [c for c in ORDER_2026 if c != "m-mun"]
    assert _by_code(bodies)["a-min"]["rank"] == 5

    # 2024 has nothing: every organisation is listed without a score or a rank, no chart.
    empty = _report(store, year=2024)
    assert [r["agency"] for r in empty.rows] == sorted(ORDER_2026)
    assert {(r["rank"], r["score"], r["change"]) for r in empty.rows} == {(None, None, None)}
    assert empty.charts == []

    # 2025 compared with 2024: everyone ranked is new.
    year = _report(store, year=2025)
    assert [(r["agency"], r["rank"], r["change"]) for r in year.rows[:3]] == [
        ("a-min", 1, "новый"),
        ("t-min", 2, "новый"),
        ("b-min", 3, "новый"),
    ]
    assert _by_code(year)["b-min"]["delay"] == 0.0  # 217 working days late: capped at 0

    # Another previous year: 2026 against 2024 (no ranks then).
    against = _report(store, previous_year=2024)
    assert {r["change"] for r in against.rows if r["rank"]} == {"новый"}
    assert against.filters["previous_year"] == 2024
    with pytest.raises(UserError, match="--previous-year"):
        _report(store, previous_year=2026)


def test_weights_and_delay_cap_from_the_config(store: Backend) -> None:
    build(store)
    # Only the delay counts, and 5 working days are enough to score 0: t-min (mean 5)
    # drops to 0; a-min (3.5) gets 1 − 3.5/5; b-min (4.5) 1 − 4.5/5; m-mun has no delay
    # data and its other weights are 0: no score.
    config = RatingConfig(
        delay_cap=5,
        weights=RatingWeights(on_time=0, delay=1, initiatives=0, budget=0, indicators=0),
    )
    # t-min, u-min and s-min all score 0 with 1 of 2 on time: s-min's overdue task puts
    # it last of the three.
    ranked = [(r["agency"], r["score"]) for r in _report(store, config).rows]
    assert ranked == [
        ("a-min", 0.3),
        ("b-min", 0.1),
        ("t-min", 0.0),
        ("u-min", 0.0),
        ("s-min", 0.0),
        ("m-mun", None),
        ("z-none", None),
    ]


def test_the_local_day_of_a_moment_in_sql(store: Backend) -> None:
    """Moscow moved from UTC+4 to UTC+3 at 22:00 UTC on 25 October 2014: the local date
    of a moment follows the offset of its own time, on both backends."""
    assert offset_spans(ZoneInfo("Europe/Moscow"), 2014, 2014) == [
        (datetime(2014, 1, 1, tzinfo=UTC), 14400),
        (datetime(2014, 10, 25, 22, 0, tzinfo=UTC), 10800),
    ]
    moments = {
        datetime(2014, 6, 1, 20, 30, tzinfo=UTC): "2014-06-02",  # 00:30 at +4
        datetime(2014, 11, 1, 20, 30, tzinfo=UTC): "2014-11-01",  # 23:30 at +3
    }

    engine = sa.create_engine(store.url)
    try:
        with engine.connect() as connection:
            found = []
            for moment in moments:
                value = sa.literal(moment, UTCDateTime())
                expression = local_day_sql(
                    value, "Europe/Moscow", engine.dialect.name, (2014, 2014)
                )
                found.append(as_date(connection.execute(sa.select(expression)).scalar_one()))
    finally:
        engine.dispose()
    assert [day.isoformat() for day in found] == list(moments.values())


def _config_dir(folder: Path, rating: str) -> Path:
    """A config folder with the shipped files and this rating.toml (a folder per content:
    the loader caches a file by its modification time)."""
    folder.mkdir()
    for name in ("stages.toml", "sectors.toml"):
        (folder / name).write_text((get_settings().config_dir / name).read_text("utf-8"))
    (folder / "rating.toml").write_text(rating, "utf-8")
    return folder


def test_a_bad_config_file_names_the_file_and_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read before the store is opened: no store needed."""
    negative = _config_dir(tmp_path / "negative", "delay_cap = 10\n[weights]\non_time = -0.35\n")
    settings = get_settings().model_copy(update={"config_dir": negative})
    with pytest.raises(
        UserError, match=r"rating\.toml: weights\.on_time: .*greater than or equal to 0"
    ):
        load_rating_config(settings)
    zeros = "".join(
        f"{name} = 0\n" for name in ("on_time", "delay", "initiatives", "budget", "indicators")
    )
    nothing = _config_dir(tmp_path / "zeros", f"[weights]\n{zeros}")
    with pytest.raises(UserError, match=r"rating\.toml: weights: .*at least one weight"):
        load_rating_config(settings.model_copy(update={"config_dir": nothing}))
    # The shipped file holds the defaults.
    assert load_rating_config(get_settings()) == RatingConfig()

    word = _config_dir(tmp_path / "word", '[weights]\nbudget = "high"\n')
    monkeypatch.setenv("ROADMAP_CONFIG_DIR", str(word))
    get_settings.cache_clear()
    result = runner.invoke(app, ["report", "rating", "--json"])
    assert result.exit_code == 2
    assert "rating.toml" in result.output and "weights.budget" in result.output
    assert result.stdout == ""


def test_cli_json_and_csv(store: Backend) -> None:
    build(store)
    now = "2026-04-20T13:00:00+10:00"
    result = runner.invoke(app, ["report", "rating", "--now", now, "--kind", "body", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["filters"] == {"year": 2026, "kind": "executive_body", "previous_year": 2025}
    assert [(r["rank"], r["agency"], r["score"], r["change"]) for r in data["rows"]] == [
        (1, "b-min", 0.646, "▲2"),
        (2, "t-min", 0.5, "="),
        (3, "u-min", 0.5, "новый"),
        (4, "s-min", 0.5, "новый"),
        (5, "a-min", 0.46, "▼4"),
        (None, "z-none", None, None),
    ]

    result = runner.invoke(
        app, ["--lang", "en", "report", "rating", "--now", now, "--kind", "municipality", "--csv"]
    )
    assert result.exit_code == 0, result.output
    lines = list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff")), delimiter=";"))
    assert lines[0][:5] == ["Rank", "Organisation", "Name", "Kind", "Score, %"]
    assert lines[1][:5] == ["1", "m-mun", "Орган m-mun", "Municipality", "50.0"]
    assert lines[1][-1] == "new"


def test_messages_have_the_same_placeholders_in_both_languages() -> None:
    from roadmap.i18n.rating import MESSAGES

    for key, texts in MESSAGES.items():
        names = {lang: set(re.findall(r"{(\w+)}", text)) for lang, text in texts.items()}
        assert names["ru"] == names["en"], key
