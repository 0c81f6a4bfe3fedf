#!/usr/bin/env bash
# Runs one Gatling simulation against a live server and leaves Gatling's HTML report.
#
# Usage: loadtest/gatling.sh SIMULATION [--url URL | --model DIR] [--serve "OPTIONS"] [-Dname=value ...]
#   SIMULATION   smoke | streaming | completions | chat | soak, or a class in dev.ovserve.loadtest
#   --url URL    a server already running (ovserve or a peer); nothing is started or stopped
#   --model DIR  the IR to serve (default: a random-weight GPT-2 of distilgpt2's shape, built once)
#   --serve "…"  more `ovserve serve` options, e.g. "--max-waiting-requests 64 --no-prefix-caching"
#   -Dname=value simulation settings: users, rate, workload (closed|open), durationSeconds, mix,
#                sharedPrefix, disconnectShare, firstEventP95Ms, fullStreamP95Ms, model, seed
#                (see loadtest/src/test/java/dev/ovserve/loadtest/LoadSettings.java)
#
# When it starts the server itself, it also samples the server's resident memory, Java heap use,
# KV blocks and queue every 5 s into RUN_DIR/samples.csv, and after the run checks that every KV block came back.
# Exit status: non-zero if Gatling's assertions fail or a KV block leaked.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/env.sh"
cli="${OVSERVE_CLI:-$root/ovserve}"

[ $# -ge 1 ] || { sed -n '2,16p' "$0"; exit 2; }
case "$1" in
  smoke) class=SmokeSimulation ;;
  streaming) class=StreamingCompletionsSimulation ;;
  completions) class=CompletionsSimulation ;;
  chat) class=ChatSimulation ;;
  soak) class=SoakSimulation ;;
  *) class="$1" ;;
esac
shift
url="" model="" serve_opts="" props=()
while [ $# -gt 0 ]; do
  case "$1" in
    --url) url="$2"; shift 2 ;;
    --model) model="$2"; shift 2 ;;
    --serve) serve_opts="$2"; shift 2 ;;
    -D*) props+=("$1"); shift ;;
    *) echo "gatling.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

run_dir="$root/loadtest/target/runs/$(date +%Y%m%d-%H%M%S)-$class"
mkdir -p "$run_dir"
server_pid="" sampler_pid=""

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

health() {
  curl -sf "$url/health" || true
}

# Sums each named field over every device pool, from one /health read; comma-separated.
health_sums() {
  health | python3 -c "import json,sys
try:
    devices = json.load(sys.stdin)['devices']
    print(','.join(str(sum(d[f] for d in devices)) for f in sys.argv[1:]))
except Exception: print(','.join('' for _ in sys.argv[1:]))" "$@"
}

start_server() {
  local port
  port=$(free_port)
  url="http://127.0.0.1:$port"
  local args=(serve --port "$port")
  [ -n "$model" ] && args+=(--model "$model")
  # shellcheck disable=SC2206 # options are meant to split into words
  args+=($serve_opts)
  echo "gatling.sh: starting ovserve ${args[*]} (log: $run_dir/server.log)"
  "$cli" "${args[@]}" >"$run_dir/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do
    if curl -sf "$url/health" >/dev/null 2>&1; then
      echo "gatling.sh: server ready: $(health)"
      return
    fi
    kill -0 "$server_pid" 2>/dev/null || { tail -20 "$run_dir/server.log"; echo "gatling.sh: the server exited" >&2; exit 1; }
    sleep 0.5
  done
  echo "gatling.sh: the server did not become ready" >&2
  exit 1
}

# Java heap in use (survivors, eden, old), to tell a heap leak from garbage awaiting collection.
heap_used() {
  jstat -gc "$server_pid" 2>/dev/null | awk 'NR == 2 {printf "%.1f", ($3 + $4 + $6 + $8) / 1024}'
}

