"""The task registry: prompts from versioned files, answers checked against schema files."""

from __future__ import annotations

from pathlib import Path

import pytest

from zik.ai import Task, registry
from zik.ai.errors import InvalidAnswer


def test_the_prompt_is_rendered_from_its_versioned_file(digest_task) -> None:
    prompt = digest_task.render({"text": "A calm walk by the river.", "length": 25})

    assert prompt.version == "tests.digest.v1"
    assert prompt.system.startswith("You condense a short note")
    assert "<note>\nA calm walk by the river.\n</note>" in prompt.user
    assert "(25 characters)" in prompt.user  # non-strings are written as JSON


def test_a_missing_prompt_field_names_it(digest_task) -> None:
    with pytest.raises(ValueError, match="needs the field 'length'"):
        digest_task.render({"text": "no length"})


def test_answers_are_validated_against_the_schema_file(digest_task) -> None:
    valid = {"title": "Walk", "keywords": ["river"], "tone": "positive"}
    assert digest_task.validate(valid) == valid

    with pytest.raises(InvalidAnswer) as wrong_enum:
        digest_task.validate({**valid, "tone": "ecstatic"})
    assert wrong_enum.value.detail == "tone"
    with pytest.raises(InvalidAnswer, match="mood is not an allowed field"):
        digest_task.validate({**valid, "mood": 3})
    with pytest.raises(InvalidAnswer, match="must be a JSON object"):
        digest_task.validate(["not", "an", "object"])


def test_the_tool_schema_drops_the_meta_keywords(digest_task) -> None:
    assert "$schema" in digest_task.schema
    assert not [key for key in digest_task.tool_schema if key.startswith("$")]
    assert digest_task.tool_name == "tests_digest"


def test_lookup_and_registration_rules(digest_task) -> None:
    assert registry.get("tests.digest") is digest_task
    assert digest_task in registry.registered()
    with pytest.raises(LookupError, match="no AI task 'tests.nothing'"):
        registry.get("tests.nothing")

    def other_offline(data):  # another module's rules under a taken name
        return {}

    with pytest.raises(ValueError, match="already registered"):
        registry.register(Task("tests.digest", offline=other_offline, description="clash"))
    with pytest.raises(ValueError, match="dotted lower-case"):
        Task("Digest", offline=other_offline, description="bad name")


def test_a_prompt_file_needs_both_sections(tmp_path: Path) -> None:
    (tmp_path / "tests.broken.v1.md").write_text("[system]\nonly a system prompt\n")
    task = Task("tests.broken", offline=lambda data: {}, description="", prompt_dir=tmp_path)

    with pytest.raises(ValueError, match=r"must have a \[system\] and a \[user\] section"):
        task.render({})


def test_every_registered_task_of_the_layer_has_its_prompt_and_schema() -> None:
    """The domains' tasks (whatever is registered by importing the layer's domain modules)."""
    import importlib
    import pkgutil

    import zik

    for module in pkgutil.walk_packages(zik.__path__, "zik."):
        # The modules that register a domain's tasks: <domain>/ai_tasks.py, or the career's <feature>_ai.py.
        if module.name.endswith((".ai_tasks", "_ai")):
            importlib.import_module(module.name)
    names = {task.name for task in registry.registered()}
    prompts = {path.name.rsplit(".v", 1)[0] for path in registry.PROMPTS.glob("*.md")}
    assert prompts <= names, f"prompt files no registered task uses: {sorted(prompts - names)}"
    for task in registry.registered():
        if task.name.startswith("tests."):
            continue
        assert task.template[0] == f"{task.name}.v{task.prompt_version}"
        assert task.schema["type"] == "object"
