"""HealthFunction's real handler, with the environment template.yaml gives it, on the sample events."""

from __future__ import annotations

from datetime import datetime

import pytest

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")


def test_get_health_answers_without_auth(deployment, invoke, sample):
    event = sample("health_get")
    assert "authorizer" not in event["requestContext"]
    reply = invoke("HealthFunction", event)
    assert reply.status == 200
    assert reply.headers["content-type"] == "application/json"
    assert set(reply.body) == {"status", "service", "version", "time"}
    assert reply.body["status"] == "ok"
    assert reply.body["service"] == "zik"
    assert reply.body["version"] == "dev"  # APP_VERSION is not set by the template
    assert datetime.fromisoformat(reply.body["time"].replace("Z", "+00:00")).tzinfo is not None


def test_health_reports_the_app_version_when_set(deployment, invoke, sample, monkeypatch):
    monkeypatch.setenv("APP_VERSION", "1.4.2")
    assert invoke("HealthFunction", sample("health_get")).body["version"] == "1.4.2"


def test_health_makes_no_aws_call(deployment, invoke, sample, monkeypatch):
    import botocore.client

    def refuse(self, operation, params):
        raise AssertionError(f"/health called AWS: {operation}")

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", refuse)
    assert invoke("HealthFunction", sample("health_get")).status == 200


def test_health_answers_other_paths_with_a_json_404(deployment, invoke, api_event):
    event = api_event("GET", "/health/deep", claims=None)
    reply = invoke("HealthFunction", event)
    assert reply.status == 404
    assert reply.body["error"]["code"] == "not_found"
    assert reply.body["error"]["requestId"] == event["requestContext"]["requestId"]


def test_the_sample_event_matches_the_route_the_template_declares(deployment, sample):
    event = sample("health_get")
    routes = {(r.method, r.path): r for api in deployment.apis for r in api.routes}
    route = routes[(event["httpMethod"], event["resource"])]
    assert route.function == "HealthFunction"
    assert route.authorizer is None  # Auth: Authorizer: NONE
    assert event["requestContext"]["stage"] == deployment.apis[0].stage
