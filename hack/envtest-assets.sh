#!/usr/bin/env bash
# Prints the directory holding kube-apiserver, etcd and kubectl for envtest.
#
# Order of preference:
#   1. binaries already in setup-envtest's store (any earlier run left them there);
#   2. setup-envtest's own download (works on machines that reach its release bucket);
#   3. building kube-apiserver and etcd from the Go module proxy, once, into the
#      same store, so the next run (and a fresh clone on this machine) reuses them.
#
# All progress goes to stderr; stdout carries only the directory.
set -euo pipefail

K8S_VERSION="${ENVTEST_K8S_VERSION:-1.36.3}"
ETCD_VERSION="${ENVTEST_ETCD_VERSION:-3.6.16}"
SETUP_ENVTEST="${SETUP_ENVTEST:-}"
GOOS="$(go env GOOS)"
GOARCH="$(go env GOARCH)"
STORE="${ENVTEST_STORE:-${XDG_DATA_HOME:-$HOME/.local/share}/kubebuilder-envtest}"
DEST="$STORE/k8s/${K8S_VERSION}-${GOOS}-${GOARCH}"

log() { echo "envtest-assets: $*" >&2; }

complete() {
  [[ -x "$1/kube-apiserver" && -x "$1/etcd" && -x "$1/kubectl" ]]
}

if complete "$DEST"; then
  echo "$DEST"
  exit 0
fi

if [[ -n "$SETUP_ENVTEST" && -x "$SETUP_ENVTEST" ]]; then
  log "trying setup-envtest download of ${K8S_VERSION}"
  if dir="$(timeout 60 "$SETUP_ENVTEST" use "$K8S_VERSION" --bin-dir "$STORE" -p path 2>/dev/null)" && complete "$dir"; then
    echo "$dir"
    exit 0
  fi
  log "setup-envtest could not download; building from the Go module proxy instead"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/out"

build_apiserver() {
  local mod="$work/apiserver"
  mkdir -p "$mod"
  log "building kube-apiserver v${K8S_VERSION} (about 4 minutes on 2 cores)"
  local staging=(api apiextensions-apiserver apimachinery apiserver cli-runtime client-go
    cloud-provider cluster-bootstrap code-generator component-base component-helpers
    controller-manager cri-api cri-client csi-translation-lib dynamic-resource-allocation
    endpointslice externaljwt kms kube-aggregator kube-controller-manager kube-proxy
    kube-scheduler kubectl kubelet metrics mount-utils pod-security-admission
    sample-apiserver sample-cli-plugin sample-controller streaming)
  local minor="${K8S_VERSION#*.}"
  {
    echo "module envtestbuild"
    echo
    echo "go 1.25"
    echo
    echo "replace ("
    for m in "${staging[@]}"; do echo "	k8s.io/$m => k8s.io/$m v0.${minor}"; done
    echo ")"
  } >"$mod/go.mod"
  (
    cd "$mod"
    # Some staging modules may not exist at this version; drop replaces the proxy refuses.
    for m in "${staging[@]}"; do
      if ! go list -m "k8s.io/$m@v0.${minor}" >/dev/null 2>&1; then
        go mod edit -dropreplace "k8s.io/$m"
      fi
    done
    # go get pins the exact version (a tidy would drop the requirement and
    # let the build pick "latest").
    go get "k8s.io/kubernetes/cmd/kube-apiserver@v${K8S_VERSION}" >&2
    local pkg=k8s.io/component-base/version
    local ld="-s -w -X ${pkg}.gitVersion=v${K8S_VERSION} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=${minor%%.*} -X ${pkg}.gitTreeState=clean -X ${pkg}.buildDate=1970-01-01T00:00:00Z"
    ld="$ld -X k8s.io/client-go/pkg/version.gitVersion=v${K8S_VERSION} -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=${minor%%.*}"
    CGO_ENABLED=0 GOFLAGS=-mod=mod go build -tags tools -trimpath -ldflags "$ld" \
      -o "$work/out/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
  )
}

build_etcd() {
  local mod="$work/etcd"
  mkdir -p "$mod"
  log "building etcd v${ETCD_VERSION}"
  cat >"$mod/go.mod" <<GOMOD
module envtestetcd

go 1.25

GOMOD
  (
    cd "$mod"
    go get "go.etcd.io/etcd/server/v3@v${ETCD_VERSION}" >&2
    CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" \
      -o "$work/out/etcd" go.etcd.io/etcd/server/v3
  )
}

build_apiserver
build_etcd
# kubectl: the machine's own one is fine for envtest (it is only used by tests that ask for it).
if command -v kubectl >/dev/null 2>&1; then
  cp "$(command -v kubectl)" "$work/out/kubectl"
else
  log "building kubectl v${K8S_VERSION}"
  (cd "$work/apiserver" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" \
    -o "$work/out/kubectl" k8s.io/kubernetes/cmd/kubectl)
fi

mkdir -p "$DEST"
install -m 0755 "$work/out/kube-apiserver" "$work/out/etcd" "$work/out/kubectl" "$DEST/"
log "installed into $DEST"
echo "$DEST"
