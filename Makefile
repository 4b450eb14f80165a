# iamwatch — build and test. `make test` is what CI runs (.ci/run).
GO ?= go
export CGO_ENABLED = 1

.PHONY: all build test vet unit maps-check test-deps generate bench fuzz fixtures soak

all: build

build:
	$(GO) build ./...

# test installs what the tests need on a fresh Debian machine, then runs
# vet, the unit and end-to-end tests with the race detector, and checks that
# the embedded service maps are what the generator makes today.
test: test-deps vet unit maps-check demo-check

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags soak ./cmd/iamwatch/
	cd e2e/goclient && $(GO) vet ./...

unit:
	$(GO) test -race -count=1 ./...

# The generator reads the aws-sdk-go models from the module cache and the
# Service Authorization Reference snapshot from ../shared when it is there.
maps-check:
	@if [ -d ../shared/aws-service-reference ]; then \
		cd service-maps && $(GO) run ./internal/gen -check; \
	else echo "maps-check: ../shared/aws-service-reference not found; skipped"; fi

# README's first command, verbatim.
demo-check:
	$(GO) run ./cmd/iamwatch demo > /dev/null

generate:
	$(GO) generate ./service-maps/...

test-deps:
	@sh scripts/test-deps.sh

# Benchmarks, benchstat-friendly. The proxy's are compared with a bare
# goproxy MITM in the same run; the ratio is the figure (for the proxy
# recording every call: BenchmarkCaptureOverhead's vs-goproxy).
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 6 ./mapper/ ./service-maps/ ./generator/ ./generator/eval/ ./proxy/cloudtrail/
	$(GO) test -run '^$$' -bench 'Throughput|Latency' -count 6 ./proxy/
	$(GO) test -run '^$$' -bench Stream2GiB -benchtime 1x ./proxy/
	$(GO) test -run '^$$' -bench . -count 3 ./store/
	$(GO) test -run '^$$' -bench CaptureOverhead -benchtime 4x -count 6 ./cmd/iamwatch/
	$(GO) test -run '^$$' -bench CaptureCall -cpu 1 -benchmem -count 6 ./cmd/iamwatch/
	$(GO) test -run '^$$' -bench Policy1M -benchtime 3x -count 3 ./cmd/iamwatch/

FUZZTIME ?= 5m
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzIdentify -fuzztime $(FUZZTIME) ./mapper/
	$(GO) test -run '^$$' -fuzz FuzzParseRaw -fuzztime $(FUZZTIME) ./mapper/
	$(GO) test -run '^$$' -fuzz FuzzFlattenJSON -fuzztime $(FUZZTIME) ./mapper/
	$(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime $(FUZZTIME) ./service-maps/
	$(GO) test -run '^$$' -fuzz FuzzParseCSM -fuzztime $(FUZZTIME) ./proxy/csm/
	$(GO) test -run '^$$' -fuzz FuzzDecodeJSONL -fuzztime $(FUZZTIME) ./store/
	$(GO) test -run '^$$' -fuzz FuzzRedact -fuzztime $(FUZZTIME) ./store/
	$(GO) test -run '^$$' -fuzz FuzzHostParsing -fuzztime $(FUZZTIME) ./proxy/
	$(GO) test -run '^$$' -fuzz FuzzConfig -fuzztime $(FUZZTIME) ./cmd/iamwatch/
	$(GO) test -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME) ./generator/grants/
	$(GO) test -run '^$$' -fuzz FuzzReadCloudFormation -fuzztime $(FUZZTIME) ./generator/grants/
	$(GO) test -run '^$$' -fuzz FuzzReadTerraform -fuzztime $(FUZZTIME) ./generator/grants/
	$(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime $(FUZZTIME) ./proxy/cloudtrail/
	$(GO) test -run '^$$' -fuzz FuzzMapNamed -fuzztime $(FUZZTIME) ./mapper/
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./generator/eval/
	$(GO) test -run '^$$' -fuzz FuzzEvaluate -fuzztime $(FUZZTIME) ./generator/eval/
	$(GO) test -run '^$$' -fuzz FuzzStatementLines -fuzztime $(FUZZTIME) ./generator/
	$(GO) test -run '^$$' -fuzz '^FuzzDiff$$' -fuzztime $(FUZZTIME) ./generator/

# Soak and crash tests, kept out of `make test`: SOAK_CLIENTS clients of four
# protocols through `iamwatch proxy` for SOAK_DURATION (zero failures, zero
# lost records, flat RSS, goroutines back to baseline; figures next to a
# bare goproxy MITM), then `iamwatch proxy` killed with SIGKILL ten times
# under load. SOAK_REPORT=FILE keeps the figures.
SOAK_DURATION ?= 60s
SOAK_CLIENTS ?= 500
soak:
	SOAK_DURATION=$(SOAK_DURATION) SOAK_CLIENTS=$(SOAK_CLIENTS) $(GO) test -tags soak -count=1 -timeout 30m -run '^TestSoak$$' -v ./cmd/iamwatch/
	IAMWATCH_CRASH_ROUNDS=10 $(GO) test -count=1 -timeout 30m -run '^TestCrashSafety$$' -v ./e2e/

# Regenerate mapper/testdata/requests from real AWS SDKs (see
# mapper/testdata/fixturegen/README.md); then `go test ./mapper -run TestCorpus -update`.
fixtures:
	cd mapper/testdata/fixturegen/go && $(GO) run . -out ../../requests
	cd mapper/testdata/fixturegen/boto && /usr/bin/python3 gen.py ../../requests
	cd mapper/testdata/fixturegen/boto && python3 gen.py ../../requests
	cd mapper/testdata/fixturegen/js && npm ci --no-audit --no-fund && node gen.mjs ../../requests
	$(GO) test ./mapper -run TestFixturesParse -count=1
