"""The hairstyle library through the real handlers on the stack template.yaml declares: the deployment's
custom resource loads the library and its previews (as it does in AWS), the API lists it in order, by
category and length in one query each, and answers a style with a preview link that downloads its PNG."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
import requests  # moto answers presigned links fetched with requests, in process

from zik.dynamo import shared_client
from zik.studio import hairstyles

pytestmark = [pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning"), pytest.mark.hairstyle_library]


def list_page(invoke: Any, sample: Any, shape: Any, query: dict[str, str] | None) -> Any:
    return invoke("StudioHairstylesFunction", shape(sample("studio_hairstyles_list"), query=query))


def every_style(invoke: Any, sample: Any, shape: Any, query: dict[str, str]) -> list[dict[str, Any]]:
    styles, cursor = [], None
    while True:
        reply = list_page(invoke, sample, shape, {**query, **({"cursor": cursor} if cursor else {})})
        assert reply.status == 200, reply.body
        styles += reply.body["items"]
        cursor = reply.body["nextCursor"]
        if not cursor:
            return styles


def test_the_deployment_loads_the_library_and_the_api_lists_it_in_order(deployment, invoke, sample, shape, dynamodb_calls) -> None:
    library = hairstyles.load()
    listed = every_style(invoke, sample, shape, {"limit": "100"})
    assert [s["hairstyleId"] for s in listed] == [s["id"] for s in sorted(library, key=lambda s: (s["category"], s["length"], s["id"]))]
    assert {"name", "category", "length", "texture", "colors", "defaultColor", "edit", "previewUrl"} <= set(listed[0])
    assert not {"shelf", "styleKey", "previewKey", "libraryVersion"} & set(listed[0])

    table = deployment.functions["StudioHairstylesFunction"].environment["HAIRSTYLES_TABLE"]
    calls = dynamodb_calls(shared_client(), table)
    curly = list_page(invoke, sample, shape, {"category": "curly", "length": "medium", "limit": "50"})
    assert curly.status == 200 and curly.body["items"]
    assert {(s["category"], s["length"]) for s in curly.body["items"]} == {("curly", "medium")}
    assert calls == ["Query"]  # a category and a length: one query of the category's index
    medium = every_style(invoke, sample, shape, {"length": "medium", "limit": "100"})
    assert [s["hairstyleId"] for s in medium] == [s["hairstyleId"] for s in listed if s["length"] == "medium"]


def test_a_style_answers_with_a_preview_link_that_downloads_its_png(invoke, sample, shape) -> None:
    reply = invoke("StudioHairstylesFunction", sample("studio_hairstyles_get"))
    assert reply.status == 200, reply.body
    style = reply.body
    assert style["hairstyleId"] == "french-crop" and style["colors"]
    download = requests.get(style["previewUrl"], timeout=10)
    assert download.status_code == 200 and download.content == hairstyles.preview_asset(hairstyles.hairstyle("french-crop"))


@pytest.mark.parametrize(
    ("query", "params", "status", "field"),
    [
        ({"category": "mohawks"}, None, 400, "category"),
        ({"length": "very-long"}, None, 400, "length"),
        ({"limit": "0"}, None, 400, "limit"),
        (None, {"hairstyleId": "no-such-style"}, 404, "hairstyleId"),
    ],
)
def test_unknown_filters_and_styles_are_named(invoke, sample, shape, query, params, status, field) -> None:
    name = "studio_hairstyles_get" if params else "studio_hairstyles_list"
    reply = invoke("StudioHairstylesFunction", shape(sample(name), query=query, params=params))
    assert reply.status == status and reply.body["error"]["field"] == field, reply.body


def test_an_updated_library_removes_the_styles_it_no_longer_has(deployment, load_function, lambda_context, sample, cloudformation) -> None:
    table = deployment.functions["StudioHairstylesFunction"].environment["HAIRSTYLES_TABLE"]
    bucket = deployment.functions["StudioHairstylesFunction"].environment["STUDIO_BUCKET"]
    dynamodb = boto3.client("dynamodb")
    dynamodb.put_item(
        TableName=table, Item={"hairstyleId": {"S": "retired-style"}, "shelf": {"S": "HAIRSTYLES"}, "styleKey": {"S": "short#short#retired-style"}}
    )
    event = sample("hairstyle_library_create")
    event.update(RequestType="Update", ResponseURL=cloudformation.url)
    event["ResourceProperties"].update(TableName=table, BucketName=bucket)
    event["OldResourceProperties"] = dict(event["ResourceProperties"])
    answer = load_function("HairstyleLibraryFunction").lambda_handler(event, lambda_context)
    assert answer["Status"] == "SUCCESS" and answer["Data"]["Hairstyles"] == len(hairstyles.load()), json.dumps(answer)
    assert "Item" not in dynamodb.get_item(TableName=table, Key={"hairstyleId": {"S": "retired-style"}})
    [answered] = cloudformation.answers
    assert answered["Status"] == "SUCCESS" and answered["Data"]["Hairstyles"] == answer["Data"]["Hairstyles"]
