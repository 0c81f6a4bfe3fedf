#!/usr/bin/env bash
# Weight formats side by side on the distilgpt2-shaped random model: FP32, FP16, INT8 (u8 per
# channel) and INT4 (i4, group 128, INT8 backup). For each: IR size; resident memory after
# load (which runs one inference) and after warm-up requests; single-stream decode tokens/s (1000 / mean inter-token
# latency at concurrency 1); output tokens/s at 16 concurrent sequences. Formats are run in
# turn, ROUNDS times, so machine noise hits them alike. Then each compressed model's fidelity
# against FP32 with `ovserve quality`, as served and with --exact math.
# Usage: loadtest/weights-bench.sh [WORK_DIR] [ROUNDS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-/tmp/ovserve-bench}"
rounds="${2:-2}"
cli="${OVSERVE_CLI:-$root/ovserve}"
formats=(fp32 fp16 int8 int4)
mkdir -p "$work"
if [ ! -f "$work/hf/model.safetensors" ]; then
  "$cli" random-model --out "$work/hf" --seed 42 >/dev/null
fi
echo "| weights | IR MB | convert |"
echo "|---|---|---|"
for w in "${formats[@]}"; do
  converted=$("$cli" convert --in "$work/hf" --out "$work/ir-$w" --weights "$w")
  mb=$(du -cm "$work/ir-$w"/openvino_model.{xml,bin} | tail -1 | cut -f1)
  echo "| $w | $mb | ${converted#converted } |"
done
echo
echo "| weights | round | RSS after load (anonymous + file-backed) | RSS after warm-up | decode tok/s (1 stream) | output tok/s (16 concurrent) |"
echo "|---|---|---|---|---|---|"
for r in $(seq 1 "$rounds"); do
  for w in "${formats[@]}"; do
    out=$("$cli" bench --model "$work/ir-$w" --prompt-len 128 --max-tokens 128 --num-prompts 16 --kv-cache-size 2 \
        --concurrency 1,16 2>/dev/null)
    mem=$(grep '^resident memory' <<<"$out")
    loaded=$(sed -E 's/.*; ([0-9]+ MiB \(anonymous [0-9]+ MiB, file-backed [0-9]+ MiB\)) after load.*/\1/' <<<"$mem")
    warm=$(sed -E 's/.*; ([0-9]+ MiB) \(anonymous [0-9]+ MiB, file-backed [0-9]+ MiB\) after warm-up.*/\1/' <<<"$mem")
    decode=$(grep '^| 1 |' <<<"$out" | cut -d'|' -f4 | tr -d ' ')
    c16=$(grep '^| 16 |' <<<"$out" | cut -d'|' -f3 | tr -d ' ')
    echo "| $w | $r | $loaded | $warm | $decode | $c16 |"
  done
done
echo
for mode in "" --exact; do
  echo "fidelity against FP32 ${mode:-(as served)}:"
  for w in fp16 int8 int4; do
    "$cli" quality --reference "$work/ir-fp32" --model "$work/ir-$w" $mode 2>/dev/null | grep '^|' | tail -1
  done
done
