#!/usr/bin/env bash
# The soak: SoakSimulation (open arrivals, mixed streamed/plain completions and chat, a fifth
# of the streams abandoned mid-way) against a fresh ovserve for DURATION seconds, then
# soak-report.py's verdict and the memory figure in docs/perf/soak.png.
#
# Usage: loadtest/soak.sh RATE [MODEL_DIR] [DURATION_SECONDS]
#   RATE  arrivals per second; meant to be about twice what the server sustains (see
#         docs/PERFORMANCE.md for how that was measured)
# The server runs with --max-waiting-requests 64: beyond ~15 s of queue it answers 429 at once.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rate="${1:?usage: loadtest/soak.sh RATE [MODEL_DIR] [DURATION_SECONDS]}"
model="${2:-}"
duration="${3:-600}"
target=()
[ -n "$model" ] && target=(--model "$model")
hf_tokenizer="${model:-$root/.ovserve/models/distilgpt2-random-fp16}/tokenizer.json"
suppress=$(mktemp --suffix .json)
python3 "$root/loadtest/partial-utf8-tokens.py" "$hf_tokenizer" >"$suppress"

status=0
"$root/loadtest/gatling.sh" soak "${target[@]}" --serve "--max-waiting-requests 64" -Drate="$rate" \
    -DdurationSeconds="$duration" -DsuppressTokensFile="$suppress" | tee /tmp/ovserve-soak.log || status=1
run=$(sed -n 's/^gatling.sh: report: .*; run files: //p' /tmp/ovserve-soak.log)
python3 "$root/loadtest/soak-report.py" "$run" --json-out "$run/soak.json" || status=1
"$root/loadtest/plot.sh" /dev/null "$root/docs/perf" --soak "$run"
echo "soak.sh: run files in $run"
exit "$status"
