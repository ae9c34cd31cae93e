"""Signed requests: every way a request can fail authentication, and the hub time on every reply."""
import time

import pytest

from sync.auth import HEADER_HUB_TIME, MAX_SKEW_S, NONCE_WINDOW_S, KeyPair, new_nonce
from sync.hub.testing import EnrolledTerminal
from sync.protocol import HEALTH_PATH, PROTOCOL_VERSION, RECORDS_PATH

from hub_helpers import STATION, batch_body, record

pytestmark = pytest.mark.timeout(60)
STATUS_PATH = "/api/v1/streams/status"


def post_signed(session, hub, terminal, body, *, signed_body=None, timestamp=None, nonce=None, path=RECORDS_PATH):
    headers = terminal.headers("POST", path, body if signed_body is None else signed_body,
                               timestamp=timestamp, nonce=nonce)
    return session.post(hub.url + path, data=body, timeout=10,
                        headers={**headers, "Content-Encoding": "gzip", "Content-Type": "application/json"})


def refusal(response) -> str:
    assert response.status_code == 401, response.text
    assert HEADER_HUB_TIME in response.headers
    return response.json()["error"]


def test_a_signed_push_is_stored_with_its_terminal(session, hub, terminal):
    reply = post_signed(session, hub, terminal, batch_body(STATION, [record("r1")]))
    assert reply.status_code == 200 and reply.json()["results"] == [{"id": "r1", "status": "accepted"}]
    assert hub.store.get("r1").terminal_id == terminal.terminal_id


def test_an_unknown_terminal_is_refused(session, hub, terminal):
    stranger = EnrolledTerminal("t-nobody", KeyPair.generate(), "")
    assert refusal(post_signed(session, hub, stranger, batch_body(STATION, [record("r1")]))) == "unknown_terminal"
    no_headers = session.post(hub.url + RECORDS_PATH, data=batch_body(STATION, [record("r1")]), timeout=10)
    assert refusal(no_headers) == "unknown_terminal"
    assert hub.store.count() == 0


def test_a_revoked_terminal_is_refused(session, hub, terminal):
    assert hub.store.revoke_terminal(terminal.terminal_id)
    assert refusal(post_signed(session, hub, terminal, batch_body(STATION, [record("r1")]))) == "revoked"


def test_a_key_that_is_not_the_enrolled_one_is_refused(session, hub, terminal):
    impostor = EnrolledTerminal(terminal.terminal_id, KeyPair.generate(), "")
    assert refusal(post_signed(session, hub, impostor, batch_body(STATION, [record("r1")]))) == "bad_signature"


def test_a_tampered_body_is_refused(session, hub, terminal):
    signed, sent = batch_body(STATION, [record("r1")]), batch_body(STATION, [record("r2")])
    assert refusal(post_signed(session, hub, terminal, sent, signed_body=signed)) == "bad_signature"
    assert hub.store.count() == 0


def test_a_tampered_path_or_query_is_refused(session, hub, terminal):
    headers = terminal.headers("GET", STATUS_PATH + "?limit=5")
    assert refusal(session.get(hub.url + STATUS_PATH + "?limit=6", headers=headers, timeout=10)) == "bad_signature"
    headers = terminal.headers("GET", "/api/v1/streams/guides")
    assert refusal(session.get(hub.url + STATUS_PATH, headers=headers, timeout=10)) == "bad_signature"
    headers = terminal.headers("POST", STATUS_PATH)   # the method is signed too
    assert refusal(session.get(hub.url + STATUS_PATH, headers=headers, timeout=10)) == "bad_signature"


@pytest.mark.parametrize("skew", [-MAX_SKEW_S - 5, MAX_SKEW_S + 5])
def test_a_stale_timestamp_is_refused(session, hub, terminal, skew):
    body = batch_body(STATION, [record("r1")])
    assert refusal(post_signed(session, hub, terminal, body, timestamp=int(time.time()) + skew)) == "stale_timestamp"


def test_a_timestamp_within_the_skew_is_accepted(session, hub, terminal):
    body = batch_body(STATION, [record("r1")])
    assert post_signed(session, hub, terminal, body, timestamp=int(time.time()) - MAX_SKEW_S + 5).status_code == 200


