/*
 * tcfaceid example: verify one identity document end to end.
 *
 *   example NATIONALITY CARD_TYPE FRONT_IMAGE [BACK_IMAGE]
 *
 * FRONT_IMAGE / BACK_IMAGE are file paths (PNG or JPEG) or http(s) URLs.
 * Credentials and region come from the standard environment variables
 * (TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY, optional TENCENTCLOUD_SECURITY_TOKEN,
 * TENCENTCLOUD_REGION); the endpoint from TCFACEID_ENDPOINT (default: the real service).
 *
 * It applies (ApplyCardVerification), then polls GetCardVerificationResult as the service's
 * hints say until the verdict, and prints the token, status, warn infos and card info.
 * Exit status: 0 when a verdict is printed; 1 with the error's details otherwise; 2 on usage.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tcfaceid.h"

/* Print the failure of the last call on this thread and return the exit status. */
static int report_error(const char *what, tcfaceid_result code) {
    fprintf(stderr, "error: %s failed: result %u (%s)\n", what, (unsigned)code, tcfaceid_result_str(code));
    fprintf(stderr, "  message:      %s\n", tcfaceid_last_error_message());
    if (tcfaceid_last_error_field()[0] != '\0') {
        fprintf(stderr, "  field:        %s\n", tcfaceid_last_error_field());
    }
    if (tcfaceid_last_error_service_code()[0] != '\0') {
        fprintf(stderr, "  service code: %s\n", tcfaceid_last_error_service_code());
    }
    if (tcfaceid_last_error_request_id()[0] != '\0') {
        fprintf(stderr, "  request id:   %s\n", tcfaceid_last_error_request_id());
    }
    if (tcfaceid_last_error_http_status() != 0) {
        fprintf(stderr, "  HTTP status:  %u\n", (unsigned)tcfaceid_last_error_http_status());
    }
    return 1;
}

static int is_url(const char *text) {
    return strncmp(text, "http://", 7) == 0 || strncmp(text, "https://", 8) == 0;
}

/* Set one side of the request from a path or a URL. */
static tcfaceid_result set_side(tcfaceid_card_request *request, uint32_t side, const char *image) {
    if (is_url(image)) {
        return tcfaceid_card_request_set_url(request, side, image);
    }
    return tcfaceid_card_request_set_image_file(request, side, image);
}

static void sleep_seconds(uint64_t seconds) {
    struct timespec wait;
    wait.tv_sec = (time_t)seconds;
    wait.tv_nsec = 0;
    nanosleep(&wait, NULL);
}

static const char *or_dash(const char *text) {
    return (text != NULL && text[0] != '\0') ? text : "-";
}

/* Build the client from the environment. */
static tcfaceid_result build_client(tcfaceid_client **client_out) {
    tcfaceid_client_builder *builder = NULL;
    tcfaceid_result rc = tcfaceid_client_builder_new(&builder);
    const char *endpoint = getenv("TCFACEID_ENDPOINT");
    if (rc != TCFACEID_RESULT_OK) {
        return rc;
    }
    rc = tcfaceid_client_builder_set_credentials_from_env(builder);
    if (rc == TCFACEID_RESULT_OK && endpoint != NULL && endpoint[0] != '\0') {
        rc = tcfaceid_client_builder_set_endpoint(builder, endpoint);
    }
    if (rc != TCFACEID_RESULT_OK) {
        tcfaceid_client_builder_free(builder);
        return rc;
    }
    /* The region comes from TENCENTCLOUD_REGION when not set; _build consumes the builder. */
    return tcfaceid_client_builder_build(builder, client_out);
}

int main(int argc, char **argv) {
    tcfaceid_client *client = NULL;
    tcfaceid_card_request *request = NULL;
    tcfaceid_apply_response *applied = NULL;
    tcfaceid_verification_result *result = NULL;
    tcfaceid_result rc;
    uint64_t poll, max_polls, wait_secs;
    size_t i;
    int status = 1;

    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: %s NATIONALITY CARD_TYPE FRONT_IMAGE [BACK_IMAGE]\n", argv[0]);
        fprintf(stderr, "  images are PNG/JPEG file paths or http(s) URLs; see the README\n");
        return 2;
    }
    printf("%s\n", tcfaceid_version());

    rc = build_client(&client);
    if (rc != TCFACEID_RESULT_OK) {
        return report_error("building the client", rc);
    }
    rc = tcfaceid_card_request_new(argv[1], argv[2], &request);
    if (rc == TCFACEID_RESULT_OK) {
        rc = set_side(request, TCFACEID_SIDE_FRONT, argv[3]);
    }
    if (rc == TCFACEID_RESULT_OK && argc == 5) {
        rc = set_side(request, TCFACEID_SIDE_BACK, argv[4]);
    }
    if (rc != TCFACEID_RESULT_OK) {
        status = report_error("preparing the request", rc);
        goto done;
    }

    rc = tcfaceid_client_apply_card_verification(client, request, &applied);
    if (rc != TCFACEID_RESULT_OK) {
        status = report_error("ApplyCardVerification", rc);
        goto done;
    }
    max_polls = tcfaceid_apply_response_max_polling_times(applied);
    wait_secs = tcfaceid_apply_response_polling_wait_secs(applied);
    printf("token:       %s\n", tcfaceid_apply_response_token(applied));
    printf("request id:  %s\n", tcfaceid_apply_response_request_id(applied));
    printf("polling:     up to %llu polls, %llu s apart\n", (unsigned long long)max_polls,
           (unsigned long long)wait_secs);

    for (poll = 1; poll <= max_polls; poll++) {
        sleep_seconds(wait_secs);
        tcfaceid_verification_result_free(result);
        result = NULL;
        rc = tcfaceid_client_get_card_verification_result(client, tcfaceid_apply_response_token(applied),
                                                          &result);
        if (rc != TCFACEID_RESULT_OK) {
            status = report_error("GetCardVerificationResult", rc);
            goto done;
        }
        printf("poll %llu:      %s\n", (unsigned long long)poll, tcfaceid_verification_result_status_str(result));
        if (tcfaceid_verification_result_status(result) != TCFACEID_STATUS_PROCESSING) {
            break;
        }
    }
    if (result == NULL || tcfaceid_verification_result_status(result) == TCFACEID_STATUS_PROCESSING) {
        fprintf(stderr, "error: no verdict after %llu polls; poll again later with the token\n",
                (unsigned long long)max_polls);
        goto done;
    }

    printf("status:      %s\n", tcfaceid_verification_result_status_str(result));
    printf("nationality: %s\n", or_dash(tcfaceid_verification_result_nationality(result)));
    printf("card type:   %s\n", or_dash(tcfaceid_verification_result_card_type(result)));
    printf("sub type:    %s\n", or_dash(tcfaceid_verification_result_card_sub_type(result)));
    printf("warn infos:  %zu\n", tcfaceid_verification_result_warn_info_count(result));
    for (i = 0; i < tcfaceid_verification_result_warn_info_count(result); i++) {
        printf("  - %s\n", tcfaceid_verification_result_warn_info(result, i));
    }
    printf("card info:   %s\n", or_dash(tcfaceid_verification_result_card_info_json(result)));
    status = 0;

done:
    tcfaceid_verification_result_free(result);
    tcfaceid_apply_response_free(applied);
    tcfaceid_card_request_free(request);
    tcfaceid_client_free(client);
    return status;
}
