#!/usr/bin/env bash
# ovserve beside its peers, every workload of docs/PERFORMANCE.md in one run, on one machine:
#   offline   ovserve bench vs OpenVINO GenAI (same IR, same prompt ids), 128-token prompts,
#             128 new tokens, 1/4/16/64 in flight, prefix caching off (prompts are unrelated)
#   http      Gatling streaming simulation, closed workload of 1/4/16/64 users, against
#             ovserve serve and llama.cpp's server (same weights as GGUF)
#   prefix    512-token shared prefix + 128 unique tokens, 128 new, 16 in flight: offline
#             (ovserve, GenAI; prefix caching on and off) and over HTTP (ovserve on/off, llama.cpp)
# Then loadtest/plot.py draws the figures into docs/perf/.
#
# Usage: loadtest/compare.sh [WORK_DIR] [RESULTS_DIR]
#   WORK_DIR     models (default /tmp/ovserve-bench; built with the project's own converter if absent)
#   RESULTS_DIR  JSON-lines results and run logs (default loadtest/target/compare-<time>)
#   HTTP_SECONDS how long each HTTP level injects users (default 60)
#   PARTS        which parts to run, of: offline http-ovserve http-llama prefix (default: all);
#                rows are appended to RESULTS_DIR/results.jsonl, so a part can be rerun alone
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-/tmp/ovserve-bench}"
out="${2:-$root/loadtest/target/compare-$(date +%Y%m%d-%H%M%S)}"
cli="${OVSERVE_CLI:-$root/ovserve}"
seconds="${HTTP_SECONDS:-60}"
parts=" ${PARTS:-offline http-ovserve http-llama prefix} "
levels=(1 4 16 64)
mkdir -p "$out"
results="$out/results.jsonl"
log() { echo "compare: $*" | tee -a "$out/compare.log" >&2; }

# --- models and peers ------------------------------------------------------------------------
if [ ! -f "$work/ir-fp16/openvino_model.xml" ]; then
  "$cli" random-model --out "$work/hf" --seed 42 >/dev/null
  "$cli" convert --in "$work/hf" --out "$work/ir-fp16" --weights fp16 >/dev/null
fi
genai_py=$("$root/loadtest/peers/setup-genai.sh")
llama_py="$("$root/loadtest/peers/setup-llamacpp.sh")/bin/python"
gguf="$work/gguf/model-f16.gguf"
if [ ! -f "$gguf" ]; then
  mkdir -p "$work/gguf"
  "$llama_py" "$root/loadtest/peers/gguf-convert.py" --in "$work/hf" --out "$gguf" --type f16
fi
suppress="$out/partial-utf8-ids.json"
python3 "$root/loadtest/partial-utf8-tokens.py" "$work/hf/tokenizer.json" >"$suppress"
log "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
log "ovserve $(git -C "$root" rev-parse --short HEAD); $("$genai_py" -c 'import openvino_genai as g; print("openvino_genai", g.__version__)')"

# Appends one JSON row per result line of an offline run to the results file.
offline_rows() {  # FILE WORKLOAD
  python3 - "$1" "$2" "$results" <<'EOF'
import json, sys
run = json.load(open(sys.argv[1]))
with open(sys.argv[3], "a") as f:
    for r in run["results"]:
        f.write(json.dumps({"workload": sys.argv[2], "engine": run["engine"], "prefix_caching": run["prefix_caching"], **r}) + "\n")
EOF
}

offline() {  # WORKLOAD CONCURRENCY NUM_PROMPTS PROMPT_LEN SHARED_PREFIX PREFIX_CACHING(on|off)
  local tag="$1-c$2-pc$6" caching=()
  [ "$6" = off ] && caching=(--no-prefix-caching)
  log "offline $tag: ovserve bench"
  "$cli" bench --model "$work/ir-fp16" --num-prompts "$3" --prompt-len "$4" --shared-prefix "$5" --max-tokens 128 \
      --concurrency "$2" "${caching[@]}" --save-prompts "$out/$tag-prompts.json" --json-out "$out/$tag-ovserve.json" \
      2>>"$out/bench.log" | tee -a "$out/compare.log"
  offline_rows "$out/$tag-ovserve.json" "$1"
  log "offline $tag: OpenVINO GenAI"
  "$genai_py" "$root/loadtest/peers/genai-bench.py" --model "$work/ir-fp16" --prompts "$out/$tag-prompts.json" \
      --concurrency "$2" --prefix-caching "$6" --json-out "$out/$tag-genai.json" 2>>"$out/genai.log" | tee -a "$out/compare.log"
  offline_rows "$out/$tag-genai.json" "$1"
}

http() {  # WORKLOAD ENGINE USERS MIX SHARED_PREFIX PREFIX_CACHING [gatling.sh target args...]
  local workload="$1" engine="$2" users="$3" mix="$4" prefix="$5" caching="$6"
  shift 6
  log "http $workload: $engine, $users users, mix $mix, shared prefix $prefix, prefix caching $caching"
  "$root/loadtest/gatling.sh" streaming "$@" -Dusers="$users" -DdurationSeconds="$seconds" -Dmix="$mix" \
      -DsharedPrefix="$prefix" -DsuppressTokensFile="$suppress" >"$out/gatling-last.log" 2>&1 \
      || log "  (gatling.sh exited non-zero; see the run's gatling.log)"
  local run
  run=$(sed -n 's/^gatling.sh: report: .*; run files: //p' "$out/gatling-last.log")
  cp "$out/gatling-last.log" "$out/http-$workload-$engine-c$users-pc$caching.log"
  python3 "$root/loadtest/summarize.py" "$run" --append-to "$results" --label workload="$workload" \
      --label engine="$engine" --label concurrency="$users" --label prefix_caching="$caching" --label run="$run" \
      | tee -a "$out/compare.log"
}

start_llama() {
  "$root/loadtest/peers/llamacpp-serve.sh" --model "$gguf" --port 8001 --name distilgpt2-random-f16 >/dev/null
}
stop_llama() {
  "$root/loadtest/peers/llamacpp-serve.sh" stop --port 8001 >/dev/null 2>&1 || true
}
trap stop_llama EXIT

# --- 128-token prompts, 128 new tokens -------------------------------------------------------
if [[ $parts == *" offline "* ]]; then
  for c in "${levels[@]}"; do
    offline offline "$c" $(( c * 4 < 16 ? 16 : c * 4 )) 128 0 off
  done
fi
if [[ $parts == *" http-ovserve "* ]]; then
  for c in "${levels[@]}"; do
    http http ovserve "$c" 128:128 0 on --model "$work/ir-fp16"
  done
fi
if [[ $parts == *" http-llama "* ]]; then
  start_llama
  for c in "${levels[@]}"; do
    http http llama.cpp "$c" 128:128 0 none --url http://127.0.0.1:8001
  done
  stop_llama
fi

# --- shared 512-token prefix -----------------------------------------------------------------
if [[ $parts == *" prefix "* ]]; then
  for caching in on off; do
    offline prefix 16 64 640 512 "$caching"
  done
  http prefix ovserve 16 640:128 512 on --model "$work/ir-fp16"
  http prefix ovserve 16 640:128 512 off --model "$work/ir-fp16" --serve "--no-prefix-caching"
  start_llama
  http prefix llama.cpp 16 640:128 512 none --url http://127.0.0.1:8001
  stop_llama
fi

log "results: $results"
"$root/loadtest/plot.sh" "$results" "$root/docs/perf"