def test_a_terminal_with_a_wrong_clock_learns_the_offset_from_any_reply(session, hub, terminal):
    days_behind = -3 * 86400
    health = session.get(hub.url + HEALTH_PATH, timeout=10)
    offset = int(health.headers[HEADER_HUB_TIME]) - (int(time.time()) + days_behind)
    reply = session.get(hub.url + STATUS_PATH, timeout=10,
                        auth=terminal.auth(clock=lambda: time.time() + days_behind, offset_s=offset))
    assert reply.status_code == 200


def test_a_replayed_request_is_refused(session, hub, terminal):
    body, nonce, now = batch_body(STATION, [record("r1")]), new_nonce(), int(time.time())
    assert post_signed(session, hub, terminal, body, nonce=nonce, timestamp=now).status_code == 200
    assert refusal(post_signed(session, hub, terminal, body, nonce=nonce, timestamp=now)) == "replayed"
    # The same nonce on another request of the same terminal is a replay too.
    other = batch_body(STATION, [record("r2")])
    assert refusal(post_signed(session, hub, terminal, other, nonce=nonce, timestamp=now)) == "replayed"


def test_a_short_or_malformed_nonce_is_refused(session, hub, terminal):
    body = batch_body(STATION, [record("r1")])
    for nonce in ("abc", "not base64 !!", "x" * 500):
        assert refusal(post_signed(session, hub, terminal, body, nonce=nonce)) == "bad_signature"


def test_a_forged_request_cannot_burn_a_nonce(session, hub, terminal):
    body, nonce = batch_body(STATION, [record("r1")]), new_nonce()
    forger = EnrolledTerminal(terminal.terminal_id, KeyPair.generate(), "")
    assert refusal(post_signed(session, hub, forger, body, nonce=nonce)) == "bad_signature"
    assert post_signed(session, hub, terminal, body, nonce=nonce).status_code == 200


def test_nonces_are_forgotten_after_the_window(hub_store, clock):
    assert hub_store.remember_nonce("t-1", "n" * 24)
    assert not hub_store.remember_nonce("t-1", "n" * 24)
    clock.advance(NONCE_WINDOW_S + 61)
    assert hub_store.remember_nonce("t-1", "m" * 24)   # this call purges the old one
    assert hub_store.remember_nonce("t-1", "n" * 24)


def test_health_and_enroll_need_no_signature_and_carry_hub_time(session, hub, clock):
    clock.advance(3600)
    health = session.get(hub.url + HEALTH_PATH, timeout=10)
    assert health.status_code == 200 and health.json()["protocol"] == PROTOCOL_VERSION
    assert abs(int(health.headers[HEADER_HUB_TIME]) - (time.time() + 3600)) < 5


@pytest.mark.parametrize("method,path", [("GET", "/api/v1/nothing"), ("DELETE", "/"), ("GET", "/staff/records/x"),
                                         ("POST", "/api/v1/enroll")])
def test_every_reply_carries_hub_time(session, hub, method, path):
    assert HEADER_HUB_TIME in session.request(method, hub.url + path, timeout=10).headers


def test_even_a_server_error_carries_hub_time(session, hub, terminal, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(hub.store, "ingest", broken)
    reply = post_signed(session, hub, terminal, batch_body(STATION, [record("r1")]))
    assert reply.status_code == 500 and HEADER_HUB_TIME in reply.headers
    assert "disk on fire" not in reply.text


def test_a_busy_database_is_503_with_retry_after(session, hub, terminal, monkeypatch):
    from sync.hub.store import StoreBusy

    def busy(*args, **kwargs):
        raise StoreBusy("database is locked")
    monkeypatch.setattr(hub.store, "ingest", busy)
    reply = post_signed(session, hub, terminal, batch_body(STATION, [record("r1")]))
    assert (reply.status_code, reply.headers["Retry-After"], reply.json()) == (503, "5", {"error": "busy"})
    monkeypatch.setattr(hub.store, "terminal", busy)   # already in the signature check
    reply = post_signed(session, hub, terminal, batch_body(STATION, [record("r2")]))
    assert reply.status_code == 503 and HEADER_HUB_TIME in reply.headers
