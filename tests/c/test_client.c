/*
 * C tests of the tcfaceid client API: the builder and its errors, then apply / get result /
 * verify / call_json against the local emulators, every getter of both responses, the status
 * enum and its raw string, warn infos, and the service's error details in the last error
 * (service code, RequestId, HTTP status) for every class of failure. It must run clean under
 * valgrind --leak-check=full.
 *
 * The emulators are started by scripts/with-emulator.sh (`make c-test`), which
 * exports TCFACEID_TEST_ENDPOINT and friends (see the script). A missing endpoint variable is a
 * failed check, not a skip: the offline checks still run, then the program fails.
 * TCFACEID_TEST_SAMPLES is the directory of the sample images (default bindings/c/samples,
 * relative to the working directory).
 *
 * Built with -std=c99 -Wall -Wextra -Wpedantic -Werror -pthread and linked against the cdylib.
 * Prints one line per failed check and ends with "N passed, M failed"; exits non-zero when a
 * check failed.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcfaceid.h"

#include "check.h"

/* ---------------------------------------------------------------------------------------------
 * Fixtures
 */

static const char BAD_UTF8[] = "\xff\xfe";
static const char DEMO_ID[] = "AKIDTCFACEIDEMULATOR0000000000000000";
static const char DEMO_KEY[] = "tcfaceid-emulator-demo-secret-key";
/* Nothing listens there: connections are refused at once. */
static const char CLOSED_ENDPOINT[] = "http://127.0.0.1:1";

/* Sentinels: outputs must be left alone on failure. */
#define CLIENT_SENTINEL ((tcfaceid_client *)(uintptr_t)0x5A5A)
#define BUILDER_SENTINEL ((tcfaceid_client_builder *)(uintptr_t)0x5A5A)
#define APPLY_SENTINEL ((tcfaceid_apply_response *)(uintptr_t)0x5A5A)
#define RESULT_SENTINEL ((tcfaceid_verification_result *)(uintptr_t)0x5A5A)
#define STRING_SENTINEL ((char *)(uintptr_t)0x5A5A)

/* An environment variable, or NULL when unset or empty. */
static const char *env(const char *name) {
    const char *value = getenv(name);
    return value != NULL && value[0] != '\0' ? value : NULL;
}

static const char *secret_id(void) {
    return env("TCFACEID_TEST_SECRET_ID") ? env("TCFACEID_TEST_SECRET_ID") : DEMO_ID;
}

static const char *secret_key(void) {
    return env("TCFACEID_TEST_SECRET_KEY") ? env("TCFACEID_TEST_SECRET_KEY") : DEMO_KEY;
}

