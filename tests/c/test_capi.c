/*
 * C tests of the tcfaceid foundation API: NULL and UTF-8 checks on every parameter, result codes
 * and the last error, tcfaceid_sign against vector S1 of tests/vectors/tc3-vectors.json, the card
 * request's local checks, the panic boundary (the debug build's testing hook; in the release
 * build, that the hook is absent), and ownership (it must run clean under valgrind
 * --leak-check=full).
 *
 * Built with -std=c99 -Wall -Wextra -Wpedantic -Werror -pthread and linked against the cdylib
 * (tests/capi.rs, `make c-test`). Prints one line per failed check and ends with
 * "N passed, M failed"; exits non-zero when a check failed.
 */
#define _POSIX_C_SOURCE 200809L

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcfaceid.h"
#if defined(TCFACEID_TEST_HOOKS)
#include "test_hooks.h"
#endif

static int passed = 0;
static int failed = 0;

static void check_true(int ok, const char *what, int line) {
    if (ok) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "test_capi.c:%d: FAILED: %s\n", line, what);
    }
}

#define CHECK(cond) check_true((cond) ? 1 : 0, #cond, __LINE__)

static int str_eq(const char *a, const char *b) {
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static int ends_with(const char *text, const char *suffix) {
    size_t n, m;
    if (text == NULL) {
        return 0;
    }
    n = strlen(text);
    m = strlen(suffix);
    return n >= m && strcmp(text + n - m, suffix) == 0;
}

/* Check a result code and, when `field` is not NULL, the last error's code and field. */
static void check_code(tcfaceid_result got, tcfaceid_result want, const char *field,
                       const char *what, int line) {
    int ok = got == want;
    if (ok && want != TCFACEID_RESULT_OK) {
        ok = tcfaceid_last_error_code() == want && tcfaceid_last_error_message()[0] != '\0';
    }
    if (ok && field != NULL) {
        ok = str_eq(tcfaceid_last_error_field(), field);
    }
    if (ok) {
        passed++;
        return;
    }
    failed++;
    fprintf(stderr,
            "test_capi.c:%d: FAILED: %s\n  got %u (%s), want %u (%s); field \"%s\" (want \"%s\"); "
            "last error %u: %s\n",
            line, what, (unsigned)got, tcfaceid_result_str(got), (unsigned)want,
            tcfaceid_result_str(want), tcfaceid_last_error_field(), field ? field : "(any)",
            (unsigned)tcfaceid_last_error_code(), tcfaceid_last_error_message());
}

#define CHECK_CODE(expr, want) check_code((expr), (want), NULL, #expr, __LINE__)
#define CHECK_FAIL(expr, want, field) check_code((expr), (want), (field), #expr, __LINE__)

/* ---------------------------------------------------------------------------------------------
 * Fixtures
 */

static const char BAD_UTF8[] = "\xff\xfe";

/* Vector S1 of tests/vectors/tc3-vectors.json. */
static const char S1_ID[] = "AKIDEXAMPLEFACEID0000000000000000000";
static const char S1_KEY[] = "SKEXAMPLEFACEIDSECRETKEY0000000000";
static const char S1_HOST[] = "faceid.intl.tencentcloudapi.com";
static const char S1_REGION[] = "ap-singapore";
static const char S1_ACTION[] = "ApplyCardVerification";
static const char S1_VERSION[] = "2018-03-01";
static const char S1_SERVICE[] = "faceid";
static const int64_t S1_TIMESTAMP = 1700000000;
static const char S1_BODY[] = "{\"Nationality\": \"IDN\", \"CardType\": \"ID_CARD\", "
                              "\"ImageUrlFront\": \"https://example.com/front.jpg\"}";
static const char S1_AUTHORIZATION[] =
    "TC3-HMAC-SHA256 Credential=AKIDEXAMPLEFACEID0000000000000000000/2023-11-14/faceid/"
    "tc3_request, SignedHeaders=content-type;host, "
    "Signature=58b836bc8063447b4cae50aea55c25508241ffb0dcc509008a2da92277f08902";

/* The PNG signature and IHDR chunk of a width x height image: all the checks read. */
static void png_header(uint8_t out[33], uint32_t width, uint32_t height) {
    static const uint8_t head[16] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                                     0,    0,   0,   13,  'I',  'H',  'D',  'R'};
    memcpy(out, head, sizeof head);
    out[16] = (uint8_t)(width >> 24);
    out[17] = (uint8_t)(width >> 16);
    out[18] = (uint8_t)(width >> 8);
    out[19] = (uint8_t)width;
    out[20] = (uint8_t)(height >> 24);
    out[21] = (uint8_t)(height >> 16);
    out[22] = (uint8_t)(height >> 8);
    out[23] = (uint8_t)height;
    out[24] = 8; /* bit depth */
    out[25] = 2; /* colour type: RGB */
    out[26] = 0;
    out[27] = 0;
    out[28] = 0;
    out[29] = 0; /* CRC (not checked) */
    out[30] = 0;
    out[31] = 0;
    out[32] = 0;
}

/* A JPEG up to its frame header (SOF0) saying 16 x 16. */
static const uint8_t JPEG_16[] = {0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0x10,
                                  0x00, 0x10, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01,
                                  0x03, 0x11, 0x01, 0xFF, 0xD9};

/* A 1 x 1 GIF. */
static const uint8_t GIF_1[] = {'G',  'I',  'F',  '8',  '9',  'a',  0x01, 0x00, 0x01, 0x00,
                                0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x21,
                                0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00,
                                0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44,
                                0x01, 0x00, 0x3B};

/* Base64 of png_header(1, 1) (33 bytes, 44 characters), with a data: prefix and a line break
 * that the library strips. */
static const char PNG_1_BASE64[] = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAA\r\n"
                                   "AAAAAA";

static tcfaceid_card_request *new_request(const char *nationality, const char *card_type) {
    tcfaceid_card_request *request = NULL;
    CHECK_CODE(tcfaceid_card_request_new(nationality, card_type, &request), TCFACEID_RESULT_OK);
    CHECK(request != NULL);
    return request;
}

/* ---------------------------------------------------------------------------------------------
 * Version, result codes, last error
 */

static void test_version(void) {
    const char *version = tcfaceid_version();
    CHECK(str_eq(version, TCFACEID_VERSION_STRING));
    CHECK(strncmp(version, "tcfaceid/", 9) == 0);
    CHECK(TCFACEID_VERSION_NUMBER == ((TCFACEID_VERSION_MAJOR << 16) |
                                      (TCFACEID_VERSION_MINOR << 8) | TCFACEID_VERSION_PATCH));
}

