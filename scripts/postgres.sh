#!/usr/bin/env bash
# Idempotent: make sure the local Debian PostgreSQL cluster runs and holds a role and database for the hub's
# tests and for development, then print its DSN (the only line on stdout; progress goes to stderr).
#
#   export ZDB_TEST_PG_DSN=$(scripts/postgres.sh)
#
# Overrides: ZDB_PG_ROLE (zdb), ZDB_PG_PASSWORD (zdb), ZDB_PG_DB (zdb_test). Needs root, the postgres user,
# or sudo. The role owns the database, so tests may create and drop their own schemas in it.
set -euo pipefail

ROLE=${ZDB_PG_ROLE:-zdb}
PASSWORD=${ZDB_PG_PASSWORD:-zdb}
DB=${ZDB_PG_DB:-zdb_test}

say() { echo "postgres.sh: $*" >&2; }

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"
  elif [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"
  else sudo -n -u postgres -- "$@"
  fi
}

command -v pg_lsclusters >/dev/null || { say "PostgreSQL is not installed (scripts/setup.sh installs it)"; exit 1; }

# The first cluster Debian knows about; none yet: create "main" for the newest installed server version.
cluster=$(pg_lsclusters -h | head -n 1)
if [ -z "$cluster" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  [ -n "$version" ] || { say "no PostgreSQL server binaries under /usr/lib/postgresql"; exit 1; }
  say "creating cluster $version/main"
  pg_createcluster "$version" main >&2
  cluster=$(pg_lsclusters -h | head -n 1)
fi
read -r version name port status _ <<<"$cluster"

if [ "$status" != online ]; then
  say "starting cluster $version/$name"
  pg_ctlcluster "$version" "$name" start >&2
fi
for _ in $(seq 1 60); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 0.5
done
pg_isready -q -h 127.0.0.1 -p "$port" || { say "cluster $version/$name did not become ready on port $port"; exit 1; }

psql_admin() { as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$port" "$@"; }

# Names and password come from this script or its caller, never from outside input; quote them anyway.
if [ "$(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != 1 ]; then
  say "creating role $ROLE"
  psql_admin -c "CREATE ROLE \"$ROLE\" LOGIN PASSWORD '$PASSWORD'"
fi
if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
  say "creating database $DB"
  psql_admin -c "CREATE DATABASE \"$DB\" OWNER \"$ROLE\" ENCODING 'UTF8' TEMPLATE template0"
fi

echo "postgresql://$ROLE:$PASSWORD@127.0.0.1:$port/$DB"