/* The path of a sample image, in a static buffer. */
static const char *sample(const char *name) {
    static char path[4096];
    const char *dir = env("TCFACEID_TEST_SAMPLES") ? env("TCFACEID_TEST_SAMPLES")
                                                   : "bindings/c/samples";
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static tcfaceid_client_builder *new_builder(void) {
    tcfaceid_client_builder *builder = NULL;
    CHECK_CODE(tcfaceid_client_builder_new(&builder), TCFACEID_RESULT_OK);
    CHECK(builder != NULL);
    return builder;
}

/* A builder with credentials, region and endpoint set: only build is left. */
static tcfaceid_client_builder *ready_builder(const char *endpoint, const char *id,
                                              const char *key) {
    tcfaceid_client_builder *builder = new_builder();
    CHECK_CODE(tcfaceid_client_builder_set_credentials(builder, id, key, NULL), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_client_builder_set_region(builder, "ap-singapore"), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_client_builder_set_endpoint(builder, endpoint), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_client_builder_set_connect_timeout_ms(builder, 5000), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_client_builder_set_timeout_ms(builder, 60000), TCFACEID_RESULT_OK);
    return builder;
}

/* A client for `endpoint` with the given credentials; NULL (and a failed check) on failure. */
static tcfaceid_client *client_with(const char *endpoint, const char *id, const char *key) {
    tcfaceid_client *client = NULL;
    CHECK_CODE(tcfaceid_client_builder_build(ready_builder(endpoint, id, key), &client),
               TCFACEID_RESULT_OK);
    CHECK(client != NULL);
    return client;
}

static tcfaceid_client *client_for(const char *endpoint) {
    return client_with(endpoint, secret_id(), secret_key());
}

/* A request with front (and back) image URLs; the emulator never downloads them. */
static tcfaceid_card_request *url_request(const char *nationality, const char *card_type,
                                          const char *front, const char *back) {
    tcfaceid_card_request *request = NULL;
    CHECK_CODE(tcfaceid_card_request_new(nationality, card_type, &request), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_card_request_set_url(request, TCFACEID_SIDE_FRONT, front),
               TCFACEID_RESULT_OK);
    if (back != NULL) {
        CHECK_CODE(tcfaceid_card_request_set_url(request, TCFACEID_SIDE_BACK, back),
                   TCFACEID_RESULT_OK);
    }
    return request;
}

/* The last error is the service's: its code, a RequestId and the HTTP status. */
static void check_service_error(const char *service_code, uint16_t http_status, int line) {
    int ok = str_eq(tcfaceid_last_error_service_code(), service_code) &&
             str_nonempty(tcfaceid_last_error_request_id()) &&
             tcfaceid_last_error_http_status() == http_status &&
             str_has(tcfaceid_last_error_message(), service_code);
    if (!check_true(ok, "service error details", __FILE__, line)) {
        fprintf(stderr,
                "  service code \"%s\" (want \"%s\"), request id \"%s\", HTTP %u (want %u)\n"
                "  message: %s\n",
                tcfaceid_last_error_service_code(), service_code, tcfaceid_last_error_request_id(),
                (unsigned)tcfaceid_last_error_http_status(), (unsigned)http_status,
                tcfaceid_last_error_message());
    }
}

/* The last error has no service details (the failure did not come from the service). */
static void check_no_service_details(int line) {
    check_true(str_eq(tcfaceid_last_error_service_code(), "") &&
                   str_eq(tcfaceid_last_error_request_id(), ""),
               "no service code or RequestId in the last error", __FILE__, line);
}

/* The last error is clean (after a successful call). */
static void check_last_error_clear(int line) {
    check_true(tcfaceid_last_error_code() == TCFACEID_RESULT_OK &&
                   str_eq(tcfaceid_last_error_message(), "") &&
                   str_eq(tcfaceid_last_error_field(), "") &&
                   str_eq(tcfaceid_last_error_service_code(), "") &&
                   str_eq(tcfaceid_last_error_request_id(), "") &&
                   tcfaceid_last_error_http_status() == 0,
               "the last error is clear", __FILE__, line);
}

/* ---------------------------------------------------------------------------------------------
 * The builder (no network)
 */

static void test_builder_arguments(void) {
    tcfaceid_client_builder *builder = new_builder();
    tcfaceid_client_builder *builder_slot = BUILDER_SENTINEL;
    tcfaceid_client *client = CLIENT_SENTINEL;

    CHECK_FAIL(tcfaceid_client_builder_new(NULL), TCFACEID_RESULT_NULL_ARGUMENT, "builder_out");
    CHECK(builder_slot == BUILDER_SENTINEL);

    /* NULL and bad UTF-8 in every string; the token may be NULL. */
    CHECK_FAIL(tcfaceid_client_builder_set_credentials(builder, NULL, DEMO_KEY, NULL),
               TCFACEID_RESULT_NULL_ARGUMENT, "secret_id");
    CHECK_FAIL(tcfaceid_client_builder_set_credentials(builder, DEMO_ID, NULL, NULL),
               TCFACEID_RESULT_NULL_ARGUMENT, "secret_key");
    CHECK_FAIL(tcfaceid_client_builder_set_credentials(builder, BAD_UTF8, DEMO_KEY, NULL),
               TCFACEID_RESULT_INVALID_UTF8, "secret_id");
    CHECK_FAIL(tcfaceid_client_builder_set_credentials(builder, DEMO_ID, BAD_UTF8, NULL),
               TCFACEID_RESULT_INVALID_UTF8, "secret_key");
    CHECK_FAIL(tcfaceid_client_builder_set_credentials(builder, DEMO_ID, DEMO_KEY, BAD_UTF8),
               TCFACEID_RESULT_INVALID_UTF8, "token");
    CHECK_CODE(tcfaceid_client_builder_set_credentials(builder, DEMO_ID, DEMO_KEY, "session"),
               TCFACEID_RESULT_OK);
    CHECK_FAIL(tcfaceid_client_builder_set_region(builder, NULL), TCFACEID_RESULT_NULL_ARGUMENT,
               "region");
    CHECK_FAIL(tcfaceid_client_builder_set_region(builder, BAD_UTF8), TCFACEID_RESULT_INVALID_UTF8,
               "region");
    CHECK_FAIL(tcfaceid_client_builder_set_endpoint(builder, NULL), TCFACEID_RESULT_NULL_ARGUMENT,
               "endpoint");
    CHECK_FAIL(tcfaceid_client_builder_set_endpoint(builder, BAD_UTF8),
               TCFACEID_RESULT_INVALID_UTF8, "endpoint");
    CHECK_FAIL(tcfaceid_client_builder_set_language(builder, NULL), TCFACEID_RESULT_NULL_ARGUMENT,
               "language");
    CHECK_FAIL(tcfaceid_client_builder_set_proxy(builder, NULL), TCFACEID_RESULT_NULL_ARGUMENT,
               "proxy");
    CHECK_FAIL(tcfaceid_client_builder_set_ca_file(builder, NULL), TCFACEID_RESULT_NULL_ARGUMENT,
               "path");
    CHECK_FAIL(tcfaceid_client_builder_set_ca_file(builder, BAD_UTF8),
               TCFACEID_RESULT_INVALID_UTF8, "path");
    CHECK_FAIL(tcfaceid_client_builder_set_credentials_from_profile(builder, BAD_UTF8),
               TCFACEID_RESULT_INVALID_UTF8, "profile");
    CHECK_CODE(tcfaceid_client_builder_set_credentials_from_profile(builder, NULL),
               TCFACEID_RESULT_OK);

    /* Retries are checked when set: 1..=10 attempts. */
    CHECK_FAIL(tcfaceid_client_builder_set_retries(builder, 0, 100, 1000),
               TCFACEID_RESULT_INVALID_OPTION, NULL);
    CHECK_FAIL(tcfaceid_client_builder_set_retries(builder, 11, 100, 1000),
               TCFACEID_RESULT_INVALID_OPTION, NULL);
    CHECK_CODE(tcfaceid_client_builder_set_retries(builder, 3, 10, 100), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_client_builder_set_clock_offset_secs(builder, -30), TCFACEID_RESULT_OK);

    /* A NULL output: the builder is consumed all the same (valgrind sees no leak). */
    CHECK_FAIL(tcfaceid_client_builder_build(builder, NULL), TCFACEID_RESULT_NULL_ARGUMENT,
               "client_out");
    CHECK_FAIL(tcfaceid_client_builder_build(NULL, &client), TCFACEID_RESULT_NULL_ARGUMENT,
               "builder");
    CHECK(client == CLIENT_SENTINEL);

    /* The setters on NULL. */
    CHECK_FAIL(tcfaceid_client_builder_set_credentials(NULL, DEMO_ID, DEMO_KEY, NULL),
               TCFACEID_RESULT_NULL_ARGUMENT, "builder");
    CHECK_FAIL(tcfaceid_client_builder_set_credentials_from_env(NULL),
               TCFACEID_RESULT_NULL_ARGUMENT, "builder");
    CHECK_FAIL(tcfaceid_client_builder_set_timeout_ms(NULL, 1), TCFACEID_RESULT_NULL_ARGUMENT,
               "builder");
    CHECK_FAIL(tcfaceid_client_builder_set_clock_offset_secs(NULL, 1),
               TCFACEID_RESULT_NULL_ARGUMENT, "builder");

    /* Freeing a builder that was never built, and NULL. */
    builder = new_builder();
    CHECK_CODE(tcfaceid_client_builder_set_endpoint(builder, CLOSED_ENDPOINT), TCFACEID_RESULT_OK);
    tcfaceid_client_builder_free(builder);
    tcfaceid_client_builder_free(NULL);
    tcfaceid_client_free(NULL);
}

/* Build `builder` (consumed), expecting `want`; the output stays untouched on failure. */
static void check_build(tcfaceid_client_builder *builder, tcfaceid_result want, const char *needle,
                        int line) {
    tcfaceid_client *client = CLIENT_SENTINEL;
    tcfaceid_result got = tcfaceid_client_builder_build(builder, &client);
    check_code(got, want, NULL, "tcfaceid_client_builder_build", __FILE__, line);
    if (want == TCFACEID_RESULT_OK) {
        check_true(client != NULL && client != CLIENT_SENTINEL, "a client is built", __FILE__,
                   line);
        check_last_error_clear(line);
        if (client != CLIENT_SENTINEL) {
            tcfaceid_client_free(client);
        }
    } else {
        check_true(client == CLIENT_SENTINEL, "client_out untouched", __FILE__, line);
        if (needle != NULL && !check_true(str_has(tcfaceid_last_error_message(), needle),
                                          "the message names the problem", __FILE__, line)) {
            fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", tcfaceid_last_error_message(),
                    needle);
        }
    }
}