static void test_result_str(void) {
    static const tcfaceid_result all[] = {
        TCFACEID_RESULT_OK,
        TCFACEID_RESULT_NULL_ARGUMENT,
        TCFACEID_RESULT_INVALID_UTF8,
        TCFACEID_RESULT_INVALID_ARGUMENT,
        TCFACEID_RESULT_INVALID_NATIONALITY,
        TCFACEID_RESULT_INVALID_CARD_TYPE,
        TCFACEID_RESULT_FRONT_IMAGE_REQUIRED,
        TCFACEID_RESULT_BACK_IMAGE_REQUIRED,
        TCFACEID_RESULT_INVALID_IMAGE_URL,
        TCFACEID_RESULT_INVALID_REGION,
        TCFACEID_RESULT_INVALID_ENDPOINT,
        TCFACEID_RESULT_INVALID_LANGUAGE,
        TCFACEID_RESULT_INVALID_OPTION,
        TCFACEID_RESULT_IMAGE_UNSUPPORTED_FORMAT,
        TCFACEID_RESULT_IMAGE_CORRUPT,
        TCFACEID_RESULT_IMAGE_RESOLUTION_TOO_LARGE,
        TCFACEID_RESULT_IMAGE_TOO_LARGE,
        TCFACEID_RESULT_IMAGE_INVALID_BASE64,
        TCFACEID_RESULT_IMAGE_UNREADABLE,
        TCFACEID_RESULT_IMAGE_EMPTY,
        TCFACEID_RESULT_CREDENTIALS_MISSING,
        TCFACEID_RESULT_CREDENTIALS_INVALID,
        TCFACEID_RESULT_TRANSPORT,
        TCFACEID_RESULT_TLS,
        TCFACEID_RESULT_TIMEOUT,
        TCFACEID_RESULT_HTTP_STATUS,
        TCFACEID_RESULT_SERVICE,
        TCFACEID_RESULT_SERVICE_AUTH_FAILURE,
        TCFACEID_RESULT_SERVICE_RATE_LIMITED,
        TCFACEID_RESULT_SERVICE_ACTION_OFFLINE,
        TCFACEID_RESULT_PROTOCOL,
        TCFACEID_RESULT_RESPONSE_TOO_LARGE,
        TCFACEID_RESULT_POLL_DEADLINE_EXCEEDED,
        TCFACEID_RESULT_POLL_ATTEMPTS_EXHAUSTED,
        TCFACEID_RESULT_PANIC,
    };
    size_t i, j;
    CHECK(TCFACEID_RESULT_OK == 0);
    for (i = 0; i < sizeof all / sizeof all[0]; i++) {
        const char *text = tcfaceid_result_str(all[i]);
        CHECK(text != NULL && text[0] != '\0' && !str_eq(text, "unknown result code"));
        for (j = 0; j < i; j++) {
            CHECK(all[i] != all[j]);
        }
    }
    CHECK(str_eq(tcfaceid_result_str(1), "unknown result code"));
    CHECK(str_eq(tcfaceid_result_str(0xFFFFFFFFu), "unknown result code"));
    CHECK(str_eq(tcfaceid_result_str(TCFACEID_RESULT_OK), "success"));
}

static void test_last_error_starts_empty(void) {
    CHECK(tcfaceid_last_error_code() == TCFACEID_RESULT_OK);
    CHECK(str_eq(tcfaceid_last_error_message(), ""));
    CHECK(str_eq(tcfaceid_last_error_field(), ""));
    CHECK(str_eq(tcfaceid_last_error_service_code(), ""));
    CHECK(str_eq(tcfaceid_last_error_request_id(), ""));
    CHECK(tcfaceid_last_error_http_status() == 0);
}

static void *thread_reads_last_error(void *arg) {
    int *ok = (int *)arg;
    *ok = tcfaceid_last_error_code() == TCFACEID_RESULT_OK &&
          str_eq(tcfaceid_last_error_message(), "");
    return NULL;
}

static void test_last_error_rules(void) {
    tcfaceid_card_request *request = NULL;
    const char *message;
    pthread_t thread;
    int thread_ok = 0;

    /* A failure is recorded ... */
    CHECK_FAIL(tcfaceid_card_request_new(NULL, "ID_CARD", &request),
               TCFACEID_RESULT_NULL_ARGUMENT, "nationality");
    CHECK(request == NULL);
    message = tcfaceid_last_error_message();
    CHECK(strstr(message, "nationality") != NULL);
    /* ... is per thread ... */
    CHECK(pthread_create(&thread, NULL, thread_reads_last_error, &thread_ok) == 0);
    CHECK(pthread_join(thread, NULL) == 0);
    CHECK(thread_ok);
    CHECK(tcfaceid_last_error_code() == TCFACEID_RESULT_NULL_ARGUMENT);
    /* ... survives the accessors, result_str, version and the free functions ... */
    (void)tcfaceid_result_str(TCFACEID_RESULT_PANIC);
    (void)tcfaceid_version();
    (void)tcfaceid_last_error_field();
    tcfaceid_card_request_free(NULL);
    tcfaceid_signed_headers_free(NULL);
    tcfaceid_string_free(NULL);
    CHECK(tcfaceid_last_error_code() == TCFACEID_RESULT_NULL_ARGUMENT);
    CHECK(tcfaceid_last_error_message() == message);
    /* ... and is cleared by the next call that can fail, when it succeeds. */
    request = new_request("IDN", "ID_CARD");
    CHECK(tcfaceid_last_error_code() == TCFACEID_RESULT_OK);
    CHECK(str_eq(tcfaceid_last_error_message(), ""));
    CHECK(str_eq(tcfaceid_last_error_field(), ""));
    CHECK(tcfaceid_last_error_http_status() == 0);
    tcfaceid_card_request_free(request);
}

/* ---------------------------------------------------------------------------------------------
 * tcfaceid_sign
 */

