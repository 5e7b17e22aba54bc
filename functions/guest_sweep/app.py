"""The daily sweep of guests away for 30 days: each is erased through the platform's user deletion path,
as DELETE /me erases a user (the erasure item, whose UserDeleted sends every domain's erasure on its way, and
the Cognito user), and loses their AI plan.

Guests come from the GuestsByActivity index, one shard after another (zik.platform.guests); a guest who came
back since the index was read, or upgraded, is left alone (the erasure's transaction checks the mark, and
Cognito's groups are asked first: an upgrade that failed after Cognito's part leaves a mark on a user). The sweep
stops while it has time left; what it did not reach, tomorrow's run (or a retry) finds: a guest erased
already is skipped, so a run that is retried has no double effect.
"""

from __future__ import annotations

from zik import clock
from zik.observability import instrument, logger, metrics
from zik.platform.accounts import ERASING_DOMAINS, Accounts
from zik.platform.guests import GuestPlans, Guests, inactive_cutoff, shards
from zik.platform.identity import CognitoUsers

guests = Guests()
accounts = Accounts(guests.table)
plans = GuestPlans()
users = CognitoUsers()
# Time kept back at the end of a run: a guest's erasure is three short calls.
MARGIN_MS = 3_000


def sweep(remaining_ms: object = None) -> dict:
    cutoff = inactive_cutoff(clock.now())
    erased = skipped = 0
    for shard in shards():
        for owner, identity_id in guests.inactive(shard, cutoff):
            if callable(remaining_ms) and remaining_ms() < MARGIN_MS:
                logger.info("guest sweep stopped for time", extra={"erased": erased, "shard": shard})
                return {"erased": erased, "skipped": skipped, "complete": False, "cutoff": cutoff}
            if not users.is_guest(owner.user_id):
                # Upgraded, though their mark outlived it (the upgrade failed after Cognito's part): a user now.
                guests.forget(owner)
                skipped += 1
                continue
            if accounts.begin_erasure(owner, ERASING_DOMAINS, guest_inactive_before=cutoff, identity_id=identity_id) is None:
                skipped += 1  # back since the index was read, or upgraded
                continue
            users.delete(owner.user_id)
            plans.clear(owner)
            erased += 1
    return {"erased": erased, "skipped": skipped, "complete": True, "cutoff": cutoff}


@instrument()
def lambda_handler(event: dict, context: object) -> dict:
    result = sweep(getattr(context, "get_remaining_time_in_millis", None))
    metrics.add_metric(name="InactiveGuestsErased", unit="Count", value=result["erased"])
    logger.info("guest sweep done", extra=result)
    return result
