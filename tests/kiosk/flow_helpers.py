"""A station for Qt-free flow tests: simulated devices, a sealed store and a ServiceFlow over a given catalog."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from devices.qr import parse_identity_code
from devices.registry import build_devices
from kiosk.catalog import Catalog
from kiosk.config import Config
from kiosk.flow import ServiceFlow
from kiosk.idle import IdleGuard
from local_db.db import open_db
from local_db.store import ApplicationStore


@contextmanager
def station(tmp_path: Path, catalog: Catalog, clock=None, **flow_options: Any) -> Iterator[tuple]:
    """(flow, devices, store), closed afterwards. `clock` drives the store and the flow alike when given."""
    timed = {"clock": clock} if clock is not None else {}
    devices = build_devices(Config({"device_timeout_s": 3.0}), tmp_path)
    store = ApplicationStore(open_db(tmp_path / "k.db", shared=True), "st-1", "DH001", **timed)
    flow = ServiceFlow(catalog, store, devices, parse_identity_code, IdleGuard(90, 20), "长岛便民服务站",
                       "拨打 12345", device_timeout_s=3.0, **timed, **flow_options)
    try:
        yield flow, devices, store
    finally:
        devices.close()
        store.db.conn.close()


def table_counts(store: ApplicationStore, *tables: str) -> dict[str, int]:
    return {table: store.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in tables}