static void test_sign_vector_s1(void) {
    tcfaceid_signed_headers *headers = NULL;
    static const char *const names[] = {"Authorization", "Content-Type", "Host",        "X-TC-Action",
                                        "X-TC-Timestamp", "X-TC-Version", "X-TC-Region"};
    static const char *const values[] = {S1_AUTHORIZATION, "application/json", S1_HOST,
                                         S1_ACTION,        "1700000000",       S1_VERSION,
                                         S1_REGION};
    size_t i;

    CHECK_CODE(tcfaceid_sign(S1_ID, S1_KEY, NULL, S1_SERVICE, S1_HOST, S1_REGION, S1_ACTION, S1_VERSION,
                             S1_TIMESTAMP, (const uint8_t *)S1_BODY, strlen(S1_BODY), &headers),
               TCFACEID_RESULT_OK);
    CHECK(headers != NULL);
    CHECK(tcfaceid_signed_headers_count(headers) == 7);
    for (i = 0; i < 7; i++) {
        CHECK(str_eq(tcfaceid_signed_headers_name(headers, i), names[i]));
        CHECK(str_eq(tcfaceid_signed_headers_value(headers, i), values[i]));
    }
    CHECK(str_eq(tcfaceid_signed_headers_get(headers, "Authorization"), S1_AUTHORIZATION));
    CHECK(ends_with(tcfaceid_signed_headers_get(headers, "authorization"),
                    "Signature=58b836bc8063447b4cae50aea55c25508241ffb0dcc509008a2da92277f08902"));
    CHECK(str_eq(tcfaceid_signed_headers_get(headers, "x-tc-timestamp"), "1700000000"));

    /* Absent: NULL with no error; out of range: NULL with INVALID_ARGUMENT naming index. */
    CHECK(tcfaceid_signed_headers_get(headers, "X-TC-Token") == NULL);
    CHECK(tcfaceid_last_error_code() == TCFACEID_RESULT_OK);
    CHECK(tcfaceid_signed_headers_name(headers, 7) == NULL);
    CHECK_FAIL(tcfaceid_last_error_code(), TCFACEID_RESULT_INVALID_ARGUMENT, "index");
    CHECK(tcfaceid_signed_headers_value(headers, (size_t)-1) == NULL);
    CHECK_FAIL(tcfaceid_last_error_code(), TCFACEID_RESULT_INVALID_ARGUMENT, "index");

    /* NULL handle or name. */
    CHECK(tcfaceid_signed_headers_count(NULL) == 0);
    CHECK_FAIL(tcfaceid_last_error_code(), TCFACEID_RESULT_NULL_ARGUMENT, "headers");
    CHECK(tcfaceid_signed_headers_name(NULL, 0) == NULL);
    CHECK_FAIL(tcfaceid_last_error_code(), TCFACEID_RESULT_NULL_ARGUMENT, "headers");
    CHECK(tcfaceid_signed_headers_value(NULL, 0) == NULL);
    CHECK_FAIL(tcfaceid_last_error_code(), TCFACEID_RESULT_NULL_ARGUMENT, "headers");
    CHECK(tcfaceid_signed_headers_get(NULL, "Host") == NULL);
    CHECK_FAIL(tcfaceid_last_error_code(), TCFACEID_RESULT_NULL_ARGUMENT, "headers");
    CHECK(tcfaceid_signed_headers_get(headers, NULL) == NULL);
    CHECK_FAIL(tcfaceid_last_error_code(), TCFACEID_RESULT_NULL_ARGUMENT, "name");
    CHECK(tcfaceid_signed_headers_get(headers, BAD_UTF8) == NULL);
    CHECK_FAIL(tcfaceid_last_error_code(), TCFACEID_RESULT_INVALID_UTF8, "name");

    tcfaceid_signed_headers_free(headers);
}

static void test_sign_optional_inputs(void) {
    tcfaceid_signed_headers *headers = NULL;

    /* A token adds X-TC-Token (not signed: the signature is S1's). */
    CHECK_CODE(tcfaceid_sign(S1_ID, S1_KEY, "session-token", S1_SERVICE, S1_HOST, S1_REGION, S1_ACTION,
                             S1_VERSION, S1_TIMESTAMP, (const uint8_t *)S1_BODY, strlen(S1_BODY),
                             &headers),
               TCFACEID_RESULT_OK);
    CHECK(tcfaceid_signed_headers_count(headers) == 8);
    CHECK(str_eq(tcfaceid_signed_headers_get(headers, "X-TC-Token"), "session-token"));
    CHECK(str_eq(tcfaceid_signed_headers_get(headers, "Authorization"), S1_AUTHORIZATION));
    tcfaceid_signed_headers_free(headers);

    /* No region (NULL or ""): no X-TC-Region. An empty token counts as none. */
    headers = NULL;
    CHECK_CODE(tcfaceid_sign(S1_ID, S1_KEY, "", S1_SERVICE, S1_HOST, NULL, S1_ACTION, S1_VERSION,
                             S1_TIMESTAMP, (const uint8_t *)S1_BODY, strlen(S1_BODY), &headers),
               TCFACEID_RESULT_OK);
    CHECK(tcfaceid_signed_headers_count(headers) == 6);
    CHECK(tcfaceid_signed_headers_get(headers, "X-TC-Region") == NULL);
    tcfaceid_signed_headers_free(headers);
    headers = NULL;
    CHECK_CODE(tcfaceid_sign(S1_ID, S1_KEY, NULL, S1_SERVICE, S1_HOST, "", S1_ACTION, S1_VERSION,
                             S1_TIMESTAMP, (const uint8_t *)S1_BODY, strlen(S1_BODY), &headers),
               TCFACEID_RESULT_OK);
    CHECK(tcfaceid_signed_headers_count(headers) == 6);
    tcfaceid_signed_headers_free(headers);

    /* An empty body may be NULL with length 0 (the SHA-256 of nothing is signed). */
    headers = NULL;
    CHECK_CODE(tcfaceid_sign(S1_ID, S1_KEY, NULL, S1_SERVICE, S1_HOST, S1_REGION, S1_ACTION, S1_VERSION,
                             S1_TIMESTAMP, NULL, 0, &headers),
               TCFACEID_RESULT_OK);
    CHECK(headers != NULL);
    CHECK(!str_eq(tcfaceid_signed_headers_get(headers, "Authorization"), S1_AUTHORIZATION));
    tcfaceid_signed_headers_free(headers);
}

/* tcfaceid_sign with one argument replaced: index 0..7 are the strings, in order. */
static tcfaceid_result sign_with(int index, const char *value,
                                 tcfaceid_signed_headers **headers_out) {
    const char *args[8];
    args[0] = S1_ID;
    args[1] = S1_KEY;
    args[2] = NULL;
    args[3] = S1_SERVICE;
    args[4] = S1_HOST;
    args[5] = S1_REGION;
    args[6] = S1_ACTION;
    args[7] = S1_VERSION;
    args[index] = value;
    return tcfaceid_sign(args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7],
                         S1_TIMESTAMP, (const uint8_t *)S1_BODY, strlen(S1_BODY), headers_out);
}

