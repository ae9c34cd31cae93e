"""The fuzzers' budget, in one place (tests/fuzz/conftest.py loads the profile)."""
from __future__ import annotations

import os

CI_EXAMPLES = 200        # examples per target in CI: the whole suite stays well under a minute on two cores
DEADLINE_MS = 2000       # one example taking longer than this is a hang, and fails as one
HANG_S = 120             # pytest-timeout backstop per fuzz test, should the deadline itself never be reached


def examples(ci: int) -> int:
    """A smaller budget for an expensive target (real HTTP, SQLite), scaled up with ZDB_FUZZ_EXAMPLES."""
    deep = os.environ.get("ZDB_FUZZ_EXAMPLES")
    return max(ci, int(deep) * ci // CI_EXAMPLES) if deep else ci
