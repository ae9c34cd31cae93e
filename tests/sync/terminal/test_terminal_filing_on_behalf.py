"""Filing on behalf reaches the reference hub: who filed, the consent, its evidence and the audit entry."""
import hashlib

import pytest

from kiosk.records import Consent, FiledBy
from local_db.store import ApplicationStore
from terminal_helpers import STATION, delivered_ids, make_engine

pytestmark = pytest.mark.timeout(60)

SIGNATURE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


def test_the_hub_holds_filed_by_consent_and_the_signature(real_hub, terminal, db, data_dir, session, dummy):
    store = ApplicationStore(db, STATION, "T01")
    sha = hashlib.sha256(SIGNATURE).hexdigest()
    consent = Consent("signature", sha, "2026-11-25T01:30:00+00:00")
    app = store.submit("mz.db", "低保申请", dummy, {"reason": "病"}, filed_by=FiledBy("ag-7", "village_agent"),
                       consent=consent, evidence=SIGNATURE)
    trail_id = store.audit.recent()[0].id

    outcome = make_engine(db, session, real_hub.url, terminal, data_dir).run()

    assert outcome.error is None and set(delivered_ids(db)) == {app.id, trail_id}
    record = real_hub.store.get(app.id)
    assert record.payload["filed_by"] == {"agent_id": "ag-7", "role": "village_agent"}
    assert record.payload["consent"] == {"method": "signature", "evidence_sha256": sha, "at": consent.at}
    assert record.attachments == (sha,)
    assert real_hub.store.attachment_state(sha).complete
    assert b"".join(real_hub.store.attachment_chunks(sha)) == SIGNATURE
    trail = real_hub.store.get(trail_id)
    assert (trail.kind, trail.payload["action"], trail.payload["target"]) == ("audit", "file_on_behalf", app.id)
    assert store.attachments.is_done(sha)
