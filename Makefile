# fluxconfig-controller

IMG ?= fluxconfig-controller:dev
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

# Every Go command runs with the local toolchain, never a downloaded one.
export GOTOOLCHAIN := local
export GOFLAGS := -buildvcs=false

BIN_DIR := $(CURDIR)/bin
ENVTEST_DIR := $(BIN_DIR)/k8s
FLUX_CRDS := $(BIN_DIR)/flux-crds
CONTROLLER_GEN := go tool controller-gen
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)

# Tests read these. They set the kube-apiserver and etcd paths explicitly, so
# a KUBEBUILDER_ASSETS or TEST_ASSET_* in the environment cannot override them.
TEST_ENV := ENVTEST_ASSETS=$(ENVTEST_DIR) FLUX_CRDS=$(FLUX_CRDS) FLUX_BIN=$(BIN_DIR)/flux

.DEFAULT_GOAL := help

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make <target>\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) }' $(MAKEFILE_LIST)

##@ Development

.PHONY: generate
generate: ## Generate deepcopy code from the API types.
	$(CONTROLLER_GEN) object:headerFile="hack/boilerplate.go.txt" paths="./api/..."

.PHONY: manifests
manifests: ## Generate the CRD and RBAC manifests.
	$(CONTROLLER_GEN) rbac:roleName=manager-role crd paths="./api/...;./internal/...;./cmd/..." output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac

.PHONY: api-docs
api-docs: ## Generate docs/api-reference.md from the Go types in api/v1alpha1.
	go run ./hack/apidocs -dir api/v1alpha1 -out docs/api-reference.md

.PHONY: fmt
fmt: ## Run gofmt on the code.
	gofmt -l -w $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './bin/*')

.PHONY: vet
vet: ## Run go vet.
	go vet ./...

.PHONY: envtest
envtest: ## Build the test control plane (kube-apiserver, etcd) and fetch the Flux CRDs into bin/.
	@./hack/build-envtest.sh
	@./hack/flux-crds.sh

.PHONY: flux
flux: ## Build the real source-, kustomize- and helm-controller into bin/flux (for e2e and make run).
	@./hack/build-flux.sh

.PHONY: test
test: generate manifests chart-generate fmt vet envtest flux helm ## Run unit, envtest, chart and end-to-end suites.
	$(TEST_ENV) go test ./... -count=1 -timeout 45m

.PHONY: test-e2e
test-e2e: envtest flux ## Run only the end-to-end suite (real Flux controllers, local Git server).
	$(TEST_ENV) go test ./test/e2e/... -count=1 -timeout 20m -v

.PHONY: test-fault
test-fault: envtest ## Run only the fault suite: the controller killed, kube-apiserver restarted, another writer, foreign objects, bad input.
	$(TEST_ENV) go test ./test/fault/... -count=1 -timeout 20m -v

.PHONY: test-unit
test-unit: ## Run only the tests that need no API server.
	go test ./api/... ./internal/builder/... ./internal/status/... -count=1

.PHONY: bench
bench: ## Run the benchmarks and print their table.
	go test ./internal/builder/... ./internal/status/... -run '^$$' -bench . -benchmem

.PHONY: verify
verify: generate manifests api-docs chart-generate fmt ## Regenerate everything and fail if the tree changed.
	@git diff --exit-code -- . ':!go.sum' || { echo "generated files are out of date: run 'make generate manifests api-docs chart-generate fmt' and commit"; exit 1; }
	@test -z "$$(git status --porcelain --untracked-files=all -- api config internal cmd charts)" || { git status --porcelain -- api config internal cmd charts; echo "untracked generated files: commit them"; exit 1; }

##@ Chart

CHART_DIR := charts/fluxconfig-controller

.PHONY: helm
helm: ## Build helm and kustomize and fetch the ServiceMonitor CRD into bin/ (for the chart tests).
	@./hack/build-helm.sh

.PHONY: chart-generate
chart-generate: manifests ## Copy the CRD and RBAC rules into the chart and regenerate its README values table.
	@cp config/crd/bases/clusterconfig.azure.com_fluxconfigs.yaml $(CHART_DIR)/files/crds/
	@cp config/rbac/role.yaml $(CHART_DIR)/files/rbac/role.yaml
	go run ./hack/chartdoc -values $(CHART_DIR)/values.yaml -readme $(CHART_DIR)/README.md

.PHONY: chart-test
chart-test: envtest helm ## Run only the chart tests: lint, schema, template, server-side dry run, RBAC.
	$(TEST_ENV) go test ./test/chart/... -count=1 -v

##@ Build

.PHONY: build
build: generate fmt vet ## Build the manager binary into bin/.
	CGO_ENABLED=0 go build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN_DIR)/manager ./cmd

.PHONY: run
run: ## Run the controller end to end on a local embedded control plane with the tutorial's sample (Ctrl-C stops it).
	./hack/run-local.sh $(RUN_ARGS)

.PHONY: docker-build
docker-build: ## Build the container image (needs a Docker engine).
	docker build --build-arg VERSION=$(VERSION) --build-arg COMMIT=$(COMMIT) -t $(IMG) .
