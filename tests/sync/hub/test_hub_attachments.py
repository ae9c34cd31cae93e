"""Resumable attachment uploads: HEAD for progress, PUT by offset, 409/422/413 exactly as the contract says."""
import hashlib
import os

import pytest

from sync.hub.context import CONTRACT_MAX_ATTACHMENT

pytestmark = pytest.mark.timeout(60)
PATH = "/api/v1/attachments/"


def head(session, hub, terminal, sha):
    reply = session.head(hub.url + PATH + sha, auth=terminal.auth(), timeout=10)
    assert reply.status_code == 200, reply.status_code
    return int(reply.headers["X-ZDB-Received"]), reply.headers["X-ZDB-Complete"]


def put(session, hub, terminal, sha, offset, total, chunk):
    return session.put(hub.url + PATH + sha, params={"offset": offset, "total": total}, data=chunk,
                       auth=terminal.auth(), timeout=10, headers={"Content-Type": "application/octet-stream"})


@pytest.fixture
def photo() -> tuple[bytes, str]:
    data = os.urandom(300_000)
    return data, hashlib.sha256(data).hexdigest()


def test_an_upload_resumes_where_the_hub_says(session, hub, terminal, photo):
    data, sha = photo
    assert head(session, hub, terminal, sha) == (0, "false")
    first = put(session, hub, terminal, sha, 0, len(data), data[:100_000])
    assert first.json() == {"received": 100_000, "complete": False}
    # ... the connection drops; the terminal asks how far it got and goes on from there
    received, _ = head(session, hub, terminal, sha)
    assert received == 100_000
    assert put(session, hub, terminal, sha, received, len(data), data[received:200_000]).json()["complete"] is False
    last = put(session, hub, terminal, sha, 200_000, len(data), data[200_000:])
    assert last.json() == {"received": len(data), "complete": True}
    assert head(session, hub, terminal, sha) == (len(data), "true")
    assert b"".join(hub.store.attachment_chunks(sha)) == data


def test_a_wrong_offset_is_409_with_the_bytes_held(session, hub, terminal, photo):
    data, sha = photo
    put(session, hub, terminal, sha, 0, len(data), data[:1000])
    for offset in (0, 500, 2000):
        reply = put(session, hub, terminal, sha, offset, len(data), data[offset:offset + 1000])
        assert reply.status_code == 409 and reply.json()["received"] == 1000
    assert head(session, hub, terminal, sha) == (1000, "false")


def test_content_that_does_not_match_its_hash_is_422_and_discarded(session, hub, terminal, photo):
    data, sha = photo
    put(session, hub, terminal, sha, 0, len(data), data[:1000])
    reply = put(session, hub, terminal, sha, 1000, len(data), os.urandom(len(data) - 1000))
    assert reply.status_code == 422
    assert head(session, hub, terminal, sha) == (0, "false")
    assert put(session, hub, terminal, sha, 0, len(data), data).json() == {"received": len(data), "complete": True}


def test_a_resent_last_chunk_after_a_lost_reply_is_fine(session, hub, terminal, photo):
    data, sha = photo
    put(session, hub, terminal, sha, 0, len(data), data)
    again = put(session, hub, terminal, sha, 0, len(data), data)
    assert again.status_code == 200 and again.json() == {"received": len(data), "complete": True}


def test_sizes_over_the_cap_are_413(session, hub, terminal, photo):
    _, sha = photo
    assert put(session, hub, terminal, sha, 0, CONTRACT_MAX_ATTACHMENT + 1, b"x").status_code == 413
    too_big_chunk = b"x" * (4 * 1024 * 1024 + 1)
    assert put(session, hub, terminal, sha, 0, len(too_big_chunk), too_big_chunk).status_code == 413


@pytest.mark.parametrize("params", [{"offset": 0}, {"total": 5}, {"offset": -1, "total": 5},
                                    {"offset": "x", "total": 5}, {"offset": 0, "total": 0}])
def test_bad_parameters_are_400(session, hub, terminal, params, photo):
    _, sha = photo
    reply = session.put(hub.url + PATH + sha, params=params, data=b"abc", auth=terminal.auth(), timeout=10)
    assert reply.status_code == 400


def test_a_chunk_past_the_total_and_a_bad_hash_are_400(session, hub, terminal, photo):
    _, sha = photo
    assert put(session, hub, terminal, sha, 0, 3, b"abcd").status_code == 400
    assert put(session, hub, terminal, "ABC", 0, 3, b"abc").status_code == 400


def test_uploads_need_a_signature(session, hub, photo):
    data, sha = photo
    assert session.put(hub.url + PATH + sha, params={"offset": 0, "total": 3}, data=b"abc",
                       timeout=10).status_code == 401
    assert session.head(hub.url + PATH + sha, timeout=10).status_code == 401
