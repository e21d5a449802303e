# cutover — build, test, rehearse.
#
#   make demo    build, then rehearse a full cut-over in the local lab
#   make test    install what is missing, then go vet and go test (lab tests included; needs root)
#   make bench   benchmarks
#
# Both demo and test install missing Debian packages with apt-get (as root)
# and fetch Go modules through the module proxy.

GO      ?= go
BIN     := bin/cutover
DEB_PKGS := openvswitch-switch iproute2 snmpsim
# Only for `make bench`, which compares with them.
BENCH_PKGS := arp-scan tshark
# Programs that tell whether each package is present.
NEED_PROGS := ovs-vsctl ovsdb-server ovs-vswitchd ovsdb-client ip snmpsimd

.PHONY: all build deps test vet bench demo fuzz lab-down clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/cutover

# deps installs what the lab needs if anything is missing.
deps:
	@missing=""; for p in $(NEED_PROGS); do command -v $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages ($(DEB_PKGS)): missing$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "need root to install $(DEB_PKGS)" >&2; exit 1; fi; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends $(DEB_PKGS) >/dev/null || exit 1; \
	fi
	$(GO) mod download

vet:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed: $$out" >&2; exit 1; fi

test: deps vet
	$(GO) test -count=1 -timeout 15m ./...

bench: deps
	@missing=""; for p in arp-scan tshark; do command -v $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages for the comparisons:$$missing"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(BENCH_PKGS) >/dev/null || exit 1; \
	fi
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x ./...

# A short fuzzing pass over every parser of untrusted input.
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 30s -fuzzminimizetime 5s ./plan
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 30s -fuzzminimizetime 5s ./internal/journal
	$(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime 30s -fuzzminimizetime 5s ./probe/arpframe
	$(GO) test -run '^$$' -fuzz FuzzDecodeNDP -fuzztime 30s -fuzzminimizetime 5s ./probe/ndpframe
	$(GO) test -run '^$$' -fuzz FuzzBuildDecode -fuzztime 30s -fuzzminimizetime 5s ./probe/ndpframe
	$(GO) test -run '^$$' -fuzz FuzzCiscoIOS -fuzztime 30s -fuzzminimizetime 5s ./switchdrivers/showparse
	$(GO) test -run '^$$' -fuzz FuzzJunos -fuzztime 30s -fuzzminimizetime 5s ./switchdrivers/showparse
	$(GO) test -run '^$$' -fuzz FuzzDecodeValues -fuzztime 30s -fuzzminimizetime 5s ./switchdrivers/snmp

demo: deps build
	./$(BIN) rehearse -t containerlab.yml

lab-down: build
	./$(BIN) lab down -t containerlab.yml

clean:
	rm -rf bin
