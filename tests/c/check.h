/*
 * Check helpers for the C test programs in tests/c/ (a header, so neither compiled on its own nor
 * run: see the Makefile and tests/capi.rs). Each program includes it once, calls the CHECK*
 * macros and ends with `return check_summary();`, which prints "N passed, M failed" (the line the
 * harnesses look for) and gives the exit status.
 *
 * C99; every function is static inline so that a program that uses only some of them still
 * compiles with -Wall -Wextra -Wpedantic -Werror.
 */
#ifndef TCFACEID_TEST_CHECK_H
#define TCFACEID_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

#include "tcfaceid.h"

static int check_passed = 0;
static int check_failed = 0;

/* Record one check. */
static inline int check_true(int ok, const char *what, const char *file, int line) {
    if (ok) {
        check_passed++;
    } else {
        check_failed++;
        fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, what);
    }
    return ok;
}

#define CHECK(cond) check_true((cond) ? 1 : 0, #cond, __FILE__, __LINE__)

/* Both non-NULL and equal. */
static inline int str_eq(const char *a, const char *b) {
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Non-NULL and containing `needle`. */
static inline int str_has(const char *text, const char *needle) {
    return text != NULL && strstr(text, needle) != NULL;
}

/* Non-NULL and not "". */
static inline int str_nonempty(const char *text) {
    return text != NULL && text[0] != '\0';
}

/*
 * Check a result code and, for a failure, that the last error has that code and a message; when
 * `field` is not NULL, that the last error's field is `field`.
 */
static inline int check_code(tcfaceid_result got, tcfaceid_result want, const char *field,
                             const char *what, const char *file, int line) {
    int ok = got == want;
    if (ok && want != TCFACEID_RESULT_OK) {
        ok = tcfaceid_last_error_code() == want && tcfaceid_last_error_message()[0] != '\0';
    }
    if (ok && field != NULL) {
        ok = str_eq(tcfaceid_last_error_field(), field);
    }
    if (ok) {
        check_passed++;
        return 1;
    }
    check_failed++;
    fprintf(stderr,
            "%s:%d: FAILED: %s\n  got %u (%s), want %u (%s); field \"%s\" (want \"%s\"); "
            "last error %u: %s\n",
            file, line, what, (unsigned)got, tcfaceid_result_str(got), (unsigned)want,
            tcfaceid_result_str(want), tcfaceid_last_error_field(), field ? field : "(any)",
            (unsigned)tcfaceid_last_error_code(), tcfaceid_last_error_message());
    return 0;
}

#define CHECK_CODE(expr, want) check_code((expr), (want), NULL, #expr, __FILE__, __LINE__)
#define CHECK_FAIL(expr, want, field) check_code((expr), (want), (field), #expr, __FILE__, __LINE__)

/* Print the summary line and give the exit status. */
static inline int check_summary(void) {
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed == 0 ? 0 : 1;
}

#endif /* TCFACEID_TEST_CHECK_H */
