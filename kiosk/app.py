"""KioskCore: wires config, database, catalog, search, devices, the flow and the sync worker. Qt-free.

The UI receives a started core and only calls into it; tests build one on a temporary data directory.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from devices.doccam.live import open_source
from kiosk.agents import AgentAuth, AgentSettings
from kiosk.bookings import Bookings
from kiosk.catalog import Catalog, CatalogError, empty_catalog, load_best_catalog
from kiosk.catalog_updates import CatalogUpdates
from kiosk.config import Config, id_list, load_config
from kiosk.events import EventBus
from kiosk.flow import ServiceFlow
from kiosk.idle import IdleGuard
from kiosk.benefit_claims import BenefitClaims
from kiosk.benefits import BENEFITS_BUNDLE, LiveBenefits
from kiosk.policies import LivePolicies
from kiosk.qa import LiveKnowledge
from local_db.audit import AuditLog
from local_db.db import open_db
from local_db.keys import KeyFileExposed, KeyProblem, KeyRingMissing, SealError
from local_db.drafts import DraftStore
from local_db.sealing import seal_media_files
from local_db.store import ApplicationStore
from local_db.sync_state import installed_bundle, installed_payload

log = logging.getLogger(__name__)


@dataclass
class KioskCore:
    config: Config
    data_dir: Path
    catalog: Catalog
    search: "BackgroundSearch"
    events: EventBus
    store: ApplicationStore
    flow: ServiceFlow
    idle: IdleGuard
    devices: object
    sync: object | None
    dock: object | None = None
    catalog_updates: CatalogUpdates | None = None
    policies: LivePolicies | None = None
    audit: AuditLog | None = None
    agents: AgentAuth | None = None
    bookings: Bookings | None = None
    doccam: Callable[[], object] | None = None   # opens the document camera's FrameSource for one capture
    backups: object | None = None   # local_db.backup_schedule.BackupScheduler, with the sync worker (the real kiosk)
    speaker: object | None = None   # devices.speaker: where voice guidance plays (None: voice off or no sound device)
    benefits: object | None = None  # 免申即享: kiosk.benefits.LiveBenefits (rules) and BenefitClaims (claims)
    claims: object | None = None
    qa: LiveKnowledge | None = None   # 智能问答's knowledge base: the installed qa bundle, else the seed

    def adopt_staged_catalog(self) -> bool:
        """Swap in a catalog sync installed (call only between residents); False when none is waiting."""
        staged = self.catalog_updates.take() if self.catalog_updates is not None else None
        if staged is None:
            return False
        self.catalog, self.search = staged.catalog, staged.search
        self.flow.catalog = staged.catalog
        log.info("catalog %s now in use", staged.catalog.version)
        return True

    def stop(self) -> None:
        if self.dock is not None:
            self.dock.close()
        if self.sync is not None:
            self.sync.stop()
        if self.backups is not None:
            self.backups.stop()
        if self.speaker is not None:
            self.speaker.close()
        self.devices.close()
        self.store.db.conn.close()


class BackgroundSearch:
    """The search index, built on a thread at start-up so the home screen need not wait for it.

    Pinyin for every catalog text and the pypinyin dictionaries take about half a second on a kiosk; a resident
    needs search only after the first screen is up. A search asked for earlier waits for the build.
    """

    def __init__(self, catalog: Catalog):
        self._ready = threading.Event()
        self._index = None
        threading.Thread(target=self._build, args=(catalog,), name="search-index", daemon=True).start()

    def _build(self, catalog: Catalog) -> None:
        try:
            from kiosk.search import SearchIndex   # imported here: pypinyin's dictionaries load on this thread

            self._index = SearchIndex.build(catalog)
        except Exception:
            log.exception("search index could not be built; search answers nothing")
        finally:
            self._ready.set()

    def wait_ready(self, timeout: float | None = None) -> bool:
        return self._ready.wait(timeout)

    def search(self, query: str, limit: int = 20) -> list:
        self._ready.wait()
        return self._index.search(query, limit) if self._index is not None else []


def build_core(data_dir: Path, config: Config | None = None, *, start_sync: bool = True,
               idle_clock: Callable[[], float] = time.monotonic) -> KioskCore:
    from devices.registry import build_devices
    from sync import SyncWorker
    from sync.engine import MEDIA_DIR

    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    config = config or load_startup_config(data_dir)
    db = open_local_db(data_dir)
    seal_media_files(db, data_dir / MEDIA_DIR)   # an upgraded kiosk's files from before encryption at rest; once
    catalog = _catalog(data_dir)
    if catalog.notice:
        log.warning("catalog: %s", catalog.notice)
    events = EventBus()
    policies = _live_policies(data_dir, events)
    store = ApplicationStore(db, config["station_id"], config["station_code"])
    audit_log = store.audit   # the store's own: one writer lock on the shared connection
    idle = IdleGuard(config["idle_timeout_s"], config["idle_warning_s"], clock=idle_clock)
    devices = build_devices(config, data_dir, events.publish)
    from kiosk.updates import managed_app_root   # updates are staged under the installer's app root
    sync = SyncWorker.from_config(data_dir / "kiosk.db", config, events, app_root=managed_app_root()) \
        if start_sync else None  # db migrated above
    flow = ServiceFlow(
        catalog, store, devices,
        qr_parser=_qr_parser(config), idle=idle,
        station_name=config["station_name"], follow_up=config["follow_up"],
        device_timeout_s=config["device_timeout_s"],
        on_submitted=(lambda app: sync.wake()) if sync else (lambda app: None),
        guardrail=lambda: getattr(sync.status, "guardrail", None) if sync else None,
        paused_reason=policies.paused_reason,
        needs_review=lambda item_id: item_id in id_list(config["review_items"]),
        drafts=DraftStore(store, config["draft_keep_days"]),
    )
    flow.drafts.purge_expired()
    core = KioskCore(config, data_dir, catalog, BackgroundSearch(catalog), events, store,
                     flow, idle, devices, sync, catalog_updates=_catalog_updates(data_dir, events),
                     policies=policies, audit=audit_log,
                     agents=AgentAuth(audit_log, AgentSettings.from_config(config)), bookings=Bookings(store))
    core.doccam = lambda: open_source(config["doccam_backend"], config["doccam_camera"])
    core.speaker = _speaker(config, data_dir)
    core.benefits, core.claims = _live_benefits(data_dir, events), BenefitClaims(store)
    core.qa = _live_knowledge(data_dir, events)
    devices.manager.start_monitor(config["device_scan_interval_s"])
    core.dock = _start_dock(devices, data_dir)
    if sync is not None:
        sync.start()
        core.backups = _start_backups(data_dir, config, idle)
    return core


def _speaker(config: Config, data_dir: Path):
    from devices.speaker import build_speaker

    try:
        return build_speaker(config, data_dir)
    except OSError:   # a sink directory that cannot be made: the kiosk serves on, silently
        log.exception("speaker could not be set up; voice guidance is off")
        return None


def _start_backups(data_dir: Path, config: Config, idle: IdleGuard):
    from local_db.backup_schedule import BackupScheduler

    scheduler = BackupScheduler(data_dir, config["backup_interval_h"], config["backup_keep"],
                                quiet=lambda: not idle.is_busy)
    scheduler.start()
    return scheduler


class StartupRefused(Exception):
    """The kiosk must not serve: its data cannot be opened safely. `code` tells the technician why (never a key,
    never personal data); residents see an out-of-service screen (ui/out_of_service.py)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# What each refusal means for the technician, by the exception the key ring raised.
