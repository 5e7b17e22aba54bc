"""What each function of template.yaml imports at INIT, in a fresh interpreter with its own environment,
code and layer: what a cold start pays for, checked the way Lambda would load the handler."""

from __future__ import annotations

import json
import os
import subprocess
import sys

# Imported only when a function asks for them (zik.lazy_packages and lazy imports in the AI gateway).
NEVER_AT_INIT = (
    "aws_lambda_powertools.event_handler.appsync",  # the AppSync resolver (with asyncio) of event_handler's __init__
    "aws_lambda_powertools.utilities.data_classes.appsync_resolver_event",  # every event class of data_classes' __init__
    "anthropic",  # the vendor SDKs: only a function whose provider is Anthropic or OpenAI loads them
    "openai",
    "pypdf",  # the resume parsers: loaded by the first resume of the kind, not by every career function
    "docx",
    "lxml",
)

_CHECK = """
import importlib, json, sys
sys.path[0:0] = json.loads(sys.argv[1])
module_name, _, attribute = sys.argv[2].rpartition(".")
handler = getattr(importlib.import_module(module_name), attribute)
assert callable(handler)
print(json.dumps(sorted(name for name in json.loads(sys.argv[3]) if name in sys.modules)))
"""


def test_no_function_imports_at_init_what_it_only_needs_later(deployment) -> None:
    functions = deployment.functions
    loaded_by: dict[str, list[str]] = {}
    for logical_id, spec in functions.items():
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            **spec.environment,
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "POWERTOOLS_TRACE_DISABLED": "true",
        }
        paths = json.dumps([str(spec.code_dir), *(str(layer) for layer in spec.layer_dirs)])
        command = [sys.executable, "-c", _CHECK, paths, spec.handler, json.dumps(NEVER_AT_INIT)]
        done = subprocess.run(command, env=env, cwd=spec.code_dir, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{logical_id} failed to import:\n{done.stderr[-3000:]}"
        loaded_by[logical_id] = json.loads(done.stdout.strip().splitlines()[-1])
    assert {name: loaded for name, loaded in loaded_by.items() if loaded} == {}
    assert len(loaded_by) == len(functions) > 0
