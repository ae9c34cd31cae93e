"""The consent step of an agent's filing: between 确认提交 and the save, the resident signs, shows their own
浙里办 code, or refuses.

Placed after the summary rather than right after identification because that is what a station does with paper:
the resident reads what will be filed, then signs under it. Consent given earlier would cover answers the agent
typed afterwards, which the resident never saw. The session stays the ResidentController's; this controller only
asks the core on its lanes (the "resident" group, so a wipe drops late results) and hands back to the save.
"""
from __future__ import annotations

from kiosk.flow import ResidentSession
from ui.i18n import data_text
from ui.signed_step import SignedStepController


class ConsentController(SignedStepController):
    WHAT = "consent"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.resident.consent_needed.connect(self.ask)

    def ask(self, session: ResidentSession) -> None:
        item = session.item
        self.screen.show_request(data_text(item.name), session.agent.agent_id, session.identity.masked_name(),
                                 data_text(item.department))
        self.nav.open(lambda: self.screen, remember=False)

    def record_signature(self, session: ResidentSession, png: bytes) -> None:
        self.flow.record_consent(session, "signature", png)

    def record_by_code(self, session: ResidentSession) -> None:
        self.flow.confirm_by_zlb_code(session)

    def done(self) -> None:
        self.screen.clear_personal()   # the signature now lives on the session only, until the save writes it
        self.resident.save_on_confirm_screen()