static void test_sign_arguments(void) {
    static const char *const params[8] = {"secret_id", "secret_key", "token",  "service",
                                          "host",      "region",     "action", "version"};
    /* A sentinel: outputs must be left alone on failure. */
    tcfaceid_signed_headers *const sentinel = (tcfaceid_signed_headers *)(uintptr_t)0x5A5A;
    tcfaceid_signed_headers *headers = sentinel;
    int i;

    for (i = 0; i < 8; i++) {
        headers = sentinel;
        if (i == 2 || i == 5) {
            /* token and region are nullable. */
            headers = NULL;
            CHECK_CODE(sign_with(i, NULL, &headers), TCFACEID_RESULT_OK);
            tcfaceid_signed_headers_free(headers);
        } else {
            CHECK_FAIL(sign_with(i, NULL, &headers), TCFACEID_RESULT_NULL_ARGUMENT, params[i]);
            CHECK(headers == sentinel);
        }
        headers = sentinel;
        CHECK_FAIL(sign_with(i, BAD_UTF8, &headers), TCFACEID_RESULT_INVALID_UTF8, params[i]);
        CHECK(headers == sentinel);
    }

    /* body NULL with a length; headers_out NULL. */
    CHECK_FAIL(tcfaceid_sign(S1_ID, S1_KEY, NULL, S1_SERVICE, S1_HOST, S1_REGION, S1_ACTION, S1_VERSION,
                             S1_TIMESTAMP, NULL, 5, &headers),
               TCFACEID_RESULT_NULL_ARGUMENT, "body");
    CHECK(headers == sentinel);
    CHECK_FAIL(tcfaceid_sign(S1_ID, S1_KEY, NULL, S1_SERVICE, S1_HOST, S1_REGION, S1_ACTION, S1_VERSION,
                             S1_TIMESTAMP, (const uint8_t *)S1_BODY, strlen(S1_BODY), NULL),
               TCFACEID_RESULT_NULL_ARGUMENT, "headers_out");

    /* Credentials: empty, padded, control characters. */
    CHECK_FAIL(sign_with(0, "", &headers), TCFACEID_RESULT_CREDENTIALS_INVALID, "secret_id");
    CHECK_FAIL(sign_with(0, " AKID", &headers), TCFACEID_RESULT_CREDENTIALS_INVALID, "secret_id");
    CHECK_FAIL(sign_with(0, "AK\nID", &headers), TCFACEID_RESULT_CREDENTIALS_INVALID, "secret_id");
    CHECK_FAIL(sign_with(1, "", &headers), TCFACEID_RESULT_CREDENTIALS_INVALID, "secret_key");
    CHECK_FAIL(sign_with(1, "SKEXAMPLE\n", &headers), TCFACEID_RESULT_CREDENTIALS_INVALID,
               "secret_key");
    CHECK_FAIL(sign_with(2, "token ", &headers), TCFACEID_RESULT_CREDENTIALS_INVALID, "token");
    CHECK_FAIL(sign_with(2, "to\r\nken", &headers), TCFACEID_RESULT_CREDENTIALS_INVALID, "token");
    /* The message never shows the secret key. */
    CHECK_FAIL(sign_with(1, "SECRETVALUE ", &headers), TCFACEID_RESULT_CREDENTIALS_INVALID,
               "secret_key");
    CHECK(strstr(tcfaceid_last_error_message(), "SECRETVALUE") == NULL);
    CHECK(headers == sentinel);

    /* Other values: empty, or with control characters that would split a header. */
    CHECK_FAIL(sign_with(3, "", &headers), TCFACEID_RESULT_INVALID_ARGUMENT, "service");
    CHECK_FAIL(sign_with(4, "", &headers), TCFACEID_RESULT_INVALID_ARGUMENT, "host");
    CHECK_FAIL(sign_with(4, "a.com\r\nX-Evil: 1", &headers), TCFACEID_RESULT_INVALID_ARGUMENT,
               "host");
    CHECK_FAIL(sign_with(5, "ap-singapore\n", &headers), TCFACEID_RESULT_INVALID_ARGUMENT,
               "region");
    CHECK_FAIL(sign_with(6, "", &headers), TCFACEID_RESULT_INVALID_ARGUMENT, "action");
    CHECK_FAIL(sign_with(7, "", &headers), TCFACEID_RESULT_INVALID_ARGUMENT, "version");
    CHECK_FAIL(tcfaceid_sign(S1_ID, S1_KEY, NULL, S1_SERVICE, S1_HOST, S1_REGION, S1_ACTION, S1_VERSION,
                             INT64_MAX, (const uint8_t *)S1_BODY, strlen(S1_BODY), &headers),
               TCFACEID_RESULT_INVALID_ARGUMENT, "timestamp");
    CHECK(headers == sentinel);
}

/* Vector O1 of tests/vectors/tc3-vectors.json (OCR, service "ocr"): a reusable signer, across
 * calls and days, as headers and as text. */
