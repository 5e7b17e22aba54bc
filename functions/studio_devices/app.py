"""The studio's push devices: register an app's push token (an SNS platform endpoint) to be told when a
try-on is done, and forget one (zik.studio.devices)."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from zik.http import body, create_app, json_response, no_content, principal, responds
from zik.observability import api_handler
from zik.studio.devices import Devices

app = create_app()
devices = Devices()


@app.post("/studio/devices")
@responds({201: "studio_device"})
def register_device():
    """Register your device's push token, to be told when a try-on is done.

    The body is `{platform: ios|android, token, appVersion?}`: an APNs device token of 64 hex characters, or
    an FCM registration token (400 naming `token` for another shape). Answers 201 `{deviceId, platform,
    endpoint}`; `endpoint` says whether pushes can reach it. The same token registered again is the same
    device (the same `deviceId`), and a token registered by another user is theirs from then on."""
    owner = principal(app)
    return json_response(devices.register(owner, body(app, "device_register")), 201)


@app.delete("/studio/devices/<deviceId>")
@responds({204: None})
def delete_device(deviceId: str):  # noqa: N803 (the path parameter's name)
    """Forget one of your devices, so that no push reaches it any more (204).

    404 for a device that is not yours, or no longer: a token registered since by another user is theirs."""
    devices.delete(principal(app), deviceId)
    return no_content()


@api_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
