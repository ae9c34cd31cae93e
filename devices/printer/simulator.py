"""A receipt printer simulator that speaks ESC/POS on a real wire: a TCP server on 127.0.0.1 (like a network
printer's port 9100) and/or the master side of a pty (like a serial printer at the pty's slave path).

It reads the stream as a printer does (stream.py), answers DLE EOT and ASB from its state (paper ok / near end /
out, cover, cutter), and when a job is cut writes `<dir>/<job>.png`, a preview drawn from the *received* blocks,
then `<job>.bin` atomically and last, so a .bin always means a whole receipt. A job that never got its cut
(connection dropped, unplugged, reset) is discarded and listed in `incomplete`. One thread owns every socket
and fd; controls run on it (`_call`), and job files are written on a second thread so that status answers
never wait for a PNG.
"""
from __future__ import annotations

import io
import logging
import os
import queue
import selectors
import shutil
import socket
import struct
import tempfile
import threading
import tty
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, Callable

from devices.printer.escpos_doc import Block, QrBlock, TextLine
from devices.printer.preview import render_preview
from devices.printer.printer import job_name_from, paper_for
from devices.printer.status import QUERIES, PaperLevel, PrinterStatus, asb_frame, reply_for
from devices.printer.stream import AsbRequest, JobAbandoned, JobCut, StatusRequest, StreamReader
from devices.printer.transports import free_stem, write_atomically

log = logging.getLogger(__name__)


class Link(str, Enum):
    UP = "up"
    SILENT = "silent"      # takes bytes, prints and answers nothing (hung firmware; serial with nobody there)
    DOWN = "down"          # unplugged / powered off: TCP connections are reset, the pty is hung up and gone


@dataclass(frozen=True)
class IncompleteJob:
    received: int          # job bytes that arrived before it was lost
    reason: str


def simulated_status(paper: PaperLevel = PaperLevel.OK, cover_open: bool = False,
                     cutter_error: bool = False) -> PrinterStatus:
    """What a printer reports in this state: an open cover, an empty roll or an error take it offline."""
    stopped = paper is PaperLevel.OUT
    return PrinterStatus(online=not (cover_open or stopped or cutter_error), cover_open=cover_open, paper=paper,
                         paper_stopped=stopped, error=cutter_error, cutter_error=cutter_error)


class _Conn:
    """One wire into the printer: a TCP connection or the pty master. Sends are small (status answers)."""

    def __init__(self, kind: str, fileobj: Any):
        self.kind, self.fileobj = kind, fileobj
        self.reader = StreamReader()
        self.asb = False

    def recv(self) -> bytes | None:
        """Bytes read, b"" when the peer is gone, None when nothing was ready after all."""
        try:
            if self.kind == "tcp":
                return self.fileobj.recv(4096)
            return os.read(self.fileobj, 4096)
        except BlockingIOError:
            return None
        except OSError:
            return b""

    def send(self, data: bytes) -> None:
        try:
            if self.kind == "tcp":
                self.fileobj.send(data)
            else:
                os.write(self.fileobj, data)
        except OSError:
            pass               # the host went away; its next read tells it

    def close(self, reset: bool = False) -> None:
        if self.kind == "tcp":
            if reset:          # RST, as a printer that lost power mid-connection looks to the host
                self.fileobj.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.fileobj.close()


class _Pty:
    def __init__(self, link_path: Path):
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)             # no echo or CR/LF mangling even before the host configures it
        os.set_blocking(self.master, False)
        self.link_path = link_path
        tmp = link_path.with_name(link_path.name + ".new")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(os.ttyname(self.slave))
        os.replace(tmp, link_path)         # a stable name across replugs, like /dev/serial/by-id/...

    def hang_up(self) -> None:
        self.link_path.unlink(missing_ok=True)
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass


