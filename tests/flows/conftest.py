"""One temporary Prefect server for every flow test (package scope: started once, ~10 s).

Prefect runs against a temporary server of its own (prefect_test_harness) with a fresh
PREFECT_HOME for this package, so nothing leaks between test runs or into ~/.prefect, and
logs only warnings. Prefect is imported only inside the fixtures and tests, after the
environment is set; the environment is restored when the package's tests are done.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="package")
def prefect_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Prefect's settings for a private, quiet PREFECT_HOME; the environment is restored after."""
    from flows.runtime import configure_local_prefect

    saved = dict(os.environ)
    configure_local_prefect(tmp_path_factory.mktemp("prefect-home"))
    yield
    os.environ.clear()
    os.environ.update(saved)
    if "prefect.context" in sys.modules:
        from prefect.context import refresh_global_settings_context

        refresh_global_settings_context()


@pytest.fixture(scope="package")
def prefect_server(prefect_env: None) -> Iterator[None]:
    """The package's temporary Prefect server; flows run in-process without heartbeats."""
    from prefect.testing.utilities import prefect_test_harness

    from flows.runtime import heartbeats_off

    with prefect_test_harness(server_startup_timeout=90), heartbeats_off():
        yield
