"""Kiosk ↔ hub synchronisation (Qt-free): the wire protocol, terminal identity, push, media, pull, guardrails
and the background worker.

The UI starts a `SyncWorker`, calls `wake()` after a submission (and `notify_network_changed()` when the link
changes), and listens for `SyncStatus`, `RecordStatusChanged` and `BundleApplied` events.
"""
from sync.client import HubHttpError, HubUnreachable, PushResult, Rejection, SyncClient
from sync.events import BundleApplied, RecordStatusChanged
from sync.guardrails import Guardrail, Level, Reason
from sync.protocol import ProtocolError, SyncError
from sync.quarantine import Quarantine, QuarantinedRecord
from sync.transport import TerminalRefused
from sync.worker import Backoff, SyncStatus, SyncWorker

__all__ = ["Backoff", "BundleApplied", "Guardrail", "HubHttpError", "HubUnreachable", "Level", "ProtocolError",
           "PushResult", "Quarantine", "QuarantinedRecord", "Reason", "RecordStatusChanged", "Rejection",
           "SyncClient", "SyncError", "SyncStatus", "SyncWorker", "TerminalRefused"]
