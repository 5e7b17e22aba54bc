"""/me: the caller's profile and preferences, all of their data as JSON, and the erasure of it all."""

from __future__ import annotations

from zik import events, userdata
from zik.clock import now_iso
from zik.http import body, create_app, json_response, principal
from zik.idempotency import Claim, run_once
from zik.observability import api_handler, logger, metrics
from zik.platform import profiles
from zik.platform.identity import delete_identity
from zik.platform.store import ProfileStore
from zik.journal import userdata_hooks as journal_data
from zik.quests import userdata_hooks as quests_data

app = create_app()
store = ProfileStore()
userdata.register("profile", export=store.get, erase=store.erase)
quests_data.register()
journal_data.register()


@app.get("/me")
def get_me() -> dict:
    """The caller's profile and preferences.

    A user who never saved one gets the defaults, at version 0."""
    owner = principal(app)
    return store.get(owner) or profiles.default_profile(owner)


@app.put("/me")
def put_me() -> dict:
    """Change the caller's profile and preferences.

    Only the fields sent change; preferences merge key by key. Send back the `version` you read to refuse
    overwriting a newer save (409). A retry with the same `Idempotency-Key` header has one effect."""
    owner = principal(app)
    update = body(app, "profile_update")

    def save(_claim: Claim | None) -> dict:
        current = store.get(owner) or profiles.default_profile(owner)
        merged = profiles.apply_update(current, update)
        changed = profiles.changed_fields(current, merged)
        if current["version"] and not changed:
            return current  # nothing to change (a retry of a save already made): no new version, no event
        # UserProfileUpdated leaves through UsersTable's stream (PlatformStreamFunction).
        return store.save(owner, merged, expected_version=current["version"], changed=changed)

    return run_once(app, owner, save)


@app.get("/me/export")
def export_me():
    """All of the caller's data, in every domain, as one JSON download."""
    owner = principal(app)
    document = {
        "exportedAt": now_iso(),
        "user": {"userId": owner.user_id, "tenantId": owner.tenant_id, "email": owner.email},
        "data": userdata.export_all(owner),
    }
    return json_response(
        document, headers={"Content-Disposition": f'attachment; filename="zik-export-{owner.user_id}.json"'}
    )


@app.delete("/me")
def delete_me() -> dict:
    """Erase all of the caller's data, in every domain, and their sign-in.

    Erasing twice is harmless: the second time erases nothing."""
    owner = principal(app)
    erased = userdata.erase_all(owner)
    delete_identity(owner)
    events.publish(events.event("UserDeleted", "platform", owner, erased=erased))
    metrics.add_metric(name="UsersDeleted", unit="Count", value=1)
    logger.info("user data erased", extra={"erased": erased})
    return {"deleted": True, "erased": erased}


@api_handler
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