class PrinterSimulator:
    def __init__(self, directory: Path, width_mm: int = 80, preview: bool = True,
                 clock: Callable[[], datetime] = datetime.now, record_wire: bool = False):
        self.directory = Path(directory)
        self.paper = paper_for(width_mm)
        self.preview = preview
        self._clock = clock
        self.status = simulated_status()
        self.link = Link.UP
        self.jobs: list[Path] = []                 # .bin files of printed jobs, oldest first
        self.incomplete: list[IncompleteJob] = []
        self.status_queries = 0
        self.job_bytes = 0                         # receipt bytes received (status queries not counted)
        self.wire = bytearray() if record_wire else None   # everything received, for tests
        self.address: tuple[str, int] | None = None
        self.port: str | None = None               # pty path (a symlink) once serve_pty() ran
        self._unplug_left: int | None = None
        self._conns: list[_Conn] = []
        self._listener: socket.socket | None = None
        self._pty: _Pty | None = None
        self._pty_dir: str | None = None
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._selector.register(self._wake_r, selectors.EVENT_READ, self._on_wake)
        self._calls: queue.SimpleQueue = queue.SimpleQueue()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="printer-sim-jobs")
        self._written: list[Future] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="printer-sim", daemon=True)
        self._thread.start()

    # --- controls (any thread) ------------------------------------------------------------------------------
    def serve_tcp(self, host: str = "127.0.0.1") -> tuple[str, int]:
        """Listen on an ephemeral port, like a network printer's 9100; returns (host, port)."""
        return self._call(self._listen, host)

    def serve_pty(self) -> str:
        """Open a pty whose slave the host opens as a serial port; returns its stable path."""
        return self._call(self._open_pty)

    def set_paper(self, level: PaperLevel) -> None:
        self._call(self._change, paper=level)

    def set_cover_open(self, is_open: bool) -> None:
        self._call(self._change, cover_open=is_open)

    def set_cutter_error(self, failed: bool) -> None:
        self._call(self._change, cutter_error=failed)

    def set_link(self, link: Link) -> None:
        self._call(self._set_link, Link(link))

    def unplug_after(self, n_bytes: int) -> None:
        """Pull the plug once `n_bytes` more bytes have arrived: the link goes DOWN until set_link(UP)."""
        self._call(setattr, self, "_unplug_left", n_bytes)

    def reset(self) -> None:
        """Paper in, cover closed, no error, link up."""
        self._call(self._reset)

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Until every cut job is on disk."""
        wait(list(self._written), timeout=timeout)

    def close(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        self._wake_w.send(b"\0")
        self._thread.join(timeout=5)
        self._writer.shutdown(wait=True)
        self._wake_w.close()

    # --- the serving thread ---------------------------------------------------------------------------------
    def _call(self, fn: Callable, *args: Any, **kwargs: Any) -> Any:
        if threading.current_thread() is self._thread:
            return fn(*args, **kwargs)
        if self._stop.is_set():
            raise RuntimeError("printer simulator closed")
        done: Future = Future()
        self._calls.put((fn, args, kwargs, done))
        self._wake_w.send(b"\0")
        return done.result(timeout=5)

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                for key, _ in self._selector.select(timeout=0.5):
                    if self._selector.get_map().get(key.fileobj) is key:   # not closed by an earlier callback
                        key.data(key.fileobj)
        except Exception:
            log.exception("printer simulator stopped")
        finally:
            self._shutdown()

    def _on_wake(self, sock: socket.socket) -> None:
        try:
            sock.recv(4096)
        except BlockingIOError:
            pass
        while not self._calls.empty():
            fn, args, kwargs, done = self._calls.get()
            try:
                done.set_result(fn(*args, **kwargs))
            except Exception as exc:
                done.set_exception(exc)

    def _listen(self, host: str) -> tuple[str, int]:
        if self._listener is None:
            self._listener = socket.create_server((host, 0))
            self._listener.setblocking(False)
            self._selector.register(self._listener, selectors.EVENT_READ, self._on_accept)
            self.address = self._listener.getsockname()[:2]
        return self.address

    def _on_accept(self, listener: socket.socket) -> None:
        try:
            sock, _ = listener.accept()
        except OSError:
            return
        conn = _Conn("tcp", sock)
        if self.link is Link.DOWN:
            conn.close(reset=True)
            return
        sock.setblocking(False)
        self._add(conn)

    def _open_pty(self) -> str:
        if self._pty_dir is None:
            self._pty_dir = tempfile.mkdtemp(prefix="printer-sim-")
            self.port = str(Path(self._pty_dir) / "ttyPRINTER")
        if self._pty is None and self.link is not Link.DOWN:
            self._pty = _Pty(Path(self.port))
            self._add(_Conn("pty", self._pty.master))
        return self.port

    def _add(self, conn: _Conn) -> None:
        self._conns.append(conn)
        self._selector.register(conn.fileobj, selectors.EVENT_READ, lambda _f, c=conn: self._on_readable(c))

    def _drop(self, conn: _Conn, reason: str, reset: bool = False) -> None:
        if conn.reader.pending:
            self.incomplete.append(IncompleteJob(conn.reader.pending, reason))
            log.info("simulated printer discarded an incomplete job (%s)", reason)
        self._selector.unregister(conn.fileobj)
        self._conns.remove(conn)
        if conn.kind == "pty" and self._pty is not None:
            self._pty.hang_up()
            self._pty = None
        else:
            conn.close(reset)

    def _on_readable(self, conn: _Conn) -> None:
        data = conn.recv()
        if data == b"":
            self._drop(conn, "connection closed before the cut")
        elif data:
            self._receive(conn, data)

    def _receive(self, conn: _Conn, data: bytes) -> None:
        unplug = self._unplug_left is not None and len(data) >= self._unplug_left
        if self._unplug_left is not None:
            data = data[:self._unplug_left]
            self._unplug_left = None if unplug else self._unplug_left - len(data)
        if self.wire is not None:
            self.wire += data
        if self.link is Link.UP:
            before = conn.reader.job_bytes
            for event in conn.reader.feed(data):
                self._on_event(conn, event)
            self.job_bytes += conn.reader.job_bytes - before
        if unplug:
            self._set_link(Link.DOWN, "unplugged mid-job")

    def _on_event(self, conn: _Conn, event: Any) -> None:
        if isinstance(event, StatusRequest):
            self.status_queries += 1
            if event.n in QUERIES:
                conn.send(bytes([reply_for(event.n, self.status)]))
        elif isinstance(event, AsbRequest):
            conn.asb = event.mask != 0
            if conn.asb:
                conn.send(asb_frame(self.status))     # the first ASB goes out when it is turned on
        elif isinstance(event, JobCut):
            self._cut(event)
        elif isinstance(event, JobAbandoned):
            self.incomplete.append(IncompleteJob(event.received, "reset before the cut"))

    def _cut(self, job: JobCut) -> None:
        fault = self.status.fault()
        if fault is not None:             # nothing comes out of a printer that is not ready
            self.incomplete.append(IncompleteJob(len(job.data), fault.value))
            return
        self._written.append(self._writer.submit(self._write_job, job.data, job.blocks))

    def _change(self, **state: Any) -> None:
        current = {"paper": self.status.paper, "cover_open": self.status.cover_open,
                   "cutter_error": self.status.cutter_error}
        status = simulated_status(**(current | state))
        if status != self.status:
            self.status = status
            for conn in self._conns:
                if conn.asb:
                    conn.send(asb_frame(status))

    def _set_link(self, link: Link, reason: str = "unplugged") -> None:
        self.link = link
        if link is Link.DOWN:
            self._unplug_left = None
            for conn in list(self._conns):
                self._drop(conn, reason, reset=True)
        elif link is Link.UP and self._pty_dir is not None:
            self._open_pty()              # plugged back in: the same path appears again

    def _reset(self) -> None:
        self._change(paper=PaperLevel.OK, cover_open=False, cutter_error=False)
        self._unplug_left = None
        self._set_link(Link.UP)

    def _shutdown(self) -> None:
        for conn in list(self._conns):
            self._drop(conn, "simulator closed")
        if self._listener is not None:
            self._listener.close()
        self._selector.close()
        self._wake_r.close()
        if self._pty_dir is not None:
            shutil.rmtree(self._pty_dir, ignore_errors=True)
        while not self._calls.empty():
            self._calls.get()[3].set_exception(RuntimeError("printer simulator closed"))

    # --- the job writer thread ------------------------------------------------------------------------------
    def _write_job(self, data: bytes, blocks: tuple[Block, ...]) -> None:
        texts = [b.text for b in blocks if isinstance(b, TextLine)] + [b.payload for b in blocks
                                                                       if isinstance(b, QrBlock)]
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            stem = free_stem(self.directory, job_name_from(texts, self._clock()))
            if self.preview:
                png = io.BytesIO()
                render_preview(blocks, self.paper).save(png, "PNG")
                write_atomically(self.directory / f"{stem}.png", png.getvalue())
            write_atomically(self.directory / f"{stem}.bin", data)      # last: the .bin marks a whole job
        except OSError as exc:
            log.error("simulated printer cannot write a job: %s", type(exc).__name__)
            self.incomplete.append(IncompleteJob(len(data), "cannot write job file"))
            return
        self.jobs.append(self.directory / f"{stem}.bin")
        log.info("simulated printer printed a job (%d bytes)", len(data))
