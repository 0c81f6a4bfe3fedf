#!/usr/bin/env bash
# The real default model, SmolLM2-135M-Instruct, in every weight format our converter makes from
# its Q4_1 GGUF: FP32, FP16, INT8 (dequantized, then written in that format), INT4 (dequantized and
# requantized by our quantizer) and Q4_1 (the GGUF's own blocks, what `serve` uses by default).
#   1. fidelity of each against FP32 with `ovserve quality` (as served and with --exact); these
#      figures do not depend on machine load;
#   2. `ovserve bench` on each (timings: run on a quiet machine);
#   3. with --genai, OpenVINO GenAI's continuous batching on the same IR and the same prompt ids
#      (loadtest/peers/setup-genai.sh installs it).
# Usage: loadtest/smollm2-bench.sh [WORK_DIR] [--quality-only] [--genai]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-/tmp/ovserve-smollm2}"
shift || true
quality_only="" genai=""
for a in "$@"; do
  case "$a" in
    --quality-only) quality_only=1 ;;
    --genai) genai=1 ;;
    *) echo "unknown option $a" >&2; exit 2 ;;
  esac
done
cli="${OVSERVE_CLI:-$root/ovserve}"
gguf="$root/.ovserve/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
[ -f "$gguf" ] || bash "$root/scripts/setup.sh"
mkdir -p "$work"
formats=(fp32 fp16 int8 int4 q4_1)
echo "| weights | IR MB | convert |"
echo "|---|---|---|"
for w in "${formats[@]}"; do
  if [ ! -f "$work/ir-$w/openvino_model.xml" ]; then
    if [ "$w" = q4_1 ]; then
      converted=$("$cli" convert --in "$gguf" --out "$work/ir-$w")
    else
      converted=$("$cli" convert --in "$gguf" --out "$work/ir-$w" --weights "$w" --group-size 32)
    fi
  else
    converted="(already converted)"
  fi
  mb=$(du -cm "$work/ir-$w"/openvino_model.{xml,bin} | tail -1 | cut -f1)
  echo "| $w | $mb | ${converted#converted } |"
done
echo
for mode in "" --exact; do
  echo "fidelity against FP32 ${mode:-(as served)}:"
  for w in fp16 int8 int4 q4_1; do
    "$cli" quality --reference "$work/ir-fp32" --model "$work/ir-$w" $mode 2>/dev/null | grep '^|' | tail -1 | sed "s/^| [^|]* |/| $w |/"
  done
done
[ -n "$quality_only" ] && exit 0
echo
for w in "${formats[@]}"; do
  echo "bench $w:"
  "$cli" bench --model "$work/ir-$w" --prompt-len 128 --max-tokens 128 --num-prompts 64 --concurrency 1,4,16,64 \
      --save-prompts "$work/prompts.json" 2>/dev/null | grep -E '^\||^resident'
done
if [ -n "$genai" ]; then
  genai_py=$("$root/loadtest/peers/setup-genai.sh")
  for w in fp16 q4_1; do
    echo "OpenVINO GenAI $w (same prompt ids):"
    "$genai_py" "$root/loadtest/peers/genai-bench.py" --model "$work/ir-$w" --prompts "$work/prompts.json" \
        --concurrency 1,4,16,64 2>/dev/null | grep '^|'
  done
fi
