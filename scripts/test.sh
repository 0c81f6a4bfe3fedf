#!/usr/bin/env bash
# The README's test command: stage the runtime, build everything, run every test.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$OVSERVE_ROOT"
bash scripts/setup.sh
bash scripts/setup-python.sh
./mvnw -B verify "$@"
