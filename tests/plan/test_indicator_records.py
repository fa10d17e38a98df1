"""`roadmap indicator record`: one value or a file of them; the year's actual follows the
records; anything wrong is one message per problem, exit code 2 and nothing written. The
region of tests/reports/indicator_data.py, on 15 June 2024."""

from __future__ import annotations

from sqlmodel import select
from typer.testing import CliRunner

from roadmap.cli.app import app
from roadmap.store.models import Indicator, IndicatorRecord, IndicatorValue
from tests.reports.indicator_data import build, record
from tests.support import Backend, in_region

runner = CliRunner()
AT = ["--now", "2024-06-15T10:00"]


def _actuals(backend: Backend, code: str) -> dict[int, float]:
    def read(session, region):
        rows = session.exec(
            select(IndicatorValue.year, IndicatorValue.value)
            .join(Indicator)
            .where(Indicator.code == code, IndicatorValue.kind == "actual")
        )
        return dict(rows.all())

    return in_region(backend, read)


def _records(backend: Backend, code: str) -> dict[str, tuple]:
    def read(session, region):
        rows = session.exec(select(IndicatorRecord).join(Indicator).where(Indicator.code == code))
        return {r.period: (r.year, r.quarter, r.value, r.recorded_by) for r in rows}

    return in_region(backend, read)


def test_the_years_actual_is_the_yearly_record_else_the_latest_quarter(
    store: Backend, tmp_path
) -> None:
    build(store, tmp_path)
    record(store, ("QUART", "2024-Q1", "40"))
    assert _actuals(store, "QUART") == {2024: 40}
    record(store, ("QUART", "2024-Q2", "55"))
    assert _actuals(store, "QUART") == {2024: 55}
    # A correction of Q1 is recorded, but Q2 is still the latest quarter.
    [again] = record(store, ("QUART", "2024-q1", "42"), by="e-city")
    assert (again.period, again.previous, again.year_actual) == ("2024-Q1", 40, 55)
    assert _records(store, "QUART") == {
        "2024-Q1": (2024, 1, 42, "e-city"),
        "2024-Q2": (2024, 2, 55, "coord"),
    }
    # The whole year's figure wins over the quarters.
    record(store, ("QUART", "2024", "60"))
    assert _actuals(store, "QUART") == {2024: 60}
    # A yearly indicator: the record replaces the file's actual of that year.
    record(store, ("SHARE", "2023", "65,5"))
    assert _actuals(store, "SHARE") == {2023: 65.5}


def test_a_wrong_argument_is_one_message_and_nothing_is_written(store: Backend, tmp_path) -> None:
    build(store, tmp_path)
    before = store.fingerprint()
    for args, expected in [
        (["NOPE", "2024", "1"], "Неизвестный показатель 'NOPE' в регионе TST."),
        (["QUART", "2024-Q5", "1"], "Период '2024-Q5': ожидается год (2026) или квартал"),
        (["SHARE", "2024"], "Укажите либо CODE PERIOD VALUE, либо --file"),
    ]:
        result = runner.invoke(app, ["indicator", "record", *args, *AT])
        assert result.exit_code == 2, (args, result.output)
        assert expected in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.output
    assert store.fingerprint() == before


def test_a_file_is_taken_whole_or_not_at_all(store: Backend, tmp_path) -> None:
    build(store, tmp_path)
    bad = tmp_path / "values.csv"
    bad.write_text(
        "code,period,value\n"
        "SHARE,2024,x\n"
        "QUART,2024-Q1,40\n"  # good, yet not written
        "PAPER,2024-Q1,22\n"
        "\n"
        "NOPE,2024,1\n"
        "SHARE,2024\n"
        "QUART,2024-Q1,41\n"
        "SHARE,2022,1\n"
        "QUART,2024-Q3,1\n"
        "SHARE,2024,nan\n",
        encoding="utf-8",
    )
    before = store.fingerprint()
    result = runner.invoke(app, ["indicator", "record", "--file", str(bad), *AT])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        "values.csv:2: Значение 'x' — не число (ожидается, например, 64 или 64,5).",
        "values.csv:4: Показатель PAPER отчитывается за год: период 2024-Q1 не подходит"
        " (квартальные — только у показателей с frequency: quarterly).",
        "values.csv:6: Неизвестный показатель 'NOPE' в регионе TST.",
        "values.csv:7: ячеек 2, ожидается 3.",
        "values.csv:8: Показатель QUART за 2024-Q1 указан дважды (впервые: values.csv:3).",
        "values.csv:9: Период 2022 вне горизонта стратегии (2023–2027).",
        "values.csv:10: Период 2024-Q3 ещё не начался (сегодня 2024-06-15):"
        " фактическое значение записать нельзя.",
        "values.csv:11: Значение 'nan' — не число (ожидается, например, 64 или 64,5).",
    ]
    assert store.fingerprint() == before

    # Excel's Russian CSV: a BOM, `;`, a decimal comma; the columns in any order.
    good = tmp_path / "good.csv"
    good.write_bytes(
        "\ufeffPeriod;Code;Value\r\n2024;SHARE;79,5\r\n2024;PAPER;22\r\n2024-Q2;QUART;1 055,25\r\n".encode()
    )
    result = runner.invoke(app, ["indicator", "record", "--file", str(good), *AT])
    assert result.exit_code == 0, result.output
    assert "SHARE за 2024: 79,5 (факт 2024: 79,5)" in result.stdout
    assert _actuals(store, "SHARE") == {2023: 64, 2024: 79.5}
    assert _actuals(store, "PAPER") == {2023: 28, 2024: 22}
    assert _actuals(store, "QUART") == {2024: 1055.25}


def test_a_file_with_a_wrong_header_or_encoding_names_its_line(tmp_path) -> None:
    """Refused as it is read, before the store is opened."""
    at = ["--now", "2024-06-15T10:00+03:00"]
    path = tmp_path / "values.csv"
    path.write_text("indicator;year;value\nSHARE;2024;1\n", encoding="utf-8")
    result = runner.invoke(app, ["indicator", "record", "--file", str(path), *at])
    assert result.exit_code == 2
    assert "values.csv:1: заголовок 'indicator;year;value'" in result.stderr
    assert "code;period;value" in result.stderr
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("code;period;value\nSHARE;2024;1\nSHARE;2025;é\n".encode("latin-1"))
    result = runner.invoke(app, ["indicator", "record", "--file", str(latin1), *at])
    assert result.exit_code == 2 and "latin1.csv:3: файл не в кодировке UTF-8." in result.stderr
    missing = runner.invoke(app, ["indicator", "record", "--file", str(tmp_path / "no.csv"), *at])
    assert missing.exit_code == 2 and "no.csv" in missing.stderr
