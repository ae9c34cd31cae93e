"""Hypothesis profiles for the fuzzers: a fixed, reproducible budget in CI, a bigger random one on demand.

`make test` (and so CI) runs the "ci" profile: a fixed number of examples per target, derandomized (the same
examples every run, so a green CI stays green and a red one is reproducible), with a deadline per example that
turns a hang into a failure well before pytest-timeout's backstop. A developer hunting for more sets
ZDB_FUZZ_EXAMPLES (say 5000): that many examples per target, freshly random each run, failures printed with a
`@reproduce_failure` blob. Nothing is written to an example database: the repository stays clean.
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

from tests.fuzz.budget import CI_EXAMPLES, DEADLINE_MS

settings.register_profile(
    "ci", max_examples=CI_EXAMPLES, derandomize=True, deadline=DEADLINE_MS, database=None, print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile(
    "deep", max_examples=int(os.environ.get("ZDB_FUZZ_EXAMPLES") or CI_EXAMPLES), derandomize=False,
    deadline=DEADLINE_MS, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile("deep" if os.environ.get("ZDB_FUZZ_EXAMPLES") else "ci")
