"""/me: the caller's profile and preferences, all of their data as JSON, and the erasure of it all."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from zik import userdata
from zik.career import userdata_hooks as career_data
from zik.errors import Conflict, InvalidRequest, NotFound, Unauthorized
from zik.http import body, create_app, json_response, principal, responds
from zik.idempotency import Claim, run_once
from zik.journal import userdata_hooks as journal_data
from zik.observability import api_handler, logger, metrics
from zik.platform import exports_hooks as exports_data
from zik.platform import onboarding, passwords, profiles
from zik.platform.accounts import AccountErased, Accounts
from zik.platform.exports import INLINE_ITEMS, Exports, document
from zik.platform.guests import GuestPlans, Guests
from zik.platform.identity import CognitoUsers, EmailTaken, PasswordRefused, delete_identity, identity_id_of
from zik.platform.store import ProfileStore, complete
from zik.points import userdata_hooks as points_data
from zik.principal import Principal
from zik.quests import userdata_hooks as quests_data
from zik.studio import userdata_hooks as studio_data

app = create_app()
store = ProfileStore()
accounts = Accounts(store.table)
exports = Exports(store.table)
guests = Guests(store.table)
plans = GuestPlans()
cognito_users = CognitoUsers()
quests_data.register()
journal_data.register()
career_data.register()
studio_data.register()
points_data.register()
exports_data.register(exports)
# The domains that erase a user's data on UserDeleted (the profile goes with the erasure's first write).
ERASING_DOMAINS = [hook.domain for hook in userdata.hooks()]


def started(owner: Principal, profile: dict | None) -> dict:
    """The profile (as the store shows it), its onboarding started: the first GET or PUT /me of a new user
    (or the first of a user whose profile was saved before onboarding) starts it."""
    if profile is not None and profile["onboarding"]["startedAt"]:
        return profile
    if not store.start(owner):
        raise AccountErased("this account was deleted (DELETE /me): sign up again to use zik")
    return store.get(owner) or complete(owner, {})


@app.get("/me")
@responds({200: "user_profile"})
def get_me() -> dict:
    """Read the caller's profile and preferences, and how far their onboarding has come.

    A user who never saved one gets the defaults, at version 0. `onboarding` lists the steps of a new
    user (`timezone`, `interests`, `first_goal_or_entry`, `career_profile`), each with `done` and
    `doneAt`, and names the `next` one (null once `complete`); the first GET starts it (`startedAt`)."""
    owner = principal(app, while_erased=True)  # the profile's read checks the account too: one query
    stored = accounts.profile(owner)
    return started(owner, complete(owner, stored) if stored else None)


@app.put("/me")
@responds({200: "user_profile"}, errors=(409, 422))
def put_me() -> dict:
    """Change the caller's profile and preferences: only the fields sent change.

    Preferences merge key by key; `interests` (known ids) replaces the list. Sending `timezone` or
    `interests` completes that onboarding step. Send back the `version` you read to refuse overwriting a
    newer save (409 `version_conflict`). A retry with the same `Idempotency-Key` header has one effect:
    409 while the first is still running, 422 when the key came with another body."""
    owner = principal(app)
    update = body(app, "profile_update")

    def save(_claim: Claim | None) -> dict:
        current = store.get(owner)
        if current is None or not current["onboarding"]["startedAt"]:
            # Bad input (a timezone, a stale version) is refused before the first write starts onboarding.
            profiles.apply_update(current or complete(owner, {}), update)
            current = started(owner, current)
        merged = profiles.apply_update(current, update)
        steps = onboarding.pending(current["onboarding"], onboarding.steps_of_update(update))
        if current["version"] and not profiles.differs(current, merged) and not steps:
            return current  # nothing to change (a retry of a save already made): no new version, no event
        # UserProfileUpdated leaves through UsersTable's stream (PlatformStreamFunction).
        return store.save(owner, merged, expected_version=current["version"], changed=profiles.changed_fields(current, merged), steps=steps)

    return run_once(app, owner, save)


@app.post("/me/upgrade")
@responds({200: "registered_user"}, errors=(409,))
def upgrade_guest():
    """Turn the calling guest into a registered user, with all of their data: `{email, password, name}`.

    The same user (the same `sub`) with all of their data; the guest's tokens stay valid until they
    expire. The answer holds new tokens (the `users` group, the address) and `emailVerified: false`: the
    user pool sends a code to the address, which the app confirms with Cognito's VerifyUserAttribute (the
    access token, `email` and the code). 409 when the address is another user's, or the caller is no guest
    (`already_registered`); 400 naming `password` when the pool's policy refuses it. Nothing changes then.
    Sent again after it worked (the same address and password), it answers the same; with another
    password, 401."""
    owner = principal(app)
    request = body(app, "guest_upgrade")
    typed, name, password = request["email"].strip(), request["name"].strip(), request["password"]
    email = typed.lower()
    missing = passwords.problems(password)
    if missing:
        raise InvalidRequest("the password needs " + ", ".join(missing), field="password")
    holders = cognito_users.holders(typed)
    if not guests.is_guest(owner):
        if owner.user_id in holders:
            # An upgrade that worked, asked again: the same answer, if the password is the one it set.
            return _registered(owner, email, password, verified=holders[owner.user_id])
        raise Conflict("this account is registered already: only a guest upgrades", field="email", details={"reason": "already_registered"})
    if set(holders) - {owner.user_id}:
        raise Conflict("another account uses this e-mail address", field="email")
    try:
        cognito_users.register(
            owner.user_id, email=email, name=name, password=password, guest_email=owner.email or cognito_users.email_of(owner.user_id)
        )
    except EmailTaken:
        raise Conflict("another account uses this e-mail address", field="email") from None
    except PasswordRefused as refused:
        raise InvalidRequest(f"the password was refused: {refused}", field="password") from None
    # No longer a guest: the mark goes (the inactivity sweep stops looking) and the AI budget is a user's.
    guests.forget(owner)
    plans.clear(owner)
    store.start(owner)  # a guest made before onboarding existed starts it now
    metrics.add_metric(name="GuestsUpgraded", unit="Count", value=1)
    logger.info("guest upgraded")
    return _registered(owner, email, password, verified=False)


def _registered(owner: Principal, email: str, password: str, *, verified: bool):
    try:
        tokens = cognito_users.sign_in(email, password)
    except cognito_users.client.exceptions.NotAuthorizedException:
        raise Unauthorized("the password is not this account's") from None
    answer = {"userId": owner.user_id, "email": email, "emailVerified": verified, "guest": False, **tokens}
    return json_response(answer, 200, headers={"Cache-Control": "no-store"})


@app.get("/me/export")
@responds({200: "me_export", 202: "export_job"})
def export_me():
    """Export all of the caller's data, in every domain, as one JSON download.

    A small export is the answer itself (200, a JSON attachment). One of more than a few thousand items is
    prepared in the background: 202 with `exportId` and `statusUrl` (GET /me/exports/{exportId}), which
    answers a `downloadUrl` once it is ready."""
    owner = principal(app)
    if userdata.export_size(owner) > INLINE_ITEMS:
        return json_response(exports.request(owner), 202)  # ExportRequested leaves through the table's stream
    data = {"profile": store.get(owner), **userdata.export_all(owner)}
    return json_response(
        document(owner, data, email=owner.email), headers={"Content-Disposition": f'attachment; filename="zik-export-{owner.user_id}.json"'}
    )


@app.get("/me/exports/<export_id>")
@responds({200: "export_job"})
def get_export(export_id: str) -> dict:
    """Say how an export prepared in the background goes, with its link once it is ready.

    `status` is `preparing`, `ready` or `failed` and, once ready, `downloadUrl` is valid 15 minutes
    (`expiresAt`). Exports are kept 7 days."""
    found = exports.status(principal(app), export_id)
    if found is None:
        raise NotFound(f"no export {export_id}", field="exportId")
    return found


@app.delete("/me")
@responds({202: "account_erasure"})
def delete_me():
    """Delete the caller's account and erase all of their data, in every domain, and their sign-in.

    Answers 202 at once with the erasure (`erasureId`, `status: erasing`, each domain's progress). From
    that moment the account's tokens open nothing but `GET /me/erasure` (401 elsewhere); each domain then
    erases the user's data on its own, and `GET /me/erasure` says when all have (`status: erased`).
    Asking again answers the same erasure."""
    owner = principal(app, while_erased=True)
    # The user's files in the identity pool's prefix go with the studio's erasure: their identity, from the token.
    identity = identity_id_of(_bearer_token(app.current_event.headers))
    erasure = accounts.begin_erasure(owner, ERASING_DOMAINS, identity_id=identity)  # UserDeleted leaves through the table's stream
    assert erasure is not None  # None only when the guest sweep's guest_inactive_before spares a guest
    delete_identity(owner)
    metrics.add_metric(name="UsersDeleted", unit="Count", value=1)
    logger.info("user erasure begun", extra={"erasureId": erasure["erasureId"]})
    return json_response({**erasure, "statusUrl": "/me/erasure"}, 202)


def _bearer_token(headers: dict | None) -> str | None:
    for name, value in (headers or {}).items():
        if name.lower() == "authorization" and value:
            return value.split(" ", 1)[1].strip() if value.lower().startswith("bearer ") else value.strip()
    return None


@app.get("/me/erasure")
@responds({200: "account_erasure"}, errors=(404,))
def get_erasure() -> dict:
    """Say how the erasure of the caller's account goes, domain by domain.

    `status` is `erasing`, then `erased`; each domain's state and how many items it erased. The one
    route an account being erased still opens. 404 when the account is not being erased."""
    erasure = accounts.erasure(principal(app, while_erased=True))
    if erasure is None:
        raise NotFound("this account is not being erased")
    return {**erasure, "statusUrl": "/me/erasure"}


@api_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
