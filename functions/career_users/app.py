"""The caller's career profile (the seed's /api/users): name, career stage, skills and job preferences.
Always the caller's own: a userId in the query is no key to another user's, and the body has none."""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from zik.career.profiles import Profiles
from zik.http import body, create_app, principal, responds
from zik.observability import api_handler

app = create_app()
profiles = Profiles()


@app.get("/api/users")
@responds({200: "career_profile"})
def get_profile():
    """Your career profile: name, career stage, skills, job preferences and your latest resume's summary.

    Until you first save it, it is `version` 0 with its defaults; `resume` is there once a resume of yours
    was analysed."""
    return profiles.get(principal(app))


@app.put("/api/users")
@responds({200: "career_profile"}, errors=(409,))
def put_profile():
    """Change your career profile: the fields you send change, and the profile as saved is answered.

    `name`, `careerStage`, `skills` (written as the vocabulary names them), `preferences` (`roles`,
    `locations`, `remote`, `minSalary`, `currency`; merged key by key). 409: the `version` you sent is not
    the profile's any more (it changed since you read it); without a `version` your change is merged into
    the newest profile (409 only if it kept changing while it was saved)."""
    owner = principal(app)
    return profiles.update(owner, body(app, "career_profile_put"))


@api_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
