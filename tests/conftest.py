"""Shared fixtures: an in-process AWS (moto), the stack template.yaml declares provisioned into it, a fake
Lambda context, each function's app module loaded with the environment the template gives it, and API
Gateway events built from the sample files in ``events/``.
"""

from __future__ import annotations

import contextlib
import copy
import importlib.util
import json
import os
import re
import sys
import uuid
from base64 import b64encode
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "template.yaml"
SCHEMA_ROOT = ROOT / "layers" / "shared" / "zik" / "schemas"
EVENTS = ROOT / "events"
REGION = "us-east-1"

# Powertools reads these when zik.observability is first imported, which happens while test modules are
# collected, before any fixture runs. The values are the ones template.yaml's Globals give every function.
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "zik")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Zik")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")

# Which sample file a request starts from; anything else starts from the plain authenticated GET /me.
_SAMPLES = {
    ("GET", "/health"): "health_get",
    ("GET", "/me"): "me_get",
    ("PUT", "/me"): "me_put",
    ("GET", "/me/export"): "me_export",
    ("DELETE", "/me"): "me_delete",
    ("POST", "/guests"): "guests_create",
    ("POST", "/me/upgrade"): "me_upgrade",
}
_FROM_SAMPLE: Any = object()


def sample_event(name: str) -> dict[str, Any]:
    """A fresh copy of ``events/<name>.json``."""
    return json.loads((EVENTS / f"{name}.json").read_text(encoding="utf-8"))


# The day the samples in events/ were written on: every date in them is this day or relative to it.
SAMPLE_DAY = "2026-11-23"
_DATED = re.compile(r"\b(\d{4}-\d{2}-\d{2})((?:T\d{2}:\d{2}:\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)")


def redated(event: Any, to: Any) -> Any:
    """The sample with every date and instant in it (JSON bodies included) moved by whole days, so that
    the samples' day becomes ``to``: a sample whose day is "today" stays today whenever the test runs."""
    import datetime as dt

    shift = (dt.date.fromisoformat(str(to)) - dt.date.fromisoformat(SAMPLE_DAY)).days

    def move(match: re.Match[str]) -> str:
        day = dt.date.fromisoformat(match.group(1)) + dt.timedelta(days=shift)
        return day.isoformat() + match.group(2)

    return json.loads(_DATED.sub(move, json.dumps(event)))


