"""The AI gateway: one call in, one schema-valid dict out, or a typed error.

For each provider in order (``AI_PROVIDERS``): skip it if its circuit is open or it is not configured
here; ask it; validate the answer against the task's schema; on an invalid answer ask once more with
the validation error shown; on a failure move to the next provider. Every model call is accounted, and
each user's daily budget for the task is counted before any provider is asked.

Every call fits the invocation's time (``zik.observability.deadline()``: the Lambda context's remaining
time, and behind API Gateway what is left of its 29 s), less a margin kept for what follows the answer or
the AIUnavailable. A call to a model gets at most the time left as its timeout; one that would get less
than a second is not made (the offline provider, which answers in milliseconds, always is).

Image tasks (``edit``: an image in, an image out; zik/ai/images.py) go the same way through the providers
of ``AI_IMAGE_PROVIDERS``, each with a circuit of its own (a failing image model does not open its
vendor's text circuit), the same budget, accounting and deadline; an image call is not started with less
than ``minimum_image_call_seconds`` left. An image the task's check refuses is a failed call (no repair).
When ``AI_IMAGE_PROVIDERS`` is not set, the network image providers are used when ``AI_PROVIDERS`` names
any network provider, and the offline one when it names ``local``: ``zik dev``'s ``AI_PROVIDERS=local``
edits offline, and a stage's text fallbacks' ``...,local`` ends the image list too.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from zik import config
from zik.ai import accounting, registry
from zik.ai.budget import DailyBudget, Reservation
from zik.ai.errors import AIUnavailable, InvalidAnswer, ProviderFailure, ProviderNotConfigured
from zik.ai.images import EditedImage, ImageCompletion, ImageProvider, ImageRequest
from zik.ai.providers import Provider, build, build_image
from zik.ai.providers.base import Completion, Request
from zik.dynamo import shared_client
from zik.observability import deadline, logger
from zik.principal import Principal

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.circuit_breaker import CircuitBreakerConfig

# The offline rules come last: when every vendor fails, a user gets a plainer answer instead of an error
# (AIOfflineAnswers counts those, and an alarm watches it).
DEFAULT_PROVIDERS = "bedrock,anthropic,openai,local"
NETWORK_IMAGE_PROVIDERS = ("bedrock", "gemini")


class _NoCircuit(Exception):
    """What ``run`` catches as "circuit open" when no provider has a circuit: never raised."""


class _OutOfTime(Exception):
    """A call (or a repair) that would not fit in the time left: not made, and not held against the
    provider's circuit."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Gateway:
    # Seconds of the invocation kept for after the AI: writing and sending the answer, or the 503.
    margin_seconds = 2.0
    # A call to a model with less time than this left is not started (it would only time out).
    minimum_call_seconds = 1.0
    # The same for an image model, which takes 5 to 20 seconds to paint.
    minimum_image_call_seconds = 5.0

    def __init__(
        self,
        providers: Sequence[Provider],
        *,
        budget: DailyBudget | None = None,
        circuit_store: Any = None,
        circuit_config: CircuitBreakerConfig | None = None,
        clock: Callable[[], float] = time.perf_counter,
        image_providers: Sequence[ImageProvider] = (),
    ):
        self.providers = list(providers)
        self.image_providers = list(image_providers)
        self.budget = budget
        self.clock = clock
        # One circuit per provider, shared by every function through the store (local providers need none;
        # with no circuit at all, Powertools' circuit breaker is not even imported).
        self._guarded: dict[str, Callable[..., tuple[Any, int]]] = {provider.name: self._attempt for provider in self.providers}
        self._guarded_images: dict[str, Callable[..., tuple[Any, int]]] = {p.name: self._attempt_image for p in self.image_providers}
        self._circuit_open: type[Exception] = _NoCircuit
        guarded = [p for p in self.providers if circuit_store is not None and p.name != "local"]
        guarded_images = [p for p in self.image_providers if circuit_store is not None and p.name != "local"]
        if guarded or guarded_images:
            from aws_lambda_powertools.utilities.circuit_breaker import CircuitBreakerConfig, CircuitBreakerOpenError, circuit_breaker

            config_ = circuit_config or CircuitBreakerConfig(
                failure_threshold=5, recovery_timeout=60, success_threshold=1, handled_exceptions=(ProviderFailure,)
            )
            self._circuit_open = CircuitBreakerOpenError
            for provider in guarded:
                self._guarded[provider.name] = circuit_breaker(name=f"ai-provider-{provider.name}", persistence_store=circuit_store, config=config_)(
                    self._attempt
                )
            for image_provider in guarded_images:
                self._guarded_images[image_provider.name] = circuit_breaker(
                    name=f"ai-image-provider-{image_provider.name}", persistence_store=circuit_store, config=config_
                )(self._attempt_image)

    @classmethod
    def from_environment(cls) -> Gateway:
        """Providers from ``AI_PROVIDERS``; budget and circuit state in the table ``AI_TABLE`` names."""
        names = config.csv("AI_PROVIDERS", DEFAULT_PROVIDERS)
        if not names:
            raise config.ConfigError("AI_PROVIDERS names no provider")
        image_names = image_provider_names(names)
        table = config.require("AI_TABLE")["AI_TABLE"]
        overrides = _budget_overrides()
        threshold = config.integer("AI_CIRCUIT_FAILURES", 5, minimum=1)
        recovery = config.integer("AI_CIRCUIT_RECOVERY_SECONDS", 60, minimum=1)
        store = circuit_config = None
        if any(name != "local" for name in [*names, *image_names]):  # the offline provider has no circuit to keep
            from aws_lambda_powertools.utilities.circuit_breaker import CircuitBreakerConfig
            from aws_lambda_powertools.utilities.circuit_breaker.persistence import CircuitBreakerDynamoDBPersistence

            store = CircuitBreakerDynamoDBPersistence(
                table_name=table, key_attr="pk", sort_key_attr="sk", static_pk_value="CIRCUIT", boto3_client=shared_client()
            )
            circuit_config = CircuitBreakerConfig(
                failure_threshold=threshold, recovery_timeout=recovery, success_threshold=1, handled_exceptions=(ProviderFailure,)
            )
        return cls(
            [build(name) for name in names],
            budget=DailyBudget(table, overrides=overrides),
            circuit_store=store,
            circuit_config=circuit_config,
            image_providers=[build_image(name) for name in image_names],
        )

    # -- the one entry point ---------------------------------------------------------------------------
    def reserve(self, task_name: str, owner: Principal) -> Reservation | None:
        """Count one call of ``task_name`` against the owner's budget now (AIBudgetExceeded if spent),
        for a ``run`` that follows: a caller may count it while it reads what the prompt needs."""
        task = registry.get(task_name)
        return self.budget.reserve(owner, task) if self.budget is not None else None

    def release(self, reservation: Reservation) -> None:
        """Give back a reserved call that will not be made."""
        self.budget.release(reservation)  # type: ignore[union-attr]

    def _prepared(
        self, task: Any, make_request: Callable[[], Any], owner: Principal | None, reservation: Reservation | None
    ) -> tuple[Any, Reservation | None]:
        """The request made from the task's data (a reserved call is given back if the data cannot make one),
        and the call counted against the owner's budget unless it was reserved already."""
        if reservation is not None and reservation.task != task.name:
            raise ValueError(f"a reservation for {reservation.task} cannot pay for {task.name}")
        try:
            request = make_request()
        except BaseException:
            if reservation is not None:
                self.release(reservation)
            raise
        if reservation is None and self.budget is not None and owner is not None:
            reservation = self.budget.reserve(owner, task)
        return request, reservation

    def run(
        self, task_name: str, data: Mapping[str, Any], *, owner: Principal | None = None, reservation: Reservation | None = None
    ) -> dict[str, Any]:
        task = registry.get(task_name)
        if isinstance(task, registry.ImageTask):
            raise ValueError(f"{task.name} is an image task: edit an image with it")
        request, reservation = self._prepared(task, lambda: Request.first(task, task.render(data), data), owner, reservation)
        return self._first_answer(request, self.providers, self._guarded, reservation, minimum=self.minimum_call_seconds)

    def edit(
        self,
        task_name: str,
        image: bytes,
        data: Mapping[str, Any],
        *,
        owner: Principal | None = None,
        reservation: Reservation | None = None,
    ) -> EditedImage:
        """``image`` edited as the image task ``task_name`` says for ``data``: the first provider's image that
        the task's check accepts. AIBudgetExceeded, AIUnavailable, or the offline edit's own refusal (which
        gives the reserved call back: the user got nothing for it)."""
        task = registry.get(task_name)
        if not isinstance(task, registry.ImageTask):
            raise ValueError(f"{task.name} is not an image task: run it")
        request, reservation = self._prepared(task, lambda: ImageRequest(task, task.render(data), bytes(image), data), owner, reservation)
        return self._first_answer(request, self.image_providers, self._guarded_images, reservation, minimum=self.minimum_image_call_seconds)

    def _first_answer(
        self,
        request: Request | ImageRequest,
        providers: Sequence[Provider] | Sequence[ImageProvider],
        guarded: Mapping[str, Callable[..., tuple[Any, int]]],
        reservation: Reservation | None,
        *,
        minimum: float,
    ) -> Any:
        """Each provider in turn until one answers; the reserved call given back when none does, or when
        something other than a provider's failure (a refusal of the request itself) ends the call."""
        task = request.task
        ends = self._ends()
        attempts: list[dict[str, str]] = []
        try:
            for provider in providers:
                try:
                    self._check_time(provider, request, ends, attempt=1, minimum=minimum)  # before the circuit's state is read
                    answer, tokens = guarded[provider.name](provider, request, ends)
                except _OutOfTime as late:
                    attempts.append({"provider": provider.name, "reason": late.reason})
                    continue
                except self._circuit_open:
                    attempts.append({"provider": provider.name, "reason": "skipped: its circuit is open"})
                    continue
                except ProviderNotConfigured as missing:
                    attempts.append({"provider": provider.name, "reason": f"skipped: {missing.reason}"})
                    continue
                except ProviderFailure as failure:
                    attempts.append({"provider": provider.name, "reason": failure.reason})
                    logger.warning(
                        "ai provider failed",
                        extra={"ai": {"task": task.name, "provider": provider.name, "kind": failure.kind, "reason": failure.reason}},
                    )
                    continue
                if reservation is not None:
                    self._count_tokens(reservation, tokens)
                if attempts and provider.offline:
                    # The vendors before it all failed or were skipped: the user got the offline rules' answer.
                    # Nothing failed for them, so AIUnavailable's alarm would stay quiet; this is what tells.
                    accounting.record_offline_fallback(task.name, attempts)
                return answer
        except BaseException:
            if reservation is not None:
                self.release(reservation)
            raise
        if reservation is not None:
            self.release(reservation)
        accounting.record_unavailable(task.name)
        raise AIUnavailable(task.name, attempts)

    # -- the time left ------------------------------------------------------------------------------------
    def _ends(self) -> float | None:
        """When the AI must be done (``time.monotonic()``), or None outside an invocation."""
        ends = deadline()
        return None if ends is None else ends - self.margin_seconds

    @staticmethod
    def _left(ends: float | None) -> float | None:
        return None if ends is None else ends - time.monotonic()

    def _check_time(
        self, provider: Provider | ImageProvider, request: Request | ImageRequest, ends: float | None, *, attempt: int, minimum: float | None = None
    ) -> float | None:
        """The seconds a call to ``provider`` may take now (None: no deadline), or _OutOfTime, logged, when
        too few (``minimum``: a text call's by default) are left to start one."""
        left = self._left(ends)
        if left is None or provider.offline or left >= (self.minimum_call_seconds if minimum is None else minimum):
            return left
        logger.warning(
            "ai attempt skipped",
            extra={"ai": {"task": request.task.name, "provider": provider.name, "attempt": attempt, "left_ms": max(0, round(left * 1000))}},
        )
        what = "a repair" if attempt == 2 else "a call"
        raise _OutOfTime(f"skipped: {max(0.0, left):.1f}s left, too little for {what}")

    # -- one provider: the call, and the repair ----------------------------------------------------------
    def _attempt(self, provider: Provider, request: Request, ends: float | None) -> tuple[dict[str, Any], int]:
        completion = self._call(provider, request, attempt=1, timeout=self._check_time(provider, request, ends, attempt=1))
        try:
            answer = self._validated(request, completion.text)
            self._account(provider, request, completion, "ok", attempt=1)
            return answer, completion.tokens
        except InvalidAnswer as first:
            self._account(provider, request, completion, "invalid", attempt=1)
            repair = request.repair(completion.text.text, first.message)
        second = self._call(provider, repair, attempt=2, timeout=self._check_time(provider, repair, ends, attempt=2))
        try:
            answer = self._validated(repair, second.text)
        except InvalidAnswer as again:
            self._account(provider, repair, second, "invalid", attempt=2)
            raise ProviderFailure(provider.name, f"invalid answer after a repair: {again.message}", kind="invalid") from None
        self._account(provider, repair, second, "repaired", attempt=2)
        return answer, completion.tokens + second.tokens

    # -- one image provider: the call, and the task's check of its image -----------------------------------
    def _attempt_image(self, provider: ImageProvider, request: ImageRequest, ends: float | None) -> tuple[EditedImage, int]:
        timeout = self._check_time(provider, request, ends, attempt=1, minimum=self.minimum_image_call_seconds)
        timed = self._call(provider, request, attempt=1, timeout=timeout)
        completion = timed.result
        try:
            image = request.task.validate(completion.data)  # type: ignore[union-attr]
        except InvalidAnswer as bad:
            self._account(provider, request, timed, "invalid", attempt=1)
            raise ProviderFailure(provider.name, f"invalid image: {bad.message}", kind="invalid") from None
        self._account(provider, request, timed, "ok", attempt=1)
        return EditedImage(image, provider.name, completion.model), timed.tokens

    def _call(self, provider: Any, request: Request | ImageRequest, *, attempt: int, timeout: float | None) -> _Timed:
        started = self.clock()
        try:
            if isinstance(request, ImageRequest):
                completion: Completion | ImageCompletion = provider.edit(request, timeout=timeout)
            else:
                completion = provider.complete(request, timeout=timeout)
        except ProviderFailure as failure:
            accounting.record(
                accounting.CallRecord(
                    task=request.task.name,
                    provider=provider.name,
                    # the task's own model where the provider gives it one (Bedrock's BEDROCK_TASK_MODELS)
                    model=provider.model_for(request.task.name) if hasattr(provider, "model_for") else provider.model,
                    outcome=failure.kind,
                    input_tokens=0,
                    output_tokens=0,
                    latency_ms=(self.clock() - started) * 1000,
                    cost_usd=None,
                    prompt_version=request.prompt.version,
                    attempt=attempt,
                )
            )
            raise
        return _Timed(completion, (self.clock() - started) * 1000)

    @staticmethod
    def _validated(request: Request, completion: Completion) -> dict[str, Any]:
        if completion.problem is not None:
            raise InvalidAnswer(completion.problem, text=completion.text)
        return request.task.validate(completion.answer)

    def _account(self, provider: Any, request: Request | ImageRequest, timed: _Timed, outcome: str, *, attempt: int) -> None:
        completion = timed.result
        # An image that was refused is still billed: the vendor made it.
        images = completion.images if isinstance(completion, ImageCompletion) else 0
        cache_read = completion.cache_read_tokens if isinstance(completion, Completion) else 0
        cache_write = completion.cache_write_tokens if isinstance(completion, Completion) else 0
        accounting.record(
            accounting.CallRecord(
                task=request.task.name,
                provider=provider.name,
                model=completion.model,
                outcome=outcome,
                input_tokens=completion.input_tokens,
                output_tokens=completion.output_tokens,
                latency_ms=timed.latency_ms,
                cost_usd=accounting.estimate_cost(
                    provider.name,
                    completion.model,
                    completion.input_tokens,
                    completion.output_tokens,
                    images,
                    cache_read_tokens=cache_read,
                    cache_write_tokens=cache_write,
                ),
                prompt_version=request.prompt.version,
                attempt=attempt,
                images=images,
                cache_read_tokens=cache_read,
                cache_write_tokens=cache_write,
            )
        )

    def _count_tokens(self, reservation: Reservation, tokens: int) -> None:
        try:
            self.budget.add_tokens(reservation, tokens)  # type: ignore[union-attr]
        except Exception:  # the answer is already paid for; a missed count must not lose it
            logger.exception("ai budget: tokens not counted", extra={"ai": {"task": reservation.task}})


