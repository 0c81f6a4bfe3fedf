#!/usr/bin/env bash
# Builds the llama.cpp peer: a venv at $REPO/.ovserve/peers/llamacpp with llama-cpp-python's
# OpenAI-compatible server plus the packages gguf-convert.py and llamacpp-check.py need.
# llama-cpp-python ships as an sdist, so pip compiles llama.cpp with cmake; its defaults already
# build for the host CPU (GGML_NATIVE, so AVX-512 where present) with OpenMP threading, so no
# CMAKE_ARGS are passed unless the caller sets them. A VERSION stamp makes reruns no-ops.
# Usage: loadtest/peers/setup-llamacpp.sh        (prints the venv path last)
set -euo pipefail

LLAMA_CPP_PYTHON_VERSION=0.3.36
GGUF_VERSION=0.19.0
NUMPY_VERSION=2.4.6
SAFETENSORS_VERSION=0.8.0

root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${LLAMACPP_VENV:-$root/.ovserve/peers/llamacpp}"
stamp="$venv/VERSION"

wanted_stamp() {
  printf 'llama-cpp-python[server]==%s gguf==%s numpy==%s safetensors==%s CMAKE_ARGS=%s\n' \
    "$LLAMA_CPP_PYTHON_VERSION" "$GGUF_VERSION" "$NUMPY_VERSION" "$SAFETENSORS_VERSION" "${CMAKE_ARGS:-}"
}

up_to_date() {
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(wanted_stamp)" ] && [ -x "$venv/bin/python" ]
}

# A stale or half-built venv is rebuilt from scratch rather than patched.
fresh_venv() {
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
}

install_packages() {
  # Both cores for the C++ build; pip's own output is terse, the cmake log goes to build.log.
  CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" "$venv/bin/pip" install --verbose \
    "llama-cpp-python[server]==$LLAMA_CPP_PYTHON_VERSION" \
    "gguf==$GGUF_VERSION" \
    "numpy==$NUMPY_VERSION" \
    "safetensors==$SAFETENSORS_VERSION" >"$venv/build.log" 2>&1 \
    || { tail -40 "$venv/build.log" >&2; echo "setup-llamacpp: pip failed, full log in $venv/build.log" >&2; exit 1; }
}

if up_to_date; then
  echo "llama.cpp peer up to date: $(cat "$stamp")" >&2
else
  start=$SECONDS
  fresh_venv
  install_packages
  wanted_stamp >"$stamp"
  echo "llama.cpp peer built in $((SECONDS - start)) s: $(cat "$stamp")" >&2
fi
echo "$venv"
