# whatsapp-operator — every target a kubebuilder user expects.
# Tools are installed into ./bin from the Go module proxy, pinned below.

# VERSION is stamped into the binary (--version) and names the image tag.
# Release builds set it (make docker-build VERSION=v0.1.0); a checkout says
# what git describes.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
IMG ?= whatsapp-operator:$(VERSION)
# PLATFORMS are the targets of docker-buildx (multi-arch image).
PLATFORMS ?= linux/amd64,linux/arm64
LDFLAGS = -X main.version=$(VERSION)
CONTROLLER_TOOLS_VERSION ?= v0.23.0
SETUP_ENVTEST_VERSION ?= v0.25.1
KUSTOMIZE_VERSION ?= v5.8.3
CRD_REF_DOCS_VERSION ?= v0.3.0
PROMETHEUS_OPERATOR_VERSION ?= v0.95.2
GATEWAY_API_VERSION ?= v1.6.3
CHART ?= charts/whatsapp-operator
ENVTEST_K8S_VERSION ?= 1.36.3
FUZZTIME ?= 10s
# CLIENTLIB holds the Node.js WhatsApp client library the relay is tested with.
CLIENTLIB ?= test/clientlib

LOCALBIN ?= $(CURDIR)/bin
CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen-$(CONTROLLER_TOOLS_VERSION)
SETUP_ENVTEST ?= $(LOCALBIN)/setup-envtest-$(SETUP_ENVTEST_VERSION)
KUSTOMIZE ?= $(LOCALBIN)/kustomize-$(KUSTOMIZE_VERSION)
CRD_REF_DOCS ?= $(LOCALBIN)/crd-ref-docs-$(CRD_REF_DOCS_VERSION)

GOBIN_ENV = GOBIN=$(LOCALBIN)
SHELL = /usr/bin/env bash -o pipefail
.SHELLFLAGS = -ec

