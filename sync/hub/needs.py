"""有求必应 on the hub: staff dispatch a resident's need to a department or person, then mark it in progress and done.

Each step is a status in the station's status stream (dispatched, in_progress, done) whose note names the
assignee, so the agent's work queue shows who has the need. The store checks the order inside the status
change's transaction (sql_store.set_status): nothing is in progress or done before it was dispatched, a finished
need moves no more, and dispatch/in_progress mean nothing for other kinds of record.
"""
from __future__ import annotations

from typing import Iterable

from sync.hub.store import StatusUpdate

KIND = "need"
DISPATCHED, IN_PROGRESS, DONE = "dispatched", "in_progress", "done"
STEPS = (DISPATCHED, IN_PROGRESS, DONE)
NEED_ONLY = (DISPATCHED, IN_PROGRESS)          # statuses no other kind of record takes
FINISHED = (DONE, "rejected")
MAX_ASSIGNEE = 100
MAX_NOTE = 300


class NeedStepRefused(Exception):
    """`reason`: not_a_need, not_dispatched (in progress or done before any dispatch), finished."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def checks(kind: str, status: str) -> bool:
    """Whether a status change to `status` on a record of `kind` is one `check_step` rules on."""
    return status in NEED_ONLY or (kind == KIND and status in STEPS)


def check_step(kind: str, current: str, wanted: str) -> None:
    if kind != KIND:
        raise NeedStepRefused("not_a_need")
    if current in FINISHED:
        raise NeedStepRefused("finished")
    if wanted != DISPATCHED and current not in (DISPATCHED, IN_PROGRESS):
        raise NeedStepRefused("not_dispatched")


def assignee(history: Iterable[StatusUpdate]) -> str:
    """Who has the need: the note of its latest dispatch ("" before any)."""
    dispatched = [u.note for u in history if u.status == DISPATCHED]
    return dispatched[-1] if dispatched else ""


def step_note(who: str, note: str) -> str:
    """The note sent to the station: the assignee first, then what staff added."""
    return "：".join(part for part in (who, note) if part)
