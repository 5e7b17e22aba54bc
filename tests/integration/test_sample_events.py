"""Every API Gateway sample in events/ (the files `sam local invoke -e` and `zik invoke` take) names a route of
template.yaml, and the function that route goes to answers it: a success, or the domain's own 404 for what
a fresh stack does not hold (the sample user's entry, goal, job...). The router's 404 ("no route for METHOD
path") is a failure: it would hide a route the template declares and the handler lacks."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from zik import clock

ROOT = Path(__file__).resolve().parents[2]
ROUTER_404 = "no route for "  # layers/shared/zik/http.py no_route: the function has no route for the request


class _Loader(yaml.SafeLoader):
    """CloudFormation short-form tags (!Ref, !Sub, ...) read as plain values: only the routes are read."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def template_routes() -> dict[tuple[str, str], str]:
    """(METHOD, path) -> the function the template's Api events route it to."""
    resources = yaml.load((ROOT / "template.yaml").read_text(encoding="utf-8"), Loader=_Loader)["Resources"]  # noqa: S506 (a SafeLoader)
    routes: dict[tuple[str, str], str] = {}
    for name, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for event in (resource["Properties"].get("Events") or {}).values():
            if event["Type"] == "Api":
                routes[(event["Properties"]["Method"].upper(), event["Properties"]["Path"])] = name
    return routes


def api_samples() -> dict[str, dict[str, Any]]:
    """Every sample of events/ that is an API Gateway (REST proxy) event, by name."""
    samples = {}
    for path in sorted((ROOT / "events").glob("*.json")):
        event = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(event, dict) and "httpMethod" in event and "requestContext" in event:
            samples[path.stem] = event
    return samples


ROUTES = template_routes()
SAMPLES = api_samples()


def test_every_api_sample_names_a_route_of_the_template() -> None:
    assert len(SAMPLES) > 50  # the scan sees the samples
    assert {name: (e["httpMethod"], e["resource"]) for name, e in SAMPLES.items() if (e["httpMethod"], e["resource"]) not in ROUTES} == {}


def test_every_function_behind_the_api_has_a_sample() -> None:
    covered = {ROUTES[(e["httpMethod"], e["resource"])] for e in SAMPLES.values()}
    assert set(ROUTES.values()) - covered == set()


def _samples_of(function: str) -> list[str]:
    """The function's samples, deletions last: each of the others asks of a stack where nothing was deleted."""
    names = [name for name, e in SAMPLES.items() if ROUTES.get((e["httpMethod"], e["resource"])) == function]
    return sorted(names, key=lambda name: (SAMPLES[name]["httpMethod"] == "DELETE", name))


FUNCTIONS = sorted({ROUTES[(e["httpMethod"], e["resource"])] for e in SAMPLES.values() if (e["httpMethod"], e["resource"]) in ROUTES})


def answered(reply: Any) -> bool:
    if 200 <= reply.status < 300:
        return True
    error = (reply.body or {}).get("error") or {} if isinstance(reply.body, dict) else {}
    # The domain's 404 (an id of the sample user that a fresh stack does not hold), never the router's.
    return reply.status == 404 and error.get("code") == "not_found" and not str(error.get("message", "")).startswith(ROUTER_404)


def as_a_guest_the_stack_holds(event: dict[str, Any], invoke: Any) -> dict[str, Any]:
    """A guest's sample (the guests group) for a guest made now by the guests_create sample: the sample's
    guest is none of a fresh stack's users (its upgrade would be refused as a registered user's)."""
    claims = (event["requestContext"].get("authorizer") or {}).get("claims") or {}
    if claims.get("cognito:groups") != "guests":
        return event
    made = invoke("GuestsFunction", json.loads(json.dumps(SAMPLES["guests_create"])))
    assert made.status == 201, made.body
    payload = made.body["idToken"].split(".")[1]
    token = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(sub=token["sub"], email=token["email"])
    claims["cognito:username"] = token.get("cognito:username", token["sub"])
    if "custom:tenant_id" not in token:
        claims.pop("custom:tenant_id", None)
    return event


# Not marked clock: the samples are re-dated to the day the test runs, and the moved-clock sweep (make dates)
# is for the code that reads a day, which the modules of each domain hold at every instant; twenty stacks at
# nine instants would add a minute and a half to make test.
@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_api_sample_re_dated_to_today_is_answered_by_its_function(function, invoke, redate, user_zone) -> None:
    """One stack per function (a stack costs more than its few samples); the samples' dates moved to the
    user's today, so that a sample asks what it asked the day it was written (a goal due in five months)."""
    unanswered = {}
    for name in _samples_of(function):
        event = as_a_guest_the_stack_holds(redate(json.loads(json.dumps(SAMPLES[name])), clock.today(user_zone)), invoke)
        reply = invoke(function, event)
        if not answered(reply):
            unanswered[name] = (reply.status, reply.body)
    assert unanswered == {}


def test_the_routers_own_404_is_not_an_answer() -> None:
    """What tells the two 404s apart: the router's names the request it has no route for."""

    class Reply:
        def __init__(self, status: int, body: dict[str, Any]):
            self.status, self.body = status, body

    assert not answered(Reply(404, {"error": {"code": "not_found", "message": "no route for GET /entries/x"}}))
    assert answered(Reply(404, {"error": {"code": "not_found", "message": "no entry has that id"}}))
    assert not answered(Reply(400, {"error": {"code": "invalid_request", "message": "title: required"}}))
