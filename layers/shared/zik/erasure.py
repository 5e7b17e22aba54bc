"""A domain's consumer of the platform's account events, through the domain's own queue and DLQ.

UserDeleted: the domain erases the user's data a page at a time (its ``userdata`` hook), reporting each
page on the erasure (GET /me/erasure shows the progress), for as long as the invocation has time; what is
left goes on in a new message to the same queue, so a user with a hundred thousand items is erased in as
many invocations as it takes, none of them long. A message delivered again erases what is left, which is
nothing once done. The queue holds each message 30 s before it is delivered: longer than API Gateway lets
a request run, so a request that passed the account check before the erasure began has finished writing
when the erasure starts. What arrives later (a late event) finds the domain's tombstone.

UserProfileUpdated: given to the domain's ``on_profile`` (a domain that keeps a copy of the timezone
follows it here).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from zik import userdata
from zik.consumers import domain_event
from zik.observability import deadline, logger, metrics
from zik.principal import Principal

PAGE_ITEMS = int(os.environ.get("ERASE_PAGE_ITEMS", "1000"))
# What an invocation keeps for reporting and sending the rest on, once its pages are done.
MARGIN_SECONDS = 5.0

OnProfile = Callable[[Principal, Mapping[str, Any]], Any]


@cache
def _sqs() -> Any:
    import boto3

    return boto3.client("sqs")


@cache
def _accounts() -> Any:
    from zik.platform.accounts import Accounts

    return Accounts()


Handler = Callable[[Principal, Mapping[str, Any], Mapping[str, Any]], Any]  # owner, detail, the SQS record


def account_events(
    event: Mapping[str, Any], *, domain: str, queue_url: str, on_profile: OnProfile | None = None, others: Mapping[str, Handler] | None = None
) -> dict[str, Any]:
    """Handle a batch of the domain's account queue (``queue_url``: where what is left of an erasure goes
    on; ``others``: handlers of the other detail types the queue carries); the messages that failed are
    reported (SQS delivers them again, then to the DLQ)."""
    failures = []
    for record in event.get("Records", []):
        try:
            owner, detail_type, detail = domain_event(record["body"])
            if detail_type == "UserDeleted":
                if domain in detail.get("domains", ()):
                    erase(domain, owner, record["body"], queue_url)
            elif detail_type == "UserProfileUpdated" and on_profile is not None:
                on_profile(owner, detail)
            elif detail_type in (others or {}):
                others[detail_type](owner, detail, record)  # type: ignore[index]
        except Exception:
            logger.exception("account event failed", extra={"messageId": record.get("messageId"), "domain": domain})
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


def erase(domain: str, owner: Principal, body: str, queue_url: str) -> bool:
    """Erase pages of the user's data while there is time; True when nothing is left. Otherwise the rest
    goes on in a new message (sent before this one is acknowledged: nothing is lost in between)."""
    hook = userdata.hook(domain)
    ends = deadline()
    while True:
        removed, done = hook.erase_page(owner, PAGE_ITEMS)
        _accounts().report(owner, domain, removed, done=done)
        metrics.add_metric(name="ItemsErased", unit="Count", value=removed)
        if done:
            logger.info("erasure done", extra={"domain": domain})
            return True
        if ends is not None and ends - time.monotonic() < MARGIN_SECONDS:
            break
    _sqs().send_message(QueueUrl=queue_url, MessageBody=body, DelaySeconds=0)
    logger.info("erasure goes on in a new message", extra={"domain": domain})
    return False
