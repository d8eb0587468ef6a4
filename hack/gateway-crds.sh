#!/usr/bin/env bash
# Copies the Gateway API's HTTPRoute and Gateway CRDs (standard channel)
# into test/crds/, from the sigs.k8s.io/gateway-api module at
# GATEWAY_API_VERSION as the Go module proxy serves it (the module ships
# its CRDs). Tests install them into envtest so that the guide's HTTPRoute
# example is checked against its real schema. Run by `make gateway-crds`;
# re-run when bumping the version.
set -euo pipefail
: "${GATEWAY_API_VERSION:?}"
out="$(cd "$(dirname "$0")/.." && pwd)/test/crds/gateway.networking.k8s.io"
dir="$(cd "$(mktemp -d)" && go mod download -json "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
[ -d "$dir/config/crd/standard" ] || { echo "no CRDs in sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION ($dir)" >&2; exit 1; }
mkdir -p "$out"
for kind in httproutes gateways; do
	{
		echo "# Copied by hack/gateway-crds.sh from sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION config/crd/standard. Do not edit."
		cat "$dir/config/crd/standard/gateway.networking.k8s.io_$kind.yaml"
	} > "$out/$kind.yaml"
done
