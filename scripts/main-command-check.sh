#!/usr/bin/env bash
# Proves the README's main command on its own: `./ovserve serve` with no other step first (CI runs this
# in its fresh clone before the test command), then a real completion and a chat request over HTTP.
# Exit status non-zero if the server does not come up, a request fails, or it does not stop on SIGTERM.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
log=$(mktemp)
"$root/ovserve" serve --port "$port" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -f "$log"' EXIT

# First use builds the project and the default model: allow for it.
deadline=$((SECONDS + ${READY_TIMEOUT_SECONDS:-1200}))
seen_loading=""
until curl -sf "$url/health" >/dev/null 2>&1; do
  # While the model loads, the port answers 503 {"status":"loading"} (a probe sees it, not a refusal).
  if [ -z "$seen_loading" ] && curl -s "$url/health" 2>/dev/null | grep -q '"loading"'; then
    seen_loading=yes
    echo "main-command-check: /health while loading: $(curl -s -o /dev/null -w '%{http_code}' "$url/health") loading"
  fi
  if ! kill -0 "$pid" 2>/dev/null || [ "$SECONDS" -gt "$deadline" ]; then
    echo "main-command-check: FAILED: the server did not become ready; its log:" >&2
    tail -n 40 "$log" >&2
    exit 1
  fi
  sleep 1
done
echo "main-command-check: ready after ${SECONDS}s: $(curl -sf "$url/health")"

post() {
  curl -sf "$url$1" -H 'Content-Type: application/json' -d "$2"
}
completion=$(post /v1/completions '{"prompt": "The capital of France is", "max_tokens": 8}')
chat=$(post /v1/chat/completions '{"messages": [{"role": "user", "content": "Hello!"}], "max_tokens": 8}')
python3 - "$completion" "$chat" <<'PY'
import json, sys
completion, chat = (json.loads(a) for a in sys.argv[1:])
assert completion["object"] == "text_completion" and completion["usage"]["completion_tokens"] > 0, completion
assert chat["object"] == "chat.completion" and chat["choices"][0]["message"]["role"] == "assistant", chat
print("main-command-check: completion:", json.dumps(completion["choices"][0]["text"]))
print("main-command-check: chat:", json.dumps(chat["choices"][0]["message"]["content"]))
PY
kill -TERM "$pid"
for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
if kill -0 "$pid" 2>/dev/null; then
  echo "main-command-check: FAILED: still running 60 s after SIGTERM" >&2
  exit 1
fi
echo "main-command-check: passed"
