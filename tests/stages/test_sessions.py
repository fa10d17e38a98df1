"""`roadmap session add | list | propose` as a coordinator runs them: a proposal made at a
session can become an initiative of the initiatives stage; a mistake is one message, exit
code 2 and nothing written. On the small region of tests/reports/sessions_data.py."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from roadmap.cli.app import app
from roadmap.errors import UserError
from roadmap.store.models import Initiative, SessionProposal, StrategySession
from tests.reports.sessions_data import build
from tests.support import Backend, in_region

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [*args, "--region", "TST"])


def _session_fields(**values):
    from roadmap.roadmap_file.schema import SessionFields

    base = {"code": "T-X", "title": "X", "kind": "territorial", "held_on": "2026-12-01"}
    return SessionFields.model_validate(base | values)


def _proposals(backend: Backend, session: str) -> list[tuple]:
    def read(s, region):
        query = (
            select(SessionProposal.code, SessionProposal.author, Initiative.code, Initiative.status)
            .join(StrategySession, SessionProposal.session_id == StrategySession.id)
            .outerjoin(Initiative, SessionProposal.initiative_id == Initiative.id)
            .where(StrategySession.code == session)
            .order_by(SessionProposal.code)
        )
        return [tuple(row) for row in s.exec(query)]

    return in_region(backend, read, "TST")


def test_sessions_are_added_listed_and_take_proposals(store: Backend) -> None:
    from roadmap.stages.proposals import ProposalIn
    from roadmap.stages.sessions import add_session, propose_at_session

    build(store)
    settings, region = store.settings, {"region_code": "TST"}
    result = run(
        "session", "add", "S-N", "--title", "Соцзащита", "--kind", "sectoral",
        "--date", "2026-11-20", "--sector", "health", "--participants", "35",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    fields = _session_fields(code="T-N", title="Артём", municipality="mo-artem")
    assert add_session(settings, fields, **region).municipality == "mo-artem"

    # A plain proposal, one that names an initiative, one that proposes a new initiative.
    plain = propose_at_session(settings, "T-N", title="Онлайн-приёмная", author="Ким", **region)
    linked = propose_at_session(settings, "T-N", title="Умный город", initiative="h2", **region)
    assert (plain.code, plain.initiative, linked.code, linked.initiative) == (
        "P1",
        None,
        "P2",
        "h2",
    )
    new = run(
        "session", "propose", "T-N", "--title", "Чат-бот МФЦ", "--code", "P9",
        "--sector", "health", "--agency", "mo-artem",
        "--problem", "Очереди в МФЦ", "--effect", "Ответ за минуту", "--json",
    )  # fmt: skip
    assert new.exit_code == 0, new.output
    assert json.loads(new.stdout) == {
        "session": "T-N", "code": "P9", "initiative": "P-001", "created": True,
    }  # fmt: skip
    assert _proposals(store, "T-N") == [
        ("P1", "Ким", None, None),
        ("P2", None, "h2", "selected"),
        ("P9", None, "P-001", "proposed"),
    ]
    created = in_region(
        store,
        lambda s, r: s.exec(select(Initiative).where(Initiative.code == "P-001")).one(),
        "TST",
    )
    # The same idea proposed again names the same initiative: none is created twice.
    again = ProposalIn(
        title="Чат-бот МФЦ", sector="health", agency="mo-artem",
        problem="Очереди в МФЦ", expected_effect="Ответ за минуту",
    )  # fmt: skip
    repeated = propose_at_session(
        settings, "T-V", title="Чат-бот МФЦ", new_initiative=again, **region
    )
    assert (repeated.code, repeated.initiative, repeated.created) == ("P1", "P-001", False)
    assert (created.title, created.problem, created.expected_effect, created.status) == (
        "Чат-бот МФЦ", "Очереди в МФЦ", "Ответ за минуту", "proposed",
    )  # fmt: skip

    listed = json.loads(run("session", "list", "--json").stdout)
    assert [(s["code"], s["sector"], s["municipality"], s["participants"]) for s in listed] == [
        ("S-H", "health", None, 40),
        ("S-E", "edu", None, 25),
        ("T-V", None, "mo-vlad", 60),
        ("T-A", None, "mo-artem", 0),
        ("S-N", "health", None, 35),
        ("T-N", None, "mo-artem", 0),
    ]
    counts = [(s["proposals"], s["initiatives"]) for s in listed]
    assert counts == [(4, 3), (3, 3), (3, 2), (0, 0), (0, 0), (3, 2)]

    # A mistake is one message, exit code 2, and nothing written.
    before = store.fingerprint()
    add = ["session", "add", "T-X", "--title", "X", "--date", "2026-12-01"]
    propose = ["session", "propose", "T-A", "--title", "Идея"]
    for args, says in [
        ([*add, "--kind", "territorial", "--municipality", "minzdrav"],
         "'minzdrav' — орган исполнительной власти, а не муниципальное образование (МО: "
         "mo-artem, mo-vlad)"),
        ([*add[:-1], "2026-02-30", "--kind", "plenary", "--sector", "health"], "--kind"),
        ([*propose, "--initiative", "h1", "--sector", "health"], "--initiative"),
        ([*propose, "--sector", "health", "--agency", "mo-artem"], "--problem"),
    ]:  # fmt: skip
        result = run(*args)
        assert result.exit_code == 2 and says in result.output, (args, result.output)

    for fields, says in [
        ({"municipality": "mo-x"}, "mo-x"),
        ({"kind": "sectoral", "municipality": "mo-vlad"}, "--sector"),
        ({"kind": "sectoral", "sector": "health", "municipality": "mo-vlad"}, "--municipality"),
        ({"kind": "sectoral", "sector": "transport"}, "transport"),
        ({"code": "S-N", "kind": "sectoral", "sector": "health"}, "S-N"),
    ]:
        with pytest.raises(UserError, match=says):
            add_session(settings, _session_fields(**fields), **region)
    new = ProposalIn(
        title="Идея", sector="health", agency="nobody", problem="П", expected_effect="Э"
    )
    for session, options, says in [
        ("T-A", {"new_initiative": new}, "nobody"),
        ("T-A", {"initiative": "h9"}, "h9"),
        ("T-V", {"code": "b"}, "'?b'? .*T-V"),
        ("T-Z", {}, "T-Z"),
    ]:
        with pytest.raises(UserError, match=says):
            propose_at_session(settings, session, title="Идея", **options, **region)
    assert store.fingerprint() == before
