"""Reading ``template.yaml``: YAML with CloudFormation tags, the SAM transform, and the local paths SAM
CLI would upload (CodeUri, ContentUri, DefinitionUri) kept aside so the local cloud can run them.

The result is plain CloudFormation (``Stack.resources``) plus what the transform cannot carry: where each
function's code and each layer's content live on disk.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account

_TAGS = {
    "Ref": "Ref",
    "Condition": "Condition",
    "GetAtt": "Fn::GetAtt",
    "Sub": "Fn::Sub",
    "Join": "Fn::Join",
    "Select": "Fn::Select",
    "Split": "Fn::Split",
    "If": "Fn::If",
    "Equals": "Fn::Equals",
    "Not": "Fn::Not",
    "And": "Fn::And",
    "Or": "Fn::Or",
    "FindInMap": "Fn::FindInMap",
    "GetAZs": "Fn::GetAZs",
    "ImportValue": "Fn::ImportValue",
    "Base64": "Fn::Base64",
    "Cidr": "Fn::Cidr",
    "ToJsonString": "Fn::ToJsonString",
    "Length": "Fn::Length",
}


# libyaml's parser when PyYAML has it (its wheels do): ten times faster on a template this size.
class _CfnLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    pass


def _construct(tag: str):
    def construct(loader: yaml.Loader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if tag == "Fn::GetAtt" and isinstance(value, str):
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {tag: value}

    return construct


for _short, _long in _TAGS.items():
    _CfnLoader.add_constructor(f"!{_short}", _construct(_long))


def load_yaml(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_CfnLoader)  # noqa: S506 (SafeLoader subclass)


@dataclass
class Stack:
    """The template after the SAM transform, with the on-disk locations the transform drops."""

    path: Path
    name: str
    cfn: dict[str, Any]
    code_dirs: dict[str, Path] = field(default_factory=dict)  # function logical id -> code directory
    layer_dirs: dict[str, Path] = field(default_factory=dict)  # layer logical id -> content directory
    sam_functions: dict[str, dict[str, Any]] = field(default_factory=dict)  # the SAM view, Globals merged

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def resources(self) -> dict[str, Any]:
        return self.cfn.get("Resources", {})

    @property
    def parameters(self) -> dict[str, Any]:
        return self.cfn.get("Parameters", {})

    def of_type(self, *types: str) -> dict[str, dict[str, Any]]:
        return {lid: r for lid, r in self.resources.items() if r.get("Type") in types}


def load(
    path: Path,
    *,
    stack_name: str = "zik-local",
    parameters: dict[str, str] | None = None,
    cache_dir: Path | None = None,
) -> Stack:
    """Read and transform the template. With ``cache_dir``, the transform's result is kept per content of
    the template (and of the files it inlines), so an unchanged template is not transformed again."""
    sam = load_yaml(path)
    root = path.parent
    code_dirs: dict[str, Path] = {}
    layer_dirs: dict[str, Path] = {}
    global_code_uri = ((sam.get("Globals") or {}).get("Function") or {}).get("CodeUri")
    for logical_id, resource in (sam.get("Resources") or {}).items():
        props = resource.setdefault("Properties", {})
        kind = resource.get("Type")
        if kind == "AWS::Serverless::Function":
            code_uri = props.get("CodeUri", global_code_uri)
            if isinstance(code_uri, str) and not code_uri.startswith("s3://"):
                code_dirs[logical_id] = (root / code_uri).resolve()
                props["CodeUri"] = f"s3://zik-local-code/{logical_id}.zip"
        elif kind == "AWS::Serverless::LayerVersion":
            content = props.get("ContentUri")
            if isinstance(content, str) and not content.startswith("s3://"):
                layer_dirs[logical_id] = (root / content).resolve()
                props["ContentUri"] = f"s3://zik-local-code/{logical_id}.zip"
        elif kind == "AWS::Serverless::StateMachine":
            uri = props.get("DefinitionUri")
            if isinstance(uri, str) and not uri.startswith("s3://"):
                props["Definition"] = json.loads((root / uri).read_text(encoding="utf-8"))
                del props["DefinitionUri"]
    sam_functions = _merged_functions(sam)
    cfn = _cached_transform(sam, parameters or {}, cache_dir)
    return Stack(path=path, name=stack_name, cfn=cfn, code_dirs=code_dirs, layer_dirs=layer_dirs, sam_functions=sam_functions)


def _merged_functions(sam: dict[str, Any]) -> dict[str, dict[str, Any]]:
    defaults = ((sam.get("Globals") or {}).get("Function")) or {}
    merged = {}
    for logical_id, resource in (sam.get("Resources") or {}).items():
        if resource.get("Type") == "AWS::Serverless::Function":
            props = {**copy.deepcopy(defaults), **copy.deepcopy(resource.get("Properties") or {})}
            env_default = ((defaults.get("Environment") or {}).get("Variables")) or {}
            env_own = (((resource.get("Properties") or {}).get("Environment") or {}).get("Variables")) or {}
            props["Environment"] = {"Variables": {**env_default, **env_own}}
            merged[logical_id] = props
    return merged


def _cached_transform(sam: dict[str, Any], parameters: dict[str, str], cache_dir: Path | None) -> dict[str, Any]:
    if cache_dir is None:
        return _transform(copy.deepcopy(sam), parameters)
    from importlib.metadata import version

    key_source = json.dumps([sam, parameters, version("aws-sam-translator")], sort_keys=True, default=str)
    cached = cache_dir / f"transform-{hashlib.sha256(key_source.encode()).hexdigest()[:24]}.json"
    if cached.exists():
        return json.loads(cached.read_text(encoding="utf-8"))
    cfn = _transform(copy.deepcopy(sam), parameters)
    cache_dir.mkdir(parents=True, exist_ok=True)
    for stale in cache_dir.glob("transform-*.json"):
        stale.unlink(missing_ok=True)
    cached.write_text(json.dumps(cfn), encoding="utf-8")
    return cfn


def _transform(sam: dict[str, Any], parameters: dict[str, str]) -> dict[str, Any]:
    if "Transform" not in sam:
        return sam
    # Imported here: the translator is the slowest import of the local cloud and only this needs it.
    import boto3
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator
    from samtranslator.utils.py27hash_fix import to_py27_compatible_template, undo_mark_unicode_str_in_template

    pseudo = {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT_ID, "AWS::Partition": "aws"}
    values = {**pseudo, **parameters}
    to_py27_compatible_template(sam, values)
    # No IAM to ask locally: policies named by ARN need no lookup, and a named managed policy is left as is.
    translator = Translator({}, Parser(), boto_session=boto3.session.Session(region_name=REGION))
    return undo_mark_unicode_str_in_template(translator.translate(sam, parameter_values=values, get_managed_policy_map=dict))
