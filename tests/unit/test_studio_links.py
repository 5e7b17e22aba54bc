"""zik.studio.links: a CloudFront signed URL (canned policy, RSA-SHA1) verifiable with the key group's public
key, the private key read from Secrets Manager once per environment; else an S3 presigned GET."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from zik import clock
from zik.config import ConfigError
from zik.studio import links

KEY = "thumbnails/8f1c2a7e-4b3d-4c9a-9e61-2d5b7f0a1c34/k3v9q2xa7m1p0d5r8s4t/256.jpg"


@pytest.fixture
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def cdn(aws, monkeypatch, rsa_key):
    pem = rsa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    boto3.client("secretsmanager").create_secret(Name="zik/cdn-private-key", SecretString=pem)
    monkeypatch.setenv("CDN_DOMAIN", "https://d111111abcdef8.cloudfront.net/")
    monkeypatch.setenv("CDN_KEY_PAIR_ID", "K2JCJMDEHXQW5F")
    monkeypatch.setenv("CDN_PRIVATE_KEY_SECRET", "zik/cdn-private-key")
    links._cloudfront_signer.cache_clear()
    yield rsa_key.public_key()
    links._cloudfront_signer.cache_clear()


def cloudfront_signature(text: str) -> bytes:
    # CloudFront's URL-safe base64: '+' '=' '/' written as '-' '_' '~'.
    return base64.b64decode(text.replace("-", "+").replace("_", "=").replace("~", "/"))


def test_a_cloudfront_link_is_signed_with_the_key_and_verifies_with_its_public_half(cdn):
    before = clock.epoch_seconds()
    url = links.signed_url(KEY, expires_in=600)

    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "d111111abcdef8.cloudfront.net", "/" + KEY)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    assert query["Key-Pair-Id"] == "K2JCJMDEHXQW5F"
    expires = int(query["Expires"])
    assert before + 599 <= expires <= clock.epoch_seconds() + 601
    resource = url.split("?", 1)[0]
    policy = json.dumps({"Statement": [{"Resource": resource, "Condition": {"DateLessThan": {"AWS:EpochTime": expires}}}]}, separators=(",", ":"))
    cdn.verify(cloudfront_signature(query["Signature"]), policy.encode(), padding.PKCS1v15(), hashes.SHA1())
    # Another resource (another user's photo) or a later expiry is not what was signed.
    for forged in (policy.replace("256.jpg", "1024.jpg"), policy.replace(str(expires), str(expires + 3600))):
        with pytest.raises(InvalidSignature):
            cdn.verify(cloudfront_signature(query["Signature"]), forged.encode(), padding.PKCS1v15(), hashes.SHA1())


def test_the_private_key_is_read_once_per_environment(cdn, monkeypatch):
    from aws_lambda_powertools.utilities import parameters

    reads = []
    real = parameters.get_secret
    monkeypatch.setattr(parameters, "get_secret", lambda name, **kwargs: reads.append(name) or real(name, **kwargs))
    for _ in range(5):
        links.signed_url(KEY)
    assert reads == ["zik/cdn-private-key"]


def test_a_secret_that_holds_no_rsa_key_is_a_configuration_error(aws, monkeypatch):
    boto3.client("secretsmanager").create_secret(Name="zik/not-a-key", SecretString="hunter2")
    monkeypatch.setenv("CDN_DOMAIN", "d111111abcdef8.cloudfront.net")
    monkeypatch.setenv("CDN_KEY_PAIR_ID", "K2JCJMDEHXQW5F")
    monkeypatch.setenv("CDN_PRIVATE_KEY_SECRET", "zik/not-a-key")
    links._cloudfront_signer.cache_clear()
    with pytest.raises(ConfigError) as raised:
        links.signed_url(KEY)
    assert "hunter2" not in str(raised.value)
    links._cloudfront_signer.cache_clear()


def test_without_the_distribution_a_link_is_an_s3_presigned_get_that_works(aws, monkeypatch):
    for name in links.CDN_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CDN_KEY_PAIR_ID", "K2JCJMDEHXQW5F")  # one setting alone does not make a CloudFront link
    monkeypatch.setenv("STUDIO_BUCKET", "studio-links-test")
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="studio-links-test")
    s3.put_object(Bucket="studio-links-test", Key=KEY, Body=b"thumbnail bytes")

    url = links.signed_url(KEY, expires_in=120)

    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert "studio-links-test" in parts.netloc + parts.path and parts.path.endswith(KEY)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"] and query["X-Amz-Expires"] == ["120"]
    import requests  # moto serves a presigned URL to requests inside mock_aws

    assert requests.get(url, timeout=5).content == b"thumbnail bytes"


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_a_link_lasts_a_positive_whole_number_of_seconds(bad):
    with pytest.raises(ValueError):
        links.signed_url(KEY, expires_in=bad)
