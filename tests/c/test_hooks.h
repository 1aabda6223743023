/*
 * Testing hooks: functions only in libtcfaceid_test_hooks.so (the test-hooks/ crate: the whole
 * C ABI plus these), never in libtcfaceid.so. Test programs include this when compiled with
 * -DTCFACEID_TEST_HOOKS, against that library.
 */
#ifndef TCFACEID_TEST_HOOKS_H
#define TCFACEID_TEST_HOOKS_H

#include "tcfaceid.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Always panics inside the panic boundary: returns TCFACEID_RESULT_PANIC, the last error says a
 * panic was caught, and the process and the library stay usable. Threads: any thread. */
tcfaceid_result tcfaceid_debug_panic(void);

#ifdef __cplusplus
}
#endif

#endif
