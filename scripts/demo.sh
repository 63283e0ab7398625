#!/usr/bin/env bash
# Set up and run the main job on the embedded default: ingest the bundled example
# registry records into a SQLite database and show them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export HCCTRIALS_DB="${HCCTRIALS_DB:-$PWD/hcctrials-demo.sqlite3}"
hcctrials ingest --examples
hcctrials trials list
first=$(hcctrials trials list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["trial_id"])')
hcctrials trials show "$first"
hcctrials trials show "$first" --lang zh
