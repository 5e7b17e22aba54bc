"""The local cloud's reading of templates: CloudFormation tags, the SAM transform (a hook into
aws-sam-translator, pinned in requirements/dev.txt), its cache, and the intrinsic functions."""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

import pytest

from zik_local.resolve import NO_VALUE, Physical, Resolver, TemplateError
from zik_local.template import Stack, load, load_yaml

ROOT = Path(__file__).resolve().parents[2]


def test_translator_version_is_the_pinned_one():
    pins = (ROOT / "requirements" / "dev.txt").read_text()
    assert f"aws-sam-translator=={version('aws-sam-translator')}" in pins


def test_short_form_tags_become_intrinsics(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("A: !Ref Thing\nB: !GetAtt Thing.Arn\nC: !Sub '${Thing}-x'\nD: !If [Cond, 1, 2]\nE: !Join [',', [a, b]]\n")
    assert load_yaml(path) == {
        "A": {"Ref": "Thing"},
        "B": {"Fn::GetAtt": ["Thing", "Arn"]},
        "C": {"Fn::Sub": "${Thing}-x"},
        "D": {"Fn::If": ["Cond", 1, 2]},
        "E": {"Fn::Join": [",", ["a", "b"]]},
    }


def test_the_sam_transform_keeps_code_locations_and_expands_functions(tmp_path):
    stack = load(ROOT / "template.yaml", cache_dir=tmp_path)
    functions = stack.of_type("AWS::Lambda::Function")
    assert {"HealthFunction", "MeFunction"} <= set(functions)
    assert stack.code_dirs["MeFunction"] == ROOT / "functions" / "me"
    assert stack.layer_dirs["SharedLayer"] == ROOT / "layers" / "shared"
    body = stack.resources["Api"]["Properties"]["Body"]
    assert {"get", "put", "delete"} <= set(body["paths"]["/me"])
    assert "CognitoAuthorizer" in body["securityDefinitions"]
    # Globals reach every function, merged with its own variables.
    me = stack.sam_functions["MeFunction"]["Environment"]["Variables"]
    assert "EVENT_BUS_NAME" in me and "USERS_TABLE" in me


def test_the_transform_is_cached_per_template_content(tmp_path):
    template = tmp_path / "template.yaml"
    template.write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
        "    Properties: {CodeUri: src/, Handler: app.handler, Runtime: python3.11}\n"
    )
    cache = tmp_path / "cache"
    first = load(template, cache_dir=cache)
    cached = list(cache.glob("transform-*.json"))
    assert len(cached) == 1 and json.loads(cached[0].read_text()) == first.cfn
    template.write_text(template.read_text().replace("python3.11", "python3.12"))
    second = load(template, cache_dir=cache)
    assert second.resources["Fn"]["Properties"]["Runtime"] == "python3.12"
    assert len(list(cache.glob("transform-*.json"))) == 1  # the stale entry went


def _resolver(cfn: dict) -> Resolver:
    return Resolver(Stack(path=Path("t.yaml"), name="s", cfn=cfn), {"Stage": "prod"})


def test_intrinsics_resolve_against_created_resources():
    resolver = _resolver(
        {
            "Parameters": {"Stage": {"Type": "String"}, "Size": {"Type": "Number", "Default": 3}},
            "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}, "NotProd": {"Fn::Not": [{"Condition": "IsProd"}]}},
            "Resources": {},
        }
    )
    resolver.physical["Table"] = Physical("table-1", {"Arn": "arn:table-1"})
    assert resolver.value({"Ref": "Table"}) == "table-1"
    assert resolver.value({"Fn::GetAtt": ["Table", "Arn"]}) == "arn:table-1"
    assert resolver.value({"Fn::Sub": "${Table}/${Table.Arn}/${AWS::Region}/${!Literal}"}) == "table-1/arn:table-1/us-east-1/${Literal}"
    assert resolver.value({"Fn::Sub": ["${X}-${Stage}", {"X": {"Ref": "Size"}}]}) == "3-prod"
    assert resolver.value({"Fn::If": ["IsProd", "big", "small"]}) == "big"
    assert resolver.value({"Fn::If": ["NotProd", "big", {"Ref": "AWS::NoValue"}]}) is NO_VALUE
    assert resolver.value({"A": {"Fn::If": ["NotProd", 1, {"Ref": "AWS::NoValue"}]}, "B": 2}) == {"B": 2}
    assert resolver.value({"Fn::Select": [1, {"Fn::Split": [",", "a,b,c"]}]}) == "b"
    assert resolver.value({"Fn::Join": ["-", ["a", {"Ref": "Stage"}]]}) == "a-prod"


def test_unknown_references_are_clear_errors():
    resolver = _resolver({"Parameters": {"Stage": {"Type": "String"}}, "Resources": {}})
    with pytest.raises(TemplateError, match="Ref to Missing"):
        resolver.value({"Ref": "Missing"})
    resolver.physical["Table"] = Physical("t", {})
    with pytest.raises(TemplateError, match="Table.StreamArn"):
        resolver.value({"Fn::GetAtt": ["Table", "StreamArn"]})
    with pytest.raises(TemplateError, match="not supported"):
        resolver.value({"Fn::ImportValue": "x"})


def test_a_parameter_without_default_must_be_given():
    with pytest.raises(TemplateError, match="Secret has no default"):
        Resolver(Stack(path=Path("t.yaml"), name="s", cfn={"Parameters": {"Secret": {"Type": "String"}}}))


def test_resources_are_created_after_what_they_reference():
    resolver = _resolver(
        {
            "Parameters": {"Stage": {"Type": "String"}},
            "Resources": {
                "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["Role", "Arn"]}}},
                "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
                "Rule": {"Type": "AWS::Events::Rule", "Properties": {"Targets": [{"Arn": {"Fn::Sub": "${Fn.Arn}"}}]}},
                "Log": {"Type": "AWS::Logs::LogGroup", "DependsOn": "Rule", "Properties": {}},
            },
        }
    )
    order = resolver.creation_order()
    assert order.index("Role") < order.index("Fn") < order.index("Rule") < order.index("Log")
