"""The API's rate limit per user (the Career seed: 1,000 requests a minute per user), counted in DynamoDB on
the one request path every API function shares: zik.http's middleware calls ``check`` before any route runs.

Why a counter of our own, and not what API Gateway or WAF offer:
- A usage plan throttles per API key, not per user: every user would need an API key of their own, created
  at sign-up and sent by the app with each request, a second credential next to the token; and a usage
  plan has a throttle per second and a quota per day, week or month, not a count per minute.
- A WAF rate-based rule can aggregate on a custom key (a header, a query argument, a label) but not on a
  verified claim of the JWT: keyed on the Authorization header it counts per token (a refresh starts a new
  count) and keyed on anything the client sends it counts whatever the client chooses. Its windows are of
  1, 2, 5 or 10 minutes and its counts estimates, checked every few seconds (it acts late and
  approximately), and a web ACL costs per month, per rule and per million requests. Nothing local runs it.
- This counter keys on the token's subject as the authorizer verified it (``sub``, and the tenant), is
  exact (an atomic conditional ADD: concurrent requests cannot overshoot), answers in the platform's error
  shape with ``Retry-After``, and runs the same code in AWS, in ``zik dev`` and in the tests. It costs one
  DynamoDB write per request of a signed-in user (a refused request's failed conditional write too).
The API-wide burst (the seed's 10,000 per second) is the stage's throttling (template.yaml's
ApiThrottlingRateLimit / ApiThrottlingBurstLimit), which the local gateway applies as API Gateway does.
A WAF rate rule on the source IP stays a sensible addition in front of it, against floods without tokens.

Where the counters live: a table of their own, RateLimitTable (RATE_LIMIT_TABLE names it), of
IdempotencyTable's shape (a string key ``id``, the TTL attribute ``expiration``). Not IdempotencyTable
itself, though the shape fits: the counters are the busiest writes of the stage (one per request) and
would share its throttling alarm and capacity with the records that keep writes exactly-once, and
whatever reads those records (a scan in a test, an operator's look) would find a counter for every user
and minute among them. The code takes any table of that shape: a stage may point RATE_LIMIT_TABLE at
IdempotencyTable (moving the counters loses at most a minute of counts).

Access patterns:
  count one request   UpdateItem id=TENANT#<t>#USER#<u>#RATE#<window start, epoch seconds>
                      ADD requests 1 if requests < limit (atomic), expiration = the window's end + a minute

Windows are fixed and aligned to the minute (UTC epoch seconds): simple and one write a request, at the
price of letting a client that waits for a window's last second spend two windows' worth in a few seconds
(never more than twice the limit in any 60 s). A refused request answers 429 ``rate_limited`` with
``Retry-After``, the seconds to the window's end.

Limits (environment, read at each request so a test or a stage can change them):
  RATE_LIMIT_TABLE               the counters' table; unset: no per-user limit (the stage throttling alone)
  USER_RATE_LIMIT_PER_MINUTE     requests a user may make a minute (default 1000)
  GUEST_RATE_LIMIT_PER_MINUTE    the same for a member of the "guests" group (cognito:groups); default the
                                 user limit. A user in several limited groups gets the lowest limit.
A request without claims (a public route) is not counted here; a request whose claims are malformed is not
counted either: zik.http's principal() refuses it (401) when the route reads the caller.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from zik import clock, config
from zik.errors import TooManyRequests, Unauthorized
from zik.observability import logger
from zik.principal import GUESTS_GROUP, Principal, from_api_event

WINDOW_SECONDS = 60
DEFAULT_PER_MINUTE = 1000
GUESTS = GUESTS_GROUP
# How long a window's counter outlives the window (TTL deletes it within a day or two; nobody reads it).
KEEP_SECONDS = 60
# Errors of DynamoDB that say it is busy or unreachable, not that the limiter is misconfigured: the request
# goes through uncounted (an outage of the counters must not take the API down with it).
_TRANSIENT = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)


class RateLimited(TooManyRequests):
    """429 ``rate_limited``: the user made ``limit`` requests in this window; ``Retry-After`` says when the
    next window opens."""

    code = "rate_limited"

    def __init__(self, limit: int, window_seconds: int, retry_after_seconds: int):
        super().__init__(
            f"too many requests: the limit is {limit} a {'minute' if window_seconds == 60 else f'{window_seconds} s'} "
            f"per user; retry in {retry_after_seconds} s",
            retry_after_seconds=retry_after_seconds,
            details={"limit": limit, "windowSeconds": window_seconds},
        )


@dataclass(frozen=True)
class Policy:
    """``per_window`` requests a window for a user; ``by_group`` lower (or higher) limits for the members of a
    Cognito group, the lowest of those that apply winning."""

    per_window: int = DEFAULT_PER_MINUTE
    window_seconds: int = WINDOW_SECONDS
    by_group: Mapping[str, int] = field(default_factory=dict)

    def limit_for(self, groups: frozenset[str]) -> int:
        limits = [limit for group, limit in self.by_group.items() if group in groups]
        return min(limits) if limits else self.per_window


@dataclass(frozen=True)
class Admission:
    """A request counted: the ``count``-th of ``limit`` in the window ending at ``resets_at`` (epoch s)."""

    count: int
    limit: int
    resets_at: int

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)


class RateLimiter:
    def __init__(self, table_name: str, policy: Policy | None = None, *, client: Any = None):
        self.table_name = table_name
        self.policy = policy or Policy()
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is not None:
            return self._client
        from zik.dynamo import shared_client  # boto3: loaded by the first counted request, not at import

        return shared_client()

    def admit(self, owner: Principal) -> Admission | None:
        """Count one request of ``owner`` in the current window, or raise RateLimited (nothing counted).
        None when DynamoDB could not count it (busy or unreachable): the request goes through."""
        limit = self.policy.limit_for(owner.groups)
        return self.count(lambda start: key(owner, start), limit, RateLimited)

    def count(self, key_of: Any, limit: int, refusal: Any) -> Admission | None:
        """Count one request under the key ``key_of(window start)`` (any caller: a user, an address), or
        raise ``refusal(limit, window seconds, retry after)`` past ``limit``."""
        from botocore.exceptions import BotoCoreError, ClientError

        now = clock.now().timestamp()
        window = self.policy.window_seconds
        start = int(now // window) * window
        end = start + window
        try:
            answer = self.client.update_item(
                TableName=self.table_name,
                Key={"id": {"S": key_of(start)}},
                UpdateExpression="ADD requests :one SET expiration = if_not_exists(expiration, :expires)",
                ConditionExpression="attribute_not_exists(requests) OR requests < :limit",
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":limit": {"N": str(limit)},
                    ":expires": {"N": str(end + KEEP_SECONDS)},
                },
                ReturnValues="UPDATED_NEW",
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code == "ConditionalCheckFailedException":
                raise refusal(limit, window, retry_after(now, end)) from None
            if code in _TRANSIENT:
                logger.warning("rate limit not counted: DynamoDB refused the count", extra={"code": code})
                return None
            raise
        except BotoCoreError as exc:  # a connection or read timeout
            logger.warning("rate limit not counted: DynamoDB unreachable", extra={"error": type(exc).__name__})
            return None
        return Admission(int(answer["Attributes"]["requests"]["N"]), limit, end)


def key(owner: Principal, window_start: int) -> str:
    return f"{owner.partition}#RATE#{window_start}"


def retry_after(now: float, window_end: int) -> int:
    """Whole seconds from ``now`` to the window's end, at least one (a client that waits them is in the
    next window)."""
    return max(1, math.ceil(window_end - now))


def from_environment() -> RateLimiter | None:
    """The limiter the function's environment configures; None when it names no table."""
    table = os.environ.get("RATE_LIMIT_TABLE")
    if not table:
        return None
    per_minute = config.integer("USER_RATE_LIMIT_PER_MINUTE", DEFAULT_PER_MINUTE, minimum=1)
    guests = config.integer("GUEST_RATE_LIMIT_PER_MINUTE", per_minute, minimum=1)
    return _limiter(table, per_minute, guests)


