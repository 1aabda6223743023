/*
 * stress_threads.c: 16 pthreads share one tcfaceid_client. Each thread makes N iterations of
 * ApplyCardVerification then GetCardVerificationResult on the token it got, with a fresh card
 * request and fresh response handles each time, all freed; every 10th iteration it also makes a
 * call that fails locally (empty token) and checks that its own thread's last error says so.
 *
 * Checks: every call answered TCFACEID_RESULT_OK (the first poll of a token says PROCESSING, as
 * the emulator is run with --processing-polls 1), every token unique across all threads, the
 * last error is per thread. Run under valgrind (make stress-test) or ASan/LSan (make stress),
 * it also shows that nothing leaks and no memory is misused while threads share the client.
 *
 * Usage: stress_threads [N]   (N iterations per thread; default 100, or TCFACEID_STRESS_CALLS)
 * Environment: TCFACEID_TEST_ENDPOINT, TCFACEID_TEST_SECRET_ID, TCFACEID_TEST_SECRET_KEY (set by
 * tests/stress/run.sh, which starts the emulator). Without an endpoint it prints a notice and
 * exits 0.
 *
 * Built with -std=c99 -Wall -Wextra -Wpedantic -Werror -pthread. Prints one line per failure
 * and ends with "N passed, M failed" (iterations); exits 1 when anything failed.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcfaceid.h"

#define THREADS 16
#define DEFAULT_CALLS 100

struct worker {
    const tcfaceid_client *client;
    int id;
    long calls;
    long passed;
    long failed;
    /* One token per iteration (NULL where the apply failed), owned: free()d by main. */
    char **tokens;
};

/* Serialises failure reports so lines do not interleave. */
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;

static void report(const struct worker *w, long i, const char *what, tcfaceid_result code) {
    /* The last error is this thread's own: read it before taking the lock. */
    const char *message = tcfaceid_last_error_message();
    pthread_mutex_lock(&report_lock);
    fprintf(stderr, "stress_threads: thread %d iteration %ld: %s: %u (%s): %s\n", w->id, i, what,
            (unsigned)code, tcfaceid_result_str(code), message);
    pthread_mutex_unlock(&report_lock);
}

static char *copy_string(const char *text) {
    size_t len = strlen(text);
    char *copy = malloc(len + 1);
    if (copy != NULL) {
        memcpy(copy, text, len + 1);
    }
    return copy;
}

/* One iteration; returns 1 when every check passed. */
static int iteration(struct worker *w, long i) {
    char url[160];
    tcfaceid_card_request *request = NULL;
    tcfaceid_apply_response *apply = NULL;
    tcfaceid_verification_result *result = NULL;
    tcfaceid_result code;
    int ok = 0;

    code = tcfaceid_card_request_new("SGP", "ID_CARD", &request);
    if (code != TCFACEID_RESULT_OK) {
        report(w, i, "card_request_new", code);
        return 0;
    }
    snprintf(url, sizeof url, "https://example.com/stress/%d/%ld/front.jpg", w->id, i);
    code = tcfaceid_card_request_set_url(request, TCFACEID_SIDE_FRONT, url);
    if (code == TCFACEID_RESULT_OK) {
        snprintf(url, sizeof url, "https://example.com/stress/%d/%ld/back.jpg", w->id, i);
        code = tcfaceid_card_request_set_url(request, TCFACEID_SIDE_BACK, url);
    }
    if (code != TCFACEID_RESULT_OK) {
        report(w, i, "card_request_set_url", code);
        goto done;
    }
    code = tcfaceid_client_apply_card_verification(w->client, request, &apply);
    if (code != TCFACEID_RESULT_OK) {
        report(w, i, "apply_card_verification", code);
        goto done;
    }
    w->tokens[i] = copy_string(tcfaceid_apply_response_token(apply));
    if (w->tokens[i] == NULL || w->tokens[i][0] == '\0') {
        report(w, i, "empty token", TCFACEID_RESULT_OK);
        goto done;
    }
    code = tcfaceid_client_get_card_verification_result(w->client, w->tokens[i], &result);
    if (code != TCFACEID_RESULT_OK) {
        report(w, i, "get_card_verification_result", code);
        goto done;
    }
    if (tcfaceid_verification_result_status(result) != TCFACEID_STATUS_PROCESSING) {
        report(w, i, "first poll is not PROCESSING", TCFACEID_RESULT_OK);
        goto done;
    }
    if (i % 10 == 0) {
        /* A local failure: this thread's last error must say so, whatever the others do. */
        tcfaceid_verification_result *none = NULL;
        code = tcfaceid_client_get_card_verification_result(w->client, "", &none);
        if (code != TCFACEID_RESULT_INVALID_ARGUMENT || none != NULL ||
            tcfaceid_last_error_code() != TCFACEID_RESULT_INVALID_ARGUMENT ||
            strstr(tcfaceid_last_error_message(), "CardVerificationToken") == NULL) {
            report(w, i, "empty token not refused on this thread", code);
            goto done;
        }
    }
    ok = 1;
done:
    tcfaceid_verification_result_free(result);
    tcfaceid_apply_response_free(apply);
    tcfaceid_card_request_free(request);
    return ok;
}

