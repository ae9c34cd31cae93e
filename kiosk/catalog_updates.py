"""Catalog bundles installed by sync reach the running kiosk: loaded and indexed off the UI thread, then
swapped in only between residents.

Swapping while a resident reads a guide or fills a form would change the item under them, so the new catalog
waits ("staged") until the screen is back home with nobody in session. A file that does not load as this
kiosk's catalog (the bundle was checked before install, so this means a damaged disk) keeps the running one.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from kiosk.catalog import Catalog, load_best_catalog

log = logging.getLogger(__name__)

CATALOG_BUNDLE = "catalog"


@dataclass(frozen=True)
class StagedCatalog:
    catalog: Catalog
    search: Any          # a BackgroundSearch already building its index
    bundle_version: int


class CatalogUpdates:
    def __init__(self, data_dir: Path | str, make_search: Callable[[Catalog], Any],
                 load: Callable[[Path], Catalog] = load_best_catalog):
        self.data_dir = Path(data_dir)
        self.make_search = make_search
        self.load = load
        self._lock = threading.Lock()
        self._staged: StagedCatalog | None = None

    def on_bundle_applied(self, event: Any) -> None:
        """EventBus listener for sync.events.BundleApplied; runs on the sync thread."""
        if getattr(event, "kind", None) != CATALOG_BUNDLE:
            return
        catalog = self.load(self.data_dir)
        if catalog.source != "data_dir" or catalog.notice:
            log.error("catalog bundle %s installed but does not load; keeping the running catalog",
                      getattr(event, "version", "?"))
            return
        staged = StagedCatalog(catalog, self.make_search(catalog), int(getattr(event, "version", 0)))
        with self._lock:
            self._staged = staged
        log.info("catalog %s (bundle %d) staged; shown once no resident is in session", catalog.version,
                 staged.bundle_version)

    @property
    def waiting(self) -> bool:
        with self._lock:
            return self._staged is not None

    def take(self) -> StagedCatalog | None:
        with self._lock:
            staged, self._staged = self._staged, None
        return staged
