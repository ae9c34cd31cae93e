"""Serving the hub app with uvicorn, and telling the caller the real port once it accepts connections."""
from __future__ import annotations

import socket
from typing import Callable

import uvicorn
from starlette.applications import Starlette

READY_PREFIX = "hub listening on "   # tests and scripts wait for this line on stdout


class HubServer(uvicorn.Server):
    """A uvicorn server that reports its bound port (useful with port 0) when ready."""

    def __init__(self, app: Starlette, host: str = "127.0.0.1", port: int = 8765, *,
                 on_ready: Callable[[str], None] = lambda url: None, log_level: str = "warning",
                 access_log: bool = False, tls_cert: str | None = None, tls_key: str | None = None):
        # h11 and asyncio: pure Python, identical on every kiosk and CI machine. No access log by default:
        # request lines are noise here, and the hub must never print record contents.
        config = uvicorn.Config(app, host=host, port=port, http="h11", loop="asyncio", lifespan="off",
                                log_level=log_level, access_log=access_log, timeout_graceful_shutdown=5,
                                ssl_certfile=tls_cert, ssl_keyfile=tls_key)
        super().__init__(config)
        self.on_ready = on_ready
        self.scheme = "https" if tls_cert else "http"
        self.url = ""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            host, port = self.servers[0].sockets[0].getsockname()[:2]
            self.url = f"{self.scheme}://{_url_host(host)}:{port}"
            self.on_ready(self.url)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
