"""What a Prefect server needs for the roadmap to run unattended, set up by `roadmap serve`.

Two automations, made or brought up to date by name each time the served process starts:

- `roadmap: resume stage runs` resumes the stage run named by a `roadmap.stage.changed`
  event (flows/events.py): a submission, an acceptance, a stage closed from the command
  line. The run checks its gate in the store again.
- `roadmap: crashed runs` marks a flow run Crashed when its heartbeats stop (a process
  killed, a machine gone), so no run stays Running for good; Prefect then retries what the
  deployment retries. Runs send a heartbeat every HEARTBEAT_SECONDS (set for the served
  runs by flows/serve.py); three missed beats make a crash. A suspended stage run sends an
  event of its own state change, which ends the watch for it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flows.events import EVENT

HEARTBEAT_SECONDS = 30
RESUME_AUTOMATION = "roadmap: resume stage runs"
CRASHED_AUTOMATION = "roadmap: crashed runs"


def automations() -> list[Any]:
    """The automations as Prefect's AutomationCore objects (no server contacted)."""
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState, ResumeFlowRun
    from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture

    return [
        AutomationCore(
            name=RESUME_AUTOMATION,
            description=(
                "Возобновляет запуск этапа, когда в хранилище изменилось то, что проверяют"
                " условия его закрытия (сдано поручение, этап закрыт из командной строки)."
            ),
            tags=["roadmap"],
            trigger=EventTrigger(
                expect={EVENT},
                posture=Posture.Reactive,
                threshold=1,
                within=timedelta(0),
            ),
            actions=[ResumeFlowRun()],
        ),
        AutomationCore(
            name=CRASHED_AUTOMATION,
            description=(
                "Отмечает запуск как Crashed, если его процесс перестал подавать признаки"
                f" жизни ({3 * HEARTBEAT_SECONDS} с без сигнала)."
            ),
            tags=["roadmap"],
            trigger=EventTrigger(
                after={"prefect.flow-run.heartbeat"},
                expect={
                    "prefect.flow-run.heartbeat",
                    "prefect.flow-run.Completed",
                    "prefect.flow-run.Failed",
                    "prefect.flow-run.Cancelled",
                    "prefect.flow-run.Crashed",
                    "prefect.flow-run.Suspended",
                    "prefect.flow-run.Paused",
                },
                for_each={"prefect.resource.id"},
                posture=Posture.Proactive,
                threshold=1,
                within=timedelta(seconds=3 * HEARTBEAT_SECONDS),
            ),
            actions=[
                ChangeFlowRunState(
                    state=StateType.CRASHED,
                    message="Процесс запуска перестал подавать сигналы (heartbeat): запуск прерван.",
                )
            ],
        ),
    ]


def ensure_automations(client: Any) -> list[str]:
    """Make each automation anew (replacing any of the same name, so a changed definition
    takes effect and none is doubled); returns their names."""
    names = []
    for automation in automations():
        for existing in client.read_automations_by_name(automation.name):
            client.delete_automation(existing.id)
        client.create_automation(automation)
        names.append(automation.name)
    return names
