"""POST /guests: an app starts without an account. No token: a new guest, signed in.

The guest is a Cognito user of the one user pool, made here with a generated address (on a domain no mail
reaches) and secret, in the ``guests`` group (zik.platform.guests). The answer holds the guest's tokens,
as the app's client issues them (the app refreshes them with REFRESH_TOKEN_AUTH like any user's), and the
``username`` and ``secret`` to sign in with again (SRP) once the refresh token has expired: the app keeps
them as it would a password. ``POST /me/upgrade`` makes the guest a registered user, keeping everything.

Abuse: nothing but the caller's address holds a script back, so guests from one address are limited an
hour (429 ``rate_limited`` with ``Retry-After``; zik.ratelimit); the API stage's throttling is in front.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from zik import ratelimit
from zik.http import create_app, json_response, responds
from zik.observability import api_handler, logger, metrics
from zik.platform.guests import GUEST_NAME, GuestPlans, Guests, new_credentials
from zik.platform.identity import CognitoUsers, identity_id_of
from zik.platform.store import ProfileStore
from zik.principal import DEFAULT_TENANT, Principal

app = create_app()
users = CognitoUsers()
guests = Guests()
plans = GuestPlans()
profiles = ProfileStore(guests.table)


@app.post("/guests")
@responds({201: "guest"})
def create_guest():
    """Create a guest, an account with no address or password of the user's, and sign it in (no token needed).

    201 with `userId`, `username` and `secret` (keep them: they sign the guest in again), and the tokens
    (`idToken`, `accessToken`, `refreshToken`, `expiresIn`). At most GUEST_SIGNUPS_PER_ADDRESS_PER_HOUR
    guests from one address an hour (429 `rate_limited` with Retry-After). `POST /me/upgrade` makes the
    guest a registered user."""
    ratelimit.admit_guest_sign_up(app.current_event.request_context.identity.source_ip)
    username, secret = new_credentials()
    sub = users.create_guest(username, secret, GUEST_NAME)
    owner = Principal(user_id=sub, tenant_id=DEFAULT_TENANT, email=username)
    try:
        tokens = users.sign_in(username, secret)
        # The guest's mark (with their identity pool identity) and the start of their onboarding: one write,
        # then their AI plan.
        profiles.start(owner, with_writes=[guests.register_request(owner, identity_id_of(tokens["idToken"]))])
        plans.mark(owner)
    except Exception:
        # Nothing half-made: without its mark a guest would never be swept, without its plan it would spend
        # a user's AI budget. The Cognito user goes; the items, if written, are the erasure's to find.
        logger.exception("guest sign-up failed: the new user is deleted")
        users.delete(sub)
        plans.clear(owner)
        raise
    metrics.add_metric(name="GuestsCreated", unit="Count", value=1)
    logger.info("guest created", extra={"userId": sub})
    return json_response({"userId": sub, "username": username, "secret": secret, "guest": True, **tokens}, 201, headers={"Cache-Control": "no-store"})


@api_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
