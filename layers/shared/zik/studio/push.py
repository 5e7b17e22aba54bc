"""The push of a finished try-on to the user's devices (StudioNotificationsFunction, NotificationQueue).

A TryOnCompleted or TryOnFailed event reaches NotificationQueue through a bus rule; each of the user's
devices with an SNS endpoint gets one push (Publish with MessageStructure json: an APNs payload and an FCM
v1 payload, SNS picks the endpoint's). A device without an endpoint (no platform application configured)
has its push recorded as skipped.

Each push is recorded before it is published (device_store.claim_push, a conditional write), and its
outcome after. Why before: a standard queue may deliver one message twice at once, and a message is
delivered again after any failure; only a claim taken before publishing keeps two deliveries from both
pushing. What the order costs: an invocation that dies between its claim and its publish would leave the
push undone, so a claim older than the function can run (STALE_CLAIM_SECONDS) is taken over by the next
delivery; a delivery that finds a live claim fails its message, to come back when that push is recorded. A publish that fails for a reason that may pass (throttled, SNS unavailable) releases its
claim and fails the message, which SQS delivers again, then moves to the DLQ; the devices already pushed
are not pushed again. A publish refused because the endpoint is disabled (the app was uninstalled, the
token expired) or gone removes the device: its user will register it again from the app.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from zik.observability import logger, metrics
from zik.studio import device_store
from zik.studio.device_store import DeviceStore
from zik.studio.devices import Devices, error_code

COMPLETED, FAILED = "TryOnCompleted", "TryOnFailed"
# Twice as long as StudioNotificationsFunction may run (its Timeout, 30 s), so a live claim is never taken
# over; shorter than NotificationQueue's visibility timeout (180 s), so the delivery after a dead one can.
STALE_CLAIM_SECONDS = 60
# The endpoint will not take pushes any more: the device goes.
_GONE = ("EndpointDisabled", "NotFound")
# SNS refusing the message itself: sending it again would be refused again, so it is recorded, not retried.
_REFUSED = ("InvalidParameter", "InvalidParameterValue")

_TEXT = {
    COMPLETED: ("Your new look is ready", "Your hairstyle try-on is done: tap to see it."),
    FAILED: ("Try-on didn't work", "We couldn't finish your hairstyle try-on: tap to see why."),
}
# A failure's own words, where the user can act on them.
_FAILED_BODIES = {
    "no_face": "We couldn't find a face in that photo: try one where your face is clearly visible.",
    "budget_exceeded": "You've used today's try-ons: more tomorrow.",
}


class PushFailed(Exception):
    """Some device's push failed for a reason that may pass: the message is delivered again."""


def message(detail_type: str, detail: Mapping[str, Any]) -> dict[str, str]:
    """The Publish ``Message`` (MessageStructure json) of a try-on event: a default text and a payload per
    platform, each a JSON string as SNS wants. Data values are strings (FCM accepts nothing else)."""
    title, body = _TEXT[detail_type]
    if detail_type == FAILED:
        body = _FAILED_BODIES.get(str((detail.get("error") or {}).get("code") or detail.get("code") or ""), body)
    data = {"type": detail_type, "jobId": str(detail["jobId"])}
    if detail.get("resultPhotoId"):
        data["resultPhotoId"] = str(detail["resultPhotoId"])
    apns = {"aps": {"alert": {"title": title, "body": body}, "sound": "default", "thread-id": "tryons"}, **data}
    fcm = {"fcmV1Message": {"message": {"notification": {"title": title, "body": body}, "data": data, "android": {"priority": "high"}}}}
    compact: dict[str, Any] = {"separators": (",", ":"), "ensure_ascii": False}
    return {
        "default": f"{title}: {body}",
        "APNS": json.dumps(apns, **compact),
        "APNS_SANDBOX": json.dumps(apns, **compact),
        "GCM": json.dumps(fcm, **compact),
    }


@dataclass
class Outcome:
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return ", ".join(f"{name} {len(ids)}" for name, ids in vars(self).items())


class Notifier:
    def __init__(self, store: DeviceStore | None = None, devices: Devices | None = None):
        self.store = store or DeviceStore()
        self.devices = devices or Devices(self.store)

    def notify(self, user_id: str, detail_type: str, detail: Mapping[str, Any]) -> Outcome:
        """Push the event to each of the user's devices; PushFailed (after every device was tried) when
        some push should be tried again."""
        outcome = Outcome()
        if detail_type not in _TEXT:
            logger.warning("not a try-on event: nothing to push", extra={"detailType": detail_type})
            return outcome
        job_id = str(detail["jobId"])
        devices = self.store.list(user_id)
        if not devices:
            logger.info("no device to push to", extra={"jobId": job_id})
            return outcome
        payload = json.dumps(message(detail_type, detail), separators=(",", ":"), ensure_ascii=False)
        for device in devices:
            self._push(user_id, job_id, device, payload, outcome)
        for name in ("sent", "skipped", "removed", "failed"):
            if getattr(outcome, name):
                metrics.add_metric(name=f"Pushes{name.capitalize()}", unit="Count", value=len(getattr(outcome, name)))
        logger.info("try-on pushed", extra={"jobId": job_id, "detailType": detail_type, "outcome": str(outcome)})
        if outcome.failed or outcome.busy:
            raise PushFailed(
                f"the push of {job_id} failed or is under way for {len(outcome.failed) + len(outcome.busy)} device(s); it is tried again"
            )
        return outcome

    def _push(self, user_id: str, job_id: str, device: Mapping[str, Any], payload: str, outcome: Outcome) -> None:
        device_id = device["deviceId"]
        standing = self.store.claim_push(user_id, job_id, device_id, stale_after_seconds=STALE_CLAIM_SECONDS)
        if standing is not None:
            if standing.get("state") == device_store.CLAIMED:
                # Another delivery of this message is pushing it now: this one fails and comes back after the
                # queue's visibility timeout, when that push is recorded (or its claim is stale).
                outcome.busy.append(device_id)
            else:
                outcome.already.append(device_id)
            return
        endpoint = device.get("endpointArn")
        if not endpoint:
            self.store.record_push(user_id, job_id, device_id, device_store.SKIPPED)
            outcome.skipped.append(device_id)
            return
        try:
            answer = self.devices.sns.publish(TargetArn=endpoint, Message=payload, MessageStructure="json")
        except ClientError as exc:
            code = error_code(exc)
            if code in _GONE:
                self.devices.forget(user_id, device)
                self.store.record_push(user_id, job_id, device_id, device_store.DEVICE_REMOVED)
                outcome.removed.append(device_id)
                logger.info("device removed: its endpoint takes no pushes", extra={"deviceId": device_id, "code": code})
                return
            if code in _REFUSED:
                self.store.record_push(user_id, job_id, device_id, device_store.REFUSED)
                outcome.refused.append(device_id)
                logger.warning("push refused by SNS: not retried", extra={"deviceId": device_id, "code": code})
                return
            self._failed(user_id, job_id, device_id, code, outcome)
            return
        except Exception as exc:  # noqa: BLE001 - SNS unreachable, a timeout: the push is tried again
            self._failed(user_id, job_id, device_id, type(exc).__name__, outcome)
            return
        self.store.record_push(user_id, job_id, device_id, device_store.SENT, message_id=answer.get("MessageId"))
        outcome.sent.append(device_id)

    def _failed(self, user_id: str, job_id: str, device_id: str, code: str, outcome: Outcome) -> None:
        self.store.release_push(user_id, job_id, device_id)
        outcome.failed.append(device_id)
        logger.warning("push failed", extra={"deviceId": device_id, "code": code})