static void test_builder_errors(void) {
    static const char *const bad_endpoints[] = {
        "ftp://faceid.tencentcloudapi.com",  "https://faceid.tencentcloudapi.com/path",
        " https://faceid.tencentcloudapi.com", "",
        "http://127.0.0.1:0",                "http://127.0.0.1:70000",
        "https://user@faceid.example.com",   "https://",
    };
    tcfaceid_client_builder *builder;
    size_t i;

    /* The defaults plus explicit credentials, region and endpoint build. */
    check_build(ready_builder(CLOSED_ENDPOINT, DEMO_ID, DEMO_KEY), TCFACEID_RESULT_OK, NULL,
                __LINE__);

    /* Region: checked at build. */
    builder = ready_builder(CLOSED_ENDPOINT, DEMO_ID, DEMO_KEY);
    CHECK_CODE(tcfaceid_client_builder_set_region(builder, "eu-west-1"), TCFACEID_RESULT_OK);
    check_build(builder, TCFACEID_RESULT_INVALID_REGION, "eu-west-1", __LINE__);
    builder = ready_builder(CLOSED_ENDPOINT, DEMO_ID, DEMO_KEY);
    CHECK_CODE(tcfaceid_client_builder_set_region(builder, ""), TCFACEID_RESULT_OK);
    check_build(builder, TCFACEID_RESULT_INVALID_REGION, "region", __LINE__);
    /* No region set and none in the environment. */
    CHECK(unsetenv("TENCENTCLOUD_REGION") == 0);
    builder = new_builder();
    CHECK_CODE(tcfaceid_client_builder_set_credentials(builder, DEMO_ID, DEMO_KEY, NULL),
               TCFACEID_RESULT_OK);
    check_build(builder, TCFACEID_RESULT_INVALID_REGION, "region", __LINE__);
    /* ... or from the environment. */
    CHECK(setenv("TENCENTCLOUD_REGION", "ap-jakarta", 1) == 0);
    builder = new_builder();
    CHECK_CODE(tcfaceid_client_builder_set_credentials(builder, DEMO_ID, DEMO_KEY, NULL),
               TCFACEID_RESULT_OK);
    check_build(builder, TCFACEID_RESULT_OK, NULL, __LINE__);
    CHECK(unsetenv("TENCENTCLOUD_REGION") == 0);

    /* Endpoints. */
    for (i = 0; i < sizeof bad_endpoints / sizeof bad_endpoints[0]; i++) {
        builder = ready_builder(CLOSED_ENDPOINT, DEMO_ID, DEMO_KEY);
        CHECK_CODE(tcfaceid_client_builder_set_endpoint(builder, bad_endpoints[i]),
                   TCFACEID_RESULT_OK);
        check_build(builder, TCFACEID_RESULT_INVALID_ENDPOINT, "endpoint", __LINE__);
    }
    /* A host alone means https. */
    builder = ready_builder("faceid.intl.tencentcloudapi.com", DEMO_ID, DEMO_KEY);
    check_build(builder, TCFACEID_RESULT_OK, NULL, __LINE__);

    /* Language and options. */
    builder = ready_builder(CLOSED_ENDPOINT, DEMO_ID, DEMO_KEY);
    CHECK_CODE(tcfaceid_client_builder_set_language(builder, "fr-FR"), TCFACEID_RESULT_OK);
    check_build(builder, TCFACEID_RESULT_INVALID_LANGUAGE, "fr-FR", __LINE__);
    builder = ready_builder(CLOSED_ENDPOINT, DEMO_ID, DEMO_KEY);
    CHECK_CODE(tcfaceid_client_builder_set_language(builder, "zh-CN"), TCFACEID_RESULT_OK);
    check_build(builder, TCFACEID_RESULT_OK, NULL, __LINE__);
    builder = ready_builder(CLOSED_ENDPOINT, DEMO_ID, DEMO_KEY);
    CHECK_CODE(tcfaceid_client_builder_set_connect_timeout_ms(builder, 0), TCFACEID_RESULT_OK);
    check_build(builder, TCFACEID_RESULT_INVALID_OPTION, "timeout", __LINE__);
    builder = ready_builder(CLOSED_ENDPOINT, DEMO_ID, DEMO_KEY);
    CHECK_CODE(tcfaceid_client_builder_set_timeout_ms(builder, 3600001), TCFACEID_RESULT_OK);
    check_build(builder, TCFACEID_RESULT_INVALID_OPTION, "timeout", __LINE__);
    builder = ready_builder(CLOSED_ENDPOINT, DEMO_ID, DEMO_KEY);
    CHECK_CODE(tcfaceid_client_builder_set_max_response_bytes(builder, 1023), TCFACEID_RESULT_OK);
    check_build(builder, TCFACEID_RESULT_INVALID_OPTION, "1024", __LINE__);
    builder = ready_builder(CLOSED_ENDPOINT, DEMO_ID, DEMO_KEY);
    CHECK_CODE(tcfaceid_client_builder_set_proxy(builder, "http://127.0.0.1:3128"),
               TCFACEID_RESULT_OK);
    check_build(builder, TCFACEID_RESULT_OK, NULL, __LINE__);
    builder = ready_builder(CLOSED_ENDPOINT, DEMO_ID, DEMO_KEY);
    CHECK_CODE(tcfaceid_client_builder_set_ca_file(builder, "/nonexistent/tcfaceid/ca.pem"),
               TCFACEID_RESULT_OK);
    check_build(builder, TCFACEID_RESULT_TLS, "/nonexistent/tcfaceid/ca.pem", __LINE__);
}

