"""Importing and exporting the roadmap file, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from sqlmodel import Session

from roadmap.errors import InvalidFile
from roadmap.plan.exporter import export_document, export_roadmap
from roadmap.plan.importer import import_roadmap
from roadmap.store.unit_of_work import init_store, open_store, resolve_region
from tests.support import PRIMORYE, Backend, in_region


def _snapshot(backend: Backend, region: str | None = None) -> dict:
    return in_region(backend, export_document, region)


def _yaml(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def _write(path: Path, data: dict) -> Path:
    yaml = YAML()
    yaml.default_flow_style = False
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    return path


def test_example_imports_everything_it_holds(loaded: Backend) -> None:
    source = _yaml(PRIMORYE)
    state = _snapshot(loaded)
    for key in ("agencies", "initiatives", "budget", "indicators", "tasks", "services", "systems"):
        assert len(state[key]) == len(source[key]), key
    assert state["region"] == source["region"]
    planned = sum(Decimal(str(line["planned"])) for line in source["budget"])
    assert sum(line["planned"] for line in state["budget"]) == planned
    minzdrav = next(a for a in state["agencies"] if a["code"] == "minzdrav")
    assert minzdrav["emissary"]["code"] == "e-minzdrav"
    assert minzdrav["responsible"]["code"] == "r-minzdrav"


def test_reimport_changes_nothing(loaded: Backend) -> None:
    before = loaded.fingerprint()
    report = import_roadmap(loaded.settings, PRIMORYE)
    assert not report.changed
    assert report.changes["initiatives"].unchanged == len(_yaml(PRIMORYE)["initiatives"])
    assert loaded.fingerprint() == before


def test_export_reimports_to_identical_state(loaded: Backend, tmp_path: Path) -> None:
    exported = tmp_path / "export.yaml"
    export_roadmap(loaded.settings, exported)
    first = _snapshot(loaded)

    # Into the same store: nothing to change.
    assert not import_roadmap(loaded.settings, exported).changed
    # Into a fresh store: the same roadmap comes out again.
    from roadmap.settings import Settings

    fresh = Settings(database_url=f"sqlite:///{tmp_path / 'fresh.db'}")
    init_store(fresh)
    import_roadmap(fresh, exported)
    store = open_store(fresh)
    with store.session() as session:
        second = export_document(session, resolve_region(session, None))
    store.dispose()
    assert second == first


def test_xlsx_export_reimports_to_identical_state(loaded: Backend, tmp_path: Path) -> None:
    workbook = tmp_path / "roadmap.xlsx"
    export_roadmap(loaded.settings, workbook)
    assert not import_roadmap(loaded.settings, workbook).changed

    from roadmap.settings import Settings

    fresh = Settings(database_url=f"sqlite:///{tmp_path / 'fresh.db'}")
    init_store(fresh)
    import_roadmap(fresh, workbook)
    store = open_store(fresh)
    with store.session() as session:
        state = export_document(session, resolve_region(session, None))
    store.dispose()
    assert state == _snapshot(loaded)


def test_changed_file_updates_by_code_and_keeps_missing_rows(
    loaded: Backend, tmp_path: Path
) -> None:
    data = _yaml(PRIMORYE)
    data["initiatives"][0]["title"] = "Новое название"
    removed = data["initiatives"].pop()
    data["budget"] = [b for b in data["budget"] if b["initiative"] != removed["code"]]
    report = import_roadmap(loaded.settings, _write(tmp_path / "changed.yaml", data))
    assert report.changes["initiatives"].updated == 1
    assert report.changes["initiatives"].deleted == 0
    state = _snapshot(loaded)
    assert state["initiatives"][0]["title"] == "Новое название"
    assert removed["code"] in {i["code"] for i in state["initiatives"]}


def test_prune_removes_rows_missing_from_the_file(loaded: Backend, tmp_path: Path) -> None:
    data = _yaml(PRIMORYE)
    removed = data["initiatives"].pop()
    data["budget"] = [b for b in data["budget"] if b["initiative"] != removed["code"]]
    path = _write(tmp_path / "pruned.yaml", data)
    report = import_roadmap(loaded.settings, path, prune=True)
    assert report.changes["initiatives"].deleted == 1
    assert removed["code"] not in {i["code"] for i in _snapshot(loaded)["initiatives"]}


def test_dry_run_reports_but_writes_nothing(store: Backend) -> None:
    before = store.fingerprint()
    report = import_roadmap(store.settings, PRIMORYE, dry_run=True)
    assert report.changes["initiatives"].created == len(_yaml(PRIMORYE)["initiatives"])
    assert store.fingerprint() == before


def test_tasks_without_code_get_one_and_keep_it(loaded: Backend, tmp_path: Path) -> None:
    data = _yaml(PRIMORYE)
    data["tasks"].append(
        {"agency": "minobr", "title": "Представить паспорт проекта", "due": "2027-02-01"}
    )
    path = _write(tmp_path / "with-new-task.yaml", data)
    import_roadmap(loaded.settings, path)
    codes = [t["code"] for t in _snapshot(loaded)["tasks"]]
    assert len(codes) == len(set(codes)) == len(data["tasks"])
    assert not import_roadmap(loaded.settings, path).changed


def test_csv_list_adds_to_the_imported_region(loaded: Backend, tmp_path: Path) -> None:
    csv_file = tmp_path / "initiatives.csv"
    csv_file.write_text(
        "code;title;sector;agency;status\n"
        "H-90;Телемедицина для отдалённых сёл;health;minzdrav;proposed\n"
        'E-90;"Цифровой двойник школы; пилот";education;minobr;\n',
        encoding="utf-8-sig",
    )
    report = import_roadmap(loaded.settings, csv_file)
    assert report.changes["initiatives"].created == 2
    state = {i["code"]: i for i in _snapshot(loaded)["initiatives"]}
    assert state["E-90"]["title"] == "Цифровой двойник школы; пилот"
    assert state["E-90"]["status"] == "proposed"


def test_csv_errors_name_the_line(loaded: Backend, tmp_path: Path) -> None:
    csv_file = tmp_path / "budget.csv"
    csv_file.write_text(
        "initiative,year,source,planned\nH-01,2026,federal,100\nH-01,2026,federal,-5\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidFile) as caught:
        import_roadmap(loaded.settings, csv_file)
    text = str(caught.value)
    assert "budget.csv:3" in text and "-5" in text


def test_two_regions_live_side_by_side(loaded: Backend, tmp_path: Path) -> None:
    data = _yaml(PRIMORYE)
    data["region"] = {"code": "KAM", "name": "Камчатский край", "timezone": "Asia/Kamchatka"}
    import_roadmap(loaded.settings, _write(tmp_path / "kam.yaml", data))
    assert _snapshot(loaded, "KAM")["region"]["timezone"] == "Asia/Kamchatka"
    assert _snapshot(loaded, "PRI")["initiatives"] == _snapshot(loaded, "KAM")["initiatives"]
    from roadmap.errors import UserError

    with pytest.raises(UserError, match="--region"):
        _snapshot(loaded)


def test_prune_keeps_what_another_strategy_still_uses(loaded: Backend, tmp_path: Path) -> None:
    previous = _yaml(PRIMORYE)
    previous["strategy"] = {"title": "Стратегия 2021–2024", "start_year": 2021, "end_year": 2024}
    previous["coordinator"] = {"code": "coord-2021", "name": "Прежний координатор"}
    previous["agencies"] = previous["agencies"][:2]
    kept = {a["code"] for a in previous["agencies"]}
    previous["initiatives"] = [i for i in previous["initiatives"] if i["agency"] in kept][:2]
    for key in ("budget", "indicators", "tasks", "services", "systems", "sessions"):
        del previous[key]  # lists a file leaves out are not pruned
    import_roadmap(loaded.settings, _write(tmp_path / "old.yaml", previous), prune=True)

    # The current strategy, its coordinator and agencies are all still there and exportable.
    state = _snapshot(loaded)
    assert state["strategy"]["start_year"] == 2025
    assert state["coordinator"]["code"] == _yaml(PRIMORYE)["coordinator"]["code"]
    assert len(state["agencies"]) == len(_yaml(PRIMORYE)["agencies"])
    assert not import_roadmap(loaded.settings, PRIMORYE, prune=True).changed


def test_region_option_must_match_the_file(loaded: Backend) -> None:
    from roadmap.errors import UserError

    with pytest.raises(UserError, match="KAM"):
        import_roadmap(loaded.settings, PRIMORYE, region_code="KAM")


def test_csv_row_longer_than_its_header_is_refused(loaded: Backend, tmp_path: Path) -> None:
    before = loaded.fingerprint()
    csv_file = tmp_path / "budget.csv"
    csv_file.write_text("initiative,year,source,planned\nH-01,2027,federal,1,500\n", "utf-8")
    with pytest.raises(InvalidFile, match=r"budget.csv:2: .*'500'"):
        import_roadmap(loaded.settings, csv_file)
    assert loaded.fingerprint() == before


def _with_due(text: str, code: str, due: str) -> str:
    head, _, tail = text.partition(f"  - code: {code}\n")
    before, _, rest = tail.partition("    due: 2026-12-04\n")
    return f"{head}  - code: {code}\n{before}    due: {due}\n{rest}"


def test_two_imports_of_one_region_apply_one_after_the_other(
    loaded: Backend, tmp_path: Path
) -> None:
    """On PostgreSQL two imports at once once left a mix of both files; now the second
    waits for the first, and the result is always one of the two serial orders."""
    if loaded.name != "postgres":
        pytest.skip("SQLite takes the write lock when a transaction begins")
    import threading
    import time

    import sqlalchemy as sa

    from roadmap.store.unit_of_work import lock_region

    text = PRIMORYE.read_text(encoding="utf-8")
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(_with_due(text, "T-002", "2026-12-11"), encoding="utf-8")
    b.write_text(_with_due(text, "T-003", "2026-12-18"), encoding="utf-8")
    engine = sa.create_engine(loaded.url)
    errors: list[BaseException] = []

    def run(path: Path) -> None:
        try:
            import_roadmap(loaded.settings, path)
        except BaseException as exc:
            errors.append(exc)

    try:
        with Session(engine) as holder:
            lock_region(holder, "PRI")  # both imports must wait for it
            threads = [threading.Thread(target=run, args=(p,)) for p in (a, b)]
            for thread in threads:
                thread.start()
            waiting = 0
            for _ in range(600):  # until both wait on the region's lock (at most a minute)
                waiting = (
                    holder.connection()
                    .execute(
                        sa.text(
                            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                        )
                    )
                    .scalar()
                )
                if waiting == 2:
                    break
                time.sleep(0.1)
            assert waiting == 2
            holder.rollback()  # releases the lock
        for thread in threads:
            thread.join()
    finally:
        engine.dispose()
    assert errors == []
    dues = {
        t["code"]: str(t["due"])
        for t in _snapshot(loaded)["tasks"]
        if t["code"] in ("T-002", "T-003")
    }
    a_then_b = {"T-002": "2026-12-04", "T-003": "2026-12-18"}
    b_then_a = {"T-002": "2026-12-11", "T-003": "2026-12-04"}
    assert dues in (a_then_b, b_then_a)


def test_a_connection_lost_mid_import_is_one_message_and_nothing_is_written(
    loaded: Backend, tmp_path: Path
) -> None:
    if loaded.name != "postgres":
        pytest.skip("a server connection")
    import threading
    import time

    import sqlalchemy as sa
    from typer.testing import CliRunner

    from roadmap.cli.app import app
    from roadmap.store.unit_of_work import lock_region

    changed = tmp_path / "roadmap.yaml"
    changed.write_text(
        _with_due(PRIMORYE.read_text(encoding="utf-8"), "T-002", "2026-12-11"), encoding="utf-8"
    )
    before = loaded.fingerprint()
    results: list = []
    engine = sa.create_engine(loaded.url)
    try:
        with Session(engine) as holder:
            lock_region(holder, "PRI")  # the import waits here, mid-transaction
            worker = threading.Thread(
                target=lambda: results.append(CliRunner().invoke(app, ["import", str(changed)]))
            )
            worker.start()
            waiting = []
            for _ in range(600):
                waiting = (
                    holder.connection()
                    .execute(
                        sa.text(
                            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                        )
                    )
                    .scalars()
                    .all()
                )
                if waiting:
                    break
                time.sleep(0.1)
            assert waiting
            holder.connection().execute(
                sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": waiting[0]}
            )
            holder.rollback()
        worker.join(60)
    finally:
        engine.dispose()
    result = results[0]
    assert result.exit_code == 2, result.output
    assert "недоступно" in result.stderr and "Traceback" not in result.output
    assert loaded.fingerprint() == before


def test_an_export_imported_after_the_store_moved_on_says_what_it_replaced(
    loaded: Backend, tmp_path: Path
) -> None:
    from roadmap.plan.tasks import submit_tasks

    exported = tmp_path / "roadmap.yaml"
    export_roadmap(loaded.settings, exported)
    assert "# exported from state " in exported.read_text(encoding="utf-8")
    quiet = import_roadmap(loaded.settings, exported)  # nothing changed since: nothing said
    assert quiet.warnings == [] and not quiet.changed
    submit_tasks(loaded.settings, ["T-002"], by="e-minobr")  # the store moves on
    late = import_roadmap(loaded.settings, exported)
    assert late.changes["tasks"].updated == 1  # T-002 back to open, as the file has it
    assert len(late.warnings) == 1
    assert "изменилось после выгрузки" in late.warnings[0] and "tasks ~1" in late.warnings[0]
