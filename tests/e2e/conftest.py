"""End-to-end tests: when one fails, its report shows what the `zik dev` process under test printed."""

from __future__ import annotations

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):  # type: ignore[type-arg]
    outcome = yield
    report = outcome.get_result()
    if not report.failed:
        return
    server = getattr(item, "funcargs", {}).get("dev")
    tail = getattr(server, "tail", None)
    if callable(tail):
        report.sections.append(("zik dev output (last lines)", tail()))
