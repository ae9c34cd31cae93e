"""The dev dock: drive the simulated devices of a running kiosk from outside it.

The kiosk serves a Unix socket `<data dir>/dock.sock` (mode 0600, and only while some family runs on a
simulator); `python -m devices.dock` sends it one command and prints the JSON answer:

    python -m devices.dock --data-dir var/kiosk status
    python -m devices.dock card present [resident|foreigner|foreigner-2017|hmt]   # a demo card on the reader
    python -m devices.dock card remove | card pull-mid-read 300 | card fault bad_checksum|truncate|silent|sam_failed|none
    python -m devices.dock qr demo | qr show TEXT  # a signed demo 浙里办 code, or any text, shown to the camera
    python -m devices.dock sscard insert | sscard remove     # social security card (smartcard_backend "sim")
    python -m devices.dock printer fault paper_out|cover_open|offline|none
    python -m devices.dock unplug idcard|qr|printer | plug idcard|qr|printer

Technicians' and developers' tool: simulated devices only; it never reaches real hardware.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import socketserver
import sys
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable

log = logging.getLogger(__name__)
SOCKET_NAME = "dock.sock"


class DockError(Exception):
    pass


class Dock:
    """Turns dock commands into calls on the simulator bench; returns plain dicts."""

    def __init__(self, bench, manager):
        self.bench = bench
        self.manager = manager
        self._commands: dict[str, Callable[[list[str]], dict]] = {
            "status": self._status, "card": self._card, "qr": self._qr, "printer": self._printer,
            "sscard": self._sscard,
            "unplug": lambda args: self._plug(args, False), "plug": lambda args: self._plug(args, True),
        }

    def run(self, words: list[str]) -> dict:
        if not words or words[0] not in self._commands:
            raise DockError(f"commands: {', '.join(self._commands)}")
        return self._commands[words[0]](words[1:])

    def _sim(self, family: str):
        sim = getattr(self.bench, family, None)
        if sim is None:
            raise DockError(f"no simulated {family} (backend is not 'sim', or it is unplugged)")
        return sim

    def _status(self, args: list[str]) -> dict:
        health = {family: asdict(h) for family, h in self.manager.health().items()}
        plugged = {family: self.bench.plugged(family) for family in ("idcard", "qr", "printer", "smartcard")}
        return {"health": health, "plugged": plugged}

    def _card(self, args: list[str]) -> dict:
        from devices.idcard.simulator import SimFault

        sim = self._sim("idcard")
        action = args[0] if args else ""
        if action == "present":
            sim.present_card(self._demo_card(args[1] if len(args) > 1 else "resident"))
        elif action == "remove":
            sim.remove_card()
        elif action == "pull-mid-read":
            sim.remove_card(after_bytes=int(args[1]) if len(args) > 1 else 300)
        elif action == "fault" and len(args) > 1:
            sim.set_fault(None if args[1] == "none" else SimFault(args[1]), command=None)
        else:
            raise DockError("card present [KIND] | remove | pull-mid-read [BYTES] | fault NAME|none")
        return {"card": action}

    @staticmethod
    def _demo_card(kind: str):
        from devices.idcard import demo

        cards = {"resident": demo.DEMO_CARD, "foreigner": demo.DEMO_FOREIGNER_2023,
                 "foreigner-2017": demo.DEMO_FOREIGNER_2017, "hmt": demo.DEMO_HMT_PERMIT}
        if kind not in cards:
            raise DockError(f"card kinds: {', '.join(cards)}")
        return cards[kind]

    def _sscard(self, args: list[str]) -> dict:
        sim = self._sim("smartcard")
        if args[:1] == ["insert"]:
            sim.insert()
        elif args[:1] == ["remove"]:
            sim.remove()
        else:
            raise DockError("sscard insert | sscard remove")
        return {"sscard": args[0]}

    def _qr(self, args: list[str]) -> dict:
        sim = self._sim("qr")
        if args[:1] == ["demo"]:
            sim.show_demo()
        elif args[:1] == ["show"] and len(args) > 1:
            sim.show(" ".join(args[1:]))
        else:
            raise DockError("qr demo | qr show TEXT")
        return {"qr": args[0]}

    def _printer(self, args: list[str]) -> dict:
        if args[:1] != ["fault"] or len(args) < 2:
            raise DockError("printer fault paper_out|cover_open|offline|none")
        self._sim("printer").set_fault(None if args[1] == "none" else args[1])
        return {"printer_fault": args[1]}

    def _plug(self, args: list[str], plug: bool) -> dict:
        if not args or args[0] not in ("idcard", "qr", "printer"):
            raise DockError("plug|unplug idcard|qr|printer")
        (self.bench.plug if plug else self.bench.unplug)(args[0])
        self.manager.check()   # the same scan the monitor runs: the kiosk sees it at once
        return {"plugged" if plug else "unplugged": args[0]}


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        for line in self.rfile:
            try:
                reply = {"ok": True, **self.server.dock.run(json.loads(line)["words"])}
            except (DockError, ValueError, KeyError, IndexError) as exc:
                reply = {"ok": False, "error": str(exc)}
            except Exception as exc:   # the dock must never take the kiosk down
                log.exception("dock command failed")
                reply = {"ok": False, "error": type(exc).__name__}
            self.wfile.write(json.dumps(reply, ensure_ascii=False).encode() + b"\n")


class DockServer:
    def __init__(self, dock: Dock, path: Path):
        self.path = Path(path)
        self.path.unlink(missing_ok=True)
        old_umask = os.umask(0o177)   # socket created 0600: only the kiosk's own user may drive the devices
        try:
            self._server = socketserver.ThreadingUnixStreamServer(str(self.path), _Handler)
        finally:
            os.umask(old_umask)
        self._server.daemon_threads = True
        self._server.dock = dock
        self._thread = threading.Thread(target=self._server.serve_forever, name="dev-dock", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self.path.unlink(missing_ok=True)


def send(path: Path, words: list[str], timeout: float = 10.0) -> dict[str, Any]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(path))
        sock.sendall(json.dumps({"words": words}, ensure_ascii=False).encode() + b"\n")
        return json.loads(sock.makefile("rb").readline())


def main(argv: list[str] | None = None) -> int:
    from kiosk.config import default_data_dir

    parser = argparse.ArgumentParser(prog="python -m devices.dock", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("words", nargs="+", help="command, e.g. 'card present' or 'printer fault paper_out'")
    args = parser.parse_args(argv)
    path = (args.data_dir or default_data_dir()) / SOCKET_NAME
    try:
        reply = send(path, args.words)
    except OSError as exc:
        print(f"dock: cannot reach the kiosk at {path}: {exc} (is it running on simulated devices?)",
              file=sys.stderr)
        return 2
    print(json.dumps(reply, ensure_ascii=False))
    return 0 if reply.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
