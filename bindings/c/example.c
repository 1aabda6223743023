/*
 * tcfaceid example: verify one identity document end to end, with either product.
 *
 *   example NATIONALITY CARD_TYPE FRONT_IMAGE [BACK_IMAGE]
 *
 * FRONT_IMAGE / BACK_IMAGE are file paths (PNG or JPEG) or http(s) URLs.
 * Credentials and region come from the standard environment variables
 * (TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY, optional TENCENTCLOUD_SECURITY_TOKEN,
 * TENCENTCLOUD_REGION); the endpoint from TCFACEID_ENDPOINT (default: the product's service).
 * TCFACEID_API=ocr selects OCR (ApplyCardVerificationExternal, 2018-11-19; it then also asks
 * for the head image); faceid or unset, FaceID (ApplyCardVerification, 2018-03-01).
 * TCFACEID_POLL_MS, when set, is the wait before each poll when the service gives no hints
 * (OCR never does; default 3 s then 5 s).
 *
 * It applies, then polls the result action until a terminal status, and prints the token,
 * status, warn infos (with their meanings) and what was read off the card.
 * Exit status: 0 when a terminal status is printed; 1 with the error's details otherwise;
 * 2 on usage.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static const char *or_dash(const char *text) {
    return (text != NULL && text[0] != '\0') ? text : "-";
}

/* The product TCFACEID_API names: 0 FaceID, 1 OCR, -1 another value. */
static int api_from_env(void) {
    const char *api = getenv("TCFACEID_API");
    if (api == NULL || api[0] == '\0' || strcmp(api, "faceid") == 0) {
        return TCFACEID_API_FACEID;
    }
    return strcmp(api, "ocr") == 0 ? TCFACEID_API_OCR : -1;
}

/* Build the client for `api` from the environment. */
static tcfaceid_result build_client(uint32_t api, tcfaceid_client **client_out) {
    tcfaceid_client_builder *builder = NULL;
    tcfaceid_result rc = tcfaceid_client_builder_new(&builder);
    const char *endpoint = getenv("TCFACEID_ENDPOINT");
    const char *poll_ms = getenv("TCFACEID_POLL_MS");
    if (rc != TCFACEID_RESULT_OK) {
        return rc;
    }
    rc = tcfaceid_client_builder_set_api(builder, api);
    if (rc == TCFACEID_RESULT_OK) {
        rc = tcfaceid_client_builder_set_credentials_from_env(builder);
    }
    if (rc == TCFACEID_RESULT_OK && endpoint != NULL && endpoint[0] != '\0') {
        rc = tcfaceid_client_builder_set_endpoint(builder, endpoint);
    }
    if (rc == TCFACEID_RESULT_OK && poll_ms != NULL && poll_ms[0] != '\0') {
        uint64_t wait = strtoull(poll_ms, NULL, 10);
        rc = tcfaceid_client_builder_set_poll_plan(builder, wait, wait, 60);
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
    tcfaceid_verification_result *result = NULL;
    tcfaceid_result rc;
    const char *field;
    size_t i;
    uint32_t side;
    int api = api_from_env();
    int status = 1;

    if (argc < 4 || argc > 5 || api < 0) {
        fprintf(stderr, "usage: [TCFACEID_API=faceid|ocr] %s NATIONALITY CARD_TYPE FRONT_IMAGE [BACK_IMAGE]\n",
                argv[0]);
        fprintf(stderr, "  images are PNG/JPEG file paths or http(s) URLs; see the README\n");
        return 2;
    }
    printf("%s, product %s\n", tcfaceid_version(), tcfaceid_api_name((uint32_t)api));

    rc = build_client((uint32_t)api, &client);
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
    if (rc == TCFACEID_RESULT_OK && api == TCFACEID_API_OCR) {
        rc = tcfaceid_card_request_set_return_head_image(request, 1);
    }
    if (rc != TCFACEID_RESULT_OK) {
        status = report_error("preparing the request", rc);
        goto done;
    }

    /* Apply, then poll to a terminal status (FaceID's hints, or the poll plan for OCR). */
    rc = tcfaceid_client_verify_card(client, request, 300000, &result);
    if (rc != TCFACEID_RESULT_OK) {
        status = report_error("verifying the card", rc);
        goto done;
    }
    printf("token:       %s\n", tcfaceid_verification_result_token(result));
    printf("polls:       %llu\n", (unsigned long long)tcfaceid_verification_result_polls(result));
    printf("status:      %s\n", tcfaceid_verification_result_status_str(result));
    printf("nationality: %s\n", or_dash(tcfaceid_verification_result_nationality(result)));
    printf("card type:   %s\n", or_dash(tcfaceid_verification_result_card_type(result)));
    printf("warn infos:  %zu\n", tcfaceid_verification_result_warn_info_count(result));
    for (i = 0; i < tcfaceid_verification_result_warn_info_count(result); i++) {
        const char *code = tcfaceid_verification_result_warn_info(result, i);
        printf("  - %s (%s)\n", code, or_dash(tcfaceid_warn_info_meaning(code)));
    }
    if (api == TCFACEID_API_FACEID) {
        printf("card info:   %s\n", or_dash(tcfaceid_verification_result_card_info_json(result)));
    }
    for (side = TCFACEID_SIDE_FRONT; side <= TCFACEID_SIDE_BACK; side++) {
        const char *names[] = {"FullName", "LicenseNumber", "Birthday", "Address.City"};
        if (tcfaceid_verification_result_card_json(result, side) == NULL) {
            continue;
        }
        printf("%s card:\n", side == TCFACEID_SIDE_FRONT ? "front" : "back");
        for (i = 0; i < sizeof names / sizeof names[0]; i++) {
            field = tcfaceid_verification_result_card_field(result, side, names[i]);
            if (field != NULL) {
                printf("  %-13s %s\n", names[i], field);
            }
        }
    }
    if (tcfaceid_verification_result_head_image(result) != NULL) {
        printf("head image:  %zu bytes\n", tcfaceid_verification_result_head_image_len(result));
    }
    status = 0;

done:
    tcfaceid_verification_result_free(result);
    tcfaceid_card_request_free(request);
    tcfaceid_client_free(client);
    return status;
}