def shaped(
    event: dict[str, Any],
    *,
    body: Any = ...,
    params: Mapping[str, str] | None = None,
    query: Mapping[str, str] | None = ...,
    claims: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A sample API event with its request changed: ``body`` (JSON unless a str; None for none),
    path ``params`` (filled into the path too), ``query`` (None or {} for none), claims and headers
    merged over the sample's. What is not given stays the sample's."""
    if body is not ...:
        event["body"] = body if isinstance(body, str) or body is None else json.dumps(body)
    if params:
        event["pathParameters"] = dict(params)
        path = event["resource"]
        for key, value in params.items():
            path = path.replace("{" + key + "}", value)
        event["path"] = path
    if query is not ...:
        event["queryStringParameters"] = dict(query) if query else None
    if claims:
        event["requestContext"]["authorizer"]["claims"].update(claims)
    for key, value in (headers or {}).items():
        event["headers"][key] = value
    return event


@pytest.fixture
def shape() -> Callable[..., dict[str, Any]]:
    """``shape(sample("entries_get"), params={"id": ...})``: see ``shaped``."""
    return shaped


@pytest.fixture
def redate() -> Callable[[Any, Any], Any]:
    """``redate(sample("..."), to=day)``: see ``redated``."""
    return redated


@pytest.fixture
def sample() -> Callable[[str], dict[str, Any]]:
    """``sample("me_put")``: a fresh copy of ``events/me_put.json``."""
    return sample_event


# -- the clock -----------------------------------------------------------------------------------------
# `--clock 2027-12-31T23:59:30@Pacific/Kiritimati` (or ZIK_TEST_CLOCK) runs the session with the clocks
# moved to that wall time in that zone, and the machine's zone set to it (time-machine moves datetime,
# date and time themselves, and TZ); the tests' users live in that zone. Relative specs never age:
# `now+1y` is a year from the real now, `next:12-31T23:59:30@Pacific/Kiritimati` the next such wall time
# (`next:02-29T...` the next leap day's), `next-dst-spring@Europe/Paris` and `next-dst-autumn@...` 30 s
# before that zone's next change to summer or to winter time.
#
# In a moved session every test marked clock (it reads a day) starts at that instant, whatever ran before
# (time goes back between tests, never within one: each such test has its own moto), and when the instant
# lies just before an edge (the user's midnight, UTC's, or the zone's DST change) its body starts CLOCK_LEAD
# seconds before that edge, so every one of them meets it. Other tests run on from wherever the clock is
# (a module's shared server keeps its time). `make dates` runs the tests marked clock at every instant that
# has broken a date computation somewhere, `make test-dates` every test (see the Makefile).
#
# `--clocks "SPEC SPEC..."` (make dates) instead runs each test marked clock once at each instant, in one
# session: each run starts at its instant as above, in its zone (its users', and the machine's), and the clock
# goes back to the session's when it ends; tests not marked clock run on the real clock.
CLOCK_LEAD = 0.05  # seconds from the start of a test's body to the edge: less than a request takes
_EDGE_WITHIN = 120  # seconds: an instant this close before an edge is "just before" it
_SPEC_HELP = (
    "YYYY-MM-DDTHH:MM:SS[@zone] (wall time in that IANA zone, UTC without one), next:MM-DDTHH:MM:SS[@zone], "
    "next-dst-spring@zone, next-dst-autumn@zone, or now+1y"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock",
        default=os.environ.get("ZIK_TEST_CLOCK") or None,
        help="run with the clock moved: " + _SPEC_HELP,
    )
    parser.addoption(
        "--clocks",
        default=None,
        help="run each test marked clock once at each of these instants (specs as --clock's, space-separated): make dates",
    )


def moved_instant(spec: str, now: Any = None) -> Any:
    """The aware instant (in the spec's zone) a ``--clock`` value names; relative specs count from ``now``
    (an aware datetime; the real now by default)."""
    import datetime as dt
    from zoneinfo import ZoneInfoNotFoundError

    wall, _, zone = spec.partition("@")
    try:
        tzinfo = ZoneInfo(zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise pytest.UsageError(f"--clock {spec!r}: {zone!r} is no IANA zone") from None
    now = (now or dt.datetime.now(dt.UTC)).astimezone(tzinfo)
    if wall == "now+1y":
        return now + dt.timedelta(days=365)
    if wall in ("next-dst-spring", "next-dst-autumn"):
        if not zone:
            raise pytest.UsageError(f"--clock {spec!r}: name the zone whose DST change it is (@Europe/Paris)")
        change = _next_offset_change(now, tzinfo, forward=wall == "next-dst-spring")
        if change is None:
            raise pytest.UsageError(f"--clock {spec!r}: {tzinfo.key} changes to no such time within 400 days")
        return (change - dt.timedelta(seconds=30)).astimezone(tzinfo)
    if wall.startswith("next:"):
        match = re.fullmatch(r"(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})", wall[len("next:") :])
        if not match:
            raise pytest.UsageError(f"--clock {spec!r}: expected next:MM-DDTHH:MM:SS")
        month, day, hour, minute, second = map(int, match.groups())
        for year in range(now.year, now.year + 9):
            try:
                moment = dt.datetime(year, month, day, hour, minute, second, tzinfo=tzinfo)
            except ValueError:  # 29 February of a common year
                continue
            if moment > now and _exists(moment):
                return moment
        raise pytest.UsageError(f"--clock {spec!r}: no such wall time in {tzinfo.key} in the next 8 years")
    try:
        moment = dt.datetime.fromisoformat(wall)
    except ValueError:
        raise pytest.UsageError(f"--clock {spec!r}: expected {_SPEC_HELP}") from None
    if moment.tzinfo is not None:
        raise pytest.UsageError(f"--clock {spec!r}: give the wall time without an offset, and the zone after '@'")
    moment = moment.replace(tzinfo=tzinfo)
    if not _exists(moment):
        raise pytest.UsageError(f"--clock {spec!r}: that wall time does not exist in {tzinfo.key} (a DST gap)")
    return moment


def _exists(moment: Any) -> bool:
    """Whether an aware wall time is one the zone's clocks show (not skipped by a change to summer time)."""
    import datetime as dt

    return moment.astimezone(dt.UTC).astimezone(moment.tzinfo).replace(tzinfo=None) == moment.replace(tzinfo=None)


def _next_offset_change(after: Any, zone: ZoneInfo, *, forward: bool) -> Any:
    """The first instant after ``after`` at which ``zone``'s UTC offset grows (``forward``: summer time
    begins) or shrinks, to the second (in UTC); None when there is none within 400 days."""
    import datetime as dt

    # Arithmetic on aware datetimes of one zoneinfo zone is wall-clock arithmetic: count in UTC.
    hour = after.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    offset = lambda seconds: (hour + dt.timedelta(seconds=seconds)).astimezone(zone).utcoffset()  # noqa: E731
    for start in range(0, 400 * 24 * 3600, 3600):
        before, later = offset(start), offset(start + 3600)
        if before == later or (later > before) != forward:
            continue
        low, high = start, start + 3600  # the change is in (low, high]: halve it to the second
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (low, middle) if offset(middle) != before else (middle, high)
        change = hour + dt.timedelta(seconds=high)
        if change > after:
            return change
    return None


def clock_edge(instant: Any, within: float = _EDGE_WITHIN) -> Any:
    """The first instant (in UTC) after ``instant`` (aware) at which the day in its zone, the day in UTC or
    the zone's UTC offset changes, when that is at most ``within`` seconds away; else None."""
    import datetime as dt

    utc = instant.astimezone(dt.UTC)  # UTC, not the zone: no wall-clock arithmetic

    def state(moment: Any) -> tuple[Any, Any, Any]:
        local = moment.astimezone(instant.tzinfo)
        return local.date(), local.utcoffset(), moment.date()

    start = state(utc)
    whole = utc.replace(microsecond=0)
    for second in range(1, int(within) + 1):
        moment = whole + dt.timedelta(seconds=second)
        if state(moment) != start:
            return moment  # zones change on whole seconds
    return None


@dataclass(frozen=True)
class _Moved:
    spec: str
    instant: Any  # aware, in the spec's zone: where a test marked clock starts
    edge: Any  # the edge just after it, which the test's body meets (None: none is near)
    zone: str  # where the tests' users live, and the machine's zone

    @classmethod
    def to(cls, spec: str) -> _Moved:
        instant = moved_instant(spec)
        return cls(spec, instant, clock_edge(instant), instant.tzinfo.key if isinstance(instant.tzinfo, ZoneInfo) else "UTC")


@dataclass
class _SessionClock:
    coordinates: Any  # the session's traveller
    moved: _Moved | None = None  # --clock: the whole session's
    each: dict[str, _Moved] = field(default_factory=dict)  # --clocks: every test marked clock once at each
    running: tuple[_Moved, Any] | None = None  # --clocks: the running test's instant and its traveller's coordinates

    def active(self) -> _Moved | None:
        return self.running[0] if self.running else self.moved

    def active_coordinates(self) -> Any:
        return self.running[1] if self.running else self.coordinates

    def instants(self) -> list[Any]:
        """Every instant a test marked clock may start at in this session."""
        return [moved.instant for moved in (*self.each.values(), self.moved) if moved is not None]


_session_clock: _SessionClock | None = None


def pytest_configure(config: pytest.Config) -> None:
    """The session runs on a time-machine traveller (at the real now without --clock), so that a test
    can move the whole session's clock forward (``same_day``) without time ever going back in a test."""
    global _session_clock
    import datetime as dt

    import time_machine

    spec, specs = config.getoption("--clock"), (config.getoption("--clocks") or "").split()
    if spec and specs:
        raise pytest.UsageError("--clock moves the whole session, --clocks runs each test marked clock at each instant: give one")
    moved = _Moved.to(spec) if spec else None
    traveller = time_machine.travel(moved.instant if moved else dt.datetime.now(dt.UTC), tick=True)
    config.add_cleanup(traveller.stop)
    _session_clock = _SessionClock(traveller.start(), moved, {each: _Moved.to(each) for each in specs})


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if _session_clock is not None and _session_clock.each and metafunc.definition.get_closest_marker("clock"):
        specs = list(_session_clock.each)
        metafunc.parametrize("moved_clock", specs, ids=specs, indirect=True)


@pytest.fixture(autouse=True)
def moved_clock(request: pytest.FixtureRequest) -> str | None:
    """With --clocks, the instant (its spec) this run of a test marked clock started at; else None."""
    return getattr(request, "param", None)


_TRAVELLER = pytest.StashKey[Any]()  # with --clocks: the running test's own traveller, stopped at its teardown


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """In a moved session, each test marked clock starts at the moved instant (before its fixtures: its
    stack is made on its own day); with --clocks, at its run's instant, in its zone, until its teardown."""
    if _session_clock is None or not item.get_closest_marker("clock"):
        return
    callspec = getattr(item, "callspec", None)
    spec = callspec.params.get("moved_clock") if callspec is not None else None
    if spec is not None:
        import time_machine

        moved = _session_clock.each[spec]
        traveller = time_machine.travel(moved.instant, tick=True)
        _session_clock.running = (moved, traveller.start())
        item.stash[_TRAVELLER] = traveller
    elif _session_clock.moved is not None:
        _session_clock.coordinates.move_to(_session_clock.moved.instant)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Any:
    try:
        return (yield)
    finally:
        traveller = item.stash.get(_TRAVELLER, None)
        if traveller is not None and _session_clock is not None:
            traveller.stop()
            _session_clock.running = None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    """...and its body starts CLOCK_LEAD seconds before the edge the instant is just before (forward only:
    its fixtures' writes never lie in its future)."""
    import datetime as dt

    moved = _session_clock.active() if _session_clock is not None else None
    if moved is None or moved.edge is None or not item.get_closest_marker("clock"):
        return
    ahead = (moved.edge - dt.datetime.now(dt.UTC)).total_seconds() - CLOCK_LEAD
    if ahead > 0:
        _session_clock.active_coordinates().shift(ahead)  # type: ignore[union-attr]


def pytest_report_header(config: pytest.Config) -> list[str]:
    import datetime as dt

    if _session_clock is None:
        return []

    def described(moved: _Moved) -> str:
        start = moved.instant.astimezone(dt.UTC)
        edge = f"; its body {CLOCK_LEAD} s before {moved.edge.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%SZ}" if moved.edge else ""
        return f"{moved.spec} (starts at {start:%Y-%m-%dT%H:%M:%SZ}{edge}; users live in {moved.zone})"

    if _session_clock.moved is not None:
        return [f"clock moved, each test marked clock: {described(_session_clock.moved)}"]
    if _session_clock.each:
        return ["each test marked clock runs at each instant:", *(f"  {described(moved)}" for moved in _session_clock.each.values())]
    return []


@pytest.fixture
def user_zone() -> str:
    """The zone the tests' users live in: the moved clock's zone (``--clock ...@Pacific/Kiritimati``, or this
    run's of a test marked clock with --clocks), else UTC."""
    moved = _session_clock.active() if _session_clock is not None else None
    return moved.zone if moved is not None else "UTC"


class Days:
    """The user's calendar days a block of a test ran over: one, or two when it crossed the user's midnight.

    ``with days() as span: reply = ...`` then ``assert reply["date"] in span``: the code read "today" at
    some moment inside the block."""

    def __init__(self, zone: str):
        self.zone = zone
        self.first: Any = None
        self.last: Any = None

    def __enter__(self) -> Days:
        from zik import clock

        self.first = self.last = clock.today(self.zone)
        return self

    def __exit__(self, *exc: Any) -> None:
        from zik import clock

        self.last = clock.today(self.zone)

    def __contains__(self, day: Any) -> bool:
        import datetime as dt

        day = dt.date.fromisoformat(day) if isinstance(day, str) else day
        return self.first <= day <= self.last

    def __repr__(self) -> str:
        return f"Days({self.first}..{self.last} in {self.zone})"


@pytest.fixture
def days(user_zone: str) -> Callable[..., Days]:
    """``with days() as span``: see ``Days``."""
    return lambda zone=None: Days(zone or user_zone)


@pytest.fixture
def move_clock() -> Callable[..., None]:
    """``move_clock(seconds=200)``: the session's clock jumps forward (a queue's visibility timeout passes,
    an in-progress record expires); it never goes back."""

    def move(*, seconds: float) -> None:
        assert _session_clock is not None and seconds > 0
        _session_clock.active_coordinates().shift(seconds)

    return move


@pytest.fixture
def on_one_day(user_zone: str) -> Callable[..., Any]:
    """``on_one_day(block)``: ``block(day)`` run within one day of the user, ``day`` being that day; when
    the user's midnight passed while it ran, it runs once more (the second run cannot cross it too).
    For a block whose clock the test cannot move: a `zik dev` server in another process. ``block`` must
    be safe to repeat."""

    def run(block: Callable[[Any], Any], zone: str | None = None) -> Any:
        for _ in range(2):
            with Days(zone or user_zone) as span:
                result = block(span.first)
            if span.first == span.last:
                return result
        raise AssertionError(f"{block.__name__} crossed midnight twice in a row")

    return run


@pytest.fixture
def same_day(user_zone: str) -> Callable[..., Any]:
    """``today = same_day(minutes=2)``: for a test whose requests must all fall on one day of the user
    (a prompt that holds all day). When the user's midnight is nearer than that, the session's clock moves
    forward past it first (time never goes back); the user's today is returned."""

    def hold(minutes: float = 2, zone: str | None = None) -> Any:
        import datetime as dt

        from zik import clock

        tz = ZoneInfo(zone or user_zone)
        now = clock.now().astimezone(tz)
        midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        left = (midnight - now).total_seconds()
        if left < minutes * 60:
            assert _session_clock is not None
            _session_clock.active_coordinates().shift(left + 1)
        return clock.today(tz)

    return hold


# -- AWS ---------------------------------------------------------------------------------------------
@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch):
    """Fake credentials and region, and every AWS call of the test served in-process by moto."""
    from moto import mock_aws

    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SECURITY_TOKEN", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    _clear_client_caches()
    with mock_aws():
        yield
    _clear_client_caches()


@pytest.fixture(scope="session", autouse=True)
def _one_botocore_loader():
    """Every botocore session of the test run shares one data loader.

    moto starts each test without a boto3 default session, and the provisioner makes sessions of its own:
    each new session would parse the endpoint and service models again (about half a second per test).
    Sharing the loader is what botocore already does for the clients of one session, so the models are
    read once per run instead.
    """
    import botocore.loaders
    import botocore.session

    loader = botocore.loaders.create_loader()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(botocore.session, "create_loader", lambda *args, **kwargs: loader)
        _import_moto_cognito_key_once(patch)
        # DynamoDB's conditional writes are atomic; moto's are made so, as in the local cloud.
        from zik_local.hooks import make_dynamodb_writes_atomic

        make_dynamodb_writes_atomic()
        yield


def _import_moto_cognito_key_once(patch: pytest.MonkeyPatch) -> None:
    """moto imports (and validates) the same bundled RSA key for every user pool it creates: a fifth of a
    second per provisioned stack. Import that key once per run."""
    from moto.cognitoidp import models as cognito_models

    rsa_key = getattr(getattr(cognito_models, "jwk", None), "RSAKey", None)
    if rsa_key is None:  # moto changed how it signs tokens: nothing to speed up
        return
    original = rsa_key.import_key
    imported: dict[str, Any] = {}

    def import_key(value: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs or not isinstance(value, (dict, str, bytes)):
            return original(value, *args, **kwargs)
        token = json.dumps(value, sort_keys=True) if isinstance(value, dict) else repr(value)
        if token not in imported:
            imported[token] = original(value)
        return imported[token]

    patch.setattr(rsa_key, "import_key", import_key)


def _clear_client_caches() -> None:
    """The layer creates some boto3 clients once per execution environment; each test is a new one."""
    for module_name, attribute in (
        ("zik.platform.identity", "_cognito"),
        ("zik.dynamo", "shared_client"),
        ("zik.http", "_accounts"),
        ("zik.erasure", "_accounts"),
        ("zik.erasure", "_sqs"),
        ("zik.streams", "_events_client"),
        ("zik.platform.exports", "_s3"),
        ("zik.buckets", "s3_client"),
        ("zik.idempotency", "_persistence"),
        ("zik.quests.workflow", "_client"),
        ("zik.studio.devices", "sns_client"),
        ("zik.studio.tryon_service", "_stepfunctions"),
    ):
        module = sys.modules.get(module_name)
        if module is not None:
            cached = getattr(module, attribute)
            if hasattr(cached, "cache_clear"):  # a test may have put a stub in its place
                cached.cache_clear()
    if "zik.ai" in sys.modules:
        sys.modules["zik.ai"].reset()


@pytest.fixture(scope="session")
def stack():
    """template.yaml after the SAM transform (parsed once: the transform is the slow part)."""
    from zik_local.cloud import LOCAL_PARAMETER_DEFAULTS
    from zik_local.template import load

    return load(TEMPLATE, parameters=LOCAL_PARAMETER_DEFAULTS)


@pytest.fixture(scope="session")
def provisioned() -> dict[frozenset[str], ProvisionedStack]:
    """The stacks provisioned so far in this process, by the optional loaders they hold (see ``deployment``)."""
    return {}


@pytest.fixture
def deployment(request, aws, stack, provisioned):
    """Everything template.yaml declares, created in moto by the project's own provisioner; but for the data
    loaders only some tests read (OPTIONAL_LOADERS), which load in the stacks of the tests marked for them,
    and what no code reads at run time (role policies, log groups, TTL settings: no test reads them, and
    they were half of each test's setup; `zik dev` and the local cloud's own tests create them).

    Each test gets a fresh stack, with nothing another test did in it. The provisioner runs once per test
    process for each set of loaders; every test after the first starts from a copy of moto's state as it
    was right after that provisioning (``ProvisionedStack``): a tenth of the time, the same state."""
    loaders = frozenset(logical_id for logical_id, marker in OPTIONAL_LOADERS.items() if request.node.get_closest_marker(marker) is not None)
    if loaders not in provisioned:
        provisioned[loaders] = ProvisionedStack.create(stack, loaders)
    return provisioned[loaders].restore()


class ProvisionedStack:
    """moto's state right after the provisioner created a stack in it, and the deployment it described.

    ``restore()`` puts a deep copy of that state in place of moto's (freshly reset) backends: the services'
    objects refer to one another (a rule's target, a table's stream), so every backend is copied in one
    ``deepcopy``, which keeps those references inside the copy. Nothing of a test reaches the snapshot: it
    is only ever copied from."""

    def __init__(self, places: list[tuple[Any, str, str]], backends: list[Any], registries: list[tuple[Any, dict[str, Any]]], deployment: Any):
        self._places = places  # where each backend lives: (moto's BackendDict of its service, account, region)
        self._backends = backends
        self._registries = registries  # what each BackendDict itself records (S3's: which account owns each bucket)
        self._deployment = deployment

    @classmethod
    def create(cls, stack: Any, loaders: frozenset[str]) -> ProvisionedStack:
        """Provision the stack (with the optional ``loaders`` only) in the current, fresh moto and keep a copy
        of what that made."""
        from moto.core.base_backend import BackendDict

        from zik_local.cloud import LOCAL_PARAMETER_DEFAULTS
        from zik_local.provision import provision

        wanted = copy.deepcopy(stack)
        for logical_id in OPTIONAL_LOADERS:
            if logical_id not in loaders:
                del wanted.cfn["Resources"][logical_id]
        with _before_any_test():
            deployment = provision(wanted, None, LOCAL_PARAMETER_DEFAULTS, create_unread=False)
        places = [
            (backend_dict, account, region)
            for backend_dict in BackendDict._instances  # the services that hold something (moto's own list)
            for account, regions in backend_dict.items()
            for region in regions
        ]
        registries = list({id(backend_dict): backend_dict for backend_dict, _, _ in places}.values())
        with _untracked_by_moto():
            backends = _copied([backend_dict[account][region] for backend_dict, account, region in places], registries)
            recorded = _copied([(registry, vars(registry)) for registry in registries], registries)
        return cls(places, backends, recorded, _copied(deployment))

    def restore(self) -> Any:
        """moto's backends (reset by the test's ``aws``) hold a fresh copy of the provisioned state; the
        deployment that describes it, a copy of its own."""
        registries = [registry for registry, _ in self._registries]
        for registry, recorded in _copied(self._registries, registries):
            vars(registry).update(recorded)
        for (backend_dict, account, region), backend in zip(self._places, _copied(self._backends, registries), strict=True):
            dict.__setitem__(backend_dict[account], region, backend)  # backend_dict[account] registers the service with moto
        return _copied(self._deployment)


@contextlib.contextmanager
def _untracked_by_moto() -> Iterator[None]:
    """Objects made in the block are left out of moto's lists of every instance of its models: its reset
    disposes of each one listed (closes an S3 object's buffer), and a snapshot must outlive every reset."""
    from moto.core.common_models import BaseModel

    def models(cls: type) -> Iterator[type]:
        for subclass in cls.__subclasses__():
            yield subclass
            yield from models(subclass)

    before = {model: len(model.instances_tracked) for model in models(BaseModel)}  # type: ignore[attr-defined]
    yield
    for model, count in before.items():
        del model.instances_tracked[count:]  # type: ignore[attr-defined]


def _copied(value: Any, registries: list[Any] | None = None) -> Any:
    """A deep copy of moto objects, whose locks and conditions are made anew (they guard the copy, not the
    original; copy.deepcopy refuses to copy a lock). moto's ``registries`` of backends (its BackendDicts)
    are the same objects in the copy: an object that names one names the one moto serves from."""
    import copyreg
    import threading

    fresh = {
        type(threading.Lock()): threading.Lock,
        type(threading.RLock()): threading.RLock,
        threading.Condition: threading.Condition,
        threading.Event: threading.Event,
    }
    added = [kind for kind in fresh if kind not in copyreg.dispatch_table]
    for kind in added:
        copyreg.dispatch_table[kind] = lambda _, make=fresh[kind]: (make, ())
    try:
        return copy.deepcopy(value, {id(registry): registry for registry in registries or ()})
    finally:
        for kind in added:
            del copyreg.dispatch_table[kind]


def _before_any_test() -> Any:
    """Where the clock stands while a stack is provisioned for later tests: in a moved session, 5 s before
    the instant its clock tests start at (each such test starts there again: what the provisioner wrote
    must not lie in its future; with --clocks, before the first of the instants), then back where it was,
    moved on by the time it took; else, where it is."""
    import datetime as dt

    import time_machine

    instants = _session_clock.instants() if _session_clock is not None else []
    if not instants:
        return contextlib.nullcontext()
    return time_machine.travel(min(instants) - dt.timedelta(seconds=5), tick=True)


# Custom resources whose only work is loading data, and the marker of the tests that read it: the hairstyle
# library's 53 preview uploads were a third of every test's stack.
OPTIONAL_LOADERS = {"HairstyleLibrary": "hairstyle_library"}


# -- Lambda ------------------------------------------------------------------------------------------
@dataclass
class FakeLambdaContext:
    function_name: str = "test"
    memory_limit_in_mb: int = 128
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test"
    aws_request_id: str = "da658bd3-2d6f-4e7b-8ec2-937234644fdc"
    function_version: str = "$LATEST"
    log_group_name: str = "/aws/lambda/test"
    log_stream_name: str = "2024/11/23/[$LATEST]0123456789abcdef0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 5_000


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()


@pytest.fixture(autouse=True)
def _isolated_userdata_registry(monkeypatch: pytest.MonkeyPatch):
    """Each test starts with no user-data hooks registered (loading /me registers its own)."""
    import zik.userdata

    monkeypatch.setattr(zik.userdata, "_hooks", {})


@pytest.fixture
def load_function(deployment, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Any]:
    """``load_function("MeFunction")``: the function's ``app`` module, imported afresh (its INIT runs in
    this test) with exactly the environment the template gives the function."""
    from zik.observability import metrics

    loaded: dict[str, Any] = {}

    def load(logical_id: str) -> Any:
        if logical_id in loaded:
            return loaded[logical_id]
        spec = deployment.functions[logical_id]
        for name, value in spec.environment.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
        if "POWERTOOLS_METRICS_NAMESPACE" not in spec.environment:
            monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Zik")
        monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", spec.name)
        module_name = f"fn_{spec.code_dir.name}_app"
        module_spec = importlib.util.spec_from_file_location(module_name, spec.code_dir / "app.py")
        assert module_spec and module_spec.loader
        module = importlib.util.module_from_spec(module_spec)
        monkeypatch.setitem(sys.modules, module_name, module)
        metrics.clear_metrics()
        module_spec.loader.exec_module(module)
        loaded[logical_id] = module
        return module

    yield load
    metrics.clear_metrics()


# -- rule targets the local cloud would run ------------------------------------------------------------
class DeliveredToFunctions:
    """Stands in for the local cloud where moto hands over: remembers each event a rule delivered to a
    Lambda (or Step Functions) target instead of running it; tests run the target's handler themselves."""

    def __init__(self) -> None:
        self.delivered: list[tuple[str, dict[str, Any]]] = []

    def deliver_to_target(self, target: dict[str, Any], event: dict[str, Any], rule_arn: str) -> None:
        self.delivered.append((target["Arn"], event))

    def invoke_function(self, function_arn: str, event: Any) -> Any:
        raise AssertionError(f"a test invoked {function_arn} through moto; call its handler instead")

    def invoke_function_async(self, function_arn: str, event: Any, *, source: str) -> None:
        self.delivered.append((function_arn, event))

    def to(self, function_arn: str) -> list[dict[str, Any]]:
        return [event for arn, event in self.delivered if arn == function_arn]


@pytest.fixture
def rule_deliveries(aws, monkeypatch: pytest.MonkeyPatch):
    """The local cloud's moto hooks, with deliveries to functions recorded (state machines still only
    record their executions, as moto does by default)."""
    from moto.core.config import default_user_config

    from zik_local import hooks

    recorder = DeliveredToFunctions()
    before = dict(default_user_config.get("stepfunctions") or {})
    monkeypatch.setitem(default_user_config, "stepfunctions", before)
    hooks.install(recorder)
    default_user_config["stepfunctions"] = before  # the state machines stay where the stack created them
    yield recorder
    hooks.uninstall()


# -- AI ----------------------------------------------------------------------------------------------
@pytest.fixture
def digest_task():
    """``tests.digest``, a small AI task kept in tests/fixtures/ai, registered for the test."""
    from zik.ai import registry

    module_spec = importlib.util.spec_from_file_location("tests_ai_digest", ROOT / "tests" / "fixtures" / "ai" / "digest.py")
    assert module_spec and module_spec.loader
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    registry.register(module.DIGEST)
    yield module.DIGEST
    registry._TASKS.pop(module.DIGEST.name, None)


@pytest.fixture
def log_records(capsys) -> Callable[[], list[dict[str, Any]]]:
    """``log_records()``: every JSON line the code wrote since the test began, in order: the layer's
    Powertools log lines (formatted as in Lambda) and the metrics' EMF records (printed to stdout)."""
    import io
    import logging

    from zik.observability import logger

    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logger.registered_formatter)
    std_logger = logging.getLogger(logger.name)
    std_logger.addHandler(handler)

    def read() -> list[dict[str, Any]]:
        text = buffer.getvalue() + capsys.readouterr().out
        return [json.loads(line) for line in text.splitlines() if line.startswith("{")]

    yield read
    std_logger.removeHandler(handler)


@pytest.fixture(autouse=True)
def _fresh_circuits():
    """Powertools keeps each circuit's consecutive counts per process; each test is a new environment."""
    from aws_lambda_powertools.utilities.circuit_breaker import base

    for counters in (base._LOCAL_FAILURES, base._LOCAL_SUCCESSES, base._LAST_OBSERVED_STATE):
        counters.clear()
    return


# -- API Gateway events ------------------------------------------------------------------------------
@pytest.fixture
def api_event() -> Callable[..., dict[str, Any]]:
    """Build an API Gateway REST (v1) proxy event from the sample file for ``method path``.

    - ``body``: a dict/list (sent as JSON) or a str (sent as is); None for no body; by default the
      sample's own body.
    - ``claims``: by default the sample's Cognito claims; None for a request without an authorizer;
      a mapping overrides the sample's claims key by key (a value of None removes that claim).
    - ``headers``: added to (or, with a value of None, removed from) the sample's headers.
    - ``query``: query string parameters; ``base64``: send the body base64-encoded, as API Gateway does
      for binary media types.
    Every event gets a fresh ``requestContext.requestId``.
    """

    def build(
        method: str = "GET",
        path: str = "/me",
        body: Any = _FROM_SAMPLE,
        *,
        claims: Mapping[str, Any] | None = _FROM_SAMPLE,
        headers: Mapping[str, str | None] | None = None,
        query: Mapping[str, str] | None = None,
        base64: bool = False,
    ) -> dict[str, Any]:
        method = method.upper()
        name = _SAMPLES.get((method, path), "me_get")
        event = sample_event(name)
        stage = event["requestContext"]["stage"]
        event.update(httpMethod=method, path=path, resource=path)
        event["requestContext"].update(httpMethod=method, path=f"/{stage}{path}", resourcePath=path, requestId=str(uuid.uuid4()))
        if body is not _FROM_SAMPLE:
            event["body"] = body if body is None or isinstance(body, str) else json.dumps(body)
        if base64 and event["body"] is not None:
            event["body"] = b64encode(event["body"].encode()).decode()
            event["isBase64Encoded"] = True
        if claims is None:
            event["requestContext"].pop("authorizer", None)
        elif claims is not _FROM_SAMPLE:
            current = (event["requestContext"].get("authorizer") or {}).get("claims") or dict(
                sample_event("me_get")["requestContext"]["authorizer"]["claims"]
            )
            for key, value in claims.items():
                if value is None:
                    current.pop(key, None)
                else:
                    current[key] = value
            event["requestContext"]["authorizer"] = {"claims": current}
        for key, value in (headers or {}).items():
            if value is None:
                event["headers"].pop(key, None)
                event["multiValueHeaders"].pop(key, None)
            else:
                event["headers"][key] = value
                event["multiValueHeaders"][key] = [value]
        if query:
            event["queryStringParameters"] = dict(query)
            event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()}
        return event

    return build


