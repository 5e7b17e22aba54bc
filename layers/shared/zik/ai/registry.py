"""The AI task registry: each domain registers the tasks it asks the AI for.

A task has a name (``quests.plan``), a prompt template kept as a versioned file
(``zik/ai/prompts/<name>.v<version>.md``), the JSON schema of its answer (``zik/schemas/ai/<name>.json``),
generation settings, a daily per-user budget, and its offline implementation: the rules the ``local``
provider answers with.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from string import Template
from typing import Any, Callable, Mapping

from zik import schemas
from zik.ai.errors import InvalidAnswer

PROMPTS = Path(__file__).parent / "prompts"
_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_SECTION = re.compile(r"^\[(system|user)\]\s*$", re.MULTILINE)

Offline = Callable[[Mapping[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Prompt:
    version: str
    system: str
    user: str


@dataclass(frozen=True, eq=False)
class Task:
    name: str
    offline: Offline
    description: str
    prompt_version: int = 1
    max_tokens: int = 2000
    temperature: float = 0.7
    top_p: float = 0.9
    daily_calls: int = 100
    daily_tokens: int | None = None
    # Where the prompt files and the answer schema live: the shared folders unless a task keeps its own.
    prompt_dir: Path = PROMPTS
    schema_file: Path | None = None

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"AI task names are dotted lower-case words, got {self.name!r}")

    @property
    def tool_name(self) -> str:
        """The name of the one tool the model is made to call: its input is the answer."""
        return self.name.replace(".", "_")

    @cached_property
    def schema(self) -> dict[str, Any]:
        if self.schema_file is not None:
            return json.loads(self.schema_file.read_text(encoding="utf-8"))
        return schemas.load("ai", self.name)

    @cached_property
    def _validator(self) -> Callable[[Any], Any]:
        return schemas.validator(self.schema)

    @cached_property
    def tool_schema(self) -> dict[str, Any]:
        """The answer schema as the model APIs take it (no ``$schema`` / ``$id`` keywords)."""
        return {k: v for k, v in self.schema.items() if not k.startswith("$")}

    @cached_property
    def template(self) -> tuple[str, Template, Template]:
        path = self.prompt_dir / f"{self.name}.v{self.prompt_version}.md"
        text = path.read_text(encoding="utf-8")
        parts = _SECTION.split(text)
        sections = {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
        if set(sections) != {"system", "user"}:
            raise ValueError(f"{path.name} must have a [system] and a [user] section")
        return f"{self.name}.v{self.prompt_version}", Template(sections["system"]), Template(sections["user"])

    def render(self, data: Mapping[str, Any]) -> Prompt:
        """The prompt for ``data``: ``$field`` takes the field's text (JSON for anything but a string)."""
        version, system, user = self.template
        fields = {key: value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str) for key, value in data.items()}
        try:
            return Prompt(version, system.substitute(fields), user.substitute(fields))
        except KeyError as exc:
            raise ValueError(f"prompt {version} needs the field {exc.args[0]!r}") from None

    def validate(self, answer: Any) -> dict[str, Any]:
        if not isinstance(answer, dict):
            raise InvalidAnswer("the answer must be a JSON object")
        try:
            return self._validator(answer)
        except schemas.SchemaViolation as exc:
            raise InvalidAnswer(exc.message, detail=exc.field) from None


_TASKS: dict[str, Task] = {}


def register(task: Task) -> Task:
    """Add a task. The same module registering again (a reload) replaces it; another module taking a name
    that is already registered is a programming error."""
    existing = _TASKS.get(task.name)
    if existing is not None and _origin(existing) != _origin(task):
        raise ValueError(f"AI task {task.name} is already registered by {_origin(existing)}")
    _TASKS[task.name] = task
    return task


def _origin(task: Task) -> str:
    return f"{task.offline.__module__}.{task.offline.__qualname__}"


def get(name: str) -> Task:
    try:
        return _TASKS[name]
    except KeyError:
        raise LookupError(f"no AI task {name!r} is registered (known: {', '.join(sorted(_TASKS)) or 'none'})") from None


def registered() -> list[Task]:
    return [_TASKS[name] for name in sorted(_TASKS)]
