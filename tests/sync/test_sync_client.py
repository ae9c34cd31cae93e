"""One push round: what gets settled in the outbox for every kind of hub answer (and non-answer)."""
import json
import socket

import pytest

from local_db.store import Outbox
from sync.client import HubHttpError, HubUnreachable, SyncClient
from sync.hub.testing import Reply, echo_results
from sync.protocol import RECORDS_PATH, ProtocolError, Status
from sync.quarantine import Quarantine

pytestmark = pytest.mark.timeout(30)

STATION = "zs-test-001"


def client_for(outbox, url, session, **kw) -> SyncClient:
    return SyncClient(outbox, url, STATION, session=session, **kw)


def fake_client(outbox, fake_hub, session, **kw) -> SyncClient:
    """Plain JSON bodies and no /health question: these fakes script the records endpoint only."""
    return client_for(outbox, fake_hub.url, session, encoding="identity", **kw)


def attempts(outbox: Outbox) -> dict[str, int]:
    return {item.record_id: item.attempts for item in outbox.pending(1000)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_push_delivers_and_marks(outbox, submit, hub, session):
    apps = submit(3)
    result = client_for(outbox, hub.url, session).push()
    assert result.sent == 3 and result.accepted == tuple(a.id for a in apps) and not result.rejected
    assert outbox.pending_count() == 0
    stored = hub.store.get(apps[0].id)
    assert stored.payload["receipt_no"] == apps[0].receipt_no and stored.station_id == STATION


def test_empty_outbox_sends_nothing(outbox, hub, session):
    assert client_for(outbox, hub.url, session).push().sent == 0
    assert hub.store.count() == 0


def test_batch_size_limits_one_request(outbox, submit, hub, session):
    submit(5)
    client = client_for(outbox, hub.url, session, batch_size=2)
    assert client.push().sent == 2 and outbox.pending_count() == 3


class LosesFirstReply(Outbox):
    """The hub committed, but the kiosk died (or the reply was lost) before it settled the rows."""
    lost = False

    def mark_delivered(self, record_ids):
        if not self.lost:
            self.lost = True
            return
        super().mark_delivered(record_ids)


def test_lost_reply_resend_is_duplicate_and_stored_once(outbox, submit, hub, session):
    apps = submit(2)
    client = client_for(LosesFirstReply(outbox.db), hub.url, session)
    assert len(client.push().accepted) == 2
    assert outbox.pending_count() == 2           # nothing settled: the same batch goes again
    again = client.push()
    assert again.accepted == () and again.duplicate == tuple(a.id for a in apps)
    assert outbox.pending_count() == 0 and hub.store.count() == 2


def test_hub_down_leaves_records_pending(outbox, submit, session):
    submit(2)
    with pytest.raises(HubUnreachable):
        client_for(outbox, f"http://127.0.0.1:{free_port()}", session, timeout_s=2).push()
    assert attempts(outbox) and set(attempts(outbox).values()) == {0}


def test_slow_hub_times_out_and_leaves_records_pending(outbox, submit, fake_hub, session):
    submit(1)
    fake_hub.reply = lambda m, p, b: Reply(body=b"{}", delay_s=5)
    with pytest.raises(HubUnreachable, match="timed out"):
        fake_client(outbox, fake_hub, session, timeout_s=0.3).push()
    assert outbox.pending_count() == 1


def accepted_with(body_fn):
    """A reply built from the ids actually sent."""
    def reply(method, path, body):
        return body_fn([r["id"] for r in json.loads(body)["records"]])
    return reply


def results(ids, status="accepted"):
    return json.dumps({"results": [{"id": i, "status": status} for i in ids]}).encode()


GARBAGE = {
    "html": lambda ids: Reply(body=b"<html>Gateway</html>", headers={"Content-Type": "text/html"}),
    "empty": lambda ids: Reply(body=b""),
    "truncated json": lambda ids: Reply(body=results(ids)[:25]),
    "dropped mid-body": lambda ids: Reply(body=results(ids)[:25], declared_length=len(results(ids))),
    "no results": lambda ids: Reply(body=b'{"ok": true}'),
    "ids not sent": lambda ids: Reply(body=results(ids + ["not-ours"])),
    "other ids": lambda ids: Reply(body=results(["x" + i for i in ids])),
    "some ids missing": lambda ids: Reply(body=results(ids[:1])),
}


@pytest.mark.parametrize("make_reply", GARBAGE.values(), ids=GARBAGE.keys())
def test_garbage_reply_settles_nothing(outbox, submit, fake_hub, session, make_reply):
    submit(2)
    fake_hub.reply = accepted_with(make_reply)
    before = attempts(outbox)
    with pytest.raises(ProtocolError):
        fake_client(outbox, fake_hub, session).push()
    assert attempts(outbox) == before and outbox.pending_count() == 2


@pytest.mark.parametrize("status, retry_after, expected", [(500, None, None), (503, "7", 7.0), (429, "30", 30.0),
                                                         (429, "Wed, 21 Oct 2015 07:28:00 GMT", None),
                                                         (404, None, None)])
def test_http_errors_leave_records_pending(outbox, submit, fake_hub, session, status, retry_after, expected):
    submit(1)
    headers = {"Retry-After": retry_after} if retry_after else {}
    fake_hub.reply = lambda m, p, b: Reply(status, b'{"results": []}', headers)
    with pytest.raises(HubHttpError) as info:
        fake_client(outbox, fake_hub, session).push()
    assert (info.value.status, info.value.retry_after) == (status, expected)
    assert str(info.value) == f"hub returned HTTP {status}"
    assert outbox.pending_count() == 1


def test_redirect_is_not_followed(outbox, submit, fake_hub, hub, session):
    submit(1)
    fake_hub.reply = lambda m, p, b: Reply(307, b"", {"Location": hub.url + RECORDS_PATH})
    with pytest.raises(HubHttpError):
        fake_client(outbox, fake_hub, session).push()
    assert hub.store.count() == 0


def test_rejected_records_move_to_the_quarantine_with_the_reason(outbox, submit, fake_hub, session):
    apps = submit(2)

    def reply(method, path, body):
        first, second = [r["id"] for r in json.loads(body)["records"]]
        return Reply(body=json.dumps({"results": [
            {"id": first, "status": "accepted"}, {"id": second, "status": "rejected", "reason": "bad form"}]}).encode())
    fake_hub.reply = reply
    result = fake_client(outbox, fake_hub, session).push()
    assert result.accepted == (apps[0].id,) and [r.record_id for r in result.rejected] == [apps[1].id]
    assert outbox.pending() == []   # the queue moves past it
    [held] = Quarantine(outbox.db).list()
    assert (held.record_id, held.reason) == (apps[1].id, "rejected by hub: bad form")


def test_request_carries_station_and_full_records(outbox, submit, fake_hub, session, dummy):
    app = submit(1)[0]
    fake_hub.reply = echo_results("duplicate")
    assert client_for(outbox, fake_hub.url + "/", session, encoding="identity").push().duplicate == (app.id,)
    method, path, body = fake_hub.requests[-1]
    sent = json.loads(body)
    assert (method, path, sent["station_id"]) == ("POST", RECORDS_PATH, STATION)
    assert sent["records"][0]["id"] == app.id and sent["records"][0]["kind"] == "application"
    assert sent["records"][0]["payload"]["applicant"]["id_number"] == dummy.id_number


def test_health(outbox, hub, fake_hub, session):
    assert client_for(outbox, hub.url, session).health().ok
    fake_hub.reply = lambda m, p, b: Reply(body=b'{"ok": true, "service": "something-else", "version": "1"}')
    with pytest.raises(ProtocolError):
        client_for(outbox, fake_hub.url, session).health()


def test_status_enum_values_are_the_wire_words():
    assert [s.value for s in Status] == ["accepted", "duplicate", "rejected"]