static void test_signer_vector_o1(void) {
    static const char host[] = "ocr.intl.tencentcloudapi.com";
    static const char body[] =
        "{\"Nationality\": \"SGP\", \"CardType\": \"ID_CARD\", \"ImageUrlFront\": "
        "\"https://example.com/front.jpg\", \"ImageUrlBack\": \"https://example.com/back.jpg\", "
        "\"ReturnHeadImage\": true}";
    static const char authorization[] =
        "TC3-HMAC-SHA256 Credential=AKIDEXAMPLEFACEID0000000000000000000/2023-11-14/ocr/"
        "tc3_request, SignedHeaders=content-type;host, "
        "Signature=89df0e7eedf2ad8f9f1fb2829ebb13c1e52c2dc8c72d7e1a0f72242d6ebb8e99";
    tcfaceid_signer *const sentinel = (tcfaceid_signer *)(uintptr_t)0x5A5A;
    tcfaceid_signer *signer = sentinel;
    tcfaceid_signed_headers *headers = NULL;
    char *text = NULL;
    size_t text_len = 0;
    int round;

    CHECK_FAIL(tcfaceid_signer_new(S1_ID, S1_KEY, NULL, "", &signer),
               TCFACEID_RESULT_INVALID_ARGUMENT, "service");
    CHECK_FAIL(tcfaceid_signer_new(S1_ID, "", NULL, "ocr", &signer),
               TCFACEID_RESULT_CREDENTIALS_INVALID, "secret_key");
    CHECK(signer == sentinel);
    CHECK_CODE(tcfaceid_signer_new(S1_ID, S1_KEY, NULL, "ocr", &signer), TCFACEID_RESULT_OK);
    /* The first call derives the day's key, the second uses the cached one; then another day,
     * then the first day again. */
    for (round = 0; round < 4; round++) {
        int64_t timestamp = round == 2 ? S1_TIMESTAMP + 86400 : S1_TIMESTAMP;
        headers = NULL;
        CHECK_CODE(tcfaceid_signer_sign(signer, host, S1_REGION, "ApplyCardVerificationExternal",
                                        "2018-11-19", timestamp, (const uint8_t *)body,
                                        strlen(body), &headers),
                   TCFACEID_RESULT_OK);
        CHECK(tcfaceid_signed_headers_count(headers) == 7);
        if (round == 2) {
            CHECK(strstr(tcfaceid_signed_headers_get(headers, "Authorization"), "/2023-11-15/ocr/") !=
                  NULL);
        } else {
            CHECK(str_eq(tcfaceid_signed_headers_get(headers, "Authorization"), authorization));
        }
        CHECK(str_eq(tcfaceid_signed_headers_get(headers, "X-TC-Version"), "2018-11-19"));
        tcfaceid_signed_headers_free(headers);
    }
    CHECK_CODE(tcfaceid_signer_sign_text(signer, host, S1_REGION, "ApplyCardVerificationExternal",
                                         "2018-11-19", S1_TIMESTAMP, (const uint8_t *)body,
                                         strlen(body), &text, &text_len),
               TCFACEID_RESULT_OK);
    CHECK(text != NULL && strlen(text) == text_len);
    CHECK(strncmp(text, "Authorization: ", 15) == 0);
    CHECK(strncmp(text + 15, authorization, strlen(authorization)) == 0);
    CHECK(strstr(text, "\r\nHost: ocr.intl.tencentcloudapi.com\r\n") != NULL);
    CHECK(strstr(text, "\r\nX-TC-Region: ap-singapore\r\n") != NULL);
    CHECK(text_len >= 2 && strcmp(text + text_len - 2, "\r\n") == 0);
    tcfaceid_string_free(text);
    /* Failures write no output. */
    text = NULL;
    text_len = 99;
    CHECK_FAIL(tcfaceid_signer_sign_text(signer, "", NULL, "A", "v", S1_TIMESTAMP, NULL, 0, &text,
                                         &text_len),
               TCFACEID_RESULT_INVALID_ARGUMENT, "host");
    CHECK(text == NULL && text_len == 99);
    CHECK_FAIL(tcfaceid_signer_sign(NULL, host, NULL, "A", "v", S1_TIMESTAMP, NULL, 0, &headers),
               TCFACEID_RESULT_NULL_ARGUMENT, "signer");
    tcfaceid_signer_free(signer);
    tcfaceid_signer_free(NULL);
}

/* ---------------------------------------------------------------------------------------------
 * tcfaceid_card_request
 */

static void test_card_request_arguments(void) {
    tcfaceid_card_request *const sentinel = (tcfaceid_card_request *)(uintptr_t)0x5A5A;
    tcfaceid_card_request *request = sentinel;
    char *const json_sentinel = (char *)(uintptr_t)0x5A5A;
    char *json = json_sentinel;
    size_t json_len = 7;
    static const uint32_t bad_sides[2] = {2, 0xFFFFFFFFu};
    uint8_t png[33];
    uint32_t side;
    size_t i;

    png_header(png, 1, 1);

    /* _new: NULL and bad UTF-8 in each parameter; the output untouched. */
    CHECK_FAIL(tcfaceid_card_request_new(NULL, "ID_CARD", &request), TCFACEID_RESULT_NULL_ARGUMENT,
               "nationality");
    CHECK_FAIL(tcfaceid_card_request_new("IDN", NULL, &request), TCFACEID_RESULT_NULL_ARGUMENT,
               "card_type");
    CHECK_FAIL(tcfaceid_card_request_new("IDN", "ID_CARD", NULL), TCFACEID_RESULT_NULL_ARGUMENT,
               "request_out");
    CHECK_FAIL(tcfaceid_card_request_new(BAD_UTF8, "ID_CARD", &request),
               TCFACEID_RESULT_INVALID_UTF8, "nationality");
    CHECK_FAIL(tcfaceid_card_request_new("IDN", BAD_UTF8, &request), TCFACEID_RESULT_INVALID_UTF8,
               "card_type");
    CHECK(request == sentinel);

    request = new_request("IDN", "ID_CARD");

    /* NULL request for every function taking one. */
    CHECK_FAIL(tcfaceid_card_request_set_nationality(NULL, "IDN"), TCFACEID_RESULT_NULL_ARGUMENT,
               "request");
    CHECK_FAIL(tcfaceid_card_request_set_card_type(NULL, "ID_CARD"), TCFACEID_RESULT_NULL_ARGUMENT,
               "request");
    CHECK_FAIL(tcfaceid_card_request_set_allow_unknown_codes(NULL, true),
               TCFACEID_RESULT_NULL_ARGUMENT, "request");
    CHECK_FAIL(tcfaceid_card_request_set_url(NULL, TCFACEID_SIDE_FRONT, "https://a.example/f.jpg"),
               TCFACEID_RESULT_NULL_ARGUMENT, "request");
    CHECK_FAIL(tcfaceid_card_request_set_image_bytes(NULL, TCFACEID_SIDE_FRONT, png, sizeof png),
               TCFACEID_RESULT_NULL_ARGUMENT, "request");
    CHECK_FAIL(tcfaceid_card_request_set_image_file(NULL, TCFACEID_SIDE_FRONT, "/tmp/x.png"),
               TCFACEID_RESULT_NULL_ARGUMENT, "request");
    CHECK_FAIL(tcfaceid_card_request_set_image_base64(NULL, TCFACEID_SIDE_FRONT, "iVBORw0KGgo="),
               TCFACEID_RESULT_NULL_ARGUMENT, "request");
    CHECK_FAIL(tcfaceid_card_request_clear_side(NULL, TCFACEID_SIDE_FRONT),
               TCFACEID_RESULT_NULL_ARGUMENT, "request");
    CHECK_FAIL(tcfaceid_card_request_validate(NULL), TCFACEID_RESULT_NULL_ARGUMENT, "request");
    CHECK_FAIL(tcfaceid_card_request_body(NULL, &json, &json_len), TCFACEID_RESULT_NULL_ARGUMENT,
               "request");

    /* NULL and bad UTF-8 in the other pointer parameters. */
    CHECK_FAIL(tcfaceid_card_request_set_nationality(request, NULL), TCFACEID_RESULT_NULL_ARGUMENT,
               "nationality");
    CHECK_FAIL(tcfaceid_card_request_set_nationality(request, BAD_UTF8),
               TCFACEID_RESULT_INVALID_UTF8, "nationality");
    CHECK_FAIL(tcfaceid_card_request_set_card_type(request, NULL), TCFACEID_RESULT_NULL_ARGUMENT,
               "card_type");
    CHECK_FAIL(tcfaceid_card_request_set_card_type(request, BAD_UTF8),
               TCFACEID_RESULT_INVALID_UTF8, "card_type");
    CHECK_FAIL(tcfaceid_card_request_set_url(request, TCFACEID_SIDE_FRONT, NULL),
               TCFACEID_RESULT_NULL_ARGUMENT, "url");
    CHECK_FAIL(tcfaceid_card_request_set_url(request, TCFACEID_SIDE_FRONT, BAD_UTF8),
               TCFACEID_RESULT_INVALID_UTF8, "url");
    CHECK_FAIL(tcfaceid_card_request_set_image_bytes(request, TCFACEID_SIDE_FRONT, NULL, 1),
               TCFACEID_RESULT_NULL_ARGUMENT, "image");
    CHECK_FAIL(tcfaceid_card_request_set_image_file(request, TCFACEID_SIDE_FRONT, NULL),
               TCFACEID_RESULT_NULL_ARGUMENT, "path");
    CHECK_FAIL(tcfaceid_card_request_set_image_file(request, TCFACEID_SIDE_FRONT, BAD_UTF8),
               TCFACEID_RESULT_INVALID_UTF8, "path");
    CHECK_FAIL(tcfaceid_card_request_set_image_base64(request, TCFACEID_SIDE_FRONT, NULL),
               TCFACEID_RESULT_NULL_ARGUMENT, "base64");
    CHECK_FAIL(tcfaceid_card_request_set_image_base64(request, TCFACEID_SIDE_FRONT, BAD_UTF8),
               TCFACEID_RESULT_INVALID_UTF8, "base64");
    CHECK_FAIL(tcfaceid_card_request_body(request, NULL, &json_len), TCFACEID_RESULT_NULL_ARGUMENT,
               "json_out");
    CHECK_FAIL(tcfaceid_card_request_body(request, &json, NULL), TCFACEID_RESULT_NULL_ARGUMENT,
               "json_len_out");
    CHECK(json == json_sentinel && json_len == 7);

    /* Sides other than FRONT (0) and BACK (1). */
    for (i = 0; i < 2; i++) {
        side = bad_sides[i];
        CHECK_FAIL(tcfaceid_card_request_set_url(request, side, "https://a.example/f.jpg"),
                   TCFACEID_RESULT_INVALID_ARGUMENT, "side");
        CHECK_FAIL(tcfaceid_card_request_set_image_bytes(request, side, png, sizeof png),
                   TCFACEID_RESULT_INVALID_ARGUMENT, "side");
        CHECK_FAIL(tcfaceid_card_request_set_image_file(request, side, "/tmp/x.png"),
                   TCFACEID_RESULT_INVALID_ARGUMENT, "side");
        CHECK_FAIL(tcfaceid_card_request_set_image_base64(request, side, "iVBORw0KGgo="),
                   TCFACEID_RESULT_INVALID_ARGUMENT, "side");
        CHECK_FAIL(tcfaceid_card_request_clear_side(request, side),
                   TCFACEID_RESULT_INVALID_ARGUMENT, "side");
    }

    /* None of the failed calls changed the request: it still has no front. */
    CHECK_FAIL(tcfaceid_card_request_validate(request), TCFACEID_RESULT_FRONT_IMAGE_REQUIRED,
               NULL);
    tcfaceid_card_request_free(request);
}