_KEY_REFUSALS = {KeyRingMissing: "key_ring_missing", KeyFileExposed: "key_file_exposed"}


def open_local_db(data_dir: Path):
    """The kiosk's database with its key ring; StartupRefused when the ring is missing, exposed, damaged or
    bound to another machine's TPM (a new ring would make every sealed record unreadable)."""
    from local_db.tpm import TpmError

    try:
        _recover_database(data_dir)
        return open_db(data_dir / "kiosk.db", shared=True)
    except (KeyProblem, TpmError, SealError) as exc:
        code = next((c for kind, c in _KEY_REFUSALS.items() if isinstance(exc, kind)), "key_ring_unreadable")
        log.error("kiosk database refused: %s (%s)", code, type(exc).__name__)
        raise StartupRefused(code) from None


def _recover_database(data_dir: Path) -> None:
    """A corrupt database replaced by its newest good backup (the technician is told in a notice), or a restore
    a technician asked for; StartupRefused("db_corrupt_no_backup") when no backup will do (local_db/recovery.py)."""
    from local_db import audit
    from local_db.recovery import DatabaseUnrecoverable, recover_at_start

    def record(db_path: Path, backup_name: str) -> None:
        db = open_db(db_path)
        try:
            AuditLog(db, load_config(data_dir)["station_id"]).record(audit.SYSTEM, audit.DB_RESTORED, backup_name)
        finally:
            db.conn.close()

    try:
        recover_at_start(data_dir, audit=record)
    except DatabaseUnrecoverable as exc:
        raise StartupRefused(exc.code) from None


