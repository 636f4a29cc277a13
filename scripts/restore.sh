#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database, then bring it up to date.
#
#   DATABASE_URL=postgres://user:pass@host:5432/service_portal_new \
#     scripts/restore.sh backups/service_portal-<time>.dump [backups/media-<time>.tgz]
#
# Refuses a database that already has tables (create a new one: `createdb service_portal_new`,
# or CREATE DATABASE on the managed server), so a restore never mixes two portals' data.
# The restore runs in one transaction: it either completes or leaves the database empty.
# Then the uploaded files are unpacked into MEDIA_ROOT (default var/media) and
# `manage.py migrate` runs (a no-op when the backup comes from the same version of the portal).
# Stop the app processes and the task worker, or point them at the new database afterwards.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: DATABASE_URL=postgres://... $0 DUMP [MEDIA_ARCHIVE]" >&2
  exit 2
fi
: "${DATABASE_URL:?set DATABASE_URL to the empty database to restore into (postgres://...)}"
dump="$1"
archive="${2:-}"
root="$(cd "$(dirname "$0")/.." && pwd)"
media="${MEDIA_ROOT:-${VAR_DIR:-$root/var}/media}"
python="${PYTHON:-$root/.venv/bin/python}"
[ -x "$python" ] || python="python3"

[ -r "$dump" ] || { echo "restore.sh: cannot read $dump" >&2; exit 2; }
[ -z "$archive" ] || [ -r "$archive" ] || { echo "restore.sh: cannot read $archive" >&2; exit 2; }

tables="$(psql "$DATABASE_URL" -tAc \
  "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")"
if [ "$tables" != "0" ]; then
  echo "restore.sh: the target database already has $tables tables; restore into an empty one" >&2
  exit 1
fi

pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname="$DATABASE_URL" "$dump"
echo "database restored from $dump"

if [ -n "$archive" ]; then
  mkdir -p "$media"
  tar xzf "$archive" -C "$media"
  echo "uploaded files restored into $media"
fi

(cd "$root" && "$python" manage.py migrate --no-input -v0)
echo "migrations applied; check the portal: $root/manage.py check, then /health/"
