"""The studio's push devices: register an app's push token (an SNS platform endpoint) to be told when a
try-on is done, and forget one (zik.studio.devices)."""

from __future__ import annotations

from zik.http import body, create_app, json_response, no_content, principal
from zik.observability import api_handler
from zik.studio.devices import Devices

app = create_app()
devices = Devices()


@app.post("/studio/devices")
def register_device():
    """Register your device's push token: `{platform: ios|android, token, appVersion?}` (an APNs device token
    of 64 hex characters, or an FCM registration token). Answers 201 `{deviceId, platform, endpoint}`;
    `endpoint` says whether pushes can reach it. The same token registered again is the same device (the
    same `deviceId`), and a token registered by another user is theirs from then on."""
    owner = principal(app)
    return json_response(devices.register(owner, body(app, "device_register")), 201)


@app.delete("/studio/devices/<deviceId>")
def delete_device(deviceId: str):  # noqa: N803 (the path parameter's name)
    """Forget one of your devices: no push reaches it any more (204)."""
    devices.delete(principal(app), deviceId)
    return no_content()


@api_handler
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
