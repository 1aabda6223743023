# tcfaceid: build and check targets. `make help` lists them. CI runs `.ci/run`, i.e. `make test`.
#
# Variables: CARGO (default cargo), CARGO_TARGET_DIR (default target), CC (cc), CXX (g++),
# VALGRIND (default: valgrind when installed; empty to skip the valgrind run).

CARGO ?= cargo
CARGO_TARGET_DIR ?= target
export CARGO_TARGET_DIR
VALGRIND ?= $(shell command -v valgrind 2>/dev/null)
VALGRIND_FLAGS := --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --error-exitcode=1

TARGET_ABS := $(abspath $(CARGO_TARGET_DIR))
C_TEST_DIR := $(TARGET_ABS)/c-tests
C_WARNINGS := -Wall -Wextra -Wpedantic -Werror
C_TEST_CFLAGS := -std=c99 $(C_WARNINGS) -pthread -Iinclude
# tests/c/header*.c are compiled only; every other tests/c/*.c is a test program.
C_HEADER_TESTS := $(wildcard tests/c/header*.c)
C_TEST_PROGRAMS := $(filter-out $(C_HEADER_TESTS),$(wildcard tests/c/*.c))

.DEFAULT_GOAL := build

.PHONY: help
help:
	@echo "make build     (default) cargo build, debug and release, all features"
	@echo "make header    build, then fail if include/tcfaceid.h differs from the committed one"
	@echo "make c-test    compile the header alone (C99, C11, C++) and run tests/c against the"
	@echo "               debug and release libraries, and under valgrind when installed"
	@echo "make demo      the C example against the bundled emulator (no credentials, no network)"
	@echo "make test      fmt, clippy, cargo test, header drift and C tests (what CI runs)"

# --- Rust ---------------------------------------------------------------------------------------

.PHONY: build build-debug build-release
build: build-debug build-release

build-debug:
	$(CARGO) build --all-features

build-release:
	$(CARGO) build --release --all-features

.PHONY: fmt-check clippy cargo-test
fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --all-targets --all-features -- -D warnings

cargo-test:
	$(CARGO) test --all-features

# --- Header ------------------------------------------------------------------------------------

# build.rs regenerates include/tcfaceid.h (only when its content changes); the committed header
# must be exactly that, tracked and unmodified.
.PHONY: header
header: build-debug
	git diff --exit-code -- include/
	@test -z "$$(git status --porcelain -- include/)" || \
		{ git status --short -- include/; echo "include/: untracked or changed files"; exit 1; }

# --- C tests -----------------------------------------------------------------------------------

# $(call run_c_tests,DIR,PROFILE[,RUNNER]): link each C test program against the PROFILE cdylib
# and run it (under RUNNER if given). The program finds the library through its SONAME,
# libtcfaceid.so.0, linked to the cdylib in the scratch dir DIR (the rpath).
define run_c_tests
	@mkdir -p $(C_TEST_DIR)/$(1)
	@ln -sf $(TARGET_ABS)/$(2)/libtcfaceid.so $(C_TEST_DIR)/$(1)/libtcfaceid.so.0
	@set -e; for src in $(C_TEST_PROGRAMS); do \
		exe=$(C_TEST_DIR)/$(1)/$$(basename $$src .c); \
		echo "$$src ($(1)):"; \
		$(CC) $(C_TEST_CFLAGS) $$src -o $$exe $(TARGET_ABS)/$(2)/libtcfaceid.so \
			-Wl,-rpath,$(C_TEST_DIR)/$(1); \
		RUST_BACKTRACE=0 $(3) $$exe; \
	done
endef

.PHONY: c-test c-test-header c-test-debug c-test-release c-test-valgrind c-example-valgrind
c-test: c-test-header c-test-debug c-test-release c-test-valgrind c-example-valgrind

c-test-header:
	@set -e; for src in $(C_HEADER_TESTS); do \
		echo "$$src: C99, C11, C++11"; \
		$(CC) -std=c99 $(C_WARNINGS) -Iinclude -c $$src -o /dev/null; \
		$(CC) -std=c11 $(C_WARNINGS) -Iinclude -c $$src -o /dev/null; \
		$(CXX) -x c++ -std=c++11 $(C_WARNINGS) -Iinclude -c $$src -o /dev/null; \
	done

c-test-debug: build-debug
	$(call run_c_tests,debug,debug)

c-test-release: build-release
	$(call run_c_tests,release,release)

c-test-valgrind: build-debug
ifneq ($(VALGRIND),)
	$(call run_c_tests,valgrind,debug,$(VALGRIND) $(VALGRIND_FLAGS))
else
	@echo "valgrind not found: skipping the valgrind run of the C tests"
endif

# The example, run by the demo script against the emulator, under valgrind.
c-example-valgrind:
ifneq ($(VALGRIND),)
	EXAMPLE_RUNNER="$(VALGRIND) $(VALGRIND_FLAGS) -q" scripts/demo.sh
else
	@echo "valgrind not found: skipping the valgrind run of the example"
endif

# --- Demo ----------------------------------------------------------------------------------------

# Build the library, the emulator and bindings/c/example.c; verify the sample ID card against the
# emulator on a free loopback port; stop the emulator.
.PHONY: demo
demo:
	scripts/demo.sh

# --- Everything CI checks ----------------------------------------------------------------------

.PHONY: test
test: fmt-check clippy cargo-test header c-test
