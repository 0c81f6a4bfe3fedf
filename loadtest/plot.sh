#!/usr/bin/env bash
# Draws the performance figures and prints the markdown tables from compare.sh's results.
# Usage: loadtest/plot.sh RESULTS.jsonl OUT_DIR [--soak RUN_DIR]
# matplotlib lives in its own pinned environment, .ovserve/peers/plot.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.ovserve/peers/plot"
want="matplotlib==3.10.8"
if [ "$(cat "$venv/VERSION" 2>/dev/null)" != "$want" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$want"
  echo "$want" >"$venv/VERSION"
fi
exec "$venv/bin/python" "$root/loadtest/plot.py" "$@"
