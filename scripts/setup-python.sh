#!/usr/bin/env bash
# Creates the Python environment the tests use as an independent third party, idempotently:
# .ovserve/py with the pinned openvino and NNCF (PyPI), which compresses IRs the way
# optimum-intel exports do, so tests can prove models compressed by others load unchanged.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$OVSERVE_ROOT/scripts/versions.env"

py_dir="$OVSERVE_HOME/py"
want="openvino==$OPENVINO_VERSION nncf==$NNCF_VERSION"
if [ "$(cat "$py_dir/VERSION" 2>/dev/null)" != "$want" ]; then
  echo "setup-python: creating $py_dir with $want"
  rm -rf "$py_dir"
  python3 -m venv "$py_dir"
  "$py_dir/bin/python" -m pip install --quiet --disable-pip-version-check $want
  echo "$want" > "$py_dir/VERSION"
fi
