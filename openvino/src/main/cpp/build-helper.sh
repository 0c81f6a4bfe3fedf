#!/usr/bin/env bash
# Builds the native helper against the headers and libraries staged by scripts/setup.sh.
# Usage: build-helper.sh OVSERVE_HOME. Rebuilds only when the source is newer than the library.
set -euo pipefail
home="$1"
src="$(cd "$(dirname "$0")" && pwd)/ovserve_helper.cpp"
ov="$home/openvino"
out="$home/native/libovserve_helper.so"
if [ ! -f "$ov/include/openvino/c/openvino.h" ] || [ ! -e "$ov/libs/libopenvino.so" ]; then
  echo "build-helper: OpenVINO headers/libs not staged under $ov; run scripts/setup.sh first" >&2
  exit 1
fi
if [ -f "$out" ] && [ "$out" -nt "$src" ] && [ "$out" -nt "$ov/VERSION" ]; then
  exit 0
fi
mkdir -p "$(dirname "$out")"
g++ -std=c++17 -O2 -fPIC -shared -fvisibility=hidden -Wall -Wextra \
    -isystem "$ov/include" "$src" -o "$out.tmp" \
    -L"$ov/libs" -lopenvino -Wl,-rpath,"$ov/libs"
mv "$out.tmp" "$out"
echo "build-helper: built $out"
