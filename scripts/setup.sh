#!/usr/bin/env bash
# Install what hcctrials needs on a fresh Debian machine (root or sudo), then the package.
#   scripts/setup.sh          runtime only (the package with SQLite)
#   scripts/setup.sh --test   also PostgreSQL server, R (survival, cmprsk, rpact), Chromium, a Java runtime and test extras
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_pkgs=(fonts-wqy-microhei libpango-1.0-0 libpangoft2-1.0-0)
if [ "$want_test" = 1 ]; then
  apt_pkgs+=(postgresql r-cran-survival r-cran-cmprsk r-cran-rpact chromium openjdk-17-jre-headless)
fi
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ] && command -v apt-get >/dev/null; then
  echo "setup: installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

extras="web,postgres,pdf"
[ "$want_test" = 1 ] && extras="test,web,postgres,pdf"
python3 -m pip install --disable-pip-version-check -q -e ".[${extras}]"