static void *run(void *arg) {
    struct worker *w = arg;
    long i;
    for (i = 0; i < w->calls; i++) {
        if (iteration(w, i)) {
            w->passed++;
        } else {
            w->failed++;
        }
    }
    return NULL;
}

static int compare_strings(const void *a, const void *b) {
    const char *const *x = a;
    const char *const *y = b;
    return strcmp(*x, *y);
}

static tcfaceid_client *make_client(const char *endpoint) {
    const char *id = getenv("TCFACEID_TEST_SECRET_ID");
    const char *key = getenv("TCFACEID_TEST_SECRET_KEY");
    tcfaceid_client_builder *builder = NULL;
    tcfaceid_client *client = NULL;
    if (id == NULL || key == NULL) {
        fprintf(stderr, "stress_threads: TCFACEID_TEST_SECRET_ID / _KEY not set\n");
        return NULL;
    }
    if (tcfaceid_client_builder_new(&builder) != TCFACEID_RESULT_OK ||
        tcfaceid_client_builder_set_credentials(builder, id, key, NULL) != TCFACEID_RESULT_OK ||
        tcfaceid_client_builder_set_region(builder, "ap-singapore") != TCFACEID_RESULT_OK ||
        tcfaceid_client_builder_set_endpoint(builder, endpoint) != TCFACEID_RESULT_OK ||
        /* Generous: under valgrind every thread runs on one core, 20-50 times slower. */
        tcfaceid_client_builder_set_timeout_ms(builder, 120000) != TCFACEID_RESULT_OK) {
        fprintf(stderr, "stress_threads: builder: %s\n", tcfaceid_last_error_message());
        tcfaceid_client_builder_free(builder);
        return NULL;
    }
    if (tcfaceid_client_builder_build(builder, &client) != TCFACEID_RESULT_OK) {
        fprintf(stderr, "stress_threads: build: %s\n", tcfaceid_last_error_message());
        return NULL;
    }
    return client;
}

int main(int argc, char **argv) {
    const char *endpoint = getenv("TCFACEID_TEST_ENDPOINT");
    const char *calls_text = argc > 1 ? argv[1] : getenv("TCFACEID_STRESS_CALLS");
    long calls = calls_text != NULL ? strtol(calls_text, NULL, 10) : DEFAULT_CALLS;
    struct worker workers[THREADS];
    pthread_t threads[THREADS];
    char **all;
    long total = 0, passed = 0, failed = 0, tokens = 0, duplicates = 0, i;
    int t, started = 0;
    tcfaceid_client *client;

    if (endpoint == NULL || endpoint[0] == '\0') {
        printf("stress_threads: TCFACEID_TEST_ENDPOINT not set (run through tests/stress/run.sh)\n");
        return 0;
    }
    if (calls <= 0 || calls > 1000000) {
        fprintf(stderr, "stress_threads: N must be 1..1000000\n");
        return 2;
    }
    client = make_client(endpoint);
    if (client == NULL) {
        return 1;
    }
    all = calloc((size_t)(THREADS * calls), sizeof *all);
    if (all == NULL) {
        tcfaceid_client_free(client);
        return 1;
    }
    for (t = 0; t < THREADS; t++) {
        workers[t].client = client;
        workers[t].id = t;
        workers[t].calls = calls;
        workers[t].passed = 0;
        workers[t].failed = 0;
        workers[t].tokens = all + (long)t * calls;
    }
    for (t = 0; t < THREADS; t++) {
        if (pthread_create(&threads[t], NULL, run, &workers[t]) != 0) {
            fprintf(stderr, "stress_threads: pthread_create failed\n");
            break;
        }
        started++;
    }
    for (t = 0; t < started; t++) {
        pthread_join(threads[t], NULL);
        passed += workers[t].passed;
        failed += workers[t].failed;
    }
    failed += (long)(THREADS - started) * calls;
    tcfaceid_client_free(client);

    /* Unique tokens: sort the ones handed out and compare neighbours. */
    total = (long)THREADS * calls;
    for (i = 0; i < total; i++) {
        if (all[i] != NULL) {
            all[tokens++] = all[i];
        }
    }
    qsort(all, (size_t)tokens, sizeof *all, compare_strings);
    for (i = 1; i < tokens; i++) {
        if (strcmp(all[i - 1], all[i]) == 0) {
            duplicates++;
            fprintf(stderr, "stress_threads: token %s handed out twice\n", all[i]);
        }
    }
    for (i = 0; i < tokens; i++) {
        free(all[i]);
    }
    free(all);

    printf("stress_threads: %d threads x %ld iterations: %ld calls answered OK, %ld unique "
           "tokens, %ld duplicates\n",
           THREADS, calls, 2 * passed, tokens - duplicates, duplicates);
    if (duplicates > 0 || tokens != total) {
        failed += duplicates > 0 ? duplicates : 1;
    }
    printf("%ld passed, %ld failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
