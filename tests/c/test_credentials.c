/*
 * C tests of the credential sources: the caller's callback (filled through the lent sink,
 * called again near expiry, never from two threads at once, its failures reported naming the
 * source), the CVM instance role, STS AssumeRole, the chain's error, and the refresh error
 * accessor, against the emulators of scripts/with-emulator.sh:
 *   TCFACEID_TEST_ENDPOINT            accepts the demo keys;
 *   TCFACEID_TEST_ENDPOINT_TEMPORARY  accepts only temporary keys it issued (metadata and STS
 *                                     on the same port), which live 4 s.
 * A missing endpoint variable is a failure. It must run clean under valgrind --leak-check=full.
 * Ends with "N passed, M failed".
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tcfaceid.h"

#include "check.h"

static const char DEMO_ID[] = "AKIDTCFACEIDEMULATOR0000000000000000";
static const char DEMO_KEY[] = "tcfaceid-emulator-demo-secret-key";
static const char ROLE_ARN[] = "qcs::cam::uin/100000000001:roleName/demo";

static const char *endpoint(const char *name) {
    const char *value = getenv(name);
    if (value == NULL || value[0] == '\0') {
        fprintf(stderr, "%s is not set: run under scripts/with-emulator.sh\n", name);
        exit(1);
    }
    return value;
}

/* What a callback does, and what it saw. */
struct source {
    pthread_mutex_t lock;
    int calls;
    int in_call;     /* set while a call runs */
    int overlapped;  /* a call started while another ran */
    int fail;        /* return this instead of 0 */
    int skip_set;    /* return 0 without filling the sink */
    int64_t lifetime; /* seconds from now; 0: no expiry */
    tcfaceid_result null_check; /* what sink_set said to a NULL secret_id */
    tcfaceid_result negative_check; /* what sink_set said to a negative expiry */
};

static int32_t callback(void *user_data, struct tcfaceid_credentials_sink *sink) {
    struct source *source = user_data;
    pthread_mutex_lock(&source->lock);
    if (source->in_call) {
        source->overlapped = 1;
    }
    source->in_call = 1;
    source->calls++;
    pthread_mutex_unlock(&source->lock);

    source->null_check = tcfaceid_credentials_sink_set(sink, NULL, DEMO_KEY, NULL, 0);
    source->negative_check = tcfaceid_credentials_sink_set(sink, DEMO_ID, DEMO_KEY, NULL, -1);
    int32_t status = source->fail;
    if (status == 0 && !source->skip_set) {
        /* The library copies the strings: this buffer is wiped at once. */
        char key[64];
        snprintf(key, sizeof key, "%s", DEMO_KEY);
        int64_t expires = source->lifetime ? (int64_t)time(NULL) + source->lifetime : 0;
        if (tcfaceid_credentials_sink_set(sink, DEMO_ID, key, NULL, expires) != TCFACEID_RESULT_OK) {
            status = 99;
        }
        memset(key, 0, sizeof key);
    }

    pthread_mutex_lock(&source->lock);
    source->in_call = 0;
    pthread_mutex_unlock(&source->lock);
    return status;
}

static struct tcfaceid_client_builder *builder_for(const char *url) {
    struct tcfaceid_client_builder *builder = NULL;
    CHECK_CODE(tcfaceid_client_builder_new(&builder), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_client_builder_set_region(builder, "ap-singapore"), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_client_builder_set_endpoint(builder, url), TCFACEID_RESULT_OK);
    return builder;
}

static struct tcfaceid_client *client_with_callback(struct source *source) {
    struct tcfaceid_client_builder *builder = builder_for(endpoint("TCFACEID_TEST_ENDPOINT"));
    struct tcfaceid_client *client = NULL;
    CHECK_CODE(tcfaceid_client_builder_set_credentials_callback(builder, callback, source),
               TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_client_builder_build(builder, &client), TCFACEID_RESULT_OK);
    return client;
}

/* A call signed with the client's credentials: an action the emulator does not know, so it
 * answers InvalidAction (reported as TCFACEID_RESULT_SERVICE_ACTION_OFFLINE) after checking
 * the signature (AuthFailure first if that is wrong). OK for that answer. */