.PHONY: all
all: build

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage:\n  make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: $(CONTROLLER_GEN) ## Generate CRDs and RBAC from the Go markers.
	$(CONTROLLER_GEN) rbac:roleName=manager-role crd:allowDangerousTypes=false paths="./api/...;./controllers/...;./webhookserver/..." output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac
	@# The chart renders these copies (CRDs, the manager's rules, the admission policy): they cannot drift.
	rm -rf $(CHART)/files && mkdir -p $(CHART)/files/crds $(CHART)/files/rbac $(CHART)/files/policy $(CHART)/files/monitoring
	cp config/crd/bases/*.yaml $(CHART)/files/crds/
	cp config/rbac/role.yaml $(CHART)/files/rbac/manager-role.yaml
	cp config/policy/webhook-server-annotation-only.yaml config/policy/operator-writes.yaml $(CHART)/files/policy/
	@# The monitoring bundle (config/prometheus): the chart renders the same PodMonitors, rules and dashboard.
	cp config/prometheus/podmonitors.yaml config/prometheus/prometheus-rule.yaml config/prometheus/grafana/whatsapp-operator.json $(CHART)/files/monitoring/

.PHONY: generate
generate: $(CONTROLLER_GEN) ## Generate deepcopy code.
	$(CONTROLLER_GEN) object:headerFile="hack/boilerplate.go.txt" paths="./api/..."

.PHONY: fmt
fmt: ## go fmt.
	go fmt ./...

.PHONY: vet
vet: ## go vet.
	go vet ./...

.PHONY: verify-generated
.PHONY: api-docs
api-docs: $(CRD_REF_DOCS) ## Generate docs/api-reference.md from the API types (crd-ref-docs).
	$(CRD_REF_DOCS) --source-path=./api --config=hack/crd-ref-docs.yaml --renderer=markdown --output-path=docs/api-reference.md --log-level=WARN

GENERATED = config/crd config/rbac api $(CHART)/files docs/api-reference.md

verify-generated: manifests generate api-docs ## Fail when CRDs, RBAC, deepcopy, the chart's copies of them or the API reference are stale.
	@if [ -n "$$(git status --porcelain -- $(GENERATED))" ]; then \
		echo "Generated files are stale; run 'make manifests generate' and commit:"; \
		git status --porcelain -- $(GENERATED); git --no-pager diff --stat -- $(GENERATED); exit 1; \
	fi

.PHONY: monitoring-crds
monitoring-crds: $(CONTROLLER_GEN) ## Regenerate test/crds/ (ServiceMonitor, PodMonitor, PrometheusRule) from prometheus-operator's types.
	CONTROLLER_GEN=$(CONTROLLER_GEN) PROMETHEUS_OPERATOR_VERSION=$(PROMETHEUS_OPERATOR_VERSION) hack/monitoring-crds.sh

.PHONY: gateway-crds
gateway-crds: ## Refresh test/crds/gateway.networking.k8s.io (HTTPRoute, Gateway) from the Gateway API module.
	GATEWAY_API_VERSION=$(GATEWAY_API_VERSION) hack/gateway-crds.sh

.PHONY: envtest-assets
envtest-assets: $(SETUP_ENVTEST) ## Find or build kube-apiserver + etcd for envtest (offline-capable).
	@SETUP_ENVTEST=$(SETUP_ENVTEST) ENVTEST_K8S_VERSION=$(ENVTEST_K8S_VERSION) hack/envtest-assets.sh

.PHONY: redis-server
redis-server: ## Make sure redis-server is installed (as root: apt-get install; otherwise say how).
	@hack/debian-package.sh redis-server redis-server -- "the shared-store tests (internal/redistest runs a real redis-server)"

.PHONY: clientlib-deps
clientlib-deps: $(CLIENTLIB)/node_modules/.package-lock.json ## Install the Node.js client library the relay is tested with (npm ci, when missing or stale).

$(CLIENTLIB)/node_modules/.package-lock.json: $(CLIENTLIB)/package.json $(CLIENTLIB)/package-lock.json
	@hack/debian-package.sh npm nodejs npm -- "the relay's test with a Node.js WhatsApp client library (Node.js >= 20.19)"
	cd $(CLIENTLIB) && npm ci --no-audit --no-fund
	@touch $@

.PHONY: test
test: verify-generated vet envtest-assets clientlib-deps redis-server chromium ## Run every test: unit, envtest integration, webhook server, the relay with a client library, the shared store on redis-server, the demo and its chat page in Chromium, short fuzz.
	KUBEBUILDER_ASSETS="$$(SETUP_ENVTEST=$(SETUP_ENVTEST) ENVTEST_K8S_VERSION=$(ENVTEST_K8S_VERSION) hack/envtest-assets.sh)" \
		go test ./... -count=1 -race -timeout 20m
	$(MAKE) fuzz

.PHONY: chromium
chromium: ## Debian's Chromium for the chat page's browser test (apt-get install when missing and run as root; otherwise says how). CHROMIUM=path uses another.
	@[ -n "$(CHROMIUM)" ] || hack/debian-package.sh chromium chromium fonts-liberation -- "the chat page's browser test (hack/demo)"

.PHONY: fuzz
fuzz: ## Run each fuzz target for FUZZTIME (default 10s).
	@hack/fuzz.sh $(FUZZTIME)

.PHONY: bench
bench: redis-server ## Benchmarks; they report ratios against a baseline measured in the same run.
	go test ./... -run '^$$' -bench . -benchmem -count=1

.PHONY: demo
demo: envtest-assets ## See it work: a local API server, the operator, the webhook server, a Graph API simulator and a chatbot.
	KUBEBUILDER_ASSETS="$$(SETUP_ENVTEST=$(SETUP_ENVTEST) ENVTEST_K8S_VERSION=$(ENVTEST_K8S_VERSION) hack/envtest-assets.sh)" \
		go run ./hack/demo $(DEMO_ARGS)

##@ Build

.PHONY: build
build: manifests generate fmt vet ## Build the binary into bin/.
	go build -ldflags "$(LDFLAGS)" -o bin/whatsapp-operator .

.PHONY: run
run: manifests generate fmt vet ## Run the operator against the cluster in ~/.kube/config.
	go run -ldflags "$(LDFLAGS)" . $(ARGS)

.PHONY: docker-build
docker-build: ## Build the container image for this machine's platform (needs a container engine).
	docker build --build-arg VERSION=$(VERSION) -t $(IMG) .

.PHONY: docker-buildx
docker-buildx: ## Build and push a multi-arch image for PLATFORMS with buildx (needs a container engine).
	docker buildx build --push --platform=$(PLATFORMS) --build-arg VERSION=$(VERSION) -t $(IMG) .

.PHONY: docker-push
docker-push: ## Push the container image.
	docker push $(IMG)

##@ Deployment

.PHONY: install
install: manifests $(KUSTOMIZE) ## Install the CRDs into the current cluster.
	$(KUSTOMIZE) build config/crd | kubectl apply --server-side -f -

.PHONY: uninstall
uninstall: manifests $(KUSTOMIZE) ## Remove the CRDs from the current cluster.
	$(KUSTOMIZE) build config/crd | kubectl delete --ignore-not-found -f -

.PHONY: deploy
deploy: manifests $(KUSTOMIZE) ## Deploy the operator with image IMG.
	cd config/manager && $(KUSTOMIZE) edit set image controller=$(IMG)
	$(KUSTOMIZE) build config/default | kubectl apply --server-side -f -

.PHONY: undeploy
undeploy: $(KUSTOMIZE) ## Remove the operator.
	$(KUSTOMIZE) build config/default | kubectl delete --ignore-not-found -f -

##@ Tools

$(LOCALBIN):
	mkdir -p $(LOCALBIN)

$(CONTROLLER_GEN): | $(LOCALBIN)
	$(call go-install-tool,$(CONTROLLER_GEN),sigs.k8s.io/controller-tools/cmd/controller-gen,$(CONTROLLER_TOOLS_VERSION))

$(SETUP_ENVTEST): | $(LOCALBIN)
	$(call go-install-tool,$(SETUP_ENVTEST),sigs.k8s.io/controller-runtime/tools/setup-envtest,$(SETUP_ENVTEST_VERSION))

$(KUSTOMIZE): | $(LOCALBIN)
	$(call go-install-tool,$(KUSTOMIZE),sigs.k8s.io/kustomize/kustomize/v5,$(KUSTOMIZE_VERSION))

$(CRD_REF_DOCS): | $(LOCALBIN)
	$(call go-install-tool,$(CRD_REF_DOCS),github.com/elastic/crd-ref-docs,$(CRD_REF_DOCS_VERSION))

# go-install-tool installs package $2 at version $3 as the file $1.
define go-install-tool
@[ -f "$(1)" ] || { \
	set -e; \
	package=$(2)@$(3); \
	echo "Installing $${package}"; \
	rm -f "$(1)"; \
	GOBIN="$(LOCALBIN)" go install $${package}; \
	mv "$(LOCALBIN)/$$(basename "$(2)")" "$(1)"; \
}
endef
