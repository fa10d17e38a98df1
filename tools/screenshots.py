"""Screenshots of a stage run in the Prefect UI, for docs/images/: `.venv/bin/python tools/screenshots.py`.

Starts a Prefect server and `roadmap serve` on loopback with a store of its own (the
Primorye example), starts stage 1 from its deployment, lets ten of eleven emissaries hand
in (so the run has been resumed once and waits for one), and photographs with headless
Chromium (Debian's `chromium`): the run page, its artifacts (the tasks table and the gate
page), and the deployment's Run form. Needs nothing but the project's .venv and chromium.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.flows.servers import (  # noqa: E402
    VENV_BIN,
    PrefectServer,
    start_roadmap_serve,
    wait_for,
)

OUT = ROOT / "docs" / "images"
STAGE = "roadmap-stage/Этап 1. Формирование перечня основных инициатив"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--lang=ru-RU",
]


def shoot(url: str, path: Path, profile: Path, size: str = "1440,1100") -> None:
    subprocess.run(
        [
            "chromium",
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={size}",
            "--virtual-time-budget=30000",
            "--run-all-compositor-stages-before-draw",
            f"--screenshot={path}",
            url,
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    print(f"{path.relative_to(ROOT)} ← {url}")


def roadmap(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(VENV_BIN / "roadmap"), *args], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def main() -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, FlowRunFilter
    from prefect.settings import PREFECT_API_URL, temporary_settings

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        store = f"sqlite:///{work / 'roadmap.db'}"
        server = PrefectServer(work / "prefect").start()
        env = server.env() | {"ROADMAP_DATABASE_URL": store, "ROADMAP_DATA_DIR": str(work)}
        roadmap(env, "init")
        roadmap(env, "import", str(ROOT / "examples" / "primorye.yaml"))
        # The runs' own lines (INFO) reach the run page, as with Prefect's defaults.
        serve = start_roadmap_serve(server, store, work, PREFECT_LOGGING_LEVEL="INFO")
        try:
            with (
                temporary_settings(updates={PREFECT_API_URL: server.api_url}),
                get_client(sync_client=True) as client,
            ):
                deployment = wait_for(lambda: _deployment(client, STAGE), "the stage deployment")
                run = client.create_flow_run_from_deployment(deployment.id)
                wait_for(lambda: client.read_flow_run(run.id).state.is_paused(), "suspension")
                import json

                codes = [
                    t["code"]
                    for t in json.loads(roadmap(env, "stage", "status", "initiatives", "--json"))[
                        "tasks_by_agency"
                    ]
                ]
                first = client.read_flow_run(run.id).state.timestamp
                roadmap(env, "task", "submit", *codes[:1], "--note", "Перечень направлен")
                for code in codes[1:-1]:
                    roadmap(env, "task", "submit", code)
                wait_for(
                    lambda: (
                        (s := client.read_flow_run(run.id).state).is_paused()
                        and s.timestamp > first
                    ),
                    "the second suspension",
                )
                artifacts = client.read_artifacts(
                    artifact_filter=ArtifactFilter(key={"any_": ["pri-initiatives-gate"]}),
                    flow_run_filter=FlowRunFilter(id={"any_": [run.id]}),
                )
                ui = server.api_url.removesuffix("/api")
                profile = work / "chromium"
                shoot(f"{ui}/runs/flow-run/{run.id}", OUT / "stage-run.png", profile)
                table = client.read_artifacts(
                    artifact_filter=ArtifactFilter(key={"any_": ["pri-initiatives-tasks"]}),
                    flow_run_filter=FlowRunFilter(id={"any_": [run.id]}),
                )
                shoot(
                    f"{ui}/artifacts/artifact/{_newest(table).id}",
                    OUT / "stage-tasks-table.png",
                    profile,
                    size="1800,1000",
                )
                shoot(
                    f"{ui}/artifacts/artifact/{_newest(artifacts).id}",
                    OUT / "stage-gate.png",
                    profile,
                    size="1440,800",
                )
                shoot(
                    f"{ui}/deployments/deployment/{deployment.id}/run",
                    OUT / "stage-run-form.png",
                    profile,
                )
        finally:
            serve.stop()
            server.stop()


def _newest(artifacts):
    return max(artifacts, key=lambda a: a.created)


def _deployment(client, name):
    from prefect.exceptions import ObjectNotFound

    try:
        return client.read_deployment_by_name(name)
    except ObjectNotFound:
        return None


if __name__ == "__main__":
    main()
