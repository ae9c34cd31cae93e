"""`python -m sync.hub [COMMAND] …`: run the hub, and the administrator's commands beside it.

    serve (default)   run the HTTP hub; prints "hub listening on URL" once it accepts connections
    enroll-code       print a one-time enrollment code for a station
    terminals         list enrolled terminals
    revoke            revoke a terminal
    publish-bundle    sign and publish a catalog/policies/config/benefits/qa bundle
    pack-update       make an update archive (.tar.gz) of an application tree
    publish-update    store an update archive and publish its signed manifest (an `update` bundle)
    add-agent         add or replace an agent credential (password from ZDB_AGENT_PASSWORD, stdin or a prompt)
    revoke-agent      revoke an agent credential
    announce          publish an announcement
    add-guide         publish a guide (a JSON object with an "id")
    add-slot          publish a bookable slot (预约 station visit or 上门办 home visit) for a station
    cancel-slot       withdraw a slot
    verify-audit      check a station's audit hash chain as received; JSON report, exit 1 when tampered

Every command takes --db (`sqlite:PATH`, a bare path, or `postgresql://…`), --data-dir and --key-file. The
admin commands work on the database directly, beside a running hub.
"""
from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

from kiosk.ids import CST
from sync.hub import audit, audit_chain
from sync.hub.context import CONTRACT_MAX_ATTACHMENT, DEFAULT_ISSUER, DEFAULT_MAX_BODY, DEFAULT_MAX_INFLATED, HubConfig
from sync.hub.bookings import SLOT_KINDS, Slot
from sync.hub.credentials import AGENT_ROLES, AgentCredential, hash_password
from sync.hub.keys import KeyFileError, load_or_create_key, publish_bundle
from sync.hub.store import BUNDLE_KINDS, FeedItem, HubStore, StoreBusy, open_store, parse_db_spec

COMMANDS = ("serve", "enroll-code", "terminals", "revoke", "publish-bundle", "add-agent", "revoke-agent",
            "announce", "add-guide", "verify-audit", "add-slot", "cancel-slot", "pack-update", "publish-update")
STAFF_PASSWORD_ENV = "ZDB_HUB_STAFF_PASSWORD"
AGENT_PASSWORD_ENV = "ZDB_AGENT_PASSWORD"
LOOPBACK = ("127.0.0.1", "::1", "localhost")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS + ("-h", "--help"):
        argv.insert(0, "serve")   # `python -m sync.hub --port 0 --db X` keeps working
    args = build_parser().parse_args(argv)
    try:
        return args.run(args) or 0
    except (KeyFileError, ValueError, StoreBusy) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default="var/hub.db", help="sqlite:PATH, PATH, or postgresql://… (default %(default)s)")
    common.add_argument("--data-dir", type=Path, help="hub key and state (default: the SQLite file's folder, "
                                                      "or var/hub for PostgreSQL)")
    common.add_argument("--key-file", type=Path, help="hub Ed25519 key (PEM); must exist. Hubs sharing a "
                                                      "database share it")
    parser = argparse.ArgumentParser(prog="python -m sync.hub", description="舟到办 hub")
    sub = parser.add_subparsers(dest="command", required=True)
    _serve_args(sub.add_parser("serve", parents=[common], help="run the hub"))
    _admin_args(sub, common)
    return parser


def _serve_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    p.add_argument("--port", type=int, default=8765, help="port; 0 picks a free one")
    p.add_argument("--open", action="store_true",
                   help="TESTS ONLY: accept unsigned requests and open staff pages; loopback only")
    p.add_argument("--staff-password", help=f"staff page password (visible in ps: prefer ${STAFF_PASSWORD_ENV} "
                                            "or --staff-password-file)")
    p.add_argument("--staff-password-file", type=Path, help="file whose first line is the staff password")
    p.add_argument("--tls-cert", help="PEM certificate (chain) to serve HTTPS directly")
    p.add_argument("--tls-key", help="PEM private key for --tls-cert")
    p.add_argument("--max-body", type=int, default=DEFAULT_MAX_BODY, help="largest request body in bytes")
    p.add_argument("--max-inflated", type=int, default=DEFAULT_MAX_INFLATED, help="largest gzip body inflated")
    p.add_argument("--max-attachment", type=int, default=CONTRACT_MAX_ATTACHMENT, help="largest attachment")
    p.add_argument("--issuer", default=DEFAULT_ISSUER, help="default issuer on certificates")
    p.add_argument("--log-level", default="warning", choices=["debug", "info", "warning", "error"])
    p.set_defaults(run=serve)


