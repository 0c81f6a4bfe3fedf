#!/usr/bin/env bash
# Starts llama-cpp-python's OpenAI-compatible server on a GGUF in the background, waits until it
# answers, and prints its URL; `stop` ends it. Pid and log live in $REPO/.ovserve/peers/run/.
#
# Usage: loadtest/peers/llamacpp-serve.sh --model X.gguf [--port 8001] [--host 127.0.0.1]
#            [--name NAME] [--threads 2] [--ctx 0] [--chat-format chatml] [-- SERVER_OPTION...]
#        loadtest/peers/llamacpp-serve.sh stop [--port 8001]
#   --name         the model id served and listed by /v1/models (default: the GGUF's file name stem)
#   --ctx          tokens of context; 0 (default) takes the model's own (1024 for GPT-2). More is
#                  unsafe: GPT-2 has no position embedding past it, and llama.cpp aborts the whole
#                  server (GGML_ASSERT in get_rows) once a sequence gets there.
#   --chat-format  llama-cpp-python's prompt format for /v1/chat/completions; the GPT-2 GGUF has
#                  no chat template, and without one llama-cpp-python falls back to llama-2's [INST]
#   after --        more `python -m llama_cpp.server` options, e.g. -- --cache true
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${LLAMACPP_VENV:-$root/.ovserve/peers/llamacpp}"
run_dir="$root/.ovserve/peers/run"

model="" port=8001 host=127.0.0.1 name="" threads=2 ctx=0 chat_format=chatml extra=()

usage() { sed -n '5,14p' "$0" >&2; exit 2; }

parse_args() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --model) model="$2"; shift 2 ;;
      --port) port="$2"; shift 2 ;;
      --host) host="$2"; shift 2 ;;
      --name) name="$2"; shift 2 ;;
      --threads) threads="$2"; shift 2 ;;
      --ctx) ctx="$2"; shift 2 ;;
      --chat-format) chat_format="$2"; shift 2 ;;
      --) shift; extra=("$@"); break ;;
      *) echo "llamacpp-serve.sh: unknown argument $1" >&2; usage ;;
    esac
  done
}

pid_file() { echo "$run_dir/llamacpp-$port.pid"; }
log_file() { echo "$run_dir/llamacpp-$port.log"; }

running() { [ -f "$(pid_file)" ] && kill -0 "$(cat "$(pid_file)")" 2>/dev/null; }

stop() {
  if running; then
    local pid; pid=$(cat "$(pid_file)")
    kill -TERM "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    echo "llamacpp-serve.sh: stopped pid $pid (port $port)" >&2
  fi
  rm -f "$(pid_file)"
}

# Settings chosen for a load-test peer on a 2-core machine:
# - logits_all false: the server's default (true) computes vocabulary-wide logits for every prompt
#   position, which only logprobs need and which slows prefill;
# - interrupt_requests false: by default a streaming response is cut short (with [DONE]) as soon as
#   another request waits, so under concurrency streams would end early;
# - n_batch = n_ubatch = 512: a prompt is evaluated in 512-token chunks, llama.cpp's default.
start() {
  [ -n "$model" ] || usage
  [ -x "$venv/bin/python" ] || { echo "llamacpp-serve.sh: no venv at $venv; run loadtest/peers/setup-llamacpp.sh" >&2; exit 1; }
  running && { echo "llamacpp-serve.sh: already running on port $port, pid $(cat "$(pid_file)")" >&2; exit 1; }
  [ -n "$name" ] || name="$(basename "$model" .gguf)"
  mkdir -p "$run_dir"
  setsid "$venv/bin/python" -m llama_cpp.server \
    --model "$model" --model_alias "$name" --host "$host" --port "$port" \
    --n_threads "$threads" --n_threads_batch "$threads" --n_ctx "$ctx" --n_batch 512 --n_ubatch 512 \
    --logits_all false --interrupt_requests false --chat_format "$chat_format" --verbose false \
    "${extra[@]}" >"$(log_file)" 2>&1 </dev/null &
  echo $! >"$(pid_file)"
  wait_ready
}

wait_ready() {
  local url="http://$host:$port"
  for _ in $(seq 1 240); do
    if curl -sf "$url/v1/models" >/dev/null 2>&1; then
      echo "llamacpp-serve.sh: serving $name at $url (pid $(cat "$(pid_file)"), log $(log_file))" >&2
      echo "$url"
      return
    fi
    running || { tail -20 "$(log_file)" >&2; echo "llamacpp-serve.sh: the server exited" >&2; rm -f "$(pid_file)"; exit 1; }
    sleep 0.5
  done
  echo "llamacpp-serve.sh: no answer from $url after 120 s; stopping it" >&2
  stop
  exit 1
}

if [ "${1:-}" = stop ]; then
  shift
  parse_args "$@"
  stop
else
  parse_args "$@"
  start
fi
