"""CloudFormation intrinsic functions, resolved against the resources the local cloud has created.

Covers what SAM templates use: Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::If with
Conditions (Equals, Not, And, Or), Fn::FindInMap, Fn::Base64, Fn::ToJsonString, Fn::GetAZs, and the
pseudo parameters. It also orders resources by what they reference.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from typing import Any

from zik_local.template import ACCOUNT_ID, REGION, Stack

NO_VALUE = object()
_SUB_VAR = re.compile(r"\$\{([^!}][^}]*)\}")


class TemplateError(ValueError):
    pass


@dataclass
class Physical:
    """What ``Ref`` and ``Fn::GetAtt`` give for one created resource."""

    ref: str
    attrs: dict[str, Any] = field(default_factory=dict)


class Resolver:
    def __init__(self, stack: Stack, parameters: dict[str, str] | None = None):
        self.stack = stack
        self.physical: dict[str, Physical] = {}
        self.parameters = self._parameter_values(parameters or {})
        self.pseudo: dict[str, Any] = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": stack.name,
            "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{stack.name}/local",
            "AWS::NotificationARNs": [],
        }
        self._conditions: dict[str, bool] = {}

    def _parameter_values(self, overrides: dict[str, str]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, spec in self.stack.parameters.items():
            if name in overrides:
                values[name] = overrides[name]
            elif "Default" in spec:
                values[name] = spec["Default"]
            else:
                raise TemplateError(f"parameter {name} has no default: pass it with --parameter {name}=...")
            is_list = str(spec.get("Type", "")).startswith("List<") or spec.get("Type") == "CommaDelimitedList"
            if is_list and isinstance(values[name], str):
                values[name] = [v.strip() for v in values[name].split(",")]
        return values

    # -- conditions -----------------------------------------------------------------------------------
    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            spec = (self.stack.cfn.get("Conditions") or {}).get(name)
            if spec is None:
                raise TemplateError(f"unknown condition {name}")
            self._conditions[name] = bool(self._condition_value(spec))
        return self._conditions[name]

    def _condition_value(self, spec: Any) -> Any:
        if isinstance(spec, dict) and len(spec) == 1:
            ((fn, args),) = spec.items()
            if fn == "Fn::Equals":
                left, right = (self.value(arg) for arg in args)
                return str(left) == str(right)
            if fn == "Fn::Not":
                return not self._condition_value(args[0])
            if fn == "Fn::And":
                return all(self._condition_value(a) for a in args)
            if fn == "Fn::Or":
                return any(self._condition_value(a) for a in args)
            if fn == "Condition":
                return self.condition(args)
        return self.value(spec)

    def included(self, resource: dict[str, Any]) -> bool:
        name = resource.get("Condition")
        return self.condition(name) if name else True

    # -- values ---------------------------------------------------------------------------------------
    def value(self, node: Any) -> Any:
        """Resolve every intrinsic inside ``node``; AWS::NoValue drops the key or item."""
        if isinstance(node, list):
            return [v for v in (self.value(item) for item in node) if v is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::GetAtt":
                target, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
                return self.get_att(self.value(target), self.value(attribute))
            if key == "Fn::Sub":
                return self.sub(arg)
            if key == "Fn::Join":
                sep, items = arg
                return self.value(sep).join(str(v) for v in self.value(items))
            if key == "Fn::Select":
                index, items = arg
                return self.value(items)[int(self.value(index))]
            if key == "Fn::Split":
                sep, text = arg
                return self.value(text).split(self.value(sep))
            if key == "Fn::If":
                name, when_true, when_false = arg
                return self.value(when_true if self.condition(name) else when_false)
            if key == "Fn::FindInMap":
                mapping, top, second = (self.value(a) for a in arg[:3])
                return self.stack.cfn["Mappings"][mapping][top][second]
            if key == "Fn::Base64":
                return base64.b64encode(str(self.value(arg)).encode()).decode()
            if key == "Fn::ToJsonString":
                return json.dumps(self.value(arg), separators=(",", ":"))
            if key == "Fn::GetAZs":
                return [f"{REGION}{zone}" for zone in "abc"]
            if key in ("Fn::ImportValue", "Fn::Cidr", "Fn::Length", "Fn::Transform"):
                raise TemplateError(f"{key} is not supported by the local cloud")
        resolved = {}
        for key, item in node.items():
            value = self.value(item)
            if value is not NO_VALUE:
                resolved[key] = value
        return resolved

    def ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name in self.physical:
            return self.physical[name].ref
        raise TemplateError(f"Ref to {name}, which is not created (yet)")

    def get_att(self, name: str, attribute: str) -> Any:
        physical = self.physical.get(name)
        if physical is None:
            raise TemplateError(f"GetAtt {name}.{attribute}: {name} is not created (yet)")
        if attribute not in physical.attrs:
            raise TemplateError(f"GetAtt {name}.{attribute}: the local cloud does not know that attribute")
        return physical.attrs[attribute]

    def sub(self, arg: Any) -> str:
        if isinstance(arg, list):
            text, variables = arg[0], {k: self.value(v) for k, v in arg[1].items()}
        else:
            text, variables = arg, {}

        def replace(match: re.Match[str]) -> str:
            token = match.group(1).strip()
            if token in variables:
                return str(variables[token])
            if "." in token and token.split(".", 1)[0] in self.physical:
                resource, attribute = token.split(".", 1)
                return str(self.get_att(resource, attribute))
            return str(self.ref(token))

        return _SUB_VAR.sub(replace, text).replace("${!", "${")

    # -- ordering -------------------------------------------------------------------------------------
    def dependencies(self) -> dict[str, set[str]]:
        """Each resource's logical id -> the resources it references or names in DependsOn."""
        resources = self.stack.resources
        graph: dict[str, set[str]] = {}
        for logical_id, resource in resources.items():
            deps = set(references(resource.get("Properties", {}), resources))
            depends_on = resource.get("DependsOn", [])
            deps.update([depends_on] if isinstance(depends_on, str) else depends_on)
            graph[logical_id] = {d for d in deps if d in resources and d != logical_id}
        return graph

    def creation_order(self) -> list[str]:
        return list(TopologicalSorter(self.dependencies()).static_order())


def references(node: Any, resources: dict[str, Any]) -> list[str]:
    """The logical ids of the resources that ``node`` refers to (Ref, Fn::GetAtt, Fn::Sub)."""
    found: list[str] = []
    if isinstance(node, list):
        for item in node:
            found += references(item, resources)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.append(value)
            elif key == "Fn::GetAtt":
                found.append(value[0] if isinstance(value, list) else value.split(".", 1)[0])
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                found += [m.split(".", 1)[0] for m in _SUB_VAR.findall(text)]
                if isinstance(value, list):
                    found += references(value[1], resources)
            else:
                found += references(value, resources)
    return [name for name in found if name in resources]
