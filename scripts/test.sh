#!/usr/bin/env bash
# Install everything the tests need, then run every test: unit and site tests, then browser tests.
# Usage: ./scripts/test.sh [pytest arguments]   (the same command CI runs through .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."

# System tools: Chromium for browser tests, Java + jing + xmllint for the HTML, Atom and sitemap
# validators. Installed only when missing, so a second run starts at once.
packages=()
command -v chromium >/dev/null || packages+=(chromium)
command -v jing >/dev/null || packages+=(jing)
command -v xmllint >/dev/null || packages+=(libxml2-utils)
command -v java >/dev/null || packages+=(default-jre-headless)
# Flags (regional indicator pairs) in screenshots need a colour emoji font.
[ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || packages+=(fonts-noto-color-emoji)
if [ ${#packages[@]} -gt 0 ]; then
  echo "installing ${packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  ${SUDO:-} apt-get update -qq
  ${SUDO:-} apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
npm ci --prefix tests/tools --silent --no-audit --no-fund

# One pytest-xdist worker per core; each test file runs whole on one worker, so a site a file
# builds once for its tests is built once. `-n 0` among the arguments runs them in one process.
python3 -m pytest tests --ignore=tests/browser -n auto --dist loadfile "$@"
# The browser tests timed in milliseconds (tests/conftest.py's TIMED) run afterwards, alone in
# one process (exit status 5: none of them was selected).
SITEGEN_TESTS_ALONE=skip python3 -m pytest tests/browser -n auto --dist loadfile "$@"
SITEGEN_TESTS_ALONE=only python3 -m pytest tests/browser "$@" || [ $? -eq 5 ]