def _admin_args(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("enroll-code", parents=[common], help="print a one-time enrollment code")
    p.add_argument("--station", required=True)
    p.add_argument("--ttl", default="24h", help="validity: seconds, or with s/m/h/d (default %(default)s)")
    p.set_defaults(run=enroll_code)
    sub.add_parser("terminals", parents=[common], help="list terminals").set_defaults(run=list_terminals)
    p = sub.add_parser("revoke", parents=[common], help="revoke a terminal")
    p.add_argument("--terminal", required=True)
    p.set_defaults(run=revoke)
    p = sub.add_parser("publish-bundle", parents=[common], help="sign and publish a bundle")
    p.add_argument("--kind", required=True, choices=[k for k in BUNDLE_KINDS if k != "update"])
    p.add_argument("--file", required=True, type=Path, help="the JSON payload, published byte for byte")
    p.add_argument("--version", type=int, help="default: one above the newest published")
    p.set_defaults(run=publish)
    p = sub.add_parser("add-agent", parents=[common], help="add or replace an agent credential")
    _agent_target(p)
    p.add_argument("--name", required=True, help="display name")
    p.add_argument("--role", default="agent", choices=AGENT_ROLES)
    p.add_argument("--valid-from", type=_when, help="ISO date/time (default: now)")
    p.add_argument("--valid-to", type=_when, help="ISO date/time (default: no end)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.set_defaults(run=add_agent)
    p = sub.add_parser("revoke-agent", parents=[common], help="revoke an agent credential")
    _agent_target(p)
    p.set_defaults(run=revoke_agent)
    p = sub.add_parser("announce", parents=[common], help="publish an announcement")
    p.add_argument("--title", required=True)
    p.add_argument("--text", required=True)
    p.add_argument("--station", help="only this station (default: every station)")
    p.add_argument("--id", help="replaces the announcement with this id (default: a new one)")
    p.add_argument("--valid-from", type=_when)
    p.add_argument("--valid-to", type=_when)
    p.set_defaults(run=announce)
    p = sub.add_parser("add-guide", parents=[common], help="publish a guide from a JSON file")
    p.add_argument("--file", required=True, type=Path, help='a JSON object with an "id"')
    p.add_argument("--station", help="only this station (default: every station)")
    p.set_defaults(run=add_guide)
    _slot_args(sub, common)
    _update_args(sub, common)
    p = sub.add_parser("verify-audit", parents=[common], help="check a station's audit hash chain")
    p.add_argument("--station", required=True)
    p.set_defaults(run=verify_audit)


def _slot_args(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("add-slot", parents=[common], help="publish a bookable slot")
    p.add_argument("--station", required=True)
    p.add_argument("--kind", required=True, choices=SLOT_KINDS)
    p.add_argument("--start", required=True, type=_when, help="ISO date/time (local time unless it says)")
    p.add_argument("--end", required=True, type=_when)
    p.add_argument("--capacity", type=int, default=1)
    p.add_argument("--service", default="", help="what is done, e.g. 社保认证")
    p.add_argument("--department", default="")
    p.add_argument("--area", default="", help="home visits: the villages covered")
    p.add_argument("--id", help="default: a new one")
    p.set_defaults(run=add_slot)
    p = sub.add_parser("cancel-slot", parents=[common], help="withdraw a slot")
    p.add_argument("--id", required=True)
    p.set_defaults(run=cancel_slot)


def _update_args(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("pack-update", help="make an update archive of an application tree")
    p.add_argument("--source", required=True, type=Path, help="the tree (a git checkout: its tracked files)")
    p.add_argument("--out", required=True, type=Path, help="the .tar.gz to write")
    p.set_defaults(run=pack_update_cmd)
    p = sub.add_parser("publish-update", parents=[common], help="store an update archive and sign its manifest")
    p.add_argument("archive", type=Path, help="a .tar.gz made by pack-update (or git archive --format=tar.gz)")
    p.add_argument("--version", required=True, help="the software version inside, e.g. 0.2.0")
    p.add_argument("--notes", default="", help="what changed, shown to technicians")
    p.add_argument("--min-from-version", help="stations running older versions need a new package instead")
    p.set_defaults(run=publish_update_cmd)


def _agent_target(p: argparse.ArgumentParser) -> None:
    p.add_argument("--agent-id", required=True)
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--station", help="the station the agent works at")
    where.add_argument("--all-stations", action="store_true", help="valid at every station")


# --- opening what the commands need --------------------------------------------------------------------------

def open_from_args(args: argparse.Namespace) -> HubStore:
    return open_store(args.db)


def data_dir(args: argparse.Namespace) -> Path:
    if args.data_dir is not None:
        return args.data_dir
    db = parse_db_spec(args.db)
    return db.path.parent if db.kind == "sqlite" else Path("var/hub")


def keys_from_args(args: argparse.Namespace):
    return load_or_create_key(data_dir(args), args.key_file)


# --- serve ---------------------------------------------------------------------------------------------------

def serve(args: argparse.Namespace) -> int:
    from sync.hub.app import create_app
    from sync.hub.server import READY_PREFIX, HubServer
    if args.open and args.host not in LOOPBACK:
        raise ValueError("--open accepts unsigned requests: loopback only")
    if bool(args.tls_cert) != bool(args.tls_key):
        raise ValueError("--tls-cert and --tls-key go together")
    _audit_to_stderr()
    keys = keys_from_args(args)
    store = open_from_args(args)
    config = HubConfig(require_auth=not args.open, max_body_bytes=args.max_body,
                       max_inflated_bytes=args.max_inflated, max_attachment_bytes=args.max_attachment,
                       staff_password=_staff_password(args), issuer=args.issuer)
    server = HubServer(create_app(store, keys, config), args.host, args.port,
                       on_ready=lambda url: print(READY_PREFIX + url, flush=True), log_level=args.log_level,
                       tls_cert=args.tls_cert, tls_key=args.tls_key)
    try:
        server.run()   # SIGINT/SIGTERM end it gracefully
    finally:
        store.close()
    return 0


def _staff_password(args: argparse.Namespace) -> str | None:
    if args.staff_password_file is not None:
        return args.staff_password_file.read_text(encoding="utf-8").splitlines()[0]
    return args.staff_password or os.environ.get(STAFF_PASSWORD_ENV) or None


def _audit_to_stderr() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s audit %(message)s"))
    audit.log.addHandler(handler)
    audit.log.setLevel(logging.INFO)
    audit.log.propagate = False


# --- admin commands ------------------------------------------------------------------------------------------

def enroll_code(args: argparse.Namespace) -> int:
    store = open_from_args(args)
    try:
        issued = store.issue_enrollment_code(args.station, _seconds(args.ttl))
    finally:
        store.close()
    print(issued.code)
    print(f"station {issued.station_id}, single use, valid until {issued.expires_at.isoformat(timespec='seconds')}",
          file=sys.stderr)
    return 0


def list_terminals(args: argparse.Namespace) -> int:
    store = open_from_args(args)
    try:
        for t in store.terminals():
            state = f"revoked {t.revoked_at.isoformat(timespec='seconds')}" if t.revoked_at else "active"
            print(f"{t.id}\t{t.station_id}\t{t.enrolled_at.isoformat(timespec='seconds')}\t{state}")
    finally:
        store.close()
    return 0


def revoke(args: argparse.Namespace) -> int:
    store = open_from_args(args)
    try:
        if not store.revoke_terminal(args.terminal):
            print("error: no such terminal", file=sys.stderr)
            return 1
    finally:
        store.close()
    print(f"revoked {args.terminal}")
    return 0


def verify_audit(args: argparse.Namespace) -> int:
    """Gaps (entries not pushed yet) are reported but are not a failure; tampering is (exit 1)."""
    store = open_from_args(args)
    try:
        report = audit_chain.verify_station(store, args.station)
    finally:
        store.close()
    print(json.dumps({"station_id": args.station} | report.to_json(), ensure_ascii=False))
    return 0 if report.ok else 1


def publish(args: argparse.Namespace) -> int:
    payload = args.file.read_text(encoding="utf-8")
    if args.kind == "benefits":   # rules every kiosk would refuse are refused here, with the reason
        _check_benefits(payload)
    keys, store = keys_from_args(args), open_from_args(args)
    try:
        bundle = publish_bundle(store, keys, args.kind, payload, args.version)
    finally:
        store.close()
    print(f"published {bundle.kind} version {bundle.version}")
    return 0


def _check_benefits(payload: str) -> None:
    from sync.bundles import BundleRefused, validate_benefits

    try:
        validate_benefits(json.loads(payload))
    except BundleRefused as exc:
        raise ValueError(str(exc)) from None


def pack_update_cmd(args: argparse.Namespace) -> int:
    from sync.hub.updates import pack_update
    packed = pack_update(args.source, args.out)
    print(f"packed {packed.path} ({packed.files} files, {packed.size} bytes, version {packed.version or '?'})")
    print(f"sha256 {packed.sha256}")
    return 0


def publish_update_cmd(args: argparse.Namespace) -> int:
    from sync.hub.updates import publish_update
    keys, store = keys_from_args(args), open_from_args(args)
    try:
        bundle, manifest = publish_update(store, keys, args.archive, args.version, args.notes,
                                          args.min_from_version)
    finally:
        store.close()
    print(f"published update {manifest.version} (bundle version {bundle.version}, sha256 {manifest.sha256},"
          f" {manifest.size} bytes)")
    return 0


def add_agent(args: argparse.Namespace) -> int:
    password = _agent_password(args)
    if len(password) < 8:
        raise ValueError("agent password: at least 8 characters")
    credential = AgentCredential(args.agent_id, None if args.all_stations else args.station, args.name, args.role,
                                 hash_password(password), args.valid_from or datetime.now(timezone.utc),
                                 args.valid_to)
    _add_feed_item(args, credential.to_feed_item())
    print(f"agent {args.agent_id} published")
    return 0


def revoke_agent(args: argparse.Namespace) -> int:
    item = {"agent_id": args.agent_id, "display_name": "", "role": "", "password_hash": None, "valid_from": None,
            "valid_to": None, "revoked": True}
    _add_feed_item(args, FeedItem("agent_credentials", args.agent_id, item,
                                  None if args.all_stations else args.station))
    print(f"agent {args.agent_id} revoked")
    return 0


def announce(args: argparse.Namespace) -> int:
    item_id = args.id or "a-" + os.urandom(6).hex()
    item = {"id": item_id, "title": args.title, "text": args.text,
            "valid_from": args.valid_from.isoformat(timespec="seconds") if args.valid_from else None,
            "valid_to": args.valid_to.isoformat(timespec="seconds") if args.valid_to else None}
    _add_feed_item(args, FeedItem("announcements", item_id, item, args.station))
    print(item_id)
    return 0


def add_guide(args: argparse.Namespace) -> int:
    item = json.loads(args.file.read_text(encoding="utf-8"))
    if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
        raise ValueError('a guide is a JSON object with a string "id"')
    _add_feed_item(args, FeedItem("guides", item["id"], item, args.station))
    print(f"guide {item['id']} published")
    return 0


def add_slot(args: argparse.Namespace) -> int:
    slot = Slot(args.id or "s-" + os.urandom(6).hex(), args.kind, args.station, args.start, args.end,
                args.capacity, args.service, args.department, args.area)
    store = open_from_args(args)
    try:
        store.add_slot(slot)
    finally:
        store.close()
    print(slot.id)
    return 0


def cancel_slot(args: argparse.Namespace) -> int:
    store = open_from_args(args)
    try:
        found = store.cancel_slot(args.id)
    finally:
        store.close()
    if not found:
        print(f"error: no open slot {args.id}", file=sys.stderr)
        return 1
    print(f"slot {args.id} cancelled")
    return 0


def _add_feed_item(args: argparse.Namespace, item: FeedItem) -> None:
    store = open_from_args(args)
    try:
        store.add_feed_item(item)
    finally:
        store.close()


def _agent_password(args: argparse.Namespace) -> str:
    if os.environ.get(AGENT_PASSWORD_ENV):
        return os.environ[AGENT_PASSWORD_ENV]
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return getpass.getpass("agent password: ")


def _seconds(text: str) -> int:
    match = re.fullmatch(r"(\d+)([smhd]?)", text.strip())
    if not match:
        raise ValueError("--ttl like 3600, 30m, 24h or 7d")
    return int(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]


def _when(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=CST)   # local time