def load_startup_config(data_dir: Path) -> Config:
    """Settings for this run: config.json over the district's installed config bundle over defaults.

    The bundle is read only here, so a config sync installs applies at the next start of the kiosk.
    """
    try:
        central_json = installed_payload(Path(data_dir) / "kiosk.db", "config")
    except sqlite3.Error as exc:   # never fatal: the kiosk starts on its local settings
        log.warning("config bundle not readable, local settings only: %s", exc)
        central_json = None
    return load_config(data_dir, central_json)


def _live_benefits(data_dir: Path, events: EventBus) -> LiveBenefits:
    """免申即享 rules: the seed until a benefits bundle is installed, then each new one as sync applies it."""
    from sync.events import BundleApplied

    benefits = LiveBenefits(lambda: installed_bundle(data_dir / "kiosk.db", BENEFITS_BUNDLE))
    events.subscribe(BundleApplied, benefits.on_bundle_applied)
    return benefits


def _live_policies(data_dir: Path, events: EventBus) -> LivePolicies:
    """Read now and again on each policies bundle, on the reading thread's own short-lived connection."""
    from sync.events import BundleApplied

    policies = LivePolicies(lambda: installed_payload(data_dir / "kiosk.db", "policies"))
    events.subscribe(BundleApplied, policies.on_bundle_applied)
    return policies


def _live_knowledge(data_dir: Path, events: EventBus) -> LiveKnowledge:
    """智能问答: read now and again on each qa bundle, like the policies."""
    from sync.events import BundleApplied

    knowledge = LiveKnowledge(lambda: installed_payload(data_dir / "kiosk.db", "qa"))
    events.subscribe(BundleApplied, knowledge.on_bundle_applied)
    return knowledge


def _catalog_updates(data_dir: Path, events: EventBus) -> CatalogUpdates:
    from sync.events import BundleApplied

    updates = CatalogUpdates(data_dir, BackgroundSearch)
    events.subscribe(BundleApplied, updates.on_bundle_applied)
    return updates


def _start_dock(devices, data_dir: Path):
    """The dev dock socket, only when some device is simulated (see devices/dock.py)."""
    from devices.dock import SOCKET_NAME, Dock, DockServer
    from devices.sims import SIM_FAMILIES

    if all(getattr(devices.sims, family) is None for family in SIM_FAMILIES):
        return None
    try:
        return DockServer(Dock(devices.sims, devices.manager), data_dir / SOCKET_NAME)
    except OSError as exc:   # e.g. a path too long for a Unix socket: the kiosk runs on without its dock
        log.warning("dev dock not started: %s", exc)
        return None


def _catalog(data_dir: Path) -> Catalog:
    try:
        return load_best_catalog(data_dir)
    except CatalogError as exc:
        log.error("no usable service catalog: %s", exc)
        return empty_catalog(f"事项目录不可用，请重新安装或同步目录: {exc}")


def _qr_parser(config: Config):
    """浙里办 codes verified against the configured platform key; a malformed key falls back to none accepted."""
    from devices.qr import ZlbVerifier

    try:
        verifier = ZlbVerifier(public_key=bytes.fromhex(config["zlb_public_key"]))
    except ValueError:
        log.error("zlb_public_key is not valid hex: 浙里办 codes cannot be verified")
        verifier = ZlbVerifier(public_key=bytes(32))
    return lambda text: verifier.parse(text).to_identity()