static void test_builder_credentials(void) {
    static const char *const padded_ids[] = {" AKIDX", "AKIDX ", "\tAKIDX", ""};
    static const char *const padded_keys[] = {" SECRETVALUE", "SECRETVALUE ", "SECRETVALUE\t",
                                              "SECRETVALUE\n", ""};
    char profile_path[] = "/tmp/tcfaceid-test-profile-XXXXXX";
    tcfaceid_client_builder *builder = new_builder();
    FILE *file;
    size_t i;
    int fd;

    /* Empty or padded with whitespace: refused when set; the message names the parameter and
     * never shows the key. (The last error's field is not set for these, unlike tcfaceid_sign's
     * credential errors: a gap in src/capi/client.rs, so only the message is checked here.) */
    for (i = 0; i < sizeof padded_ids / sizeof padded_ids[0]; i++) {
        CHECK_FAIL(tcfaceid_client_builder_set_credentials(builder, padded_ids[i], DEMO_KEY, NULL),
                   TCFACEID_RESULT_CREDENTIALS_INVALID, NULL);
        CHECK(str_has(tcfaceid_last_error_message(), "secret_id"));
    }
    for (i = 0; i < sizeof padded_keys / sizeof padded_keys[0]; i++) {
        CHECK_FAIL(tcfaceid_client_builder_set_credentials(builder, DEMO_ID, padded_keys[i], NULL),
                   TCFACEID_RESULT_CREDENTIALS_INVALID, NULL);
        CHECK(str_has(tcfaceid_last_error_message(), "secret_key"));
        CHECK(!str_has(tcfaceid_last_error_message(), "SECRETVALUE"));
    }
    CHECK_FAIL(tcfaceid_client_builder_set_credentials(builder, DEMO_ID, DEMO_KEY, "token "),
               TCFACEID_RESULT_CREDENTIALS_INVALID, NULL);
    CHECK(str_has(tcfaceid_last_error_message(), "token"));
    tcfaceid_client_builder_free(builder);

    /* From the environment: missing, padded, then good. */
    CHECK(unsetenv("TENCENTCLOUD_SECRET_ID") == 0 && unsetenv("TENCENTCLOUD_SECRET_KEY") == 0 &&
          unsetenv("TENCENTCLOUD_SECURITY_TOKEN") == 0);
    builder = ready_builder(CLOSED_ENDPOINT, DEMO_ID, DEMO_KEY);
    CHECK_CODE(tcfaceid_client_builder_set_credentials_from_env(builder), TCFACEID_RESULT_OK);
    check_build(builder, TCFACEID_RESULT_CREDENTIALS_MISSING, "TENCENTCLOUD_SECRET_ID", __LINE__);
    CHECK(setenv("TENCENTCLOUD_SECRET_ID", DEMO_ID, 1) == 0);
    CHECK(setenv("TENCENTCLOUD_SECRET_KEY", "SECRETVALUE ", 1) == 0);
    builder = ready_builder(CLOSED_ENDPOINT, DEMO_ID, DEMO_KEY);
    CHECK_CODE(tcfaceid_client_builder_set_credentials_from_env(builder), TCFACEID_RESULT_OK);
    check_build(builder, TCFACEID_RESULT_CREDENTIALS_INVALID, NULL, __LINE__);
    CHECK(!str_has(tcfaceid_last_error_message(), "SECRETVALUE"));
    CHECK(setenv("TENCENTCLOUD_SECRET_KEY", DEMO_KEY, 1) == 0);
    builder = ready_builder(CLOSED_ENDPOINT, DEMO_ID, DEMO_KEY);
    CHECK_CODE(tcfaceid_client_builder_set_credentials_from_env(builder), TCFACEID_RESULT_OK);
    check_build(builder, TCFACEID_RESULT_OK, NULL, __LINE__);
    CHECK(unsetenv("TENCENTCLOUD_SECRET_ID") == 0 && unsetenv("TENCENTCLOUD_SECRET_KEY") == 0);

    /* From a profile file: a named section, the default one, a missing one. */
    fd = mkstemp(profile_path);
    CHECK(fd >= 0);
    if (fd < 0) {
        return;
    }
    file = fdopen(fd, "w");
    CHECK(file != NULL);
    if (file == NULL) {
        close(fd);
        unlink(profile_path);
        return;
    }
    fprintf(file, "[default]\nsecret_id = %s\nsecret_key = %s\n\n[ci]\nsecret_id = %s\n"
                  "secret_key = %s\n\n[padded]\nsecret_id = %s\nsecret_key = %s \n\n"
                  "[empty]\nsecret_id = %s\nsecret_key =  \n",
            DEMO_ID, DEMO_KEY, DEMO_ID, DEMO_KEY, DEMO_ID, DEMO_KEY, DEMO_ID);
    fclose(file);
    CHECK(setenv("TENCENTCLOUD_CREDENTIALS_FILE", profile_path, 1) == 0);
    builder = ready_builder(CLOSED_ENDPOINT, DEMO_ID, DEMO_KEY);
    CHECK_CODE(tcfaceid_client_builder_set_credentials_from_profile(builder, "ci"),
               TCFACEID_RESULT_OK);
    check_build(builder, TCFACEID_RESULT_OK, NULL, __LINE__);
    builder = ready_builder(CLOSED_ENDPOINT, DEMO_ID, DEMO_KEY);
    CHECK_CODE(tcfaceid_client_builder_set_credentials_from_profile(builder, NULL),
               TCFACEID_RESULT_OK);
    check_build(builder, TCFACEID_RESULT_OK, NULL, __LINE__);
    builder = ready_builder(CLOSED_ENDPOINT, DEMO_ID, DEMO_KEY);
    CHECK_CODE(tcfaceid_client_builder_set_credentials_from_profile(builder, "nosuch"),
               TCFACEID_RESULT_OK);
    check_build(builder, TCFACEID_RESULT_CREDENTIALS_MISSING, "[nosuch]", __LINE__);
    builder = ready_builder(CLOSED_ENDPOINT, DEMO_ID, DEMO_KEY);
    /* Whitespace around a value is not part of it, as configparser (the official SDK) reads. */
    CHECK_CODE(tcfaceid_client_builder_set_credentials_from_profile(builder, "padded"),
               TCFACEID_RESULT_OK);
    check_build(builder, TCFACEID_RESULT_OK, NULL, __LINE__);
    builder = ready_builder(CLOSED_ENDPOINT, DEMO_ID, DEMO_KEY);
    CHECK_CODE(tcfaceid_client_builder_set_credentials_from_profile(builder, "empty"),
               TCFACEID_RESULT_OK);
    check_build(builder, TCFACEID_RESULT_CREDENTIALS_INVALID, "[empty]", __LINE__);
    CHECK(unsetenv("TENCENTCLOUD_CREDENTIALS_FILE") == 0);
    unlink(profile_path);
}

/* A refused connection, no service involved: TRANSPORT, and no service details. */
static void test_transport_error(void) {
    tcfaceid_client *client = client_for(CLOSED_ENDPOINT);
    tcfaceid_card_request *request =
        url_request("IDN", "ID_CARD", "https://example.com/front.jpg", NULL);
    tcfaceid_apply_response *applied = APPLY_SENTINEL;
    tcfaceid_verification_result *result = RESULT_SENTINEL;
    char *json = STRING_SENTINEL;
    size_t json_len = 7;

    CHECK_FAIL(tcfaceid_client_apply_card_verification(client, request, &applied),
               TCFACEID_RESULT_TRANSPORT, NULL);
    check_no_service_details(__LINE__);
    CHECK(tcfaceid_last_error_http_status() == 0);
    CHECK(applied == APPLY_SENTINEL);
    CHECK_FAIL(tcfaceid_client_get_card_verification_result(client, "token", &result),
               TCFACEID_RESULT_TRANSPORT, NULL);
    CHECK(result == RESULT_SENTINEL);
    CHECK_FAIL(tcfaceid_client_verify_card(client, request, 5000, &result),
               TCFACEID_RESULT_TRANSPORT, NULL);
    CHECK(result == RESULT_SENTINEL);
    CHECK_FAIL(tcfaceid_client_call_json(client, "GetCardVerificationResult", "{}", &json, &json_len),
               TCFACEID_RESULT_TRANSPORT, NULL);
    CHECK(json == STRING_SENTINEL);

    /* Local checks come before the network: an invalid request never leaves. */
    CHECK_CODE(tcfaceid_card_request_clear_side(request, TCFACEID_SIDE_FRONT), TCFACEID_RESULT_OK);
    CHECK_FAIL(tcfaceid_client_apply_card_verification(client, request, &applied),
               TCFACEID_RESULT_FRONT_IMAGE_REQUIRED, "ImageBase64Front");
    CHECK_FAIL(tcfaceid_client_verify_card(client, request, 5000, &result),
               TCFACEID_RESULT_FRONT_IMAGE_REQUIRED, "ImageBase64Front");
    {
        const char *token = STRING_SENTINEL;
        size_t body_len = 7;
        uint64_t polls = 7;
        const char *request_id = STRING_SENTINEL;
        const char *body = STRING_SENTINEL;
        uint64_t wait = 7;
        CHECK_FAIL(tcfaceid_client_apply_card_verification_fields(client, request, &token,
                                                                  &request_id, &body,
                                                                  &body_len, &polls, &wait),
                   TCFACEID_RESULT_FRONT_IMAGE_REQUIRED, "ImageBase64Front");
        /* No output is written on failure. */
        CHECK(token == STRING_SENTINEL && request_id == STRING_SENTINEL &&
              body == STRING_SENTINEL && body_len == 7 && polls == 7 && wait == 7);
    }
    /* So are the arguments. */
    CHECK_FAIL(tcfaceid_client_get_card_verification_result(client, "", &result),
               TCFACEID_RESULT_INVALID_ARGUMENT, NULL);
    CHECK_FAIL(tcfaceid_client_get_card_verification_result(client, BAD_UTF8, &result),
               TCFACEID_RESULT_INVALID_UTF8, "token");
    CHECK_FAIL(tcfaceid_client_call_json(client, "Not An Action", "{}", &json, &json_len),
               TCFACEID_RESULT_INVALID_ARGUMENT, NULL);
    CHECK_FAIL(tcfaceid_client_call_json(client, "", "{}", &json, &json_len),
               TCFACEID_RESULT_INVALID_ARGUMENT, NULL);
    CHECK_FAIL(tcfaceid_client_call_json(client, "GetCardVerificationResult", BAD_UTF8, &json,
                                         &json_len),
               TCFACEID_RESULT_INVALID_UTF8, "json_body");
    CHECK(applied == APPLY_SENTINEL && result == RESULT_SENTINEL && json == STRING_SENTINEL &&
          json_len == 7);

    tcfaceid_card_request_free(request);
    tcfaceid_client_free(client);
}