static tcfaceid_result signed_call(const struct tcfaceid_client *client) {
    char *response = NULL;
    size_t response_len = 0;
    tcfaceid_result rc =
        tcfaceid_client_call_json(client, "DescribeNothing", "{}", &response, &response_len);
    tcfaceid_string_free(response);
    int reached = rc == TCFACEID_RESULT_SERVICE_ACTION_OFFLINE &&
                  str_eq(tcfaceid_last_error_service_code(), "InvalidAction");
    return reached ? TCFACEID_RESULT_OK : rc;
}

static void test_callback_basics(void) {
    struct source source;
    memset(&source, 0, sizeof source);
    pthread_mutex_init(&source.lock, NULL);
    struct tcfaceid_client *client = client_with_callback(&source);
    CHECK(source.calls == 0); /* called only when a request needs keys */
    CHECK_CODE(signed_call(client), TCFACEID_RESULT_OK);
    CHECK_CODE(signed_call(client), TCFACEID_RESULT_OK);
    CHECK(source.calls == 1); /* no expiry: kept */
    CHECK(source.null_check == TCFACEID_RESULT_NULL_ARGUMENT);
    CHECK(source.negative_check == TCFACEID_RESULT_INVALID_ARGUMENT);
    CHECK_CODE(tcfaceid_client_credentials_refresh_error(client), TCFACEID_RESULT_OK);
    tcfaceid_client_free(client);
    pthread_mutex_destroy(&source.lock);
}

static void test_callback_failures(void) {
    struct source source;
    memset(&source, 0, sizeof source);
    pthread_mutex_init(&source.lock, NULL);
    source.fail = 7;
    struct tcfaceid_client *client = client_with_callback(&source);
    CHECK_CODE(signed_call(client), TCFACEID_RESULT_CREDENTIALS_UNAVAILABLE);
    CHECK(str_has(tcfaceid_last_error_message(), "credentials callback: the callback failed (returned 7)"));
    source.fail = 0;
    source.skip_set = 1;
    CHECK_CODE(signed_call(client), TCFACEID_RESULT_CREDENTIALS_UNAVAILABLE);
    CHECK(str_has(tcfaceid_last_error_message(), "without calling tcfaceid_credentials_sink_set"));
    /* Keys that expire within a second are not usable. */
    source.skip_set = 0;
    source.lifetime = 1;
    CHECK_CODE(signed_call(client), TCFACEID_RESULT_CREDENTIALS_UNAVAILABLE);
    CHECK(str_has(tcfaceid_last_error_message(), "had already expired"));
    /* Recovery. */
    source.lifetime = 0;
    CHECK_CODE(signed_call(client), TCFACEID_RESULT_OK);
    CHECK(source.calls == 4);
    tcfaceid_client_free(client);
    pthread_mutex_destroy(&source.lock);
}

/* 8 threads share a client whose callback gives keys living 3 s: it is called again near
 * each expiry, never from two threads at once, and every call is answered. */
struct worker {
    const struct tcfaceid_client *client;
    struct source *source;
    int failures;
};

static void *work(void *arg) {
    struct worker *worker = arg;
    for (;;) {
        pthread_mutex_lock(&worker->source->lock);
        int calls = worker->source->calls;
        pthread_mutex_unlock(&worker->source->lock);
        if (calls >= 3) {
            break;
        }
        if (signed_call(worker->client) != TCFACEID_RESULT_OK) {
            worker->failures++;
        }
    }
    return NULL;
}

static void test_callback_threads(void) {
    enum { THREADS = 8 };
    struct source source;
    memset(&source, 0, sizeof source);
    pthread_mutex_init(&source.lock, NULL);
    source.lifetime = 3;
    struct tcfaceid_client *client = client_with_callback(&source);
    pthread_t threads[THREADS];
    struct worker workers[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i].client = client;
        workers[i].source = &source;
        workers[i].failures = 0;
        CHECK(pthread_create(&threads[i], NULL, work, &workers[i]) == 0);
    }
    int failures = 0;
    for (int i = 0; i < THREADS; i++) {
        CHECK(pthread_join(threads[i], NULL) == 0);
        failures += workers[i].failures;
    }
    CHECK(failures == 0);
    CHECK(source.calls >= 3);
    CHECK(source.overlapped == 0);
    tcfaceid_client_free(client);
    pthread_mutex_destroy(&source.lock);
}

