"""A catalog bundle installed by sync is staged (loaded and indexed off the UI thread) and swapped in on request."""
from pathlib import Path

from kiosk.app import BackgroundSearch
from kiosk.catalog import load_best_catalog
from kiosk.catalog_updates import CatalogUpdates
from kiosk.events import EventBus
from sync.events import BundleApplied
from tests.kiosk.catalog_helpers import NEW_ITEM, write_newer_catalog

def updates_on_bus(data_dir: Path) -> tuple[CatalogUpdates, EventBus]:
    bus = EventBus()
    updates = CatalogUpdates(data_dir, BackgroundSearch)
    bus.subscribe(BundleApplied, updates.on_bundle_applied)
    return updates, bus


def test_a_catalog_bundle_is_staged_with_its_search_index(tmp_path):
    updates, bus = updates_on_bus(tmp_path)
    write_newer_catalog(tmp_path)
    bus.publish(BundleApplied("catalog", 7))
    assert updates.waiting
    staged = updates.take()
    assert staged.bundle_version == 7 and staged.catalog.version == "2026.11-hub"
    assert NEW_ITEM in staged.catalog.items and staged.catalog.source == "data_dir"
    assert [hit.item_id for hit in staged.search.search("渡轮", limit=3)][0] == NEW_ITEM
    assert updates.take() is None and not updates.waiting      # taken once


def test_other_bundles_stage_nothing(tmp_path):
    updates, bus = updates_on_bus(tmp_path)
    write_newer_catalog(tmp_path)
    bus.publish(BundleApplied("policies", 3))
    bus.publish(BundleApplied("config", 4))
    assert not updates.waiting


def test_a_catalog_file_that_does_not_load_keeps_the_running_catalog(tmp_path):
    updates, bus = updates_on_bus(tmp_path)
    (tmp_path / "catalog.json").write_text("{ damaged", encoding="utf-8")
    bus.publish(BundleApplied("catalog", 8))
    assert not updates.waiting
    assert load_best_catalog(tmp_path).notice        # what a restart would show: the seed, with a staff notice
