"""Local durable storage: SQLite through sqlite-utils, schema migrations, and the stores."""
from local_db.db import open_db, SCHEMA_VERSION

__all__ = ["open_db", "SCHEMA_VERSION"]