/* Validate an IDN ID card whose front is `image`, expecting `want` (field ImageBase64Front). */
static void check_front_bytes(const uint8_t *image, size_t image_len, tcfaceid_result want,
                              int line) {
    tcfaceid_card_request *request = new_request("IDN", "ID_CARD");
    CHECK_CODE(tcfaceid_card_request_set_image_bytes(request, TCFACEID_SIDE_FRONT, image, image_len),
               TCFACEID_RESULT_OK);
    check_code(tcfaceid_card_request_validate(request), want,
               want == TCFACEID_RESULT_OK ? NULL : "ImageBase64Front", "validate front bytes",
               line);
    tcfaceid_card_request_free(request);
}

static void test_card_request_validation(void) {
    tcfaceid_card_request *request;
    uint8_t png[33];
    uint8_t *big;
    size_t big_len;

    /* Codes. */
    request = new_request("XXX", "ID_CARD");
    CHECK_CODE(tcfaceid_card_request_set_url(request, TCFACEID_SIDE_FRONT,
                                             "https://example.com/front.jpg"),
               TCFACEID_RESULT_OK);
    CHECK_FAIL(tcfaceid_card_request_validate(request), TCFACEID_RESULT_INVALID_NATIONALITY,
               "Nationality");
    CHECK_CODE(tcfaceid_card_request_set_nationality(request, "IDN"), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_card_request_set_card_type(request, "RESIDENCE_PERMIT"),
               TCFACEID_RESULT_OK);
    CHECK_FAIL(tcfaceid_card_request_validate(request), TCFACEID_RESULT_INVALID_CARD_TYPE,
               "CardType");
    CHECK_CODE(tcfaceid_card_request_set_allow_unknown_codes(request, true), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_card_request_validate(request), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_card_request_set_allow_unknown_codes(request, false), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_card_request_set_card_type(request, "ID_CARD"), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_card_request_validate(request), TCFACEID_RESULT_OK);

    /* Front and back presence: an HKG ID card needs its back. */
    CHECK_CODE(tcfaceid_card_request_clear_side(request, TCFACEID_SIDE_FRONT), TCFACEID_RESULT_OK);
    CHECK_FAIL(tcfaceid_card_request_validate(request), TCFACEID_RESULT_FRONT_IMAGE_REQUIRED,
               "ImageBase64Front");
    CHECK_CODE(tcfaceid_card_request_set_nationality(request, "HKG"), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_card_request_set_url(request, TCFACEID_SIDE_FRONT,
                                             "https://example.com/front.jpg"),
               TCFACEID_RESULT_OK);
    CHECK_FAIL(tcfaceid_card_request_validate(request), TCFACEID_RESULT_BACK_IMAGE_REQUIRED,
               "ImageBase64Back");
    /* The back as base64 (with a data: prefix and a line break). */
    CHECK_CODE(tcfaceid_card_request_set_image_base64(request, TCFACEID_SIDE_BACK, PNG_1_BASE64),
               TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_card_request_validate(request), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_card_request_set_image_base64(request, TCFACEID_SIDE_BACK, "!!!not base64"),
               TCFACEID_RESULT_OK);
    CHECK_FAIL(tcfaceid_card_request_validate(request), TCFACEID_RESULT_IMAGE_INVALID_BASE64,
               "ImageBase64Back");
    /* URLs: http(s) only; a URL wins over the side's image data. */
    CHECK_CODE(tcfaceid_card_request_set_url(request, TCFACEID_SIDE_BACK, "ftp://example.com/b.jpg"),
               TCFACEID_RESULT_OK);
    CHECK_FAIL(tcfaceid_card_request_validate(request), TCFACEID_RESULT_INVALID_IMAGE_URL,
               "ImageUrlBack");
    CHECK_CODE(tcfaceid_card_request_set_url(request, TCFACEID_SIDE_BACK, "https://example.com/b.jpg"),
               TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_card_request_validate(request), TCFACEID_RESULT_OK);
    tcfaceid_card_request_free(request);

    /* Images as raw bytes, built here. */
    png_header(png, 1, 1);
    check_front_bytes(png, sizeof png, TCFACEID_RESULT_OK, __LINE__);
    check_front_bytes(png, 24, TCFACEID_RESULT_OK, __LINE__);
    check_front_bytes(JPEG_16, sizeof JPEG_16, TCFACEID_RESULT_OK, __LINE__);
    check_front_bytes(GIF_1, sizeof GIF_1, TCFACEID_RESULT_IMAGE_UNSUPPORTED_FORMAT, __LINE__);
    check_front_bytes(png, 20, TCFACEID_RESULT_IMAGE_CORRUPT, __LINE__);
    check_front_bytes(JPEG_16, 4, TCFACEID_RESULT_IMAGE_CORRUPT, __LINE__);
    check_front_bytes(NULL, 0, TCFACEID_RESULT_IMAGE_EMPTY, __LINE__);
    png_header(png, 8000, 8000);
    check_front_bytes(png, sizeof png, TCFACEID_RESULT_OK, __LINE__);
    png_header(png, 8001, 10);
    check_front_bytes(png, sizeof png, TCFACEID_RESULT_IMAGE_RESOLUTION_TOO_LARGE, __LINE__);
    png_header(png, 10, 9000);
    check_front_bytes(png, sizeof png, TCFACEID_RESULT_IMAGE_RESOLUTION_TOO_LARGE, __LINE__);

    /* 5 MiB of base64 is 3,932,160 raw bytes: that is accepted, one more byte is not. */
    big_len = 5u * 1024u * 1024u / 4u * 3u;
    big = (uint8_t *)calloc(big_len + 1, 1);
    CHECK(big != NULL);
    if (big != NULL) {
        png_header(png, 100, 100);
        memcpy(big, png, sizeof png);
        check_front_bytes(big, big_len, TCFACEID_RESULT_OK, __LINE__);
        check_front_bytes(big, big_len + 1, TCFACEID_RESULT_IMAGE_TOO_LARGE, __LINE__);
        free(big);
    }

    /* The GIF as the back of an HKG ID card, and a missing back: both caught before sending. */
    request = new_request("HKG", "ID_CARD");
    png_header(png, 640, 480);
    CHECK_CODE(tcfaceid_card_request_set_image_bytes(request, TCFACEID_SIDE_FRONT, png, sizeof png),
               TCFACEID_RESULT_OK);
    CHECK_FAIL(tcfaceid_card_request_validate(request), TCFACEID_RESULT_BACK_IMAGE_REQUIRED,
               "ImageBase64Back");
    CHECK_CODE(tcfaceid_card_request_set_image_bytes(request, TCFACEID_SIDE_BACK, GIF_1,
                                                     sizeof GIF_1),
               TCFACEID_RESULT_OK);
    CHECK_FAIL(tcfaceid_card_request_validate(request), TCFACEID_RESULT_IMAGE_UNSUPPORTED_FORMAT,
               "ImageBase64Back");
    CHECK(strstr(tcfaceid_last_error_message(), "GIF") != NULL);
    tcfaceid_card_request_free(request);
}