@pytest.fixture
def user_claims() -> Callable[..., dict[str, Any]]:
    """``user_claims()``: claim overrides (for ``api_event``) of another user than the samples' one, with
    a fresh UUID subject unless ``sub`` is given."""

    def claims(sub: str | None = None, *, tenant: str | None = "acme", email: str | None = None) -> dict[str, Any]:
        sub = sub or str(uuid.uuid4())
        return {
            "sub": sub,
            "cognito:username": sub,
            "email": email or f"user-{sub[:8]}@example.com",
            "name": None,
            "custom:tenant_id": tenant,
        }

    return claims


@dataclass
class Reply:
    """A Lambda proxy response, read the way a client reads it."""

    status: int
    headers: dict[str, str]  # lower-cased names; multiValueHeaders folded in
    body: Any  # parsed JSON when the body is JSON, else the raw string
    raw: dict[str, Any]


def read_reply(response: Mapping[str, Any]) -> Reply:
    headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    for key, values in (response.get("multiValueHeaders") or {}).items():
        if values:
            headers.setdefault(key.lower(), ", ".join(values))
    try:
        body = json.loads(response.get("body") or "null")
    except json.JSONDecodeError:
        body = response.get("body")
    return Reply(response["statusCode"], headers, body, dict(response))


@pytest.fixture
def invoke(load_function, lambda_context, deployment) -> Callable[[str, dict[str, Any]], Reply]:
    """``invoke("MeFunction", event)``: run the function's real handler on the event, as Lambda would. An
    API answer is held to the OpenAPI document (zik_local.openapi.Contract): its status documented, its
    media type and its body as the document says; a test that gets another fails, naming why."""

    def call(logical_id: str, event: dict[str, Any]) -> Reply:
        module = load_function(logical_id)
        reply = read_reply(module.lambda_handler(copy.deepcopy(event), lambda_context))
        if isinstance(event, dict) and "httpMethod" in event and "requestContext" in event:
            media = reply.headers.get("content-type", "")
            body = reply.body if media.startswith("application/json") else reply.raw.get("body")
            problems = api_contract(deployment).problems(event["httpMethod"], event["path"], reply.status, media, body)
            assert not problems, "the answer breaks the API's contract:\n" + "\n".join(problems)
        return reply

    return call


