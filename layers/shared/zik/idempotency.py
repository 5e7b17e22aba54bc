"""Requests that may be retried have one effect: Powertools idempotency on the platform's idempotency
table (IDEMPOTENCY_TABLE), keyed by the caller, the route and the client's ``Idempotency-Key`` header.

A retry with the same key and the same body gets the first answer again, without running the operation;
the same key with another body is refused (422); a retry while the first is still running gets 409.

Powertools forgets a request whose function raised, and one whose function was killed (a timeout, out
of memory) once its time is up: the retry then runs again. So a create also names what it creates from
the key (``Claim.id``): the retry's conditional write finds the first attempt's item and answers it,
instead of writing a second one.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from zik.claims import Claim
from zik.dynamo import shared_client
from zik.errors import Conflict, InvalidRequest, Unprocessable
from zik.http import APIGatewayRestResolver
from zik.principal import Principal

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 128
EXPIRES_AFTER_SECONDS = 24 * 60 * 60

_config = IdempotencyConfig(
    event_key_jmespath="[owner, route, key]",
    payload_validation_jmespath="bodyHash",
    expires_after_seconds=EXPIRES_AFTER_SECONDS,
    raise_on_no_idempotency_key=True,
)


@cache
def _persistence() -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(table_name=os.environ["IDEMPOTENCY_TABLE"], boto3_client=shared_client())


def run_once(app: APIGatewayRestResolver, owner: Principal, operation: Callable[[Claim | None], dict[str, Any]]) -> dict[str, Any]:
    """Run ``operation`` once per Idempotency-Key (it gets the key's ``Claim``, to name what it creates);
    without the header it simply runs, with no claim."""
    event = app.current_event
    key = event.headers.get(HEADER) or event.headers.get(HEADER.lower())
    if not key:
        return operation(None)
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidRequest(f"{HEADER} must be at most {MAX_KEY_LENGTH} printable characters", field=HEADER)
    request = {
        "owner": owner.partition,
        "route": f"{event.http_method} {event.resource}",
        "key": key,
        "bodyHash": hashlib.sha256((event.body or "").encode()).hexdigest(),
    }
    if app.lambda_context is not None:
        _config.register_lambda_context(app.lambda_context)

    claim = Claim(hashlib.sha256("\n".join((request["owner"], request["route"], key)).encode()).digest())

    @idempotent_function(data_keyword_argument="request", persistence_store=_persistence(), config=_config)
    def once(request: dict[str, Any]) -> dict[str, Any]:
        return operation(claim)

    try:
        return once(request=request)
    except IdempotencyValidationError:
        raise Unprocessable(f"this {HEADER} was already used with another request body", field=HEADER) from None
    except IdempotencyAlreadyInProgressError:
        raise Conflict(f"a request with this {HEADER} is still in progress; retry in a moment", field=HEADER) from None
