"""The caller's career profile (the seed's /api/users): name, career stage, skills and job preferences.
Always the caller's own: a userId in the query is no key to another user's, and the body has none."""

from __future__ import annotations

from zik.career.profiles import Profiles
from zik.http import body, create_app, principal
from zik.observability import api_handler

app = create_app()
profiles = Profiles()


@app.get("/api/users")
def get_profile():
    """Your career profile (`version` 0 and its defaults until you first save it; `resume` is the summary
    of your latest analysed resume, when there is one)."""
    return profiles.get(principal(app))


@app.put("/api/users")
def put_profile():
    """Change your career profile: `name`, `careerStage`, `skills` (written as the vocabulary names them),
    `preferences` (`roles`, `locations`, `remote`, `minSalary`, `currency`; merged key by key). Send the
    `version` you read to be refused (409) if it changed since; without it your change is merged into the
    newest profile."""
    owner = principal(app)
    return profiles.update(owner, body(app, "career_profile_put"))


@api_handler
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
