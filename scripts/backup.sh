#!/usr/bin/env bash
# Back up the portal: the PostgreSQL database (pg_dump custom format) and the uploaded files.
#
#   DATABASE_URL=postgres://user:pass@host:5432/service_portal scripts/backup.sh [DIRECTORY]
#
# Writes DIRECTORY/service_portal-<UTC time>.dump and, when MEDIA_ROOT (default var/media)
# holds files, DIRECTORY/media-<UTC time>.tgz next to it (default DIRECTORY: ./backups).
# The dump is read back with `pg_restore --list` before the script reports success, so a
# truncated file is noticed now and not on the day it is needed. Restore with scripts/restore.sh.
set -euo pipefail

: "${DATABASE_URL:?set DATABASE_URL to the database to back up (postgres://...)}"
case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  *) echo "backup.sh: DATABASE_URL must be a PostgreSQL URL (postgres://...)" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "$0")/.." && pwd)"
target="${1:-backups}"
media="${MEDIA_ROOT:-${VAR_DIR:-$root/var}/media}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$target"

dump="$target/service_portal-$stamp.dump"
# --no-owner/--no-privileges: the dump restores under whatever role the new server gives us
# (managed PostgreSQL rarely lets you recreate the original owner).
pg_dump --format=custom --no-owner --no-privileges --file="$dump.partial" "$DATABASE_URL"
pg_restore --list "$dump.partial" >/dev/null
mv "$dump.partial" "$dump"
echo "database: $dump ($(du -h "$dump" | cut -f1))"

if [ -d "$media" ] && [ -n "$(ls -A "$media")" ]; then
  archive="$target/media-$stamp.tgz"
  tar czf "$archive.partial" -C "$media" .
  mv "$archive.partial" "$archive"
  echo "uploaded files: $archive ($(du -h "$archive" | cut -f1))"
else
  echo "uploaded files: none in $media"
fi
