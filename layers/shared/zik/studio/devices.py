"""Push devices: POST /studio/devices registers an app's push token as an SNS platform endpoint, DELETE
/studio/devices/{deviceId} removes it (zik.studio.device_store keeps them).

PUSH_PLATFORM_APPLICATION_ARN names the SNS platform applications, one or two separated by commas: an
application's ARN says its platform (``app/APNS/...`` or ``app/APNS_SANDBOX/...`` for iOS, ``app/GCM/...``
for Android through FCM). Empty: devices are stored with no endpoint and their pushes are recorded as
skipped; a device of a platform with no application likewise.

Endpoints follow SNS's own recipe for registering a token ("Creating an Amazon SNS platform endpoint"):
CreatePlatformEndpoint is idempotent for the same token and attributes; when the token's endpoint exists
with other attributes (another user's CustomUserData, disabled by the push service) SNS refuses with
InvalidParameter naming that endpoint, which is then updated; and an endpoint found disabled, or holding an
older token, is set to the token and enabled again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from botocore.exceptions import ClientError

from zik import config
from zik.config import ConfigError
from zik.errors import InvalidRequest, NotFound
from zik.observability import logger
from zik.principal import Principal
from zik.studio.device_store import DeviceStore, device_id_of

PLATFORMS = ("ios", "android")
# SNS platform names (the part of an application's ARN after app/) -> the API's platforms.
_SNS_PLATFORMS = {"APNS": "ios", "APNS_SANDBOX": "ios", "GCM": "android"}
_APPLICATION_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:app/(?P<platform>[A-Z_]+)/[A-Za-z0-9_.-]+$")
# An APNs device token is 32 bytes, written as hex; an FCM registration token is up to 4 kB of base64url
# characters and ':' (schemas/requests/device_register.json bounds both).
_APNS_TOKEN = re.compile(r"[0-9a-fA-F]{64}")
_FCM_TOKEN = re.compile(r"[A-Za-z0-9_:-]{1,4096}")
# What SNS says when a token's endpoint exists with other attributes: the endpoint's ARN is in the message.
_EXISTING_ENDPOINT = re.compile(r"Endpoint (arn:aws[a-z-]*:sns:\S+) already exists with the same [Tt]oken")


@cache
def sns_client() -> Any:
    """The execution environment's one SNS client."""
    import boto3

    return boto3.client("sns")


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def applications(setting: str | None = None) -> dict[str, str]:
    """The platform applications PUSH_PLATFORM_APPLICATION_ARN names, by the API's platform."""
    raw = config.optional("PUSH_PLATFORM_APPLICATION_ARN", "") if setting is None else setting
    found: dict[str, str] = {}
    for arn in (part.strip() for part in raw.split(",")):
        if not arn:
            continue
        match = _APPLICATION_ARN.match(arn)
        platform = _SNS_PLATFORMS.get(match.group("platform")) if match else None
        if platform is None:
            raise ConfigError(f"PUSH_PLATFORM_APPLICATION_ARN: {arn!r} is not an SNS platform application of APNS, APNS_SANDBOX or GCM")
        if platform in found:
            raise ConfigError(f"PUSH_PLATFORM_APPLICATION_ARN names two applications for {platform}")
        found[platform] = arn
    return found


def check_token(platform: str, token: str) -> None:
    """A token of the platform's shape, or a 400 naming ``token``."""
    # fullmatch: a pattern's $ would let a trailing newline through.
    if platform == "ios" and not _APNS_TOKEN.fullmatch(token):
        raise InvalidRequest("token must be an APNs device token: 64 hexadecimal characters", field="token")
    if platform == "android" and not _FCM_TOKEN.fullmatch(token):
        raise InvalidRequest("token must be an FCM registration token: up to 4096 of A-Z, a-z, 0-9, '_', '-' and ':'", field="token")


def view(device: Mapping[str, Any]) -> dict[str, Any]:
    return {"deviceId": device["deviceId"], "platform": device["platform"], "endpoint": bool(device.get("endpointArn"))}


class Devices:
    def __init__(self, store: DeviceStore | None = None, *, apps: Mapping[str, str] | None = None, sns: Any = None):
        self.store = store or DeviceStore()
        self.apps = dict(applications() if apps is None else apps)
        self._sns = sns

    @property
    def sns(self) -> Any:
        return self._sns or sns_client()

    def register(self, owner: Principal, data: Mapping[str, Any]) -> dict[str, Any]:
        """Register (or register again) the caller's push token: ``{deviceId, platform, endpoint}``."""
        platform, token = data["platform"], data["token"]
        check_token(platform, token)
        user = owner.user_id
        device_id = device_id_of(token)
        previous_owner = self.store.take_token(user, device_id)
        if previous_owner and previous_owner != user:
            # The app install is this user's now: the previous owner's try-ons must not reach it.
            self.store.delete(previous_owner, device_id)
            logger.info("push token moved to another user", extra={"deviceId": device_id})
        known = self.store.get(user, device_id)
        endpoint = None
        application = self.apps.get(platform)
        if application:
            endpoint = self._endpoint(application, token, user, (known or {}).get("endpointArn"))
        device = self.store.put(
            user, device_id, {"platform": platform, "token": token, "appVersion": data.get("appVersion"), "endpointArn": endpoint}
        )
        return view(device)

    def delete(self, owner: Principal, device_id: str) -> None:
        """Forget one of the caller's devices and its endpoint; another user's (or none) is a 404."""
        device = self.store.get(owner.user_id, device_id)
        if device is None:
            raise NotFound("no device of yours has that deviceId", field="deviceId")
        self.forget(owner.user_id, device)

    def forget(self, user_id: str, device: Mapping[str, Any]) -> None:
        """The endpoint first, the device item last: until the item goes, a retry can still find the
        endpoint it names (the other order could leave an endpoint nothing points at)."""
        device_id = device["deviceId"]
        if device.get("endpointArn") and self.store.owner_of(device_id) in (None, user_id):
            self.sns.delete_endpoint(EndpointArn=device["endpointArn"])  # idempotent: a gone endpoint is fine
        self.store.release_token(user_id, device_id)
        self.store.delete(user_id, device_id)

    # -- SNS --------------------------------------------------------------------------------------------
    def _endpoint(self, application: str, token: str, user_id: str, known: str | None) -> str:
        arn = known or self._create(application, token, user_id)
        try:
            attributes = self.sns.get_endpoint_attributes(EndpointArn=arn)["Attributes"]
        except ClientError as exc:
            if error_code(exc) != "NotFound":
                raise
            # Deleted meanwhile (by SNS on an uninstall, or by hand): made again.
            arn = self._create(application, token, user_id)
            attributes = self.sns.get_endpoint_attributes(EndpointArn=arn)["Attributes"]
        if attributes.get("Token") != token or attributes.get("Enabled") != "true" or attributes.get("CustomUserData", user_id) != user_id:
            self._reset(arn, token, user_id)
        return arn

    def _create(self, application: str, token: str, user_id: str) -> str:
        try:
            return self.sns.create_platform_endpoint(PlatformApplicationArn=application, Token=token, CustomUserData=user_id)["EndpointArn"]
        except ClientError as exc:
            match = _EXISTING_ENDPOINT.search(str(exc.response.get("Error", {}).get("Message", "")))
            if error_code(exc) != "InvalidParameter" or match is None:
                raise
            arn = match.group(1)
            self._reset(arn, token, user_id)
            return arn

    def _reset(self, arn: str, token: str, user_id: str) -> None:
        self.sns.set_endpoint_attributes(EndpointArn=arn, Attributes={"Token": token, "Enabled": "true", "CustomUserData": user_id})
