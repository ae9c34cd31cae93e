"""A small stdlib hub that speaks protocol 1.1 as sync/openapi.yaml states it, with fault injection.

It stands in for the reference hub only where a test needs something the real one never does on purpose:
replies lost after a commit, 5xx/429 storms, garbage, truncation, a forged bundle, a mid-upload cut. It checks
signatures with `sync.auth` exactly as the contract says, so a terminal that passes here signs correctly.
"""
from __future__ import annotations

import gzip
import hashlib
import http.server
import json
import threading
import time
from dataclasses import dataclass
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from sync.auth import (HEADER_HUB_TIME, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TERMINAL, HEADER_TIMESTAMP,
                       MAX_SKEW_S, KeyPair, bundle_message, canonical, verify)
from sync.hub.testing import Reply   # the scripted-reply record the stdlib fake hub uses too

API = "/api/v1"


@dataclass(frozen=True)
class Seen:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes            # as it came on the wire (gzip included)


Fault = Callable[[Seen], "Reply | None"]


def as_json(status: int, data: object, **headers: str) -> Reply:
    return Reply(status, json.dumps(data).encode("utf-8"), {"Content-Type": "application/json", **headers})


class ContractHub:
    def __init__(self, *, max_body_bytes: int = 4 * 1024 * 1024, hub_time: Callable[[], float] = time.time):
        self.keys = KeyPair.generate()            # signs bundles
        self.max_body_bytes = max_body_bytes
        self.hub_time = hub_time
        self.codes: dict[str, str] = {}           # one-time code -> station
        self.terminals: dict[str, dict] = {}      # id -> {"station", "public_key", "revoked"}
        self.nonces: set[str] = set()
        self.records: dict[str, dict] = {}
        self.reject: Callable[[dict], str | None] = lambda record: None   # reason to reject, or None
        self.attachments: dict[str, bytearray] = {}
        self.complete: set[str] = set()
        self.streams: dict[str, list[dict]] = {}
        self.fault: Fault = lambda seen: None      # a reply instead of the real handling
        self.after: Callable[[Seen, Reply], Reply] = lambda seen, reply: reply   # e.g. lose the reply
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        self.released = threading.Event()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    # --- set-up helpers for tests ------------------------------------------------------------------------------
    def issue_code(self, station_id: str, code: str = "ONE-TIME-1") -> str:
        self.codes[code] = station_id
        return code

    def revoke(self, terminal_id: str) -> None:
        self.terminals[terminal_id]["revoked"] = True

    def bundle(self, kind: str, version: int, payload: object, *, keys: KeyPair | None = None) -> dict:
        payload_json = json.dumps(payload, ensure_ascii=False)
        signature = (keys or self.keys).sign(bundle_message(kind, version, payload_json))
        return {"kind": kind, "version": version, "payload_json": payload_json, "signature": signature}

    def posts(self, path_end: str = "/records") -> list[Seen]:
        return [s for s in self.seen if s.method == "POST" and s.target.startswith(API) and
                urlsplit(s.target).path.endswith(path_end)]

    def start(self) -> "ContractHub":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10.0)

    # --- request handling -------------------------------------------------------------------------------------
    def handle(self, seen: Seen) -> Reply:
        injected = self.fault(seen)
        if injected is not None:
            return injected
        path = urlsplit(seen.target).path
        if path == f"{API}/health":
            return as_json(200, {"ok": True, "service": "zhoudaoban-hub", "version": "contract",
                                 "protocol": "1.1.0"})
        if path == f"{API}/enroll" and seen.method == "POST":
            return self._enroll(seen)
        refused = self._authenticate(seen)
        if refused is not None:
            return as_json(401, {"error": refused})
        with self.lock:
            return self.after(seen, self._route(seen, path))

    def _route(self, seen: Seen, path: str) -> Reply:
        if path == f"{API}/records" and seen.method == "POST":
            return self._records(seen)
        if path.startswith(f"{API}/attachments/"):
            return self._attachment(seen, path.rsplit("/", 1)[1])
        if path.startswith(f"{API}/streams/") and seen.method == "GET":
            return self._stream(seen, path.rsplit("/", 1)[1])
        return as_json(404, {"error": "not_found"})

    def _enroll(self, seen: Seen) -> Reply:
        data = json.loads(seen.body)
        if self.codes.get(data.get("code")) != data.get("station_id"):
            return as_json(403, {"error": "unknown_code"})
        del self.codes[data["code"]]
        terminal_id = f"t-{len(self.terminals) + 1:03d}"
        self.terminals[terminal_id] = {"station": data["station_id"], "public_key": data["public_key"],
                                       "revoked": False}
        return as_json(200, {"terminal_id": terminal_id, "hub_public_key": self.keys.public_b64()})

    def _authenticate(self, seen: Seen) -> str | None:
        h = seen.headers
        terminal = self.terminals.get(h.get(HEADER_TERMINAL.lower(), ""))
        if terminal is None:
            return "unknown_terminal"
        if terminal["revoked"]:
            return "revoked"
        try:
            timestamp = int(h.get(HEADER_TIMESTAMP.lower(), ""))
        except ValueError:
            return "bad_signature"
        nonce = h.get(HEADER_NONCE.lower(), "")
        message = canonical(seen.method, seen.target, timestamp, nonce, seen.body)
        if not verify(terminal["public_key"], h.get(HEADER_SIGNATURE.lower(), ""), message):
            return "bad_signature"
        if abs(timestamp - self.hub_time()) > MAX_SKEW_S:
            return "stale_timestamp"
        if nonce in self.nonces:
            return "replayed"
        self.nonces.add(nonce)
        return None

    def _records(self, seen: Seen) -> Reply:
        if len(seen.body) > self.max_body_bytes:
            return as_json(413, {"error": "too_large"})
        raw = gzip.decompress(seen.body) if seen.headers.get("content-encoding") == "gzip" else seen.body
        results = []
        for record in json.loads(raw)["records"]:
            reason = self.reject(record)
            if reason:
                results.append({"id": record["id"], "status": "rejected", "reason": reason})
            elif record["id"] in self.records:
                results.append({"id": record["id"], "status": "duplicate"})
            else:
                self.records[record["id"]] = record
                results.append({"id": record["id"], "status": "accepted"})
        return as_json(200, {"results": results})

    def _attachment(self, seen: Seen, sha: str) -> Reply:
        held = self.attachments.setdefault(sha, bytearray())
        if seen.method == "HEAD":
            return Reply(200, b"", {"X-ZDB-Received": str(len(held)),
                                    "X-ZDB-Complete": "true" if sha in self.complete else "false"})
        query = parse_qs(urlsplit(seen.target).query)
        offset, total = int(query["offset"][0]), int(query["total"][0])
        if offset != len(held):
            return as_json(409, {"error": "offset_mismatch", "received": len(held)})
        held.extend(seen.body)
        if len(held) >= total:
            if hashlib.sha256(held).hexdigest() != sha:
                held.clear()
                return as_json(422, {"error": "hash_mismatch", "received": 0})
            self.complete.add(sha)
        return as_json(200, {"received": len(held), "complete": sha in self.complete})

    def _stream(self, seen: Seen, stream: str) -> Reply:
        query = parse_qs(urlsplit(seen.target).query)
        after = int(query.get("cursor", ["c0"])[0][1:])
        limit = int(query.get("limit", ["100"])[0])
        items = self.streams.get(stream, [])
        page = items[after:after + limit]
        return as_json(200, {"items": page, "next_cursor": f"c{after + len(page)}",
                             "more": after + len(page) < len(items)})

    def _handler(self) -> type:
        hub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._serve()

            do_POST = do_PUT = do_HEAD = do_GET

            def _serve(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
                seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                hub.seen.append(seen)
                reply = hub.handle(seen)
                if reply.delay_s:
                    hub.released.wait(reply.delay_s)
                self.send_response(reply.status)
                self.send_header(HEADER_HUB_TIME, str(int(hub.hub_time())))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                length = reply.declared_length or len(reply.body)
                self.send_header("Content-Length", str(length))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(reply.body)
                self.close_connection = reply.declared_length is not None

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler
