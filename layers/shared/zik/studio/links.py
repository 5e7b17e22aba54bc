"""Links the API answers to the studio's private objects (photos, thumbnails, try-on results, previews).

In AWS the studio bucket is private and served through the seed's CloudFront distribution (origin access
control): a link is a CloudFront signed URL with a canned policy (the key's URL, valid until a time),
signed with RSA-SHA1 (the one algorithm CloudFront's canned policies take) by the private key of the
distribution's key group. It applies when CDN_DOMAIN, CDN_KEY_PAIR_ID and CDN_PRIVATE_KEY_SECRET (the
Secrets Manager id of the PEM key) are all set. The key is read and parsed once per execution
environment: a rotated key reaches new environments, and an old link stays valid as long as the key
group still holds its public key.

Without them (locally, in tests, in a stack without the distribution) a link is an S3 presigned GET of
the object in STUDIO_BUCKET, signed locally with no network call.

``cryptography`` (for the RSA signature) is imported only when a CloudFront link is first made.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import quote

from zik import clock, config

DEFAULT_SECONDS = 3600
CDN_SETTINGS = ("CDN_DOMAIN", "CDN_KEY_PAIR_ID", "CDN_PRIVATE_KEY_SECRET")


def signed_url(key: str, expires_in: int = DEFAULT_SECONDS) -> str:
    """A link to the object ``key`` valid for ``expires_in`` seconds: CloudFront's when the distribution is
    configured, else S3's."""
    if not isinstance(expires_in, int) or isinstance(expires_in, bool) or expires_in < 1:
        raise ValueError(f"a link lasts a positive whole number of seconds, not {expires_in!r}")
    if not key or key.startswith("/"):
        raise ValueError(f"an object key, not {key!r}")
    settings = {name: os.environ.get(name) or "" for name in CDN_SETTINGS}
    if all(settings.values()):
        signer = _cloudfront_signer(settings["CDN_KEY_PAIR_ID"], settings["CDN_PRIVATE_KEY_SECRET"])
        url = f"https://{_domain(settings['CDN_DOMAIN'])}/{quote(key, safe='/')}"
        return signer.generate_presigned_url(url, date_less_than=clock.now() + dt.timedelta(seconds=expires_in))
    from zik.buckets import s3_client

    bucket = config.require("STUDIO_BUCKET")["STUDIO_BUCKET"]
    return s3_client().generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires_in)


def _domain(raw: str) -> str:
    """The distribution's host, whether the setting is "d1.cloudfront.net" or "https://d1.cloudfront.net/"."""
    host = raw.strip()
    for scheme in ("https://", "http://"):
        if host.lower().startswith(scheme):
            host = host[len(scheme) :]
    return host.rstrip("/")


@cache
def _cloudfront_signer(key_pair_id: str, secret_id: str) -> Any:
    from botocore.signers import CloudFrontSigner

    return CloudFrontSigner(key_pair_id, rsa_sha1_signer(_private_key_pem(secret_id)))


def rsa_sha1_signer(pem: bytes) -> Callable[[bytes], bytes]:
    """What CloudFrontSigner calls to sign a policy: PKCS#1 v1.5 over SHA-1 with the PEM's RSA key."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    private_key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise config.ConfigError("CDN_PRIVATE_KEY_SECRET must hold an RSA private key (PEM): CloudFront signs with RSA")

    def sign(message: bytes) -> bytes:
        return private_key.sign(message, padding.PKCS1v15(), hashes.SHA1())

    return sign


def _private_key_pem(secret_id: str) -> bytes:
    from aws_lambda_powertools.utilities import parameters

    try:
        value = parameters.get_secret(secret_id)
    except parameters.exceptions.GetParameterError:
        # The secret's value is never put in a message; its id is configuration.
        raise config.ConfigError(f"the CloudFront signing key could not be read from secret {secret_id}") from None
    pem = value if isinstance(value, bytes) else str(value).encode()
    if b"PRIVATE KEY" not in pem:
        raise config.ConfigError(f"secret {secret_id} does not hold a PEM private key")
    return pem
