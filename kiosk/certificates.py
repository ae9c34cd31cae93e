"""证明直通车: which items are certificate requests, and the levels a request passes on its way.

A request is filed at this station (the village level), checked by the town, and sent on to the district when a
district or city body issues the certificate. The hub moves it along that route (sync/hub/routing.py); the
terminal only says which route the request needs.
"""
from __future__ import annotations

from dataclasses import dataclass

from kiosk.catalog import Catalog
from kiosk.records import Mode, Place, ServiceItem

CERTIFICATE_THEME = "open_proof"        # 我要开证明
CERTIFICATE_CATEGORY = "证明开具"
LEVELS = ("village", "town", "district")
# Departments whose certificates the district (or city) issues; anything else (所在镇（乡）人民政府…) stops at
# the town. Prefixes of the catalog's `department`, as data: a new body is one more entry here.
DISTRICT_BODIES = ("定海区", "舟山市", "国家税务总局")


@dataclass(frozen=True)
class CertificateRequest:
    """What makes an application a certificate request on the wire (kind "certificate_request")."""
    route: tuple[str, ...]
    purpose: str = ""

    def to_payload(self) -> dict:
        return {"route": list(self.route), "purpose": self.purpose}


def is_certificate_item(catalog: Catalog, item: ServiceItem) -> bool:
    """The 我要开证明 theme gathers certificates filed under other categories (社保 参保证明, 税务 纳税记录), and
    the 证明开具 category holds ones the theme does not list: either makes an item a certificate request."""
    if item.category == CERTIFICATE_CATEGORY:
        return True
    return any(t.id == CERTIFICATE_THEME and item.id in t.item_ids for t in catalog.themes)


def can_request_here(item: ServiceItem, by_agent: bool) -> bool:
    """The station takes the request: it is filed here, by the resident alone (自助办) or, for an agent, 帮办 too."""
    return Place.STATION in item.places and (Mode.SELF in item.modes or (by_agent and Mode.AGENT in item.modes))


def route_for(item: ServiceItem) -> tuple[str, ...]:
    """village (this station) → town, then → district when a district or city body issues the certificate."""
    if item.department.startswith(DISTRICT_BODIES):
        return LEVELS
    return LEVELS[:2]


def request_for(item: ServiceItem, answers: dict[str, str]) -> CertificateRequest:
    return CertificateRequest(route_for(item), answers.get("purpose", ""))