@dataclass(frozen=True)
class _Timed:
    result: Completion | ImageCompletion
    latency_ms: float

    @property
    def tokens(self) -> int:
        if isinstance(self.result, Completion):
            return self.result.tokens  # the cached input too: the budget counts what the model read
        return self.result.input_tokens + self.result.output_tokens

    @property
    def text(self) -> Completion:
        """The answer to a text Request (only an ImageRequest is answered with an ImageCompletion)."""
        return cast(Completion, self.result)


def image_provider_names(text_names: Sequence[str]) -> list[str]:
    """``AI_IMAGE_PROVIDERS``, else the image providers that follow from ``AI_PROVIDERS`` (module docstring)."""
    names = config.csv("AI_IMAGE_PROVIDERS", "")
    if names:
        return list(names)
    derived = list(NETWORK_IMAGE_PROVIDERS) if any(name != "local" for name in text_names) else []
    return derived + (["local"] if "local" in text_names else [])


def _budget_overrides() -> dict[str, dict[str, int]]:
    """``AI_BUDGETS``: JSON ``{"<task>": {"calls": n, "tokens": n}}`` over the tasks' own daily limits."""
    raw = config.optional("AI_BUDGETS", "{}")
    try:
        document = json.loads(raw)
    except json.JSONDecodeError:
        raise config.ConfigError('AI_BUDGETS must be JSON like {"quests.plan": {"calls": 20}}') from None
    if not isinstance(document, dict) or not all(
        isinstance(v, dict) and set(v) <= {"calls", "tokens"} and all(isinstance(n, int) and n >= 0 for n in v.values()) for v in document.values()
    ):
        raise config.ConfigError('AI_BUDGETS must map task names to {"calls": n, "tokens": n}')
    return document
