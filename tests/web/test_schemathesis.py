"""The API against its own OpenAPI schema (schemathesis, in-process over ASGI): whatever a
client sends, valid or not, as the coordinator or as an emissary, the answer is never a
server error, and its status, content type and body are the ones the schema documents.

On the Primorye example in SQLite (the store under test does not change what the API
answers; test_api.py runs on both stores). Every operation under /api gets a few
derandomized examples of valid requests and a few of invalid ones; each is sent with the
coordinator's and with an emissary's personal token. Every failure is collected, so one run
names them all.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from roadmap.web.app import create_app
from tests.web.support import Clock, issue

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 4, GenerationMode.NEGATIVE: 2}
# Path values that name something (random ones are nearly always 404): a task of the
# emissary's organisation (T-010, minzdrav), one of another (T-002, minobr), one handed in
# (T-001), and the first two stages.
KNOWN = {"code": ["T-001", "T-002", "T-010"], "stage": ["initiatives", "interviews"]}


def _variants(operation) -> list[dict[str, str] | None]:
    """Random path values, then each known value of the operation's path parameter."""
    names = [p.name for p in operation.path_parameters]
    known = [{name: value} for name in names for value in KNOWN.get(name, [])]
    return [None, *known]


def _exercise(strategy, examples: int, people: list[str], label: str, failures: list[str]):
    """Send `examples` cases of the strategy as each person; collect what fails a check."""

    @given(case=strategy)
    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        for authorization in people:
            try:
                response = case.call(headers={"Authorization": authorization})
            except Exception as exc:  # the application raised: a server error
                failures.append(f"{label}: {exc!r}\n{case.as_curl_command()}")
                continue
            try:
                case.validate_response(response, checks=CHECKS)
            except Exception as exc:  # schemathesis's failures (a group of them)
                failures.append(f"{label}: {exc}")

    check()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_api_answers_as_its_schema_says(loaded):
    people = [f"Bearer {issue(loaded, person)}" for person in ("coord", "e-minzdrav")]
    app = create_app(loaded.settings, clock=Clock())
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    schema.include(path_regex="^/api/")
    failures: list[str] = []
    try:
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 17
        for operation in operations:
            for path in _variants(operation):
                for mode, examples in EXAMPLES.items():
                    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path)
                    label = f"{operation.label} {path or ''} ({mode.value})"
                    _exercise(strategy, examples, people, label, failures)
    finally:
        store = getattr(app.state, "store", None)
        if store is not None:
            store.dispose()
    assert not failures, "\n\n".join(failures)
