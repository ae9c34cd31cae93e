"""Attachments: content-addressed storage and resumable chunked uploads (HEAD, PUT, 409, 422)."""
import hashlib
import os

import pytest
import requests

from sync.attachments import MAX_FAILURES, AttachmentStore, AttachmentUploader
from sync.engine import MEDIA_DIR
from sync.protocol import ProtocolError, SyncError
from sync.transport import HubUnreachable
from terminal_helpers import make_engine, pending_ids, transport_for
from zdb_contract_hub import Reply
from tests.local_db.sealed_helpers import edit_payload

pytestmark = pytest.mark.timeout(60)

CHUNK = 1000
SCAN = bytes(range(256)) * 18   # 4608 bytes: five chunks, the last one short


@pytest.fixture
def media(db, data_dir):
    return AttachmentStore(db, data_dir / MEDIA_DIR)


def uploader(media, hub_url, identity, session, **kw) -> AttachmentUploader:
    return AttachmentUploader(media, transport_for(hub_url, identity, session), chunk_bytes=CHUNK, **kw)


def held(real_hub, sha) -> bytes:
    return b"".join(real_hub.store.attachment_chunks(sha))


def test_add_is_content_addressed_and_deduplicated(db, data_dir, media):
    sha = media.add(SCAN)
    assert sha == hashlib.sha256(SCAN).hexdigest() and media.add(SCAN) == sha
    assert media.pending_count() == 1 and media.read(sha) == SCAN
    path = data_dir / MEDIA_DIR / sha[:2] / sha
    assert SCAN not in path.read_bytes() and os.stat(path).st_mode & 0o777 == 0o600   # sealed at rest
    in_db = AttachmentStore(db)   # no media dir: the bytes live in the database
    assert in_db.read(in_db.add(b"photo")) == b"photo"
    with pytest.raises(ValueError):
        media.add(b"")


# --- against the reference hub -------------------------------------------------------------------------------

def test_upload_in_chunks(real_hub, terminal, media, hooked):
    sha = media.add(SCAN)
    assert uploader(media, real_hub.url, terminal, hooked).upload_pending().done == 1
    assert held(real_hub, sha) == SCAN and real_hub.store.attachment_state(sha).complete
    assert hooked.put_offsets() == [0, 1000, 2000, 3000, 4000] and media.is_done(sha)
    assert media.pending_count() == 0


def test_an_interrupted_upload_resumes_where_the_hub_is(real_hub, terminal, media, hooked):
    sha = media.add(SCAN)
    puts = []

    def cut_third(method, url, response):   # the hub stored the third chunk, then the link died
        if method == "PUT":
            puts.append(url)
            if len(puts) == 3:
                raise requests.ConnectionError("link dropped")
    hooked.after = cut_third
    with pytest.raises(HubUnreachable):
        uploader(media, real_hub.url, terminal, hooked).upload_pending()
    assert real_hub.store.attachment_state(sha).received == 3000 and not media.is_done(sha)
    assert media.pending()[0].uploaded == 2000   # what the terminal last heard
    assert uploader(media, real_hub.url, terminal, hooked).upload_pending().done == 1
    assert hooked.put_offsets() == [0, 1000, 2000, 3000, 4000]   # nothing sent twice
    assert held(real_hub, sha) == SCAN


def test_409_resumes_from_the_hubs_number(real_hub, terminal, media, hooked):
    sha = media.add(SCAN)

    def another_pass_lands_after_head(method, url, response):   # e.g. an earlier pass's late chunks
        if method == "HEAD":
            real_hub.store.put_chunk(sha, 0, len(SCAN), SCAN[:2000])
    hooked.after = another_pass_lands_after_head
    assert uploader(media, real_hub.url, terminal, hooked).upload_pending().done == 1
    assert hooked.put_offsets() == [0, 2000, 3000, 4000] and held(real_hub, sha) == SCAN


def test_422_starts_over(real_hub, terminal, media, hooked):
    sha = media.add(SCAN)
    real_hub.store.put_chunk(sha, 0, len(SCAN), b"\xff" * 1000)   # damaged bytes held by the hub
    assert uploader(media, real_hub.url, terminal, hooked).upload_pending().done == 1
    assert hooked.put_offsets() == [1000, 2000, 3000, 4000, 0, 1000, 2000, 3000, 4000]
    assert held(real_hub, sha) == SCAN and media.is_done(sha)


def test_already_complete_on_the_hub_is_done_without_sending(real_hub, terminal, media, hooked):
    sha = media.add(SCAN)
    real_hub.store.put_chunk(sha, 0, len(SCAN), SCAN)
    assert uploader(media, real_hub.url, terminal, hooked).upload_pending().done == 1
    assert hooked.put_offsets() == []


def test_a_damaged_local_copy_is_never_sent(real_hub, terminal, media, hooked, data_dir):
    sha = media.add(SCAN)
    (data_dir / MEDIA_DIR / sha[:2] / sha).write_bytes(b"X" + SCAN[1:])
    assert uploader(media, real_hub.url, terminal, hooked).upload_pending().failed == 1
    assert hooked.sent == []


def test_records_are_pushed_without_waiting_for_media(real_hub, terminal, db, hooked, data_dir, media, submit):
    sha = media.add(SCAN)
    app = submit(1)[0]
    edit_payload(db, app.id, lambda body: body.update(attachments=[sha]))

    def media_link_down(method, url):
        if "/attachments/" in url:
            raise requests.ConnectionError("the media upload fails")
    hooked.before = media_link_down
    outcome = make_engine(db, hooked, real_hub.url, terminal, data_dir, attachment_chunk_bytes=CHUNK).run()
    assert outcome.push.accepted == (app.id,) and isinstance(outcome.error, HubUnreachable)
    assert real_hub.store.get(app.id).attachments == (sha,) and pending_ids(db) == []
    assert not media.is_done(sha)
    hooked.before = lambda method, url: None
    assert make_engine(db, hooked, real_hub.url, terminal, data_dir, attachment_chunk_bytes=CHUNK).run().error is None
    assert media.is_done(sha) and held(real_hub, sha) == SCAN


# --- what the reference hub never does on purpose: the contract hub -------------------------------------------

def test_content_the_hub_always_refuses_is_given_up_after_a_few_passes(media, chub, chub_terminal, session):
    sha = media.add(SCAN)
    chub.fault = lambda seen: Reply(422, b'{"error": "hash_mismatch", "received": 0}') \
        if seen.method == "PUT" else None
    for _ in range(MAX_FAILURES):
        assert uploader(media, chub.url, chub_terminal, session, max_restarts=1).upload_pending().failed == 1
    assert media.pending() == [] and not media.is_done(sha)   # no endless retry
    assert uploader(media, chub.url, chub_terminal, session).upload_pending().done == 0


def test_a_reply_that_does_not_advance_is_a_protocol_error(media, chub, chub_terminal, session):
    media.add(SCAN)
    chub.fault = lambda seen: Reply(200, b'{"received": 0, "complete": false}') if seen.method == "PUT" else None
    with pytest.raises(ProtocolError):
        uploader(media, chub.url, chub_terminal, session).upload_pending()


def test_a_hub_that_keeps_disagreeing_is_a_protocol_error(media, chub, chub_terminal, session):
    media.add(SCAN)
    chub.fault = lambda seen: Reply(409, b'{"error": "offset_mismatch", "received": 0}') \
        if seen.method == "PUT" else None
    with pytest.raises(SyncError):
        uploader(media, chub.url, chub_terminal, session).upload_pending()
