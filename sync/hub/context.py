"""What every route of the hub reaches through `request.app.state.hub`: settings, store, key and clock."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from starlette.requests import Request

from kiosk.ids import Clock, utc_now
from sync.auth import KeyPair
from sync.hub.store import HubStore, Terminal

DEFAULT_MAX_BODY = 4 * 1024 * 1024         # a full batch of applications is a few hundred KB compressed
DEFAULT_MAX_INFLATED = 32 * 1024 * 1024    # what a gzip body may inflate to before it counts as a bomb
CONTRACT_MAX_ATTACHMENT = 52428800         # openapi.yaml: PUT /attachments `total` maximum
DEFAULT_ISSUER = "舟山市政务服务中心"


@dataclass(frozen=True)
class HubConfig:
    require_auth: bool = True                  # False only for tests and demos on loopback (`--open`)
    max_body_bytes: int = DEFAULT_MAX_BODY
    max_inflated_bytes: int = DEFAULT_MAX_INFLATED
    max_attachment_bytes: int = CONTRACT_MAX_ATTACHMENT
    staff_password: str | None = None          # None: staff pages off (or open, with require_auth False)
    issuer: str = DEFAULT_ISSUER               # default issuer printed on certificates


@dataclass
class Hub:
    store: HubStore
    keys: KeyPair
    config: HubConfig = field(default_factory=HubConfig)
    clock: Clock = utc_now
    form_secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    def form_token(self) -> str:
        """Hidden in every staff form: a page on another site cannot post with the staff's saved login."""
        return hmac.new(self.form_secret, b"staff-form", hashlib.sha256).hexdigest()


def hub_of(request: Request) -> Hub:
    return request.app.state.hub


def terminal_of(request: Request) -> Terminal | None:
    """The signed-in terminal; None only on a hub started with `--open`."""
    return getattr(request.state, "terminal", None)
