"""Catalog, policies, config, update, benefits and qa bundles: verified against the hub key pinned at enrollment,
applied atomically.

A bundle is refused (and the installed one kept) when no key is pinned, the signature does not cover exactly
this kind/version/payload, the version is not newer than the installed one, or the content does not parse.
The catalog lands as `<data_dir>/catalog.json` (temp file, fsync, rename) before the transaction that records
its version commits: a crash in between leaves a newer file with the older version on record, so the same
bundle is applied again on the next pull, which is harmless. Policies, config and qa live in the database
only: kiosk/policies.py applies policies live, kiosk/qa.py the knowledge base, kiosk/config.py reads config at
the next start.
"""
from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any, Callable, Mapping

from local_db.sync_state import SyncState
from sync.auth import bundle_message, verify
from local_db.fsutil import atomic_write
from sync.protocol import Bundle

log = logging.getLogger(__name__)

CATALOG_FILE = "catalog.json"
Validator = Callable[[Any], None]   # raises on content the kiosk cannot use


class BundleRefused(Exception):
    """`str(exc)` is a short fixed reason, safe to log and show a technician."""


def _parsed_or_refused(parse: Callable[[Any], Any], error: type[Exception], what: str, data: Any,
                      limit: int | None = None) -> None:
    """Run a kiosk parser over a bundle's content; its error becomes BundleRefused("<what> invalid: <reason>")
    (cut to `limit` characters where the parser's reason may quote long content)."""
    try:
        parse(data)
    except error as exc:
        reason = str(exc) if limit is None else str(exc)[:limit]
        raise BundleRefused(f"{what} invalid: {reason}") from None


def validate_catalog(data: Any) -> None:
    from kiosk.catalog import CatalogError, parse_catalog   # here: the catalog parser is only needed for bundles

    _parsed_or_refused(lambda raw: parse_catalog(raw, source="bundle"), CatalogError, "catalog", data, 120)


def validate_config(data: Any) -> None:
    """Only settings the district manages (kiosk/config.py `central`), each of its type: all or nothing."""
    from kiosk.config import check_central

    problems = check_central(data)
    if problems:
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        raise BundleRefused(f"config invalid: {problems[0]}{more}")


def validate_policies(data: Any) -> None:
    from kiosk.policies import PoliciesError, parse_policies

    _parsed_or_refused(parse_policies, PoliciesError, "policies", data)


def validate_update(data: Any) -> None:
    """The manifest's shape only; whether the station takes it (newer, fits, archive intact) is sync/updates.py's."""
    from sync.protocol import ProtocolError, parse_update_manifest

    _parsed_or_refused(parse_update_manifest, ProtocolError, "update manifest", data)


def validate_benefits(data: Any) -> None:
    """免申即享 rules (kiosk/benefits.py): every fact, operator and value known, within the size limits."""
    from kiosk.benefits import BenefitsError, parse_benefits

    _parsed_or_refused(parse_benefits, BenefitsError, "benefits", data, 160)


def validate_qa(data: Any) -> None:
    """智能问答's knowledge base (kiosk/qa.py): refused whole when any entry is malformed."""
    from kiosk.qa import QaError, parse_kb

    _parsed_or_refused(parse_kb, QaError, "qa", data, 120)


DEFAULT_VALIDATORS: Mapping[str, Validator] = {"catalog": validate_catalog, "config": validate_config,
                                               "policies": validate_policies, "update": validate_update,
                                               "benefits": validate_benefits, "qa": validate_qa}


def check_bundle(bundle: Bundle, hub_public_key: str | None, installed_version: int,
                 validators: Mapping[str, Validator] = DEFAULT_VALIDATORS) -> Any:
    """The bundle's parsed payload if it may be installed; else BundleRefused with the reason."""
    if not hub_public_key:
        raise BundleRefused("no hub key pinned")
    if not verify(hub_public_key, bundle.signature, bundle_message(bundle.kind, bundle.version, bundle.payload_json)):
        raise BundleRefused("bad signature")
    if bundle.version <= installed_version:
        raise BundleRefused(f"version {bundle.version} not newer than installed {installed_version}")
    try:
        data = json.loads(bundle.payload_json)
    except (ValueError, RecursionError):     # RecursionError: nested deeper than the parser goes
        raise BundleRefused("payload is not JSON") from None
    validator = validators.get(bundle.kind)
    if validator is not None:
        try:
            validator(data)
        except BundleRefused:
            raise
        except Exception as exc:   # a validator's own error is a refusal too, never a crashed pull
            raise BundleRefused(f"content invalid ({type(exc).__name__})") from None
    return data


class BundleInstaller:
    """Installs checked bundles; call `install` inside the transaction that also stores the page's cursor."""

    def __init__(self, state: SyncState, data_dir: Path | str, hub_public_key: str | None,
                 validators: Mapping[str, Validator] = DEFAULT_VALIDATORS):
        self.state = state
        self.data_dir = Path(data_dir)
        self.hub_public_key = hub_public_key
        self.validators = validators

    def install(self, bundle: Bundle) -> None:
        check_bundle(bundle, self.hub_public_key, self.state.installed_version(bundle.kind), self.validators)
        digest = hashlib.sha256(bundle.payload_json.encode("utf-8")).hexdigest()
        stored: str | None = bundle.payload_json
        if bundle.kind == "catalog":
            atomic_write(self.data_dir / CATALOG_FILE, bundle.payload_json.encode("utf-8"))
            stored = None
        self.state.record_bundle(bundle.kind, bundle.version, digest, stored)
        log.info("%s bundle version %d installed", bundle.kind, bundle.version)