# The JVM's pid: the launcher execs java, so it is the pid we started.
sample_server() {
  echo "seconds,rss_mib,heap_used_mib,kv_blocks_used,running,waiting" >"$run_dir/samples.csv"
  local start=$SECONDS
  while kill -0 "$server_pid" 2>/dev/null; do
    local rss
    rss=$(awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$server_pid/status" 2>/dev/null || echo "")
    echo "$((SECONDS - start)),$rss,$(heap_used),$(health_sums kv_blocks_used running waiting)" >>"$run_dir/samples.csv"
    sleep 5
  done
}

stop_server() {
  [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null || true
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
}
trap stop_server EXIT

# Every request has ended when Gatling exits, but a hung-up stream is cancelled on the engine's
# next step: give the engine a moment, then every block must be free again.
check_kv_returned() {
  local used="" now
  for _ in $(seq 1 40); do
    now=$(health_sums kv_blocks_used running)
    used=${now%,*}
    [ "$now" = "0,0" ] && break
    sleep 0.25
  done
  health >"$run_dir/health-after.json"
  echo "gatling.sh: after the run: $(cat "$run_dir/health-after.json")"
  if [ "$used" != "0" ]; then
    echo "gatling.sh: FAILED: $used KV blocks still in use after the run" >&2
    return 1
  fi
  echo "gatling.sh: all KV blocks returned"
}

# The simulations' prompts are words that are one GPT-2 token each, so without --model they run
# against the random-weight GPT-2 (distilgpt2's shape, GPT-2's real tokenizer), built once.
if [ -z "$url" ] && [ -z "$model" ]; then
  model="$root/.ovserve/models/distilgpt2-random-fp16"
  if [ ! -f "$model/openvino_model.xml" ] || [ ! -f "$model/tokenizer.json" ]; then
    echo "gatling.sh: building the random GPT-2 test model in $model"
    "$cli" random-model --out "$root/.ovserve/models/distilgpt2-random-hf" --seed 42 >/dev/null
    tmp_ir=$(mktemp -d "$root/.ovserve/models/convert.XXXXXX")
    "$cli" convert --in "$root/.ovserve/models/distilgpt2-random-hf" --out "$tmp_ir" --weights fp16 >/dev/null
    rm -rf "$model" && mv "$tmp_ir" "$model" # into place last: a half-built model is never served
  elif [ ! -f "$model/chat_template.jinja" ]; then
    # built before random models shipped a chat template: take it from a throwaway tiny one
    tiny=$(mktemp -d)
    "$cli" random-model --out "$tiny" --layers 1 --heads 1 --hidden 8 --vocab 257 --context 8 --tokenizer bytes >/dev/null
    cp "$tiny/chat_template.jinja" "$model/chat_template.jinja"
    rm -rf "$tiny"
  fi
fi

if [ -z "$url" ]; then
  start_server
  sample_server &
  sampler_pid=$!
fi

# Unless told otherwise, ask the server which model it serves.
if [[ " ${props[*]} " != *" -Dmodel="* ]]; then
  served=$(curl -sf "$url/v1/models" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
  props+=("-Dmodel=$served")
fi
echo "gatling.sh: $class against $url"
status=0
touch "$run_dir/.started"
"$root/mvnw" -B -f "$root/loadtest/pom.xml" gatling:test \
    -Dgatling.simulationClass="dev.ovserve.loadtest.$class" -DbaseUrl="$url" -DtimingsFile="$run_dir/timings.csv" "${props[@]}" \
    2>&1 | tee "$run_dir/gatling.log" || status=$?
# Gatling writes its report under loadtest/target/gatling/; move the newest one beside the run.
report_dir=$(find "$root/loadtest/target/gatling" -mindepth 1 -maxdepth 1 -type d -newer "$run_dir/.started" 2>/dev/null | head -1)
[ -n "$report_dir" ] && mv "$report_dir" "$run_dir/report"
curl -sf "$url/metrics" >"$run_dir/metrics.txt" 2>/dev/null || rm -f "$run_dir/metrics.txt"
if [ -n "$server_pid" ]; then
  check_kv_returned || status=1
fi
report=$(find "$run_dir" -name index.html -print -quit)
echo "gatling.sh: report: ${report:-none}; run files: $run_dir"
exit "$status"
