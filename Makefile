# fluxconfig-controller

IMG ?= fluxconfig-controller:dev
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

# Every Go command runs with the local toolchain, never a downloaded one.
export GOTOOLCHAIN := local
export GOFLAGS := -buildvcs=false

# The version of every tool hack/ builds into bin/ that is not in go.mod
# (`make envtest K8S_VERSION=v1.36.4` tries another one).
include hack/versions.env
export K8S_VERSION ETCD_VERSION HELM_CONTROLLER_VERSION FLUX_PKG_ARTIFACT_VERSION HELM_VERSION KUSTOMIZE_VERSION PROM_OPERATOR_VERSION

BIN_DIR := $(CURDIR)/bin
ENVTEST_DIR := $(BIN_DIR)/k8s
FLUX_CRDS := $(BIN_DIR)/flux-crds
CONTROLLER_GEN := go tool controller-gen
# Linters live in their own module so that go.mod does not carry their
# dependencies; go tool builds the pinned version once and caches it.
GOLANGCI_LINT := go tool -modfile=hack/tools/go.mod golangci-lint
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
fmt: ## Format the code with gofmt (rewrites files; make lint-fix also groups imports).
	gofmt -l -w $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './bin/*')

.PHONY: vet
vet: ## Run go vet.
	go vet ./...

.PHONY: lint
lint: ## Run golangci-lint (pinned in hack/tools/go.mod) with .golangci.yml.
	$(GOLANGCI_LINT) run ./...

.PHONY: lint-fix
lint-fix: ## Run golangci-lint and apply its fixes and formatters (gofmt, goimports) to the files.
	$(GOLANGCI_LINT) run --fix ./...

.PHONY: envtest
envtest: ## Build the test control plane (kube-apiserver, etcd) and fetch the Flux CRDs into bin/.
	@./hack/build-envtest.sh
	@./hack/flux-crds.sh

.PHONY: flux
flux: ## Build the real source-, kustomize- and helm-controller into bin/flux (for e2e and make run).
	@./hack/build-flux.sh

.PHONY: azurite
azurite: ## Install the Azure Storage emulator Azurite from npm into bin/azurite (for the AzureBlob e2e specs).
	@./hack/build-azurite.sh

.PHONY: test
test: generate manifests chart-generate fmt vet envtest flux helm azurite ## Run unit, envtest, chart and end-to-end suites.
	$(TEST_ENV) go test ./... -count=1 -timeout 45m

.PHONY: test-e2e
test-e2e: envtest flux azurite ## Run only the end-to-end suite (real Flux controllers; Git, S3, Azurite and OCI servers on 127.0.0.1).
	$(TEST_ENV) go test ./test/e2e/... -count=1 -timeout 20m -v

.PHONY: test-fault
test-fault: envtest ## Run only the fault suite: the controller killed, kube-apiserver restarted, another writer, foreign objects, bad input.
	$(TEST_ENV) go test ./test/fault/... -count=1 -timeout 20m -v

.PHONY: test-unit
test-unit: ## Run the tests of every package that needs no API server (hack/unit-packages.sh lists them).
	@pkgs=$$(./hack/unit-packages.sh) && echo go test -count=1 $$pkgs && go test -count=1 $$pkgs

# Fuzz targets, as package:Target. Each runs for FUZZTIME; a finding is
# written to the package's testdata/fuzz/<Target>, where plain `go test`
# (and so make test) runs it from then on.
FUZZ_TARGETS := ./internal/builder:FuzzBuild ./internal/builder:FuzzBuildDocument ./internal/crdvalidate:FuzzValidate
FUZZTIME ?= 5m
FUZZ_PARALLEL ?=

.PHONY: fuzz
fuzz: envtest ## Run every fuzz target for FUZZTIME each (default 5m; FUZZ_PARALLEL sets the workers).
	@set -e; for t in $(FUZZ_TARGETS); do \
	  pkg=$${t%%:*}; name=$${t##*:}; \
	  echo ">> $$name in $$pkg for $(FUZZTIME)"; \
	  $(TEST_ENV) go test $$pkg -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $(if $(FUZZ_PARALLEL),-parallel $(FUZZ_PARALLEL)); \
	done

.PHONY: bench
bench: ## Run the benchmarks and print their table.
	go test ./internal/builder/... ./internal/status/... ./internal/apply/... ./internal/controller/ -run '^$$' -bench . -benchmem

# make bench-scale BENCH_SCALE_ARGS="-n 10000" (or "-shards", "-pprof", ...; see docs/benchmarks.md)
BENCH_SCALE_ARGS ?=

.PHONY: bench-scale
bench-scale: envtest ## Fleet-scale benchmark: bare client vs this controller for N in {100,1000,3000}; prints the table, writes docs/benchmarks.md.
	$(TEST_ENV) go run ./test/scale -doc docs/benchmarks.md $(BENCH_SCALE_ARGS)

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
build: ## Build the manager and the fluxconfig command (also as the kubectl plugin kubectl-fluxconfig) into bin/; never edits the tree.
	CGO_ENABLED=0 go build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN_DIR)/manager ./cmd
	CGO_ENABLED=0 go build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN_DIR)/fluxconfig ./cmd/fluxconfig
	cp $(BIN_DIR)/fluxconfig $(BIN_DIR)/kubectl-fluxconfig

.PHONY: run
run: ## Run the controller end to end on a local embedded control plane with the tutorial's sample (Ctrl-C stops it).
	./hack/run-local.sh $(RUN_ARGS)

.PHONY: docker-build
docker-build: ## Build the container image (needs a Docker engine).
	docker build --build-arg VERSION=$(VERSION) --build-arg COMMIT=$(COMMIT) -t $(IMG) .