/* ---------------------------------------------------------------------------------------------
 * Against the emulators
 */

/* tcfaceid_apply_response_fields gives what each getter gives (the same borrowed pointers). */
static void check_apply_response_fields(const tcfaceid_apply_response *applied) {
    const char *token = NULL;
    const char *request_id = NULL;
    const char *json = NULL;
    size_t json_len = 0;
    uint64_t max_polling_times = 0;
    uint64_t polling_wait_secs = 1;
    CHECK_CODE(tcfaceid_apply_response_fields(applied, &token, &request_id, &json, &json_len,
                                              &max_polling_times, &polling_wait_secs),
               TCFACEID_RESULT_OK);
    check_last_error_clear(__LINE__);
    CHECK(token == tcfaceid_apply_response_token(applied));
    CHECK(request_id == tcfaceid_apply_response_request_id(applied));
    CHECK(json == tcfaceid_apply_response_json(applied));
    CHECK(json_len == tcfaceid_apply_response_json_len(applied));
    CHECK(max_polling_times == tcfaceid_apply_response_max_polling_times(applied));
    CHECK(polling_wait_secs == tcfaceid_apply_response_polling_wait_secs(applied));
    CHECK(max_polling_times == 5 && polling_wait_secs == 0);
}

/* tcfaceid_client_apply_card_verification_fields: a new verification (not `first_token`) with
 * the fields of an apply answer; its strings stay valid until this thread's next such call,
 * which lends the next answer's. */
static void check_apply_with_fields(const tcfaceid_client *client,
                                    const tcfaceid_card_request *request,
                                    const char *first_token) {
    const char *token = NULL;
    const char *request_id = NULL;
    const char *json = NULL;
    size_t json_len = 0;
    uint64_t max_polling_times = 0;
    uint64_t polling_wait_secs = 1;
    char *kept = NULL;
    if (!CHECK_CODE(tcfaceid_client_apply_card_verification_fields(
                        client, request, &token, &request_id, &json, &json_len,
                        &max_polling_times, &polling_wait_secs),
                    TCFACEID_RESULT_OK)) {
        return;
    }
    check_last_error_clear(__LINE__);
    CHECK(str_nonempty(token) && !str_eq(token, first_token));
    CHECK(str_nonempty(request_id) && !str_eq(request_id, token));
    CHECK(strncmp(json, "{\"Response\":", 12) == 0 && json_len == strlen(json));
    CHECK(str_has(json, token) && str_has(json, request_id));
    CHECK(str_has(json, "AsyncCardVerificationMaxPollingTimes"));
    CHECK(max_polling_times == 5 && polling_wait_secs == 0);
    /* The next call lends the next answer: a third verification, another token. */
    kept = strdup(token);
    CHECK(kept != NULL);
    if (kept != NULL &&
        CHECK_CODE(tcfaceid_client_apply_card_verification_fields(
                       client, request, &token, &request_id, &json, &json_len,
                       &max_polling_times, &polling_wait_secs),
                   TCFACEID_RESULT_OK)) {
        CHECK(str_nonempty(token) && !str_eq(token, kept) && !str_eq(token, first_token));
        CHECK(str_has(json, token) && json_len == strlen(json));
    }
    free(kept);
}

/* Every getter of a verification result that is still PROCESSING. */
static void check_processing(const tcfaceid_verification_result *result, const char *token) {
    CHECK(tcfaceid_verification_result_status(result) == TCFACEID_STATUS_PROCESSING);
    CHECK(str_eq(tcfaceid_verification_result_status_str(result), "PROCESSING"));
    CHECK(str_eq(tcfaceid_verification_result_token(result), token));
    CHECK(tcfaceid_verification_result_polls(result) == 1);
    CHECK(tcfaceid_verification_result_warn_info_count(result) == 0);
    CHECK(tcfaceid_verification_result_warn_info(result, 0) == NULL);
    CHECK(tcfaceid_last_error_code() == TCFACEID_RESULT_OK);
    CHECK(tcfaceid_verification_result_nationality(result) == NULL);
    CHECK(tcfaceid_verification_result_card_type(result) == NULL);
    CHECK(tcfaceid_verification_result_card_sub_type(result) == NULL);
    CHECK(tcfaceid_verification_result_card_info_json(result) == NULL);
    CHECK(tcfaceid_verification_result_card_info_json_len(result) == 0);
    CHECK(tcfaceid_verification_result_id_verification_token(result) == NULL);
    CHECK(tcfaceid_last_error_code() == TCFACEID_RESULT_OK);
    CHECK(str_nonempty(tcfaceid_verification_result_request_id(result)));
    CHECK(str_has(tcfaceid_verification_result_json(result), "\"Status\":\"PROCESSING\""));
    CHECK(strncmp(tcfaceid_verification_result_json(result), "{\"Response\":", 12) == 0);
}

