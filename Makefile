# covsigner: the two commands a user needs are `make run` and `make test`.
# Both install whatever is missing first (Debian packages, npm test peers),
# then configure and build with CMake + Ninja + ccache.

BUILD      ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= $(shell nproc)
RUN_ARGS   ?=

# Debian packages the build, the tests and the benchmarks need.
DEBIAN_PACKAGES := cmake ninja-build g++ pkg-config ccache curl \
  libcaf-dev libboost-json1.81-dev libsecp256k1-dev libcpp-httplib-dev \
  libgtest-dev libbenchmark-dev libssl-dev libsodium-dev prometheus-cpp-dev \
  libspdlog-dev libcrypto++-dev clang libclang-rt-14-dev wrk nodejs npm openssl \
  systemd dpkg-dev python3

DEPS_STAMP := $(BUILD)/.deps-stamp
PEERS_DIR  := tests/peers
PEERS_STAMP := $(PEERS_DIR)/node_modules/.covsigner-stamp

.PHONY: all deps peers configure build test test-asan test-tsan run bench clean

all: build

# Quick and silent when everything is present: one dpkg query, then a stamp.
$(DEPS_STAMP): Makefile
	@scripts/install-deps.sh $(DEBIAN_PACKAGES)
	@mkdir -p $(BUILD) && touch $@

deps: $(DEPS_STAMP)

# npm packages used only as independent test peers (anvil, bcoin, ...).
$(PEERS_STAMP): $(PEERS_DIR)/package.json $(DEPS_STAMP)
	@cd $(PEERS_DIR) && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
	@touch $@

peers: $(if $(wildcard $(PEERS_DIR)/package.json),$(PEERS_STAMP))

$(BUILD)/build.ninja: $(DEPS_STAMP)
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >$(BUILD)/configure.log || \
	  (cat $(BUILD)/configure.log; exit 1)

configure: $(BUILD)/build.ninja

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# The 60-second libFuzzer run (clang, ASan+UBSan, own build dir) comes first,
# so ctest's summary stays the last thing `make test` prints.
test: build peers
	@FUZZ_JOBS=$(JOBS) FUZZ_BUILD=$(CURDIR)/$(BUILD)/fuzz tests/fuzz/run.sh 60 >$(BUILD)/fuzz.log 2>&1 \
	  || (tail -60 $(BUILD)/fuzz.log; echo "request_fuzz failed: see $(BUILD)/fuzz.log"; exit 1)
	@grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' $(BUILD)/fuzz.log | sed 's/^/request_fuzz 60 s: /'
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900

# The suite under sanitizers (GCC, own build dirs, see tests/sanitizers/):
# ASan + UBSan + LeakSanitizer over every unit and integration test; TSan
# over the actor, transport and persistence tests and the bench smoke tests.
test-asan: deps peers
	@SAN_JOBS=$(JOBS) SAN_BUILD=$(CURDIR)/$(BUILD)-asan tests/sanitizers/run.sh asan

test-tsan: deps peers
	@SAN_JOBS=$(JOBS) SAN_BUILD=$(CURDIR)/$(BUILD)-tsan tests/sanitizers/run.sh tsan

# examples/dev.ini signs with the PUBLIC development key in
# examples/dev-signer.key, which must be mode 0600 (git checks it out 0644).
run: build
	@chmod 600 examples/dev-signer.key
	@$(BUILD)/bin/covsignerd --config-file=examples/dev.ini $(RUN_ARGS)

# The standard load suite (under 3 minutes): table on stdout, results and
# plot in bench/results/ (data under $(BUILD)/bench-data, a real disk).
bench: configure
	@cmake --build $(BUILD) --target covsigner-bench covsignerd -j $(JOBS)
	@$(BUILD)/bin/covsigner-bench --suite=standard --json=bench/results/latest.json \
	  --plot=bench/results/latest.svg

clean:
	@rm -rf $(BUILD)

fuzz: deps ; @FUZZ_JOBS=$(JOBS) tests/fuzz/run.sh $(or $(FUZZ_SECONDS),60)
