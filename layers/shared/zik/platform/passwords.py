"""The user pool's password policy (template.yaml, UserPool.Policies.PasswordPolicy; a unit test holds the two
equal), checked before the platform changes a user so that a refused password changes nothing."""

from __future__ import annotations

MINIMUM_LENGTH = 8
MAXIMUM_LENGTH = 256
REQUIRE_UPPERCASE = REQUIRE_LOWERCASE = REQUIRE_NUMBERS = REQUIRE_SYMBOLS = True
# The characters Cognito counts as symbols (and the space, which it accepts inside a password).
SYMBOLS = frozenset("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")


def problems(password: str) -> list[str]:
    """What the password lacks, in words an app can show; empty when the pool would take it."""
    found = []
    if len(password) < MINIMUM_LENGTH:
        found.append(f"at least {MINIMUM_LENGTH} characters")
    if len(password) > MAXIMUM_LENGTH:
        found.append(f"at most {MAXIMUM_LENGTH} characters")
    if REQUIRE_UPPERCASE and not any("A" <= c <= "Z" for c in password):
        found.append("an upper case letter")
    if REQUIRE_LOWERCASE and not any("a" <= c <= "z" for c in password):
        found.append("a lower case letter")
    if REQUIRE_NUMBERS and not any("0" <= c <= "9" for c in password):
        found.append("a digit")
    if REQUIRE_SYMBOLS and not any(c in SYMBOLS for c in password):
        found.append("a symbol")
    if password != password.strip():
        found.append("no space at either end")
    return found