static void test_apply_and_get(const char *endpoint) {
    tcfaceid_client *client = client_for(endpoint);
    tcfaceid_card_request *request = NULL;
    tcfaceid_apply_response *applied = NULL;
    tcfaceid_verification_result *result = NULL;
    tcfaceid_verification_result *failed = RESULT_SENTINEL;
    const char *token;
    char *token_copy = NULL;

    /* An HKG ID card with both sides as files (sent as base64). */
    CHECK_CODE(tcfaceid_card_request_new("HKG", "ID_CARD", &request), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_card_request_set_image_file(request, TCFACEID_SIDE_FRONT,
                                                    sample("front.jpg")),
               TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_card_request_set_image_file(request, TCFACEID_SIDE_BACK,
                                                    sample("back.jpg")),
               TCFACEID_RESULT_OK);
    if (!CHECK_CODE(tcfaceid_client_apply_card_verification(client, request, &applied),
                    TCFACEID_RESULT_OK)) {
        tcfaceid_card_request_free(request);
        tcfaceid_client_free(client);
        return;
    }
    check_last_error_clear(__LINE__);

    /* The apply response's getters. */
    token = tcfaceid_apply_response_token(applied);
    CHECK(str_nonempty(token));
    CHECK(str_nonempty(tcfaceid_apply_response_request_id(applied)));
    CHECK(!str_eq(tcfaceid_apply_response_request_id(applied), token));
    CHECK(tcfaceid_apply_response_max_polling_times(applied) == 5);
    CHECK(tcfaceid_apply_response_polling_wait_secs(applied) == 0);
    CHECK(strncmp(tcfaceid_apply_response_json(applied), "{\"Response\":", 12) == 0);
    CHECK(str_has(tcfaceid_apply_response_json(applied), token));
    CHECK(str_has(tcfaceid_apply_response_json(applied),
                  tcfaceid_apply_response_request_id(applied)));
    CHECK(str_has(tcfaceid_apply_response_json(applied), "AsyncCardVerificationMaxPollingTimes"));
    CHECK(tcfaceid_apply_response_json_len(applied) == strlen(tcfaceid_apply_response_json(applied)));
    /* Getters are borrowed and stable: the same pointer each time. */
    CHECK(tcfaceid_apply_response_token(applied) == token);
    check_apply_response_fields(applied);
    check_apply_with_fields(client, request, token);

    /* First poll: PROCESSING, nothing read off the card yet. */
    CHECK_CODE(tcfaceid_client_get_card_verification_result(client, token, &result),
               TCFACEID_RESULT_OK);
    if (result != NULL) {
        check_processing(result, token);
        CHECK(!str_eq(tcfaceid_verification_result_request_id(result),
                      tcfaceid_apply_response_request_id(applied)));
    }
    tcfaceid_verification_result_free(result);
    result = NULL;

    /* The token is copied by the library: the apply response can go before the next poll. */
    token_copy = (char *)malloc(strlen(token) + 1);
    CHECK(token_copy != NULL);
    if (token_copy == NULL) {
        goto done;
    }
    memcpy(token_copy, token, strlen(token) + 1);
    tcfaceid_apply_response_free(applied);
    applied = NULL;

    /* Second poll: the verdict, every getter. */
    CHECK_CODE(tcfaceid_client_get_card_verification_result(client, token_copy, &result),
               TCFACEID_RESULT_OK);
    if (result != NULL) {
        CHECK(tcfaceid_verification_result_status(result) == TCFACEID_STATUS_PASSED);
        CHECK(str_eq(tcfaceid_verification_result_status_str(result), "PASSED"));
        CHECK(str_eq(tcfaceid_verification_result_token(result), token_copy));
        CHECK(tcfaceid_verification_result_polls(result) == 1);
        CHECK(tcfaceid_verification_result_warn_info_count(result) == 0);
        CHECK(tcfaceid_verification_result_warn_info(result, 0) == NULL);
        CHECK(str_eq(tcfaceid_verification_result_nationality(result), "HKG"));
        CHECK(str_eq(tcfaceid_verification_result_card_type(result), "ID_CARD"));
        CHECK(str_eq(tcfaceid_verification_result_card_sub_type(result), "NATIONAL_ID"));
        CHECK(str_has(tcfaceid_verification_result_card_info_json(result), "{\"HKIDCard\":{"));
        CHECK(str_has(tcfaceid_verification_result_card_info_json(result), "\"SAMPLE, Jane\""));
        CHECK(str_nonempty(tcfaceid_verification_result_id_verification_token(result)));
        CHECK(str_nonempty(tcfaceid_verification_result_request_id(result)));
        CHECK(str_has(tcfaceid_verification_result_json(result), "\"Status\":\"PASSED\""));
        CHECK(tcfaceid_verification_result_json_len(result) ==
              strlen(tcfaceid_verification_result_json(result)));
        CHECK(tcfaceid_verification_result_card_info_json_len(result) ==
              strlen(tcfaceid_verification_result_card_info_json(result)));
        CHECK(str_has(tcfaceid_verification_result_json(result),
                      tcfaceid_verification_result_request_id(result)));
        CHECK(tcfaceid_last_error_code() == TCFACEID_RESULT_OK);
    }

    /* A token the service does not know: its error, with the details; output untouched. */
    CHECK_FAIL(tcfaceid_client_get_card_verification_result(client, "no-such-token", &failed),
               TCFACEID_RESULT_SERVICE, NULL);
    check_service_error("InvalidParameterValue.InvalidParameterValueLimit", 200, __LINE__);
    CHECK(failed == RESULT_SENTINEL);
    /* The next successful call clears the last error. */
    CHECK_CODE(tcfaceid_client_get_card_verification_result(client, token_copy, &failed),
               TCFACEID_RESULT_OK);
    check_last_error_clear(__LINE__);
    if (failed != RESULT_SENTINEL) {
        CHECK(tcfaceid_verification_result_status(failed) == TCFACEID_STATUS_PASSED);
        tcfaceid_verification_result_free(failed);
    }

done:
    free(token_copy);
    tcfaceid_verification_result_free(result);
    tcfaceid_apply_response_free(applied);
    tcfaceid_card_request_free(request);
    tcfaceid_client_free(client);
}

/* verify_card for a request with `front`; checks the verdict, its warn infos and the polls. */
static void check_verify(const tcfaceid_client *client, const char *nationality,
                         const char *card_type, const char *front, const char *back,
                         tcfaceid_status status, const char *status_str, const char *warn_info,
                         const char *card_info, int line) {
    tcfaceid_card_request *request = url_request(nationality, card_type, front, back);
    tcfaceid_verification_result *result = NULL;
    size_t warn_infos = warn_info != NULL ? 1 : 0;
    int ok;

    if (!check_code(tcfaceid_client_verify_card(client, request, 60000, &result),
                    TCFACEID_RESULT_OK, NULL, "tcfaceid_client_verify_card", __FILE__, line)) {
        tcfaceid_card_request_free(request);
        return;
    }
    ok = tcfaceid_verification_result_status(result) == status &&
         str_eq(tcfaceid_verification_result_status_str(result), status_str) &&
         /* One PROCESSING answer, then the verdict. */
         tcfaceid_verification_result_polls(result) == 2 &&
         str_nonempty(tcfaceid_verification_result_token(result)) &&
         tcfaceid_verification_result_warn_info_count(result) == warn_infos &&
         (warn_info == NULL ||
          str_eq(tcfaceid_verification_result_warn_info(result, 0), warn_info)) &&
         tcfaceid_verification_result_warn_info(result, warn_infos) == NULL &&
         tcfaceid_verification_result_warn_info(result, (size_t)-1) == NULL &&
         str_eq(tcfaceid_verification_result_nationality(result), nationality) &&
         str_eq(tcfaceid_verification_result_card_type(result), card_type) &&
         str_has(tcfaceid_verification_result_card_info_json(result), card_info) &&
         str_has(tcfaceid_verification_result_json(result), status_str);
    if (!check_true(ok, "the verdict and its getters", __FILE__, line)) {
        fprintf(stderr,
                "  status %u \"%s\", polls %llu, %zu warn infos (first \"%s\"), card info %s\n",
                (unsigned)tcfaceid_verification_result_status(result),
                tcfaceid_verification_result_status_str(result),
                (unsigned long long)tcfaceid_verification_result_polls(result),
                tcfaceid_verification_result_warn_info_count(result),
                tcfaceid_verification_result_warn_info(result, 0)
                    ? tcfaceid_verification_result_warn_info(result, 0)
                    : "(null)",
                tcfaceid_verification_result_card_info_json(result)
                    ? tcfaceid_verification_result_card_info_json(result)
                    : "(null)");
    }
    tcfaceid_verification_result_free(result);
    tcfaceid_card_request_free(request);
}

