"""The embedded AWS's server (zik_local/aws_server.py): moto's APIs over keep-alive connections, paths as they
arrived, and a stop that ends its threads and frees its port."""

from __future__ import annotations

import http.client
import socket
from collections.abc import Iterator

import boto3
import pytest

from zik_local.aws_server import EmbeddedAWS


@pytest.fixture
def server() -> Iterator[EmbeddedAWS]:
    server = EmbeddedAWS("127.0.0.1", 0).start()
    yield server
    server.stop()
    _reset_moto()


def _reset_moto() -> None:
    """What the server's clients made stays in moto's backends (this process's): empty them, as LocalCloud.stop does."""
    from moto.moto_api import _internal

    _internal.moto_api_backend.reset()


def _client(server: EmbeddedAWS, service: str):  # noqa: ANN202 - boto3's client types are per service
    host, port = server.get_host_and_port()
    return boto3.client(
        service,
        endpoint_url=f"http://{host}:{port}",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_calls_share_one_kept_alive_connection(server: EmbeddedAWS) -> None:
    host, port = server.get_host_and_port()
    connection = http.client.HTTPConnection(host, port, timeout=10)
    headers = {
        "X-Amz-Target": "DynamoDB_20120810.ListTables",
        "Content-Type": "application/x-amz-json-1.0",
        "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x",
    }
    peers = set()
    for _ in range(5):
        connection.request("POST", "/", body=b"{}", headers=headers)
        response = connection.getresponse()
        assert response.status == 200 and b"TableNames" in response.read()
        assert (response.getheader("Connection") or "").lower() != "close"
        assert connection.sock is not None
        peers.add(connection.sock.getsockname())
    connection.close()
    assert len(peers) == 1  # the same socket answered all five


def test_s3_keys_keep_the_characters_percent_encoding_carries(server: EmbeddedAWS) -> None:
    s3 = _client(server, "s3")
    s3.create_bucket(Bucket="raw-paths")
    key = "users/a b/naïve%2Fslash+plus?.txt"
    s3.put_object(Bucket="raw-paths", Key=key, Body=b"kept")
    assert s3.get_object(Bucket="raw-paths", Key=key)["Body"].read() == b"kept"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="raw-paths")["Contents"]] == [key]


def test_stop_ends_its_thread_and_frees_the_port() -> None:
    server = EmbeddedAWS("127.0.0.1", 0).start()
    host, port = server.get_host_and_port()
    _client(server, "sqs").list_queues()
    thread = server._thread
    server.stop()
    _reset_moto()
    assert thread is not None and not thread.is_alive()
    with socket.socket() as probe:
        assert probe.connect_ex((host, port)) != 0