static void test_cvm_role_and_assume_role(void) {
    const char *temporary = endpoint("TCFACEID_TEST_ENDPOINT_TEMPORARY");
    struct tcfaceid_client *client = NULL;

    /* The long-term key alone is refused there. */
    struct tcfaceid_client_builder *builder = builder_for(temporary);
    CHECK_CODE(tcfaceid_client_builder_set_credentials(builder, DEMO_ID, DEMO_KEY, NULL),
               TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_client_builder_build(builder, &client), TCFACEID_RESULT_OK);
    CHECK_CODE(signed_call(client), TCFACEID_RESULT_SERVICE_AUTH_FAILURE);
    tcfaceid_client_free(client);

    /* CVM role, the metadata service found through TCFACEID_METADATA_ENDPOINT. */
    CHECK(setenv("TCFACEID_METADATA_ENDPOINT", temporary, 1) == 0);
    builder = builder_for(temporary);
    CHECK_CODE(tcfaceid_client_builder_set_credentials_cvm_role(builder, NULL), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_client_builder_build(builder, &client), TCFACEID_RESULT_OK);
    CHECK_CODE(signed_call(client), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_client_credentials_refresh_error(client), TCFACEID_RESULT_OK);
    tcfaceid_client_free(client);

    /* STS AssumeRole with the long-term keys. */
    builder = builder_for(temporary);
    CHECK_CODE(tcfaceid_client_builder_set_credentials(builder, DEMO_ID, DEMO_KEY, NULL),
               TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_client_builder_set_assume_role(builder, ROLE_ARN, "c-test", 900),
               TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_client_builder_set_sts_endpoint(builder, temporary), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_client_builder_build(builder, &client), TCFACEID_RESULT_OK);
    CHECK_CODE(signed_call(client), TCFACEID_RESULT_OK);
    tcfaceid_client_free(client);

    /* A bad session name is refused at build, naming the field. */
    builder = builder_for(temporary);
    CHECK_CODE(tcfaceid_client_builder_set_assume_role(builder, ROLE_ARN, "a b", 0),
               TCFACEID_RESULT_OK);
    client = NULL;
    CHECK_FAIL(tcfaceid_client_builder_build(builder, &client), TCFACEID_RESULT_INVALID_OPTION,
               "RoleSessionName");
    CHECK(client == NULL);
}

static void test_chain_error(void) {
    const char *cleared[] = {"TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TKE_REGION",
                             "TKE_PROVIDER_ID", "TKE_WEB_IDENTITY_TOKEN_FILE", "TKE_ROLE_ARN"};
    for (size_t i = 0; i < sizeof cleared / sizeof cleared[0]; i++) {
        CHECK(unsetenv(cleared[i]) == 0);
    }
    CHECK(setenv("TENCENTCLOUD_CREDENTIALS_FILE", "/nonexistent/tcfaceid/credentials", 1) == 0);
    struct tcfaceid_client_builder *builder = builder_for(endpoint("TCFACEID_TEST_ENDPOINT"));
    struct tcfaceid_client *client = NULL;
    CHECK_CODE(tcfaceid_client_builder_set_credentials_chain(builder, false), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_client_builder_build(builder, &client), TCFACEID_RESULT_CREDENTIALS_MISSING);
    const char *message = tcfaceid_last_error_message();
    CHECK(str_has(message, "tried explicit keys: none given; environment: "));
    CHECK(str_has(message, "; profile file: cannot read profile file /nonexistent/tcfaceid/credentials"));
    CHECK(str_has(message, "; TKE OIDC: TKE_REGION, TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE, "
                           "TKE_ROLE_ARN not set; CVM instance role: not enabled (opt-in)"));
    CHECK(client == NULL);
    CHECK(unsetenv("TENCENTCLOUD_CREDENTIALS_FILE") == 0);
}

int main(void) {
    test_callback_basics();
    test_callback_failures();
    test_callback_threads();
    test_cvm_role_and_assume_role();
    test_chain_error();
    return check_summary();
}
