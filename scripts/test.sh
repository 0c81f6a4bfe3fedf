#!/usr/bin/env bash
# The README's test command: stage the runtime and Chromium (for the playground's browser tests),
# build everything, run every test, then a one-minute Gatling smoke run against a live server
# (set SKIP_GATLING_SMOKE=1 to leave it out).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$OVSERVE_ROOT"
bash scripts/setup.sh
bash scripts/setup-python.sh
bash scripts/setup-browser.sh
./mvnw -B verify "$@"
if [ "${SKIP_GATLING_SMOKE:-0}" != 1 ]; then
  loadtest/gatling.sh smoke
fi
