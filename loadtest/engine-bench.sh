#!/usr/bin/env bash
# Offline engine throughput for the distilgpt2-shaped random model (FP16 IR): 128-token prompts,
# 128 new tokens, EOS ignored, at 1, 4, 16 and 64 concurrent sequences, plus 16 prompts run
# sequentially (concurrency 1) against all 16 at once for the batching speed-up.
# Usage: loadtest/engine-bench.sh [WORK_DIR]   (reuses WORK_DIR/ir-fp16 from foundation-bench.sh)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-/tmp/ovserve-bench}"
cli="${OVSERVE_CLI:-$root/ovserve}"
if [ ! -f "$work/ir-fp16/openvino_model.xml" ]; then
  "$cli" random-model --out "$work/hf" --seed 42 >/dev/null
  "$cli" convert --in "$work/hf" --out "$work/ir-fp16" --weights fp16 >/dev/null
fi
common=(--model "$work/ir-fp16" --prompt-len 128 --max-tokens 128 --kv-cache-size 2 --max-num-seqs 64)
echo "## 16 sequential vs 16 concurrent"
"$cli" bench "${common[@]}" --num-prompts 16 --concurrency 1,16 2>/dev/null
echo
echo "## throughput by concurrency (prompts = 4 x concurrency, at least 16)"
for c in 1 4 16 64; do
  n=$(( c * 4 < 16 ? 16 : c * 4 ))
  "$cli" bench "${common[@]}" --num-prompts "$n" --concurrency "$c" 2>/dev/null | tail -1
done
