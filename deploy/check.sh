#!/usr/bin/env bash
# Lints, renders and validates the Helm chart offline with the real tools, built from the Go module proxy:
#   helm (pinned) → .ovserve/tools/go-bin/helm; deploy/validate (our strict decoder over the Kubernetes,
#   prometheus-operator and Gateway API Inference Extension Go types) → .ovserve/tools/go-bin/ovserve-validate.
# For both values files: `helm lint --strict`, `helm template`, then every rendered manifest decoded strictly
# (unknown fields, wrong types, unknown kinds and dangling endpoint-picker plugin refs are errors).
# Rendered manifests are kept in target/helm/ for reading. Needs Go (>= 1.25) on PATH.
set -euo pipefail
HELM_VERSION=v3.21.4
KUBE_VERSION=1.33.0   # what the chart is rendered and linted for (it needs >= 1.30 for preStop sleep)
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
chart="$root/deploy/helm/ovserve"
bin="$root/.ovserve/tools/go-bin"
out="$root/target/helm"
mkdir -p "$bin" "$out"

# `go install` leaves no version stamp in helm itself, so a file next to it says which one it is.
if [ ! -x "$bin/helm" ] || [ "$(cat "$bin/helm.version" 2>/dev/null)" != "$HELM_VERSION" ]; then
  echo "check: building helm $HELM_VERSION from the Go module proxy (minutes, once)"
  GOBIN="$bin" GOFLAGS=-mod=mod go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  echo "$HELM_VERSION" > "$bin/helm.version"
fi
echo "check: building deploy/validate"
(cd "$root/deploy/validate" && go build -o "$bin/ovserve-validate" .)

export HELM_CACHE_HOME="$out/.cache" HELM_CONFIG_HOME="$out/.config" HELM_DATA_HOME="$out/.data"
for values in values.yaml values-full.yaml; do
  name="${values%.yaml}"
  echo "== $values"
  "$bin/helm" lint --strict --kube-version "$KUBE_VERSION" "$chart" -f "$chart/$values"
  "$bin/helm" template ovserve "$chart" -f "$chart/$values" --namespace inference --kube-version "$KUBE_VERSION" > "$out/$name.yaml"
  "$bin/ovserve-validate" "$out/$name.yaml"
done
# A chart that must refuse: convert without a checkpoint claim.
if "$bin/helm" template ovserve "$chart" --kube-version "$KUBE_VERSION" --set model.source=convert > /dev/null 2>&1; then
  echo "check: model.source=convert without a checkpoint claim should not render" >&2
  exit 1
fi
echo "check: chart lints, renders and validates for values.yaml and values-full.yaml"