static void test_card_request_files(void) {
    char path[] = "/tmp/tcfaceid-test-XXXXXX";
    int fd = mkstemp(path);
    uint8_t png[33];
    tcfaceid_card_request *request;
    FILE *file;

    CHECK(fd >= 0);
    if (fd < 0) {
        return;
    }
    png_header(png, 320, 200);
    file = fdopen(fd, "wb");
    CHECK(file != NULL && fwrite(png, 1, sizeof png, file) == sizeof png);
    if (file != NULL) {
        fclose(file);
    }

    request = new_request("IDN", "ID_CARD");
    CHECK_CODE(tcfaceid_card_request_set_image_file(request, TCFACEID_SIDE_FRONT, path),
               TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_card_request_validate(request), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_card_request_set_image_file(request, TCFACEID_SIDE_FRONT,
                                                    "/nonexistent/tcfaceid/front.png"),
               TCFACEID_RESULT_OK);
    CHECK_FAIL(tcfaceid_card_request_validate(request), TCFACEID_RESULT_IMAGE_UNREADABLE,
               "ImageBase64Front");
    CHECK(strstr(tcfaceid_last_error_message(), "/nonexistent/tcfaceid/front.png") != NULL);
    tcfaceid_card_request_free(request);
    unlink(path);
}

static void test_card_request_body_and_sign(void) {
    tcfaceid_card_request *request = new_request("IDN", "ID_CARD");
    tcfaceid_signed_headers *headers = NULL;
    char *json = NULL;
    char *const sentinel = (char *)(uintptr_t)0x5A5A;
    char *failed_json = sentinel;
    size_t json_len = 0;
    size_t failed_len = 7;
    uint8_t png[33];

    /* Invalid: no body, output untouched. */
    CHECK_FAIL(tcfaceid_card_request_body(request, &failed_json, &failed_len),
               TCFACEID_RESULT_FRONT_IMAGE_REQUIRED, "ImageBase64Front");
    CHECK(failed_json == sentinel && failed_len == 7);

    CHECK_CODE(tcfaceid_card_request_set_url(request, TCFACEID_SIDE_FRONT,
                                             "https://example.com/front.jpg"),
               TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_card_request_body(request, &json, &json_len), TCFACEID_RESULT_OK);
    CHECK(str_eq(json, "{\"Nationality\":\"IDN\",\"CardType\":\"ID_CARD\","
                       "\"ImageUrlFront\":\"https://example.com/front.jpg\"}"));
    CHECK(json != NULL && json_len == strlen(json));

    /* The body signs as is (what a caller with its own HTTP stack does). */
    CHECK_CODE(tcfaceid_sign(S1_ID, S1_KEY, NULL, S1_SERVICE, "faceid.tencentcloudapi.com", "ap-jakarta",
                             S1_ACTION, S1_VERSION, S1_TIMESTAMP, (const uint8_t *)json,
                             strlen(json), &headers),
               TCFACEID_RESULT_OK);
    CHECK(ends_with(tcfaceid_signed_headers_get(headers, "Host"), "faceid.tencentcloudapi.com"));
    CHECK(strstr(tcfaceid_signed_headers_get(headers, "Authorization"),
                 "/2023-11-14/faceid/tc3_request, SignedHeaders=content-type;host, Signature=") !=
          NULL);
    tcfaceid_signed_headers_free(headers);
    tcfaceid_string_free(json);

    /* Raw bytes are sent as base64. */
    png_header(png, 1, 1);
    CHECK_CODE(tcfaceid_card_request_clear_side(request, TCFACEID_SIDE_FRONT), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_card_request_set_image_bytes(request, TCFACEID_SIDE_FRONT, png, sizeof png),
               TCFACEID_RESULT_OK);
    json = NULL;
    CHECK_CODE(tcfaceid_card_request_body(request, &json, &json_len), TCFACEID_RESULT_OK);
    CHECK(json != NULL && json_len == strlen(json));
    CHECK(str_eq(json, "{\"Nationality\":\"IDN\",\"CardType\":\"ID_CARD\",\"ImageBase64Front\":"
                       "\"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAAAAAAAA\"}"));
    tcfaceid_string_free(json);
    tcfaceid_card_request_free(request);
}