static void test_verify(const char *endpoint) {
    tcfaceid_client *client = client_for(endpoint);
    check_verify(client, "IDN", "ID_CARD", "https://example.com/front.jpg", NULL,
                 TCFACEID_STATUS_PASSED, "PASSED", NULL, "IndonesiaIDCard", __LINE__);
    check_verify(client, "IDN", "ID_CARD", "https://example.com/warning/front.jpg", NULL,
                 TCFACEID_STATUS_WARNING, "WARNING", "PoorImageQuality", "IndonesiaIDCard",
                 __LINE__);
    check_verify(client, "HKG", "ID_CARD", "https://example.com/REJECTED.jpg",
                 "https://example.com/back.jpg", TCFACEID_STATUS_REJECTED, "REJECTED",
                 "FakeSuspected", "HKIDCard", __LINE__);
    check_verify(client, "THA", "PASSPORT", "https://example.com/passport.jpg", NULL,
                 TCFACEID_STATUS_PASSED, "PASSED", NULL, "InternationalIDPassport", __LINE__);
    tcfaceid_client_free(client);
}

static void test_call_json(const char *endpoint) {
    tcfaceid_client *client = client_for(endpoint);
    char *response = NULL;
    char *failed = STRING_SENTINEL;
    size_t response_len = 0;
    char body[512];
    const char *start, *end;
    char token[128];
    size_t n;

    /* Apply through call_json, then read the token out of the JSON. */
    CHECK_CODE(tcfaceid_client_call_json(client, "ApplyCardVerification",
                                         "{\"Nationality\":\"IDN\",\"CardType\":\"ID_CARD\","
                                         "\"ImageUrlFront\":\"https://example.com/f.jpg\"}",
                                         &response, &response_len),
               TCFACEID_RESULT_OK);
    check_last_error_clear(__LINE__);
    CHECK(response != NULL && response_len == strlen(response));
    CHECK(response != NULL && strncmp(response, "{\"Response\":", 12) == 0);
    start = response ? strstr(response, "\"CardVerificationToken\":\"") : NULL;
    CHECK(start != NULL);
    if (start == NULL) {
        tcfaceid_string_free(response);
        tcfaceid_client_free(client);
        return;
    }
    start += strlen("\"CardVerificationToken\":\"");
    end = strchr(start, '"');
    n = end != NULL ? (size_t)(end - start) : 0;
    CHECK(n > 0 && n < sizeof token);
    if (n == 0 || n >= sizeof token) {
        tcfaceid_string_free(response);
        tcfaceid_client_free(client);
        return;
    }
    memcpy(token, start, n);
    token[n] = '\0';
    tcfaceid_string_free(response);
    response = NULL;

    snprintf(body, sizeof body, "{\"CardVerificationToken\":\"%s\"}", token);
    CHECK_CODE(tcfaceid_client_call_json(client, "GetCardVerificationResult", body, &response,
                                         &response_len),
               TCFACEID_RESULT_OK);
    CHECK(str_has(response, "\"Status\":\"PROCESSING\""));
    CHECK(str_has(response, "\"RequestId\":\""));
    tcfaceid_string_free(response);
    response = NULL;
    CHECK_CODE(tcfaceid_client_call_json(client, "GetCardVerificationResult", body, &response,
                                         &response_len),
               TCFACEID_RESULT_OK);
    CHECK(str_has(response, "\"Status\":\"PASSED\""));
    tcfaceid_string_free(response);

    /* A Response.Error is an error code, not OK; the output is untouched. */
    CHECK_FAIL(tcfaceid_client_call_json(client, "ApplyCardVerification", "{}", &failed, &response_len),
               TCFACEID_RESULT_SERVICE, NULL);
    check_service_error("MissingParameter", 200, __LINE__);
    CHECK_FAIL(tcfaceid_client_call_json(client, "NoSuchAction", "{}", &failed, &response_len),
               TCFACEID_RESULT_SERVICE_ACTION_OFFLINE, NULL);
    check_service_error("InvalidAction", 200, __LINE__);
    CHECK(failed == STRING_SENTINEL);
    tcfaceid_client_free(client);
}

/* Service errors through apply: the code, service code, RequestId and HTTP status. */
static void test_service_errors(const char *endpoint) {
    tcfaceid_client *client = client_for(endpoint);
    tcfaceid_client *wrong_key = client_with(endpoint, secret_id(), "not-the-secret-key");
    tcfaceid_client *wrong_id = client_with(endpoint, "AKIDNOSUCHID0000000000000000000000000",
                                            secret_key());
    tcfaceid_card_request *request =
        url_request("IDN", "ID_CARD", "https://example.com/download-error/front.jpg", NULL);
    tcfaceid_apply_response *applied = APPLY_SENTINEL;

    CHECK_FAIL(tcfaceid_client_apply_card_verification(client, request, &applied),
               TCFACEID_RESULT_SERVICE, NULL);
    check_service_error("ResourceUnavailable.ImageDownloadError", 200, __LINE__);
    CHECK(applied == APPLY_SENTINEL);

    CHECK_CODE(tcfaceid_card_request_set_url(request, TCFACEID_SIDE_FRONT,
                                             "https://example.com/front.jpg"),
               TCFACEID_RESULT_OK);
    CHECK_FAIL(tcfaceid_client_apply_card_verification(wrong_key, request, &applied),
               TCFACEID_RESULT_SERVICE_AUTH_FAILURE, NULL);
    check_service_error("AuthFailure.SignatureFailure", 200, __LINE__);
    CHECK(!str_has(tcfaceid_last_error_message(), "not-the-secret-key"));
    CHECK_FAIL(tcfaceid_client_apply_card_verification(wrong_id, request, &applied),
               TCFACEID_RESULT_SERVICE_AUTH_FAILURE, NULL);
    check_service_error("AuthFailure.SecretIdNotFound", 200, __LINE__);
    CHECK(applied == APPLY_SENTINEL);

    /* The error details outlive the handles (the _free functions keep the last error). */
    tcfaceid_card_request_free(request);
    tcfaceid_client_free(wrong_id);
    tcfaceid_client_free(wrong_key);
    tcfaceid_client_free(client);
    CHECK(tcfaceid_last_error_code() == TCFACEID_RESULT_SERVICE_AUTH_FAILURE);
    check_service_error("AuthFailure.SecretIdNotFound", 200, __LINE__);
}

/* One failing endpoint: apply and get fail with `want`; the details as given. */
static void check_failing_endpoint(const char *variable, tcfaceid_result want,
                                   const char *service_code, uint16_t http_status, int line) {
    const char *endpoint = env(variable);
    tcfaceid_client *client;
    tcfaceid_card_request *request;
    tcfaceid_apply_response *applied = APPLY_SENTINEL;
    tcfaceid_verification_result *result = RESULT_SENTINEL;
    int i;

    if (endpoint == NULL) {
        fprintf(stderr, "test_client: %s is not set\n", variable);
        check_true(0, variable, __FILE__, line);
        return;
    }
    client = client_for(endpoint);
    request = url_request("IDN", "ID_CARD", "https://example.com/front.jpg", NULL);
    for (i = 0; i < 2; i++) {
        tcfaceid_result got =
            i == 0 ? tcfaceid_client_apply_card_verification(client, request, &applied)
                   : tcfaceid_client_get_card_verification_result(client, "token", &result);
        check_code(got, want, NULL, variable, __FILE__, line);
        if (service_code != NULL) {
            check_service_error(service_code, http_status, line);
        } else {
            check_no_service_details(line);
            check_true(tcfaceid_last_error_http_status() == http_status, "HTTP status", __FILE__,
                       line);
        }
    }
    check_true(applied == APPLY_SENTINEL && result == RESULT_SENTINEL, "outputs untouched",
               __FILE__, line);
    tcfaceid_card_request_free(request);
    tcfaceid_client_free(client);
}

