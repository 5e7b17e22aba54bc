"""End-to-end tests: a real `zik dev` process (the ``dev`` fixture), called over HTTP. When a test fails, its
report shows what the `zik dev` process under test printed.

The modules that take `zik dev` as it starts share one per test process (``shared_dev``): each test is a user
of its own (``new_user()``, ``dev.token``), so sharing the server shares no state between tests, and starting
and stopping it (about 10 s of a worker's time each) happens once instead of once per module. A module that
starts it with parameters or an environment of its own, or changes what every user sees (as an admin: jobs,
the hairstyle library), keeps one of its own: it defines its own module-scoped ``dev`` (``running_dev``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from devserver import DevServer, running_dev


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


# The modules that take longest (one waits for a rate limit's minute to pass; one sends every operation its
# requests), with a server of their own, first: --dist loadfile hands each module to the next free worker in the
# order collected, and the longest collected last ended last, alone.
LONGEST_FIRST = ("test_sign_in_groups.py", "test_contract_schemathesis.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        return LONGEST_FIRST.index(item.path.name) if item.path.name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: each module's tests keep their order


@pytest.fixture(scope="session")
def shared_dev(request: pytest.FixtureRequest) -> Iterator[DevServer]:
    """The `zik dev` of this test process's modules that take it as it is (started when the first asks)."""
    yield from running_dev(request)


@pytest.fixture(scope="module")
def dev(shared_dev: DevServer) -> DevServer:
    return shared_dev


@pytest.fixture(scope="module")
def app(dev: DevServer) -> dict[str, Any]:
    """The app's side of sign-in: boto3's cognito-idp on the embedded AWS, the template's pool and client."""
    import boto3
    from botocore.config import Config

    info = dev.request("GET", "/_zik/info").body
    (pool,) = info["userPools"]
    idp = boto3.client(
        "cognito-idp",
        endpoint_url=info["awsEndpoint"],
        region_name=info["region"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}),
    )
    return {"idp": idp, "pool_id": pool["userPoolId"], "client_id": pool["clientIds"][0]}