_CONTRACTS: list[Any] = []


def api_contract(deployment: Any) -> Any:
    """The API's contract, built once per test process from the template, the handlers and the schema files
    (every test's stack has the same routes)."""
    if not _CONTRACTS:
        from zik_local import openapi

        document = openapi.build(deployment, deployment.apis[0], SCHEMA_ROOT, "http://127.0.0.1:3000")
        _CONTRACTS.append(openapi.Contract(document))
    return _CONTRACTS[0]


# -- the tables' change streams ---------------------------------------------------------------------------
class StreamPump:
    """The template's DynamoDB stream event source mappings, run as Lambda's pollers run them
    (``zik_local.streams``), with each function's real handler in this process: ``pump()`` delivers
    every change waiting in every stream, so the events of what was committed reach the bus."""

    def __init__(self, deployment: Any, load_function: Callable[[str], Any], context: Any):
        import boto3

        from zik_local.streams import Outcome, StreamPoller

        self.load_function = load_function
        self.context = context
        self.failed_invocations = 0
        client = boto3.client("dynamodbstreams", region_name=REGION)
        self.pollers = [StreamPoller(m, client, self._invoke, self._send_failure) for m in deployment.stream_mappings]
        self._outcome = Outcome

    def _invoke(self, function: str, event: dict[str, Any]) -> Any:
        try:
            return self._outcome(failed=False, payload=self.load_function(function).lambda_handler(copy.deepcopy(event), self.context))
        except Exception:  # noqa: BLE001 - the function's failure is the invocation's answer, as in Lambda
            self.failed_invocations += 1
            return self._outcome(failed=True)

    @staticmethod
    def _send_failure(destination: str, record: dict[str, Any]) -> None:
        import boto3

        sqs = boto3.client("sqs", region_name=REGION)
        sqs.send_message(QueueUrl=sqs.get_queue_url(QueueName=destination.rsplit(":", 1)[-1])["QueueUrl"], MessageBody=json.dumps(record))

    def pump(self) -> int:
        """Deliver until every stream is read to its end; how many records were read."""
        total = 0
        while True:
            read = sum(poller.poll() for poller in self.pollers)
            if not read:
                return total
            total += read