static void test_failing_endpoints(void) {
    check_failing_endpoint("TCFACEID_TEST_ENDPOINT_HTTP500", TCFACEID_RESULT_HTTP_STATUS, NULL,
                           500, __LINE__);
    CHECK(str_has(tcfaceid_last_error_message(), "500"));
    check_failing_endpoint("TCFACEID_TEST_ENDPOINT_RATE_LIMITED",
                           TCFACEID_RESULT_SERVICE_RATE_LIMITED, "RequestLimitExceeded", 200,
                           __LINE__);
    check_failing_endpoint("TCFACEID_TEST_ENDPOINT_OFFLINE", TCFACEID_RESULT_SERVICE_ACTION_OFFLINE,
                           "ActionOffline", 200, __LINE__);
    check_failing_endpoint("TCFACEID_TEST_ENDPOINT_GARBAGE", TCFACEID_RESULT_PROTOCOL, NULL, 200,
                           __LINE__);
}

/* Polling that ends without a verdict: the token is in the message, to poll on later. */
static void check_no_verdict(const char *variable, tcfaceid_result want, int line) {
    const char *endpoint = env(variable);
    tcfaceid_client *client;
    tcfaceid_card_request *request;
    tcfaceid_verification_result *result = RESULT_SENTINEL;

    if (endpoint == NULL) {
        fprintf(stderr, "test_client: %s is not set\n", variable);
        check_true(0, variable, __FILE__, line);
        return;
    }
    client = client_for(endpoint);
    request = url_request("IDN", "ID_CARD", "https://example.com/front.jpg", NULL);
    check_code(tcfaceid_client_verify_card(client, request, 20000, &result), want, NULL, variable,
               __FILE__, line);
    check_true(result == RESULT_SENTINEL, "result_out untouched", __FILE__, line);
    check_true(str_has(tcfaceid_last_error_message(), "token"), "the message has the token",
               __FILE__, line);
    tcfaceid_card_request_free(request);
    tcfaceid_client_free(client);
}

static void test_polling_limits(void) {
    check_no_verdict("TCFACEID_TEST_ENDPOINT_SLOW_POLL", TCFACEID_RESULT_POLL_DEADLINE_EXCEEDED,
                     __LINE__);
    check_no_verdict("TCFACEID_TEST_ENDPOINT_NO_VERDICT", TCFACEID_RESULT_POLL_ATTEMPTS_EXHAUSTED,
                     __LINE__);
}

/* Several threads share one client (it is immutable); each has its own last error. */
#define THREADS 4

struct thread_job {
    const tcfaceid_client *client;
    int index;
    int ok;
};

static void *verify_on_thread(void *arg) {
    struct thread_job *job = (struct thread_job *)arg;
    tcfaceid_card_request *request = NULL;
    tcfaceid_verification_result *result = NULL;
    tcfaceid_verification_result *failed = RESULT_SENTINEL;
    int ok = tcfaceid_card_request_new("IDN", "ID_CARD", &request) == TCFACEID_RESULT_OK &&
             tcfaceid_card_request_set_url(request, TCFACEID_SIDE_FRONT,
                                           job->index % 2 ? "https://example.com/warning.jpg"
                                                          : "https://example.com/front.jpg") ==
                 TCFACEID_RESULT_OK &&
             tcfaceid_client_verify_card(job->client, request, 60000, &result) ==
                 TCFACEID_RESULT_OK &&
             tcfaceid_verification_result_status(result) ==
                 (job->index % 2 ? TCFACEID_STATUS_WARNING : TCFACEID_STATUS_PASSED);
    /* A failure on this thread is this thread's last error. */
    ok = ok &&
         tcfaceid_client_get_card_verification_result(job->client, "", &failed) ==
             TCFACEID_RESULT_INVALID_ARGUMENT &&
         tcfaceid_last_error_code() == TCFACEID_RESULT_INVALID_ARGUMENT &&
         failed == RESULT_SENTINEL;
    tcfaceid_verification_result_free(result);
    tcfaceid_card_request_free(request);
    job->ok = ok;
    return NULL;
}

static void test_threads(const char *endpoint) {
    tcfaceid_client *client = client_for(endpoint);
    struct thread_job jobs[THREADS];
    pthread_t threads[THREADS];
    int started[THREADS];
    int i;

    /* This thread's last error is set before, and must be untouched after. */
    CHECK_FAIL(tcfaceid_client_call_json(client, NULL, "{}", NULL, NULL), TCFACEID_RESULT_NULL_ARGUMENT,
               "action");
    for (i = 0; i < THREADS; i++) {
        jobs[i].client = client;
        jobs[i].index = i;
        jobs[i].ok = 0;
        started[i] = pthread_create(&threads[i], NULL, verify_on_thread, &jobs[i]) == 0;
        CHECK(started[i]);
    }
    for (i = 0; i < THREADS; i++) {
        if (started[i]) {
            CHECK(pthread_join(threads[i], NULL) == 0);
            CHECK(jobs[i].ok);
        }
    }
    CHECK(tcfaceid_last_error_code() == TCFACEID_RESULT_NULL_ARGUMENT);
    CHECK(str_eq(tcfaceid_last_error_field(), "action"));
    tcfaceid_client_free(client);
}

static void test_free_null(void) {
    /* Every free function accepts NULL and keeps the last error. */
    tcfaceid_client *client = NULL;
    CHECK_FAIL(tcfaceid_client_builder_build(NULL, &client), TCFACEID_RESULT_NULL_ARGUMENT,
               "builder");
    tcfaceid_client_builder_free(NULL);
    tcfaceid_client_free(NULL);
    tcfaceid_apply_response_free(NULL);
    tcfaceid_verification_result_free(NULL);
    tcfaceid_card_request_free(NULL);
    tcfaceid_signed_headers_free(NULL);
    tcfaceid_string_free(NULL);
    CHECK(tcfaceid_last_error_code() == TCFACEID_RESULT_NULL_ARGUMENT);
    CHECK(str_eq(tcfaceid_last_error_field(), "builder"));
}

int main(void) {
    const char *endpoint;
    static const char *const proxies[] = {"HTTPS_PROXY", "https_proxy", "HTTP_PROXY",
                                          "http_proxy",  "ALL_PROXY",   "all_proxy"};
    size_t i;

    /* Loopback only: no proxy from the environment. */
    for (i = 0; i < sizeof proxies / sizeof proxies[0]; i++) {
        unsetenv(proxies[i]);
    }

    test_builder_arguments();
    test_builder_errors();
    test_builder_credentials();
    test_transport_error();
    test_free_null();

    endpoint = env("TCFACEID_TEST_ENDPOINT");
    if (endpoint == NULL) {
        fprintf(stderr, "test_client: TCFACEID_TEST_ENDPOINT is not set: run through "
                        "scripts/with-emulator.sh\n");
        CHECK(endpoint != NULL);
    } else {
        test_apply_and_get(endpoint);
        test_verify(endpoint);
        test_call_json(endpoint);
        test_service_errors(endpoint);
        test_failing_endpoints();
        test_polling_limits();
        test_threads(endpoint);
    }
    return check_summary();
}
