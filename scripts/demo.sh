#!/usr/bin/env bash
# Set up and run the main job on the embedded default: ingest the bundled example registry
# records into a SQLite database, show them, then start the web app and print its URL
# (foreground; Ctrl+C stops it).  PORT (default 8000) and HOST (default 127.0.0.1) choose where
# it listens; `scripts/demo.sh --port 8080` works too.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${PORT:-8000}"
host="${HOST:-127.0.0.1}"
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --port=*) port="${1#--port=}"; shift ;;
    --host) host="$2"; shift 2 ;;
    --host=*) host="${1#--host=}"; shift ;;
    *) echo "usage: scripts/demo.sh [--port N] [--host ADDRESS]" >&2; exit 2 ;;
  esac
done
scripts/setup.sh
export HCCTRIALS_DB="${HCCTRIALS_DB:-$PWD/hcctrials-demo.sqlite3}"
hcctrials ingest --examples
hcctrials trials list
first=$(hcctrials trials list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["trial_id"])')
hcctrials trials show "$first"
hcctrials trials show "$first" --lang zh
echo
echo "Web app: http://${host/0.0.0.0/localhost}:${port}/   (中文: http://${host/0.0.0.0/localhost}:${port}/?lang=zh)"
exec hcctrials serve --host "$host" --port "$port"
