"""The hairstyle library's managers through the real StudioHairstylesFunction on the template's stack (the
library loaded by the deployment's custom resource): an admin (cognito:groups admins) hides a style, users
then neither list it nor get it, admins still see it marked hidden, a new deployment keeps it hidden, and
anyone else's PUT is a 403 forbidden that changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning"), pytest.mark.hairstyle_library]

ADMIN = {"cognito:groups": "admins,users"}
STYLE = "french-crop"


def put(invoke: Any, sample: Any, shape: Any, hidden: Any, *, claims: dict[str, Any] | None = None, style: str = STYLE) -> Any:
    event = shape(sample("studio_hairstyles_update"), params={"hairstyleId": style}, body={"hidden": hidden})
    if claims is not None:
        event["requestContext"]["authorizer"]["claims"].pop("cognito:groups", None)
        event["requestContext"]["authorizer"]["claims"].update(claims)
    return invoke("StudioHairstylesFunction", event)


def listed(invoke: Any, sample: Any, shape: Any, claims: dict[str, Any] | None = None) -> list[str]:
    ids, cursor = [], None
    while True:
        reply = invoke(
            "StudioHairstylesFunction",
            shape(sample("studio_hairstyles_list"), query={"limit": "100", **({"cursor": cursor} if cursor else {})}, claims=claims),
        )
        assert reply.status == 200, reply.body
        ids += [s["hairstyleId"] for s in reply.body["items"]]
        cursor = reply.body["nextCursor"]
        if not cursor:
            return ids


def get(invoke: Any, sample: Any, shape: Any, claims: dict[str, Any] | None = None) -> Any:
    return invoke("StudioHairstylesFunction", shape(sample("studio_hairstyles_get"), params={"hairstyleId": STYLE}, claims=claims))


def test_an_admin_hides_a_style_from_users_and_shows_it_again(invoke, sample, shape) -> None:
    assert STYLE in listed(invoke, sample, shape)
    hidden = put(invoke, sample, shape, True)
    assert hidden.status == 200, hidden.body
    assert hidden.body["hairstyleId"] == STYLE and hidden.body["hidden"] is True and hidden.body["previewUrl"]

    assert STYLE not in listed(invoke, sample, shape)
    missing = get(invoke, sample, shape)
    assert missing.status == 404 and missing.body["error"]["field"] == "hairstyleId"
    assert STYLE in listed(invoke, sample, shape, claims=ADMIN)
    seen = get(invoke, sample, shape, claims=ADMIN)
    assert seen.status == 200 and seen.body["hidden"] is True

    shown = put(invoke, sample, shape, False)
    assert shown.status == 200 and shown.body["hidden"] is False
    assert STYLE in listed(invoke, sample, shape)
    back = get(invoke, sample, shape)
    assert back.status == 200 and "hidden" not in back.body


@pytest.mark.parametrize("groups", [None, "users", "guests", "admins-but-not-really", '["users"]'])
def test_anyone_but_an_admin_is_refused_403_and_nothing_changes(invoke, sample, shape, groups) -> None:
    claims = {"cognito:groups": groups} if groups else {}
    refused = put(invoke, sample, shape, True, claims=claims)
    assert refused.status == 403, refused.body
    assert refused.body["error"]["code"] == "forbidden" and "admins" in refused.body["error"]["message"]
    assert STYLE in listed(invoke, sample, shape)


@pytest.mark.parametrize(
    ("style", "payload", "status", "field"),
    [
        ("no-such-style", True, 404, "hairstyleId"),
        (STYLE, "yes", 400, "hidden"),
        (STYLE, None, 400, "hidden"),
    ],
)
def test_an_admins_bad_request_is_named(invoke, sample, shape, style, payload, status, field) -> None:
    reply = put(invoke, sample, shape, payload, style=style)
    assert reply.status == status and reply.body["error"]["field"] == field, reply.body


def test_a_new_deployment_of_the_library_keeps_a_hidden_style_hidden(
    deployment, invoke, sample, shape, load_function, lambda_context, cloudformation
) -> None:
    assert put(invoke, sample, shape, True).status == 200
    env = deployment.functions["StudioHairstylesFunction"].environment
    event = sample("hairstyle_library_create")
    event.update(RequestType="Update", ResponseURL=cloudformation.url)
    event["ResourceProperties"].update(TableName=env["HAIRSTYLES_TABLE"], BucketName=env["STUDIO_BUCKET"])
    event["OldResourceProperties"] = dict(event["ResourceProperties"])
    answer = load_function("HairstyleLibraryFunction").lambda_handler(event, lambda_context)
    assert answer["Status"] == "SUCCESS", answer
    assert STYLE not in listed(invoke, sample, shape)
    assert get(invoke, sample, shape, claims=ADMIN).body["hidden"] is True
