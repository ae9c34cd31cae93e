"""Attachments: content-addressed storage and resumable chunked uploads (HEAD, PUT, 409, 422)."""
import hashlib
import os
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import make_engine, pending_ids, transport_for
from contract_hub import Reply
from sync.attachments import MAX_FAILURES, AttachmentStore, AttachmentUploader
from sync.engine import MEDIA_DIR
from sync.protocol import ProtocolError, SyncError

pytestmark = pytest.mark.timeout(60)

CHUNK = 1000
SCAN = bytes(range(256)) * 18   # 4608 bytes: five chunks, the last one short


def puts(chub) -> list[int]:
    """The offsets of the chunks the hub was sent, in order."""
    return [int(parse_qs(urlsplit(s.target).query)["offset"][0]) for s in chub.seen if s.method == "PUT"]


@pytest.fixture
def media(db, data_dir):
    return AttachmentStore(db, data_dir / MEDIA_DIR)


def uploader(media, chub, terminal, session, **kw) -> AttachmentUploader:
    return AttachmentUploader(media, transport_for(chub.url, terminal, session), chunk_bytes=CHUNK, **kw)


def test_add_is_content_addressed_and_deduplicated(db, data_dir, media):
    sha = media.add(SCAN)
    assert sha == hashlib.sha256(SCAN).hexdigest() and media.add(SCAN) == sha
    assert media.pending_count() == 1 and media.read(sha) == SCAN
    path = data_dir / MEDIA_DIR / sha[:2] / sha
    assert path.read_bytes() == SCAN and os.stat(path).st_mode & 0o777 == 0o600
    in_db = AttachmentStore(db)   # no media dir: the bytes live in the database
    other = in_db.add(b"photo")
    assert in_db.read(other) == b"photo"
    with pytest.raises(ValueError):
        media.add(b"")


def test_upload_in_chunks(media, chub, terminal, session):
    sha = media.add(SCAN)
    assert uploader(media, chub, terminal, session).upload_pending().done == 1
    assert bytes(chub.attachments[sha]) == SCAN and sha in chub.complete
    assert puts(chub) == [0, 1000, 2000, 3000, 4000] and media.is_done(sha) and media.pending_count() == 0


def test_an_interrupted_upload_resumes_where_the_hub_is(media, chub, terminal, session):
    sha = media.add(SCAN)
    count = {"puts": 0}

    def cut_third(seen, reply):   # the hub stored the third chunk, but the link died before its reply
        if seen.method == "PUT":
            count["puts"] += 1
            if count["puts"] == 3:
                return Reply(200, reply.body[:5], declared_length=len(reply.body))
        return reply
    chub.after = cut_third
    with pytest.raises(SyncError):
        uploader(media, chub, terminal, session).upload_pending()
    assert len(chub.attachments[sha]) == 3000 and not media.is_done(sha)
    assert media.pending()[0].uploaded == 2000   # what the terminal last heard
    chub.after = lambda seen, reply: reply
    assert uploader(media, chub, terminal, session).upload_pending().done == 1
    assert puts(chub) == [0, 1000, 2000, 3000, 4000]   # nothing sent twice
    assert bytes(chub.attachments[sha]) == SCAN and media.is_done(sha)


def test_409_resumes_from_the_hubs_number(media, chub, terminal, session):
    sha = media.add(SCAN)
    chub.attachments[sha] = bytearray(SCAN[:2000])   # the hub has more than its HEAD admitted
    chub.fault = lambda seen: Reply(200, b"", {"X-ZDB-Received": "0", "X-ZDB-Complete": "false"}) \
        if seen.method == "HEAD" else None
    assert uploader(media, chub, terminal, session).upload_pending().done == 1
    assert puts(chub) == [0, 2000, 3000, 4000] and bytes(chub.attachments[sha]) == SCAN


def test_422_starts_over(media, chub, terminal, session):
    sha = media.add(SCAN)
    count = {"puts": 0}

    def corrupt_once(seen, reply):   # bytes damaged on the hub's side once: the hash check fails at the end
        if seen.method == "PUT":
            count["puts"] += 1
            if count["puts"] == 1:
                chub.attachments[sha][0] ^= 0xFF
        return reply
    chub.after = corrupt_once
    assert uploader(media, chub, terminal, session).upload_pending().done == 1
    assert puts(chub) == [0, 1000, 2000, 3000, 4000, 0, 1000, 2000, 3000, 4000]
    assert bytes(chub.attachments[sha]) == SCAN and media.is_done(sha)


def test_content_the_hub_always_refuses_is_given_up_after_a_few_passes(media, chub, terminal, session):
    sha = media.add(SCAN)
    chub.fault = lambda seen: Reply(422, b'{"error": "hash_mismatch", "received": 0}') \
        if seen.method == "PUT" else None
    for _ in range(MAX_FAILURES):
        assert uploader(media, chub, terminal, session, max_restarts=1).upload_pending().failed == 1
    assert media.pending() == [] and not media.is_done(sha)   # no endless retry
    assert uploader(media, chub, terminal, session).upload_pending().done == 0


def test_a_damaged_local_copy_is_never_sent(media, chub, terminal, session, data_dir):
    sha = media.add(SCAN)
    (data_dir / MEDIA_DIR / sha[:2] / sha).write_bytes(b"X" + SCAN[1:])
    assert uploader(media, chub, terminal, session).upload_pending().failed == 1
    assert puts(chub) == []


def test_already_complete_on_the_hub_is_done_without_sending(media, chub, terminal, session):
    sha = media.add(SCAN)
    chub.attachments[sha] = bytearray(SCAN)
    chub.complete.add(sha)
    assert uploader(media, chub, terminal, session).upload_pending().done == 1 and puts(chub) == []


def test_a_reply_that_does_not_advance_is_a_protocol_error(media, chub, terminal, session):
    media.add(SCAN)
    chub.fault = lambda seen: Reply(200, b'{"received": 0, "complete": false}') if seen.method == "PUT" else None
    with pytest.raises(ProtocolError):
        uploader(media, chub, terminal, session).upload_pending()


def test_records_are_pushed_without_waiting_for_media(db, session, chub, terminal, data_dir, media, app_store,
                                                      dummy):
    sha = media.add(SCAN)
    app = app_store.submit("zs-hj-001", "户籍证明开具", dummy, {"purpose": "x"})
    db.execute("UPDATE outbox SET payload=json_set(payload, '$.attachments', json_array(?)) WHERE record_id=?",
               (sha, app.id))
    chub.fault = lambda seen: Reply(503, b"") if seen.method in ("PUT", "HEAD") else None
    outcome = make_engine(db, session, chub.url, terminal, data_dir, attachment_chunk_bytes=CHUNK).run()
    assert outcome.push.accepted == (app.id,) and isinstance(outcome.error, SyncError)
    assert chub.records[app.id]["attachments"] == [sha] and pending_ids(db) == []
    assert not media.is_done(sha)
    chub.fault = lambda seen: None
    assert make_engine(db, session, chub.url, terminal, data_dir, attachment_chunk_bytes=CHUNK).run().error is None
    assert media.is_done(sha) and bytes(chub.attachments[sha]) == SCAN
