"""The AI task registry: each domain registers the tasks it asks the AI for.

A task has a name (``quests.plan``), a prompt template kept as a versioned file
(``zik/ai/prompts/<name>.v<version>.md``), the JSON schema of its answer (``zik/schemas/ai/<name>.json``),
generation settings, a daily per-user budget, and its offline implementation: the rules the ``local``
provider answers with.

An ``ImageTask`` (``studio.tryon``) takes an image and answers one: it has the same name, prompt file,
budget and offline implementation (an edit made with no network). Its answer is an image, which a
``check`` turns into the one the caller gets (or refuses as invalid); its schema
(``zik/schemas/ai/<name>.json``) is of the data it is asked with, checked before any provider is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from string import Template
from typing import Any, TypeVar

from zik import schemas
from zik.ai.errors import InvalidAnswer
from zik.errors import ZikError

PROMPTS = Path(__file__).parent / "prompts"
_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_SECTION = re.compile(r"^\[(system|user)\]\s*$", re.MULTILINE)

Offline = Callable[[Mapping[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Prompt:
    version: str
    system: str
    user: str


class _TaskFiles:
    """What every task keeps in files: its prompt (``<prompt_dir>/<name>.v<prompt_version>.md``) and its
    schema (``schema_file``, else ``zik/schemas/ai/<name>.json``: a text task's answer, an image task's data)."""

    name: str
    prompt_version: int
    prompt_dir: Path
    schema_file: Path | None

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"AI task names are dotted lower-case words, got {self.name!r}")

    @cached_property
    def schema(self) -> dict[str, Any]:
        if self.schema_file is not None:
            return json.loads(self.schema_file.read_text(encoding="utf-8"))
        return schemas.load("ai", self.name)

    @cached_property
    def _validator(self) -> Callable[[Any], Any]:
        return schemas.validator(self.schema)

    @cached_property
    def template(self) -> tuple[str, Template, Template]:
        return _template(self.prompt_dir, self.name, self.prompt_version)


@dataclass(frozen=True, eq=False)
class Task(_TaskFiles):
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

    @property
    def tool_name(self) -> str:
        """The name of the one tool the model is made to call: its input is the answer."""
        return self.name.replace(".", "_")

    @cached_property
    def tool_schema(self) -> dict[str, Any]:
        """The answer schema as the model APIs take it (no ``$schema`` / ``$id`` keywords)."""
        return {k: v for k, v in self.schema.items() if not k.startswith("$")}

    def render(self, data: Mapping[str, Any]) -> Prompt:
        """The prompt for ``data``: ``$field`` takes the field's text (JSON for anything but a string)."""
        return _render(self.template, data)

    def validate(self, answer: Any) -> dict[str, Any]:
        if not isinstance(answer, dict):
            raise InvalidAnswer("the answer must be a JSON object")
        try:
            return self._validator(answer)
        except schemas.SchemaViolation as exc:
            raise InvalidAnswer(exc.message, detail=exc.field) from None


ImageOffline = Callable[[bytes, Mapping[str, Any]], bytes]
ImageCheck = Callable[[bytes], bytes]


@dataclass(frozen=True, eq=False)
class ImageTask(_TaskFiles):
    """A task whose answer is an image: ``offline(image, data)`` is the ``local`` provider's edit, and
    ``check(answer)`` turns any provider's image into what the caller gets (a refusal, a ZikError or a
    ValueError, makes it an invalid answer: the next provider is asked). ``edit_region`` names what an
    editing model may change (its search or mask prompt); ``avoid`` is what it must not draw (a negative prompt).
    ``seed`` makes a model's edit repeatable where the model takes one."""

    name: str
    offline: ImageOffline
    check: ImageCheck
    description: str
    edit_region: str
    avoid: str | None = None
    prompt_version: int = 1
    seed: int = 0
    daily_calls: int = 20
    daily_tokens: int | None = None
    prompt_dir: Path = PROMPTS
    schema_file: Path | None = None

    def render(self, data: Mapping[str, Any]) -> Prompt:
        """The prompt for ``data``, which must match the task's schema (ValueError naming the field)."""
        try:
            self._validator(dict(data))
        except schemas.SchemaViolation as exc:
            raise ValueError(f"{self.name} cannot be asked with this data: {exc.message}") from None
        return _render(self.template, data)

    def validate(self, answer: bytes) -> bytes:
        """The image the caller gets, or InvalidAnswer (no image, or one ``check`` refuses)."""
        if not isinstance(answer, (bytes, bytearray)) or not answer:
            raise InvalidAnswer("the answer holds no image")
        try:
            return self.check(bytes(answer))
        except (ZikError, ValueError, OSError) as exc:
            raise InvalidAnswer(f"the image was refused: {_reason(exc)}") from None


def _reason(exc: BaseException) -> str:
    return exc.message if isinstance(exc, ZikError) else type(exc).__name__


def _template(prompt_dir: Path, name: str, version: int) -> tuple[str, Template, Template]:
    path = prompt_dir / f"{name}.v{version}.md"
    text = path.read_text(encoding="utf-8")
    parts = _SECTION.split(text)
    sections = {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
    if set(sections) != {"system", "user"}:
        raise ValueError(f"{path.name} must have a [system] and a [user] section")
    return f"{name}.v{version}", Template(sections["system"]), Template(sections["user"])


def _render(template: tuple[str, Template, Template], data: Mapping[str, Any]) -> Prompt:
    version, system, user = template
    fields = {key: value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str) for key, value in data.items()}
    try:
        return Prompt(version, system.substitute(fields), user.substitute(fields))
    except KeyError as exc:
        raise ValueError(f"prompt {version} needs the field {exc.args[0]!r}") from None


AnyTask = Task | ImageTask
_T = TypeVar("_T", Task, ImageTask)

_TASKS: dict[str, AnyTask] = {}


def register(task: _T) -> _T:
    """Add a task. The same module registering again (a reload) replaces it; another module taking a name
    that is already registered is a programming error."""
    existing = _TASKS.get(task.name)
    if existing is not None and _origin(existing) != _origin(task):
        raise ValueError(f"AI task {task.name} is already registered by {_origin(existing)}")
    _TASKS[task.name] = task
    return task


def _origin(task: AnyTask) -> str:
    return f"{task.offline.__module__}.{task.offline.__qualname__}"


def get(name: str) -> AnyTask:
    try:
        return _TASKS[name]
    except KeyError:
        raise LookupError(f"no AI task {name!r} is registered (known: {', '.join(sorted(_TASKS)) or 'none'})") from None


def registered() -> list[AnyTask]:
    return [_TASKS[name] for name in sorted(_TASKS)]
