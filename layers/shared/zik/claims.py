"""An Idempotency-Key as the seed of the id of what a request creates (see zik.idempotency): every retry
of the request names the same item, so the create's conditional write finds what a first attempt wrote,
even one whose function was killed before Powertools could record its answer. No AWS in here: domain
services take a ``Claim`` without importing the HTTP side."""

from __future__ import annotations

from dataclasses import dataclass

BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
HEX = "0123456789abcdef"


@dataclass(frozen=True)
class Claim:
    """One caller's Idempotency-Key on one route, hashed (``digest``: SHA-256 of owner, route and key)."""

    digest: bytes

    def id(self, prefix: str = "", *, length: int = 12, alphabet: str = BASE36) -> str:
        """The same id for every retry of the request; unguessable without the key."""
        number = int.from_bytes(self.digest, "big")
        chars = []
        for _ in range(length):
            number, digit = divmod(number, len(alphabet))
            chars.append(alphabet[digit])
        return prefix + "".join(chars)