@pytest.fixture
def streams(deployment, load_function, lambda_context) -> StreamPump:
    return StreamPump(deployment, load_function, lambda_context)


# -- the event bus, observed ---------------------------------------------------------------------------
class EventSink:
    """An SQS queue behind a rule on the platform bus: what the bus delivered, as EventBridge envelopes
    (in a test with a deployed stack, the tables' streams are pumped first: events leave writes there)."""

    def __init__(self, bus: str, pattern: Mapping[str, Any], before_read: Callable[[], Any] | None = None):
        import boto3

        self.before_read = before_read

        self.sqs = boto3.client("sqs", region_name=REGION)
        events = boto3.client("events", region_name=REGION)
        name = f"test-sink-{uuid.uuid4().hex[:12]}"
        self.url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps(pattern), State="ENABLED")
        events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "sink", "Arn": arn}])
        self._seen: list[dict[str, Any]] = []

    def received(self) -> list[dict[str, Any]]:
        """Every event delivered so far (in order of arrival)."""
        if self.before_read is not None:
            self.before_read()
        while True:
            answer = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            messages = answer.get("Messages", [])
            if not messages:
                return list(self._seen)
            for message in messages:
                self._seen.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])

    def of_type(self, detail_type: str) -> list[dict[str, Any]]:
        return [e for e in self.received() if e.get("detail-type") == detail_type]


@pytest.fixture
def event_sink(aws, request: pytest.FixtureRequest) -> Callable[..., EventSink]:
    """``event_sink(bus, pattern=...)``: start recording what the bus delivers for the pattern."""
    pump = request.getfixturevalue("streams").pump if "deployment" in request.fixturenames else None

    def attach(bus: str, pattern: Mapping[str, Any] | None = None) -> EventSink:
        return EventSink(bus, pattern or {"source": [{"prefix": "zik."}]}, before_read=pump)

    return attach
