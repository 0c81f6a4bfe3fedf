#!/usr/bin/env bash
# Creates, idempotently, the Python environment for the OpenVINO GenAI peer benchmark
# (loadtest/peers/genai-bench.py): .ovserve/peers/genai with openvino-genai built against the very
# OpenVINO ovserve pins, and what turns the model's tokenizer.json into the tokenizer IRs GenAI
# looks for (openvino-tokenizers' converter, which reads it through transformers; no torch).
# Prints the venv's Python, the one to run the benchmark with.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$root/scripts/versions.env"

venv="${OVSERVE_HOME:-$root/.ovserve}/peers/genai"
# GenAI and the tokenizers ship in lockstep with OpenVINO as X.Y.Z.0, but accept any later
# openvino X.Y patch (~=X.Y.Z.dev), so openvino is pinned too. transformers is pinned so a rerun
# builds the same environment.
want="openvino==$OPENVINO_VERSION openvino-genai==$OPENVINO_VERSION.0"
want+=" openvino-tokenizers==$OPENVINO_VERSION.0 transformers==5.23.0"
if [ "$(cat "$venv/VERSION" 2>/dev/null)" != "$want" ]; then
  echo "setup-genai: creating $venv with $want" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check $want
  got=$(HF_HUB_OFFLINE=1 "$venv/bin/python" -c "import openvino; print(openvino.__version__.split('-')[0])")
  if [ "$got" != "$OPENVINO_VERSION" ]; then
    echo "setup-genai: got openvino $got, want $OPENVINO_VERSION" >&2
    exit 1
  fi
  echo "$want" > "$venv/VERSION"
fi
HF_HUB_OFFLINE=1 "$venv/bin/python" -c "
import openvino, openvino_genai, openvino_tokenizers as t
print('setup-genai: openvino', openvino.__version__, '| openvino_genai', openvino_genai.__version__,
      '| openvino_tokenizers', t.__version__)" >&2
echo "$venv/bin/python"
