//! `libtcfaceid_test_hooks.so`: the whole tcfaceid C ABI (a cdylib exports every `#[no_mangle]`
//! function of the crates it links, so all of `libtcfaceid.so`'s) plus testing hooks, functions
//! that let the C and Python tests reach paths that correct use never reaches. The shipped
//! library (`libtcfaceid.so`, the wheel, `make install`) has no hook; building the hooks here,
//! in their own crate, keeps it so without a second configuration of the library itself.
//!
//! The hooks are declared for C in `tests/c/test_hooks.h`, not in the public header.

use tcfaceid::capi::ResultCode;

/// TESTING HOOK: always panics inside the C ABI's panic boundary, to prove that a panic does
/// not cross into C. Returns `TCFACEID_RESULT_PANIC`, and the last error's message says a panic
/// was caught; the process and the library stay usable. Rust's panic hook prints the panic to
/// stderr. Threads: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn tcfaceid_debug_panic() -> ResultCode {
    tcfaceid::capi::run_in_panic_boundary(|| {
        panic!("tcfaceid_debug_panic: deliberate panic (testing hook)")
    })
}
