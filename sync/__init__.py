"""Kiosk ↔ hub synchronisation (Qt-free): the wire protocol, the push client and the background worker.

The UI starts a `SyncWorker`, calls `wake()` after a submission and listens for `SyncStatus` events.
"""
from sync.client import HubHttpError, HubUnreachable, PushResult, Rejection, SyncClient
from sync.protocol import ProtocolError, SyncError
from sync.worker import Backoff, SyncStatus, SyncWorker

__all__ = ["Backoff", "HubHttpError", "HubUnreachable", "ProtocolError", "PushResult", "Rejection", "SyncClient",
           "SyncError", "SyncStatus", "SyncWorker"]
