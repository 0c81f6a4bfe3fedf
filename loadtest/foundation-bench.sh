#!/usr/bin/env bash
# Foundation figures for the distilgpt2-shaped random model, measured with the CLI:
# conversion time and IR size (FP32, FP16), then time to first token and decode tokens/s for a
# 32-token prompt and 128 new tokens, each format run side by side, REPEAT times.
# Usage: loadtest/foundation-bench.sh [WORK_DIR] [REPEAT]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-/tmp/ovserve-bench}"
repeat="${2:-3}"
cli="${OVSERVE_CLI:-$root/ovserve}"
mkdir -p "$work"
prompt=$(seq -s, 1000 1031) # 32 token ids

if [ ! -f "$work/hf/model.safetensors" ]; then
  "$cli" random-model --out "$work/hf" --seed 42 >/dev/null
fi
echo "| weights | convert s | IR MB |"
echo "|---|---|---|"
for w in fp32 fp16; do
  start=$(date +%s.%N)
  "$cli" convert --in "$work/hf" --out "$work/ir-$w" --weights "$w" >/dev/null
  end=$(date +%s.%N)
  mb=$(du -cm "$work/ir-$w"/openvino_model.{xml,bin} | tail -1 | cut -f1)
  printf "| %s | %.1f | %s |\n" "$w" "$(awk "BEGIN {print $end - $start}")" "$mb"
done
echo
echo "| weights | run | TTFT ms (32-token prompt) | decode tokens/s (128 new) |"
echo "|---|---|---|---|"
for r in $(seq 1 "$repeat"); do
  for w in fp32 fp16; do
    line=$("$cli" generate --model "$work/ir-$w" --prompt-ids "$prompt" --max-tokens 128 --ignore-eos 2>&1 >/dev/null | tail -1)
    ttft=$(sed -E 's/.*ttft_ms=([0-9.]+).*/\1/' <<<"$line")
    tps=$(sed -E 's/.*decode_tokens_per_s=([0-9.]+).*/\1/' <<<"$line")
    echo "| $w | $r | $ttft | $tps |"
  done
done
