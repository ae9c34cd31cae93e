"""The hub's audit events: each named once, with actor and outcome, never personal data.

Only ids (terminal, station, record), counts and error codes go into these lines; never payloads, names, ID
numbers, enrollment codes, passwords or request bodies.
"""
from __future__ import annotations

import logging

log = logging.getLogger("zdb.hub.audit")

TERMINAL_ENROLLED = "terminal_enrolled"          # actor: terminal; outcome: ok
ENROLLMENT_REFUSED = "enrollment_refused"        # actor: unknown; outcome: reason code
AUTH_FAILED = "auth_failed"                      # actor: claimed terminal id; outcome: 401 code
RECORDS_RECEIVED = "records_received"            # actor: terminal; outcome: counts per status
STATUS_CHANGED = "status_changed"                # actor: staff; outcome: new status
TERMINAL_REVOKED = "terminal_revoked"            # actor: staff/admin
CODE_ISSUED = "enrollment_code_issued"           # actor: staff/admin; the code itself is never logged
BUNDLE_PUBLISHED = "bundle_published"            # actor: admin; kind and version
ATTACHMENT_DISCARDED = "attachment_discarded"    # actor: terminal; content did not match its hash
STAFF_LOGIN_FAILED = "staff_login_failed"        # actor: staff; outcome: 401
FORWARD_REFUSED = "forward_refused"              # actor: staff; outcome: routing reason (out_of_order, ...)
NEED_DISPATCHED = "need_dispatched"              # actor: staff; 有求必应 need sent to an assignee (not named)
NEED_STEP_REFUSED = "need_step_refused"          # actor: staff; outcome: not_dispatched, finished, not_a_need
# live chat (sync/hub/chat_api.py, staff_chat.py): ids and codes only, never a message text
CHAT_OPENED = "chat_opened"                      # actor: terminal; station
CHAT_CLOSED = "chat_closed"                      # actor: kiosk or staff; the chat's state afterwards
CHAT_REFUSED = "chat_refused"                    # actor: terminal; outcome: rate_limited, unknown_chat, chat_closed...
CHAT_DUTY = "chat_duty"                          # actor: staff; on duty on/off


def event(name: str, **fields: object) -> None:
    log.info("%s %s", name, " ".join(f"{k}={v}" for k, v in sorted(fields.items())))