/* Lent bytes (not copied): read by every call that uses the request, the same body as copied
 * bytes; setting the side again drops the pointer (a heap copy freed before the request is, so
 * that valgrind and ASan see any later read). */
static void test_card_request_borrowed_bytes(void) {
    tcfaceid_card_request *request = new_request("IDN", "ID_CARD");
    uint8_t *lent = malloc(33);
    uint8_t png[33];
    char *json = NULL;
    size_t json_len = 0;

    CHECK(lent != NULL);
    if (lent == NULL) {
        return;
    }
    png_header(lent, 1, 1);
    CHECK_CODE(tcfaceid_card_request_set_image_bytes_borrowed(request, TCFACEID_SIDE_FRONT, lent, 33),
               TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_card_request_validate(request), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_card_request_body(request, &json, &json_len), TCFACEID_RESULT_OK);
    CHECK(str_eq(json, "{\"Nationality\":\"IDN\",\"CardType\":\"ID_CARD\",\"ImageBase64Front\":"
                       "\"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAAAAAAAA\"}"));
    tcfaceid_string_free(json);

    /* The request reads the caller's bytes as they are at each call: not a copy. */
    lent[0] = 'X';
    CHECK_FAIL(tcfaceid_card_request_validate(request), TCFACEID_RESULT_IMAGE_UNSUPPORTED_FORMAT,
               "ImageBase64Front");

    /* NULL only with length 0 (an empty image, refused at validation); unknown sides. */
    CHECK_FAIL(tcfaceid_card_request_set_image_bytes_borrowed(request, TCFACEID_SIDE_FRONT, NULL, 1),
               TCFACEID_RESULT_NULL_ARGUMENT, "image");
    CHECK_FAIL(tcfaceid_card_request_set_image_bytes_borrowed(request, 2, lent, 33),
               TCFACEID_RESULT_INVALID_ARGUMENT, "side");
    CHECK_CODE(tcfaceid_card_request_set_image_bytes_borrowed(request, TCFACEID_SIDE_FRONT, NULL, 0),
               TCFACEID_RESULT_OK);
    CHECK_FAIL(tcfaceid_card_request_validate(request), TCFACEID_RESULT_IMAGE_EMPTY,
               "ImageBase64Front");

    /* Lent again, then replaced by a copy: the lent bytes may go. */
    CHECK_CODE(tcfaceid_card_request_set_image_bytes_borrowed(request, TCFACEID_SIDE_FRONT, lent, 33),
               TCFACEID_RESULT_OK);
    png_header(png, 1, 1);
    CHECK_CODE(tcfaceid_card_request_set_image_bytes(request, TCFACEID_SIDE_FRONT, png, sizeof png),
               TCFACEID_RESULT_OK);
    free(lent);
    CHECK_CODE(tcfaceid_card_request_validate(request), TCFACEID_RESULT_OK);
    tcfaceid_card_request_free(request);
}

/* ---------------------------------------------------------------------------------------------
 * Panics and freeing
 */

#if defined(TCFACEID_TEST_HOOKS)
/* Against libtcfaceid_test_hooks.so: a deliberate panic stays inside the library. */
static void test_panic_boundary(void) {
    tcfaceid_card_request *request = NULL;
    fprintf(stderr, "test_capi: two deliberate panics (tcfaceid_debug_panic) follow\n");
    CHECK(tcfaceid_debug_panic() == TCFACEID_RESULT_PANIC);
    CHECK(tcfaceid_last_error_code() == TCFACEID_RESULT_PANIC);
    CHECK(strstr(tcfaceid_last_error_message(), "panic") != NULL);
    CHECK(tcfaceid_debug_panic() == TCFACEID_RESULT_PANIC);
    /* Still alive and usable. */
    request = new_request("IDN", "ID_CARD");
    CHECK(tcfaceid_last_error_code() == TCFACEID_RESULT_OK);
    tcfaceid_card_request_free(request);
}
#else
/* Against libtcfaceid.so, the library users link: the testing hook must not be in it. */
static void test_panic_boundary(void) {
    void *self = dlopen(NULL, RTLD_NOW); /* the program and the libraries it loaded */
    CHECK(self != NULL);
    if (self != NULL) {
        CHECK(dlsym(self, "tcfaceid_version") != NULL);
        CHECK(dlsym(self, "tcfaceid_debug_panic") == NULL);
        dlclose(self);
    }
}
#endif

static void test_free_null(void) {
    tcfaceid_card_request_free(NULL);
    tcfaceid_signed_headers_free(NULL);
    tcfaceid_string_free(NULL);
    CHECK(1);
}

int main(void) {
    test_last_error_starts_empty();
    test_version();
    test_result_str();
    test_last_error_rules();
    test_sign_vector_s1();
    test_sign_optional_inputs();
    test_sign_arguments();
    test_signer_vector_o1();
    test_card_request_arguments();
    test_card_request_validation();
    test_card_request_files();
    test_card_request_body_and_sign();
    test_card_request_borrowed_bytes();
    test_panic_boundary();
    test_free_null();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
