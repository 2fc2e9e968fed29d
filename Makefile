# The two commands a developer needs: `make run` (the whole local stack) and `make test`
# (every test, plain and under ASan+UBSan). Both install missing Debian packages first.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS       ?= $(shell nproc)

.PHONY: all deps build build-asan run test test-plain test-asan bench fuzz format clean

all: build

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

build-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DHANGAR_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)

run: build
	@scripts/run-local $(BUILD)/bin

test: test-plain test-asan

test-plain: build
	ctest --test-dir $(BUILD) --output-on-failure -j2

test-asan: build-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j2

bench: build
	@scripts/install-deps bench
	BUILD_DIR=$(CURDIR)/$(BUILD) bench/group-commit.sh
	BUILD_DIR=$(CURDIR)/$(BUILD) bench/peers.sh
	BUILD_DIR=$(CURDIR)/$(BUILD) bench/load.sh
	BUILD_DIR=$(CURDIR)/$(BUILD) bench/konnect-list.sh
	BUILD_DIR=$(CURDIR)/$(BUILD) bench/labels-patch.sh
	BUILD_DIR=$(CURDIR)/$(BUILD) bench/keboola.sh
	BUILD_DIR=$(CURDIR)/$(BUILD) bench/store-engines.sh
	BUILD_DIR=$(CURDIR)/$(BUILD) bench/engines.sh

# libFuzzer over every tests/fuzz target, FUZZ_SECONDS each (clang: its own install profile).
fuzz:
	@scripts/install-deps fuzz
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DHANGAR_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j$(JOBS) --target fuzz_targets
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh $(FUZZ_BUILD)

format:
	@scripts/format

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
