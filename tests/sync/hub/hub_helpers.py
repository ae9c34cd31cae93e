"""Small helpers shared by the hub tests: records, signed pushes, stream reads."""
from __future__ import annotations

import gzip
import json
from typing import Any

import requests

from sync.hub.testing import EnrolledTerminal
from sync.protocol import RECORDS_PATH

STREAMS_PATH = "/api/v1/streams/"
STATION = "zs-dh-001"
OTHER_STATION = "zs-pt-002"
STAFF_PASSWORD = "staff-pw-for-tests"


def record(record_id: str, kind: str = "application", **payload: Any) -> dict[str, Any]:
    return {"id": record_id, "kind": kind, "payload": {"id": record_id, **payload}}


def batch_body(station_id: str, records: list[dict[str, Any]], *, compress: bool = True) -> bytes:
    raw = json.dumps({"station_id": station_id, "records": records}, ensure_ascii=False).encode("utf-8")
    return gzip.compress(raw) if compress else raw


def push(session: requests.Session, url: str, terminal: EnrolledTerminal, station_id: str,
         records: list[dict[str, Any]], *, compress: bool = True) -> requests.Response:
    headers = {"Content-Type": "application/json", **({"Content-Encoding": "gzip"} if compress else {})}
    return session.post(url + RECORDS_PATH, data=batch_body(station_id, records, compress=compress),
                        headers=headers, auth=terminal.auth(), timeout=10)


def results(response: requests.Response) -> list[tuple[str | None, str, str | None]]:
    assert response.status_code == 200, response.text
    return [(r["id"], r["status"], r.get("reason")) for r in response.json()["results"]]


def stream(session: requests.Session, url: str, terminal: EnrolledTerminal, name: str,
           cursor: str | None = None, limit: int | None = None) -> dict[str, Any]:
    params = {k: v for k, v in (("cursor", cursor), ("limit", limit)) if v is not None}
    response = session.get(url + STREAMS_PATH + name, params=params, auth=terminal.auth(), timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def read_all(session: requests.Session, url: str, terminal: EnrolledTerminal, name: str,
             limit: int) -> tuple[list[list[dict[str, Any]]], str]:
    """Every page of a stream from the start; the pages and the final cursor."""
    pages, cursor = [], None
    while True:
        page = stream(session, url, terminal, name, cursor, limit)
        pages.append(page["items"])
        cursor = page["next_cursor"]
        if not page["more"]:
            return pages, cursor
