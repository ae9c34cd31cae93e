"""容缺受理: after 确认提交, the resident signs the 告知承诺书 (on the pad or with their own 浙里办 code), or refuses.

The same screen class as the consent step (ui/screens/consent.py), showing the commitment's text: which materials
are missing and by when they must be supplied. Signed, the flow goes on as 确认提交 would (the agent's consent
step, or the save); refused, the session is wiped and nothing is saved, as for a withdrawn consent.
"""
from __future__ import annotations

from kiosk.flow import ResidentSession
from ui.signed_step import SignedStepController


class CommitmentController(SignedStepController):
    WHAT = "commitment"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.resident.commitment_needed.connect(self.ask)

    def ask(self, session: ResidentSession) -> None:
        self.screen.show_commitment(self.flow.commitment_text(session))
        self.nav.open(lambda: self.screen, remember=False)

    def record_signature(self, session: ResidentSession, png: bytes) -> None:
        self.flow.sign_commitment(session, png)

    def record_by_code(self, session: ResidentSession) -> None:
        self.flow.commit_by_zlb_code(session)

    def done(self) -> None:
        self.screen.clear_personal()
        self.nav.open(lambda: self.resident.confirm, remember=False)
        self.resident.confirmed()   # the agent's consent next, or the save
