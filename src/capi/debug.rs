//! Testing hooks: functions that exist so that tests (C, Python, Rust) can reach paths that
//! correct use never reaches. Built only with the `test-hooks` feature (the tests' builds, which
//! use --all-features); the header declares them under `#if defined(TCFACEID_TEST_HOOKS)`.

use crate::error::ResultCode;

/// TESTING HOOK: always panics inside the panic boundary, to prove that a panic does not cross
/// into C. Never useful in production code. Only in libraries built with the `test-hooks`
/// feature; declared when TCFACEID_TEST_HOOKS is defined.
///
/// Returns TCFACEID_RESULT_PANIC, and the last error's message says a panic was caught; the
/// process and the library stay usable. Rust's panic hook prints the panic to stderr.
/// Threads: any thread.
#[no_mangle]
pub extern "C" fn tcfaceid_debug_panic() -> ResultCode {
    ffi_boundary! {
        panic!("tcfaceid_debug_panic: deliberate panic (testing hook)")
    }
}
