#!/usr/bin/env bash
# Set up everything (Debian packages, Python packages) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
python3 -m pytest -n 2 -q "$@"
