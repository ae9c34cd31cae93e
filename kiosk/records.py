"""Typed domain records shared by the flows, the UI and the stores.

Records are frozen dataclasses so that a screen cannot mutate what the core handed it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Audience(str, Enum):
    PERSON = "个人"
    LEGAL = "法人"


class Place(str, Enum):
    """Where an item can be completed, from nearest to farthest."""
    STATION = "station"     # this island station / terminal
    TOWN = "town"           # town (乡镇) service centre
    DISTRICT = "district"   # Dinghai district service centre


class Mode(str, Enum):
    SELF = "自助办"    # the resident alone at the kiosk
    AGENT = "帮办"     # a proxy agent files for the resident
    GUIDE = "导办"     # guidance only: the kiosk explains where and how


@dataclass(frozen=True)
class Material:
    name: str
    e_licence: bool = False   # 免证办: an e-licence replaces the paper copy
    optional: bool = False


@dataclass(frozen=True)
class FormField:
    key: str
    label: str
    kind: str = "text"        # text | phone | choice | number | date
    required: bool = True
    choices: tuple[str, ...] = ()
    prefill: str = ""          # identity attribute used to prefill: name | id_number | address | phone


@dataclass(frozen=True)
class ServiceItem:
    id: str
    name: str
    category: str
    audience: Audience
    places: tuple[Place, ...]
    modes: tuple[Mode, ...]
    materials: tuple[Material, ...]
    time_limit_days: int           # 承诺时限 in working days; 0 = 即办 (done on the spot)
    fee: str                       # "免费" or an amount
    guide: tuple[str, ...]         # plain-language steps (白话版办事指南)
    keywords: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    form: tuple[FormField, ...] = ()
    department: str = ""
    follow_up: str = ""            # where to ask about progress
    urgent: bool = False           # still accepted when the offline guardrail refuses non-urgent applications
    deferrable_materials: tuple[str, ...] = ()   # 容缺受理: listed materials that may follow later, under a commitment
    defer_days: int = 0            # the deadline to supply them, in calendar days from the filing (China time)
    defer_self: bool = False       # the resident alone may use 容缺 too; otherwise only with a proxy agent

    def deferrable_for(self, by_agent: bool) -> tuple[str, ...]:
        """The materials this filer may leave missing: none unless the item allows it for them."""
        return self.deferrable_materials if (by_agent or self.defer_self) else ()

    @property
    def kiosk_ready(self) -> bool:
        """The resident can apply here, at this terminal, without staff."""
        return Mode.SELF in self.modes and Place.STATION in self.places and bool(self.form)


@dataclass(frozen=True)
class Theme:
    """A "我要…" entry point grouping items by life event."""
    id: str
    title: str
    item_ids: tuple[str, ...]
    icon: str = ""


@dataclass(frozen=True)
class Bundle:
    """一件事: several items applied for together with shared data entered once."""
    id: str
    name: str
    item_ids: tuple[str, ...]
    description: str = ""
    shared_form: tuple[FormField, ...] = ()   # entered once for every item; empty: a guide only, not filed as one


@dataclass(frozen=True)
class BundlePart:
    """One item of a 一件事 filing: ids and names only (the answers travel in the sealed payload)."""
    item_id: str
    item_name: str


@dataclass(frozen=True)
class Deferral:
    """容缺受理: which listed materials the resident will supply later, by when, under which signed commitment.
    No personal data: material names come from the catalog; the commitment itself is a sealed attachment."""
    materials: tuple[str, ...]
    deadline: str               # YYYY-MM-DD, China time, calendar days
    commitment_sha256: str
    method: str                 # signature | zlb_code (CONSENT_METHODS)

    def to_payload(self) -> dict:
        return {"materials": list(self.materials), "deadline": self.deadline,
                "commitment_sha256": self.commitment_sha256, "method": self.method}


@dataclass(frozen=True)
class Identity:
    """Who the resident is, as read from an ID card or a 浙里办 code. Personal data: wipe after use."""
    source: str                 # "idcard" | "zlb_qr"
    name: str
    id_number: str
    gender: str = ""
    birth_date: str = ""
    address: str = ""
    phone: str = ""
    doc_type: str = "resident"  # resident (居民身份证) | foreigner (永久居留身份证) | hmt (港澳台居民居住证)
    english_name: str = ""
    nationality: str = ""       # ISO 3166 alpha-3, for foreigners
    pass_number: str = ""       # 港澳台 travel permit number
    valid_to: str = ""          # ISO date, "" for long-term

    def masked_id(self) -> str:
        """Shown on screen and receipts: never the full number."""
        n = self.id_number
        return n[:3] + "*" * max(len(n) - 7, 0) + n[-4:] if len(n) > 7 else "*" * len(n)

    def masked_name(self) -> str:
        return self.name[:1] + "*" * (len(self.name) - 1) if self.name else ""


@dataclass(frozen=True)
class FiledBy:
    """The proxy agent who filed for the resident: ids only, never the agent's name."""
    agent_id: str
    role: str


CONSENT_METHODS = ("signature", "zlb_code")


@dataclass(frozen=True)
class Consent:
    """The resident's consent to an agent filing for them. The evidence is an attachment (personal data):
    signature: the PNG signed on the touchscreen; zlb_code: the canonical confirmation text (kiosk/consent.py)."""
    method: str                 # one of CONSENT_METHODS
    evidence_sha256: str
    at: str                     # ISO 8601 UTC

    def __post_init__(self) -> None:
        if self.method not in CONSENT_METHODS:
            raise ValueError(f"unknown consent method {self.method!r}")


@dataclass(frozen=True)
class Application:
    id: str                     # UUIDv7, the idempotency key end to end
    receipt_no: str
    item_id: str
    item_name: str
    applicant: Identity
    answers: dict[str, str] = field(default_factory=dict)
    created_at: str = ""        # ISO 8601 UTC
    station_id: str = ""
    filed_by: FiledBy | None = None   # None: the resident filed alone
    consent: Consent | None = None
    status: str = "submitted"   # submitted | awaiting_review | review_rejected (local_db/review.py)
    attachments: tuple[str, ...] = ()   # SHA-256 of pages photographed with the document camera
    deferral: Deferral | None = None  # 容缺受理; None: every required material was there
    bundle_id: str = ""               # 一件事: the bundle (item_id/item_name are then the bundle's)
    bundle_parts: tuple[BundlePart, ...] = ()


@dataclass(frozen=True)
class Rating:
    application_id: str
    level: int                  # 1 (非常不满意) .. 5 (非常满意)
    reasons: tuple[str, ...] = ()
    comment: str = ""
