"""Stage commands as coordinators and emissaries type them, with the bulk --file forms."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from roadmap.cli.app import app
from tests.support import Backend

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_stage_list_and_start_and_close(loaded: Backend) -> None:
    stages = json.loads(run("stage", "list", "--json").stdout)
    assert [s["key"] for s in stages] == [
        "initiatives",
        "interviews",
        "analysis",
        "architecture_review",
        "drafting",
        "approval",
        "execution",
        "annual_update",
    ]
    assert {s["status"] for s in stages} == {"pending"}
    assert all(s["title_ru"] and s["title_en"] and s["duration_days"] for s in stages)

    started = run("stage", "start", "initiatives", "--on", "2026-12-28", "--json")
    assert started.exit_code == 0, started.output
    assert json.loads(started.stdout)["due_on"] == "2027-01-27"

    closed = run("stage", "close", "initiatives", "--now", "2027-01-10T10:00")
    early = run("stage", "close", "initiatives", "--now", "2026-12-20T10:00")  # before its start
    assert early.exit_code == 2 and "2026-12-28" in early.stderr
    assert closed.exit_code == 3
    assert "minzdrav: поручение" in closed.stdout

    status = json.loads(run("stage", "status", "initiatives", "--json").stdout)
    assert status["status"] == "gate_failed"
    assert len(status["tasks_by_agency"]) == 11


def test_stage_bad_input_exits_2(loaded: Backend) -> None:
    for args, expected in [
        (["stage", "start", "nonsense"], "nonsense"),
        (["stage", "start", "initiatives", "--on", "28.12.2026"], "--on"),
        (["stage", "start", "interviews"], "initiatives"),
        (["stage", "close", "analysis"], "analysis"),
    ]:
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert expected in result.stderr


def test_bulk_forms_yaml_and_csv(loaded: Backend, tmp_path: Path) -> None:
    proposals = tmp_path / "proposals.yaml"
    proposals.write_text(
        "- title: Электронная очередь в детские сады\n  sector: education\n  agency: minobr\n"
        "  problem: Очередь непрозрачна\n  expected_effect: Место в очереди видно онлайн\n"
        "- code: H-90\n  title: Телемедицина\n  sector: health\n  agency: minzdrav\n"
        "  problem: Далеко до врача\n  expected_effect: Консультация из дома\n",
        encoding="utf-8",
    )
    result = run("initiative", "propose", "--file", str(proposals), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["codes"] == ["P-001", "H-90"]

    hypotheses = tmp_path / "hypotheses.csv"
    hypotheses.write_text(
        "initiative;code;statement\nH-90;HYP-1;Жителям сёл нужна телемедицина\n", "utf-8"
    )
    assert run("hypothesis", "add", "--file", str(hypotheses)).exit_code == 0

    rows = ["initiative,hypothesis,respondent,held_on,respondent_group,supports"]
    rows += [f"H-90,HYP-1,R-{n},2026-12-10,жители сёл,{'yes' if n else 'no'}" for n in range(6)]
    interviews = tmp_path / "interviews.csv"
    interviews.write_text("\n".join(rows) + "\n", "utf-8")
    result = run("interview", "add", "--file", str(interviews), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["verdicts"] == {"H-90/HYP-1": "confirmed"}

    scores = tmp_path / "scores.csv"
    scores.write_text(
        "initiative,effect,citizen_demand,readiness,cost\n"
        "H-90,9,9,6,5\nA-01,4,5,6,7\nD-01,6,6,6,6\nTR-03,7,3,8,4\n",
        "utf-8",
    )
    assert run("analysis", "score", "--file", str(scores)).exit_code == 0
    ranking = json.loads(run("analysis", "run", "--count", "2", "--json").stdout)
    assert [r["initiative"] for r in ranking["results"] if r["selected"]] == ["H-90", "D-01"]

    decisions = tmp_path / "decisions.yaml"
    decisions.write_text(
        "decisions:\n  - agency: mincifra\n    decision: Объединить СЭД с г. Владивостоком\n",
        "utf-8",
    )
    assert run("architecture", "decide", "--file", str(decisions)).exit_code == 0
    review = json.loads(run("architecture", "review", "--json").stdout)
    decided = {a["agency"]: a["decision"] for a in review["agencies"]}
    assert decided["mincifra"].startswith("Объединить")


def test_bulk_file_errors_name_the_line_and_write_nothing(loaded: Backend, tmp_path: Path) -> None:
    before = loaded.fingerprint()
    interviews = tmp_path / "interviews.csv"
    interviews.write_text(
        "initiative,hypothesis,respondent,held_on,respondent_group,supports\n"
        "U-02,HYP-1,R-1,2026-12-10,жители,yes\n"
        "U-02,HYP-1,R-2,2026-13-10,жители,maybe\n",
        "utf-8",
    )
    result = run("interview", "add", "--file", str(interviews))
    assert result.exit_code == 2
    assert "interviews.csv:3" in result.stderr and "2026-13-10" in result.stderr
    assert "maybe" in result.stderr
    assert loaded.fingerprint() == before


def test_single_record_forms(loaded: Backend) -> None:
    result = run(
        "initiative",
        "propose",
        "--title",
        "Открытый бюджет",
        "--sector",
        "finance",
        "--agency",
        "minfin",
        "--problem",
        "Непрозрачно",
        "--effect",
        "Понятно",
    )
    assert result.exit_code == 0, result.output
    missing = run("initiative", "propose", "--title", "Без отрасли")
    assert missing.exit_code == 2 and "--sector: обязательный ключ отсутствует" in missing.stderr
    assert "Field required" not in missing.stderr  # the file format's words, not pydantic's
    assert run("hypothesis", "add", "U-02", "--code", "HYP-1", "--statement", "x").exit_code == 0
    result = run(
        "interview",
        "add",
        "U-02",
        "--hypothesis",
        "HYP-1",
        "--respondent",
        "R-1",
        "--on",
        "2026-12-10",
        "--group",
        "жители",
        "--supports",
    )
    assert result.exit_code == 0, result.output
    result = run("analysis", "score", "U-02", "effect=8", "cost=x")
    assert result.exit_code == 2 and "cost" in result.stderr


def test_review_findings_stay_fixed(loaded: Backend, tmp_path: Path) -> None:
    # A bulk file that is not a list is a message, not a crash.
    wrong = tmp_path / "proposals.yaml"
    wrong.write_text("initiatives:\n  - title: x\n", "utf-8")
    result = run("initiative", "propose", "--file", str(wrong))
    assert result.exit_code == 2 and "proposals" in result.stderr

    # Proposing the same code-less file twice adds nothing the second time.
    proposals = tmp_path / "p.yaml"
    proposals.write_text(
        "- {title: Альфа, sector: health, agency: minzdrav, problem: p, expected_effect: e}\n"
        "- {code: P-001, title: Бета, sector: health, agency: minzdrav, problem: p,"
        " expected_effect: e}\n",
        "utf-8",
    )
    first = json.loads(run("initiative", "propose", "--file", str(proposals), "--json").stdout)
    second = json.loads(run("initiative", "propose", "--file", str(proposals), "--json").stdout)
    assert len(set(first["codes"])) == 2 and second["created"] == 0
    assert second["codes"] == first["codes"]

    # An initiative whose only confirmed hypothesis is overturned is a proposal again.
    run("hypothesis", "add", "U-02", "--code", "H1", "--statement", "x")
    rows = ["initiative,hypothesis,respondent,held_on,respondent_group,supports"]
    rows += [f"U-02,H1,R{n},2026-12-10,жители,{'yes' if n < 3 else 'no'}" for n in range(5)]
    interviews = tmp_path / "interviews.csv"
    interviews.write_text("\n".join(rows) + "\n", "utf-8")
    run("interview", "add", "--file", str(interviews))
    status = {
        i["code"]: i["status"] for i in json.loads(run("initiatives", "list", "--json").stdout)
    }
    assert status["U-02"] == "confirmed"
    interviews.write_text(
        "\n".join(rows).replace("R0,2026-12-10,жители,yes", "R0,2026-12-10,жители,no") + "\n",
        "utf-8",
    )
    run("interview", "add", "--file", str(interviews))
    status = {
        i["code"]: i["status"] for i in json.loads(run("initiatives", "list", "--json").stdout)
    }
    assert status["U-02"] == "proposed"

    # Initiatives already being carried out are not dropped in planning.
    refused = run("initiative", "drop", "E-01")  # in_progress in the example
    assert refused.exit_code == 2 and "E-01" in refused.stderr
    for args in (
        ["stage", "start", "initiatives", "--on", "9999-12-25"],
        ["stage", "start", "initiatives", "--on", "20261201"],
        ["analysis", "run", "--budget", "0"],
        ["analysis", "score", "bad code!", "effect=3"],
    ):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)


def test_prune_keeps_the_tasks_stages_created(loaded: Backend) -> None:
    from tests.support import PRIMORYE

    assert run("stage", "start", "initiatives", "--on", "2026-12-01").exit_code == 0
    dry = json.loads(run("import", str(PRIMORYE), "--prune", "--dry-run", "--json").stdout)
    assert dry["changes"]["tasks"]["deleted"] == 0


RUN_ID = "00000000-0000-4000-8000-0000000000aa"


def test_a_submission_signals_the_stage_run_that_waits_for_it(
    loaded: Backend, http_sink, monkeypatch
) -> None:
    """With PREFECT_API_URL set, a change a gate looks at is one event per stage run a flow
    run carries, naming that run; the store has the change first."""
    from roadmap.stages.runs import stage_detail, start_stage

    start_stage(loaded.settings, "initiatives", on=date(2026, 12, 1), flow_run_id=RUN_ID)
    code = stage_detail(loaded.settings, "initiatives").tasks_by_agency[0].code
    monkeypatch.setenv("PREFECT_API_URL", f"http://127.0.0.1:{http_sink.port}/api")

    done = run("task", "submit", code, "--now", "2026-12-02T10:00")
    assert done.exit_code == 0, done.output
    [(path, body)] = http_sink.requests
    assert path == "/api/events"
    [event] = json.loads(body)
    assert event["event"] == "roadmap.stage.changed"
    assert event["resource"]["prefect.resource.id"] == "roadmap.stage.PRI.initiatives"
    assert event["related"] == [
        {"prefect.resource.id": f"prefect.flow-run.{RUN_ID}", "prefect.resource.role": "flow-run"}
    ]
    assert event["payload"] == {"reason": "task.submit"}

    # A task of no stage run a flow carries (one of the example file's own): no event.
    from roadmap.plan.queries import list_tasks
    from tests.support import in_region

    in_run = {t.code for t in stage_detail(loaded.settings, "initiatives").tasks_by_agency}
    own = next(
        t.code
        for t in in_region(loaded, lambda s, r: list_tasks(s, r))
        if t.status == "open" and t.code not in in_run
    )
    other = run("task", "submit", own, "--now", "2026-12-02T10:00")
    assert other.exit_code == 0, other.output
    assert len(http_sink.requests) == 1


def test_a_change_is_saved_when_the_prefect_server_does_not_answer(
    loaded: Backend, monkeypatch
) -> None:
    from roadmap.stages.runs import stage_detail, start_stage
    from tests.flows.servers import free_port

    start_stage(loaded.settings, "initiatives", on=date(2026, 12, 1), flow_run_id=RUN_ID)
    code = stage_detail(loaded.settings, "initiatives").tasks_by_agency[0].code
    monkeypatch.setenv("PREFECT_API_URL", f"http://127.0.0.1:{free_port()}/api")
    done = run("task", "submit", code, "--now", "2026-12-02T10:00")
    assert done.exit_code == 0, done.output
    assert "сервер Prefect не получил сигнал" in done.stderr
    assert "Resume" in done.stderr
    statuses = {
        t.code: t.status for t in stage_detail(loaded.settings, "initiatives").tasks_by_agency
    }
    assert statuses[code] == "submitted"


@pytest.mark.parametrize("api_url", [None, "unreachable"])
def test_serve_without_a_prefect_server_is_one_message(
    loaded: Backend, api_url: str | None
) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.flows.servers import free_port

    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    if api_url:
        env["PREFECT_API_URL"] = f"http://127.0.0.1:{free_port()}/api"
    done = subprocess.run(
        [str(Path(sys.executable).parent / "roadmap"), "serve"],
        env=env | {"ROADMAP_DATABASE_URL": loaded.url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    expected = "не отвечает" if api_url else "PREFECT_API_URL не задан"
    assert expected in done.stderr
