#!/usr/bin/env bash
# Backups of the database DATABASE_URL names (PostgreSQL: pg_dump's custom format).
#   scripts/backup.sh backup [FILE]    — writes FILE (default backups/redcross-YYYYmmdd-HHMMSS.dump)
#   scripts/backup.sh restore FILE     — restores FILE into DATABASE_URL's database, replacing what it holds
# With no DATABASE_URL (the embedded SQLite of `make run`), the SQLite file is copied instead.
set -euo pipefail
cd "$(dirname "$0")/.."

action="${1:-}"
file="${2:-}"
url="${DATABASE_URL:-}"

case "$url" in
  postgres://*|postgresql://*) kind=postgres ;;
  "") kind=sqlite ;;
  *) echo "DATABASE_URL must name PostgreSQL (postgres://…), or be unset for SQLite" >&2; exit 2 ;;
esac

case "$action" in
  backup)
    if [ -z "$file" ]; then
      mkdir -p backups
      stamp=$(date +%Y%m%d-%H%M%S)
      file="backups/redcross-${stamp}.$([ "$kind" = postgres ] && echo dump || echo sqlite3)"
    fi
    partial="${file}.partial"
    if [ "$kind" = postgres ]; then
      pg_dump --format=custom --no-owner --file="$partial" "$url"
      pg_restore --list "$partial" > /dev/null   # a dump that cannot be listed is no backup
    else
      .venv/bin/python - "$partial" <<'PY'
import sqlite3, sys
source = sqlite3.connect("db.sqlite3")
target = sqlite3.connect(sys.argv[1])
source.backup(target)
target.close()
PY
    fi
    mv "$partial" "$file"
    echo "备份已写入 $file（$(du -h "$file" | cut -f1)）"
    ;;
  restore)
    if [ -z "$file" ] || [ ! -f "$file" ]; then
      echo "usage: scripts/backup.sh restore FILE (an existing backup)" >&2; exit 2
    fi
    if [ "$kind" = postgres ]; then
      pg_restore --list "$file" > /dev/null
      pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error --dbname="$url" "$file"
    else
      .venv/bin/python - "$file" <<'PY'
import sqlite3, sys
source = sqlite3.connect(sys.argv[1])
target = sqlite3.connect("db.sqlite3")
source.backup(target)
target.close()
PY
    fi
    echo "已从 $file 恢复"
    ;;
  *)
    echo "usage: scripts/backup.sh backup [FILE] | restore FILE" >&2; exit 2 ;;
esac