@cache
def _limiter(table: str, per_minute: int, guests: int) -> RateLimiter:
    return RateLimiter(table, Policy(per_window=per_minute, window_seconds=WINDOW_SECONDS, by_group={GUESTS: guests}))


def check(event: Mapping[str, Any]) -> Admission | None:
    """zik.http's hook: count the request of the caller the event's claims name (API Gateway REST proxy
    event), or raise RateLimited. A request without a verified caller, or with no limiter configured, is
    not counted (None)."""
    limiter = from_environment()
    if limiter is None:
        return None
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    if not authorizer.get("claims"):
        return None
    try:
        owner = from_api_event(event)
    except Unauthorized:
        return None
    return limiter.admit(owner)


# -- guest sign-ups per source address -----------------------------------------------------------------
# POST /guests needs no token, so nothing but the caller's address can hold back a script that makes
# guests by the thousand: GUEST_SIGNUPS_PER_ADDRESS_PER_HOUR of them (default 10) from one address an hour,
# counted like the users' requests in RateLimitTable:
#   count one sign-up   UpdateItem id=ADDRESS#<source ip>#GUESTS#<hour start, epoch seconds> (ADD if under)
GUEST_SIGNUPS_WINDOW_SECONDS = 3600
DEFAULT_GUEST_SIGNUPS_PER_HOUR = 10


class GuestSignUpsLimited(TooManyRequests):
    """429 ``rate_limited``: too many guests were made from the caller's address this hour."""

    code = "rate_limited"

    def __init__(self, limit: int, window_seconds: int, retry_after_seconds: int):
        super().__init__(
            f"too many guest sign-ups from this address: the limit is {limit} an hour; retry in {retry_after_seconds} s",
            retry_after_seconds=retry_after_seconds,
            details={"limit": limit, "windowSeconds": window_seconds},
        )


def admit_guest_sign_up(source_address: str) -> Admission | None:
    """Count one guest sign-up from ``source_address`` or raise GuestSignUpsLimited. Not counted (None) when
    no counters' table is configured."""
    table = os.environ.get("RATE_LIMIT_TABLE")
    if not table:
        return None
    limit = config.integer("GUEST_SIGNUPS_PER_ADDRESS_PER_HOUR", DEFAULT_GUEST_SIGNUPS_PER_HOUR, minimum=1)
    limiter = _address_limiter(table)
    address = source_address or "unknown"
    return limiter.count(lambda start: f"ADDRESS#{address}#GUESTS#{start}", limit, GuestSignUpsLimited)


@cache
def _address_limiter(table: str) -> RateLimiter:
    return RateLimiter(table, Policy(per_window=DEFAULT_GUEST_SIGNUPS_PER_HOUR, window_seconds=GUEST_SIGNUPS_WINDOW_SECONDS))
