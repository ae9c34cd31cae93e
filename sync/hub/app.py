"""The hub as a Starlette app: protocol 1.1 API for terminals, staff pages for the people at the hub.

Layers, outermost first: `HubTime` (X-ZDB-Hub-Time on every reply, even a 500), Starlette's error handling,
`SignedRequests` (terminal signatures on /api/v1 except health, enroll and the staff JSON list), the routes.
"""
from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from kiosk.ids import Clock, utc_now
from sync.auth import KeyPair
from sync.hub import api, chat_api, staff, staff_chat, staff_dashboard, staff_slots, updates
from sync.hub.context import DEFAULT_MAX_BODY, Hub, HubConfig
from sync.hub.middleware import RETRY_AFTER_S, HubTime, SignedRequests
from sync.hub.paths import (ATTACHMENT_PATH, ENROLL_PATH, HEALTH_PATH, RECORDS_PATH, STAFF_PREFIX, STREAM_PATH,
                            UPDATE_PATH)
from sync.hub.store import HubStore, StoreBusy

__all__ = ["DEFAULT_MAX_BODY", "HubApp", "HubConfig", "create_app"]

UNSIGNED = (("*", HEALTH_PATH), ("POST", ENROLL_PATH),
            ("GET", RECORDS_PATH), ("HEAD", RECORDS_PATH))   # the staff JSON list has the staff password


class HubApp(Starlette):
    def build_middleware_stack(self) -> ASGIApp:
        return HubTime(super().build_middleware_stack(), self.state.hub.clock)


def create_app(store: HubStore, keys: KeyPair, config: HubConfig = HubConfig(), *,
               clock: Clock = utc_now) -> HubApp:
    hub = Hub(store, keys, config, clock)
    middleware = []
    if config.require_auth:
        middleware.append(Middleware(SignedRequests, store=store, clock=clock,
                                     max_body_bytes=config.max_body_bytes, exempt=UNSIGNED))
    app = HubApp(routes=_routes(), middleware=middleware, exception_handlers={StoreBusy: _busy})
    app.state.hub = hub
    app.state.store = store   # older callers look here
    return app


async def _busy(request: Request, exc: Exception) -> Response:
    return JSONResponse({"error": "busy"}, status_code=503, headers={"Retry-After": RETRY_AFTER_S})


def _routes() -> list[Route]:
    return [
        Route(HEALTH_PATH, api.health, methods=["GET"]),
        Route(ENROLL_PATH, api.enroll, methods=["POST"]),
        Route(RECORDS_PATH, api.post_records, methods=["POST"]),
        Route(RECORDS_PATH, staff.records_json, methods=["GET"]),
        Route(ATTACHMENT_PATH, api.head_attachment, methods=["HEAD"]),
        Route(ATTACHMENT_PATH, api.put_attachment, methods=["PUT"]),
        Route(STREAM_PATH, api.get_stream, methods=["GET"]),
        Route(UPDATE_PATH, updates.get_archive, methods=["GET"]),
        Route("/", staff.record_list, methods=["GET"]),
        Route(STAFF_PREFIX + "/records/{record_id}", staff.record_page, methods=["GET"]),
        Route(STAFF_PREFIX + "/records/{record_id}/status", staff.change_status, methods=["POST"]),
        Route(STAFF_PREFIX + "/records/{record_id}/certificate", staff.issue_certificate, methods=["POST"]),
        Route(STAFF_PREFIX + "/records/{record_id}/forward", staff.forward, methods=["POST"]),
        Route(STAFF_PREFIX + "/records/{record_id}/dispatch", staff.dispatch, methods=["POST"]),
        Route(STAFF_PREFIX + "/records/{record_id}/need_step", staff.need_step, methods=["POST"]),
        Route(STAFF_PREFIX + "/terminals", staff.terminals, methods=["GET"]),
        Route(STAFF_PREFIX + "/terminals/codes", staff.issue_code, methods=["POST"]),
        Route(STAFF_PREFIX + "/terminals/{terminal_id}/revoke", staff.revoke_terminal, methods=["POST"]),
        Route(STAFF_PREFIX + "/slots", staff_slots.slots, methods=["GET"]),
        Route(STAFF_PREFIX + "/slots", staff_slots.add_slot, methods=["POST"]),
        Route(STAFF_PREFIX + "/slots/{slot_id}/cancel", staff_slots.cancel_slot, methods=["POST"]),
        *chat_api.routes(), *staff_chat.routes(),   # live chat: kiosk endpoints (signed) and the staff pages
        Route(STAFF_PREFIX + "/dashboard", staff_dashboard.dashboard_page, methods=["GET"]),
        Route(STAFF_PREFIX + "/dashboard.json", staff_dashboard.dashboard_json, methods=["GET"]),
    ]
