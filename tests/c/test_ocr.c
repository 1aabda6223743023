/*
 * C tests of the product choice: tcfaceid_api, the OCR request rules through
 * tcfaceid_card_request_validate_for / _body_for, and both products end to end against the
 * emulators of scripts/with-emulator.sh: OCR's COMPLETED result with its front and back cards
 * and head image (current vocabulary), PASSED (legacy vocabulary), FaceID's ActionOffline with
 * the switching advice while OCR works on the same emulator. It must run clean under valgrind.
 *
 * Endpoints (a missing one is a failed check): TCFACEID_TEST_ENDPOINT (both products, OCR's
 * current vocabulary), TCFACEID_TEST_ENDPOINT_OCR_LEGACY (--ocr-status legacy),
 * TCFACEID_TEST_ENDPOINT_FACEID_OFFLINE (--faceid-offline).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcfaceid.h"

#include "check.h"

static const char DEMO_ID[] = "AKIDTCFACEIDEMULATOR0000000000000000";
static const char DEMO_KEY[] = "tcfaceid-emulator-demo-secret-key";
static const char FRONT[] = "https://example.com/front.jpg";
static const char BACK[] = "https://example.com/back.jpg";
/* A 16x16 PNG header: too small for OCR (256 px at least). */
static const uint8_t SMALL_PNG[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0,   0,    13,
                                    'I',  'H', 'D', 'R', 0,    0,    0,    16,   0, 0, 0, 16};
/* Outputs must be left alone on failure. */
#define RESULT_SENTINEL ((tcfaceid_verification_result *)(uintptr_t)0x5A5A)

/* An environment variable, or NULL (and a failed check) when unset or empty. */
static const char *endpoint_of(const char *name) {
    const char *value = getenv(name);
    if (value == NULL || value[0] == '\0') {
        fprintf(stderr, "test_ocr: %s is not set: run through scripts/with-emulator.sh\n", name);
        CHECK(value != NULL && value[0] != '\0');
        return NULL;
    }
    return value;
}

/* A client of `api` for `endpoint`, polling without waiting when there are no hints. */
static tcfaceid_client *client_for(uint32_t api, const char *endpoint) {
    tcfaceid_client_builder *builder = NULL;
    tcfaceid_client *client = NULL;
    CHECK_CODE(tcfaceid_client_builder_new(&builder), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_client_builder_set_api(builder, api), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_client_builder_set_credentials(builder, DEMO_ID, DEMO_KEY, NULL),
               TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_client_builder_set_region(builder, "ap-singapore"), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_client_builder_set_endpoint(builder, endpoint), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_client_builder_set_poll_plan(builder, 0, 1, 5), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_client_builder_build(builder, &client), TCFACEID_RESULT_OK);
    return client;
}

static tcfaceid_card_request *request_for(const char *nationality, const char *card_type,
                                          const char *back) {
    tcfaceid_card_request *request = NULL;
    CHECK_CODE(tcfaceid_card_request_new(nationality, card_type, &request), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_card_request_set_url(request, TCFACEID_SIDE_FRONT, FRONT),
               TCFACEID_RESULT_OK);
    if (back != NULL) {
        CHECK_CODE(tcfaceid_card_request_set_url(request, TCFACEID_SIDE_BACK, back),
                   TCFACEID_RESULT_OK);
    }
    return request;
}

static void test_api_enum(void) {
    tcfaceid_client_builder *builder = NULL;
    CHECK(TCFACEID_API_FACEID == 0 && TCFACEID_API_OCR == 1);
    CHECK(str_eq(tcfaceid_api_name(TCFACEID_API_OCR), "ocr"));
    CHECK(str_eq(tcfaceid_api_name(TCFACEID_API_FACEID), "faceid"));
    CHECK(tcfaceid_api_name(2) == NULL);
    CHECK(tcfaceid_last_error_code() == TCFACEID_RESULT_INVALID_ARGUMENT);
    CHECK_CODE(tcfaceid_client_builder_new(&builder), TCFACEID_RESULT_OK);
    CHECK_FAIL(tcfaceid_client_builder_set_api(builder, 7), TCFACEID_RESULT_INVALID_ARGUMENT, "api");
    CHECK_CODE(tcfaceid_client_builder_set_api(builder, TCFACEID_API_OCR), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_client_builder_set_region(builder, "ap-hongkong"), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_client_builder_set_credentials(builder, DEMO_ID, DEMO_KEY, NULL),
               TCFACEID_RESULT_OK);
    {
        tcfaceid_client *client = NULL;
        CHECK_CODE(tcfaceid_client_builder_build(builder, &client), TCFACEID_RESULT_INVALID_REGION);
        CHECK(client == NULL);
    }
}

static void test_ocr_rules(void) {
    tcfaceid_card_request *request = request_for("SGP", "ID_CARD", NULL);
    char *body = NULL;
    size_t body_len = 0;

    CHECK_FAIL(tcfaceid_card_request_validate_for(request, TCFACEID_API_OCR),
               TCFACEID_RESULT_BACK_IMAGE_REQUIRED, "ImageBase64Back");
    CHECK_CODE(tcfaceid_card_request_set_url(request, TCFACEID_SIDE_BACK, BACK), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_card_request_validate_for(request, TCFACEID_API_OCR), TCFACEID_RESULT_OK);
    CHECK_FAIL(tcfaceid_card_request_validate_for(request, 9), TCFACEID_RESULT_INVALID_ARGUMENT,
               "api");
    CHECK_CODE(tcfaceid_card_request_set_return_head_image(request, 1), TCFACEID_RESULT_OK);
    CHECK_FAIL(tcfaceid_card_request_set_return_head_image(request, 2),
               TCFACEID_RESULT_INVALID_ARGUMENT, "value");
    CHECK_FAIL(tcfaceid_card_request_validate(request), TCFACEID_RESULT_UNSUPPORTED_FIELD,
               "ReturnHeadImage");
    CHECK_CODE(tcfaceid_card_request_set_webhook_url(request, "http://example.com/hook"),
               TCFACEID_RESULT_OK);
    CHECK_FAIL(tcfaceid_card_request_validate_for(request, TCFACEID_API_OCR),
               TCFACEID_RESULT_INVALID_WEBHOOK_URL, "WebhookUrl");
    CHECK_CODE(tcfaceid_card_request_set_webhook_url(request, NULL), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_card_request_body_for(request, TCFACEID_API_OCR, &body, &body_len),
               TCFACEID_RESULT_OK);
    CHECK(body != NULL && body_len == strlen(body));
    CHECK(str_eq(body, "{\"Nationality\":\"SGP\",\"CardType\":\"ID_CARD\",\"ImageUrlFront\":"
                       "\"https://example.com/front.jpg\",\"ImageUrlBack\":"
                       "\"https://example.com/back.jpg\",\"ReturnHeadImage\":true}"));
    tcfaceid_string_free(body);
    CHECK_CODE(tcfaceid_card_request_set_card_type(request, "AUTO"), TCFACEID_RESULT_OK);
    CHECK_FAIL(tcfaceid_card_request_validate_for(request, TCFACEID_API_OCR),
               TCFACEID_RESULT_INVALID_CARD_TYPE, "CardType");
    CHECK_CODE(tcfaceid_card_request_set_card_type(request, "RESIDENCE_PERMIT"), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_card_request_validate_for(request, TCFACEID_API_OCR), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_card_request_set_nationality(request, "PHL"), TCFACEID_RESULT_OK);
    CHECK_FAIL(tcfaceid_card_request_validate_for(request, TCFACEID_API_FACEID),
               TCFACEID_RESULT_INVALID_NATIONALITY, "Nationality");
    CHECK_CODE(tcfaceid_card_request_clear_side(request, TCFACEID_SIDE_FRONT), TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_card_request_set_image_bytes(request, TCFACEID_SIDE_FRONT, SMALL_PNG,
                                                     sizeof SMALL_PNG),
               TCFACEID_RESULT_OK);
    CHECK_FAIL(tcfaceid_card_request_validate_for(request, TCFACEID_API_OCR),
               TCFACEID_RESULT_IMAGE_RESOLUTION_TOO_SMALL, "ImageBase64Front");
    tcfaceid_card_request_free(request);
}

static void test_parse_and_meaning(void) {
    tcfaceid_verification_result *result = NULL;
    CHECK(str_eq(tcfaceid_warn_info_meaning("ScreenshotSuspected"), "the image is a screenshot"));
    CHECK(tcfaceid_warn_info_meaning("NotACode") == NULL);
    CHECK(tcfaceid_last_error_code() == TCFACEID_RESULT_OK);
    CHECK_CODE(tcfaceid_verification_result_parse(
                   "{\"Response\":{\"Status\":\"ABNORMAL\",\"CardInfo\":{\"FullName\":\"A B\"},"
                   "\"HeadImageBase64\":\"***\",\"RequestId\":\"r\"}}",
                   "tok", &result),
               TCFACEID_RESULT_OK);
    CHECK(tcfaceid_verification_result_status(result) == TCFACEID_STATUS_ABNORMAL);
    CHECK(tcfaceid_verification_result_is_terminal(result));
    CHECK(str_eq(tcfaceid_verification_result_token(result), "tok"));
    CHECK(str_eq(tcfaceid_verification_result_card_field(result, TCFACEID_SIDE_FRONT, "FullName"),
                 "A B"));
    CHECK(tcfaceid_verification_result_card_field(result, TCFACEID_SIDE_FRONT, "MRZLine1") == NULL);
    CHECK(tcfaceid_last_error_code() == TCFACEID_RESULT_OK);
    CHECK(tcfaceid_verification_result_card_field(result, TCFACEID_SIDE_FRONT, "Nope") == NULL);
    CHECK(tcfaceid_last_error_code() == TCFACEID_RESULT_INVALID_ARGUMENT);
    CHECK(tcfaceid_verification_result_card_json(result, TCFACEID_SIDE_BACK) == NULL);
    CHECK(tcfaceid_verification_result_card_json_len(result, TCFACEID_SIDE_BACK) == 0);
    CHECK(tcfaceid_verification_result_head_image(result) == NULL);
    CHECK(tcfaceid_last_error_code() == TCFACEID_RESULT_PROTOCOL);
    tcfaceid_verification_result_free(result);
}

static void test_ocr_flow(const char *endpoint) {
    tcfaceid_client *client = client_for(TCFACEID_API_OCR, endpoint);
    tcfaceid_card_request *request = request_for("SGP", "ID_CARD", BACK);
    tcfaceid_verification_result *result = NULL;
    const uint8_t *head;

    CHECK_CODE(tcfaceid_card_request_set_return_head_image(request, 1), TCFACEID_RESULT_OK);
    if (CHECK_CODE(tcfaceid_client_verify_card(client, request, 60000, &result), TCFACEID_RESULT_OK)) {
        CHECK(tcfaceid_verification_result_status(result) == TCFACEID_STATUS_COMPLETED);
        CHECK(str_eq(tcfaceid_verification_result_status_str(result), "COMPLETED"));
        CHECK(tcfaceid_verification_result_is_terminal(result));
        CHECK(tcfaceid_verification_result_polls(result) == 2);
        CHECK(str_eq(tcfaceid_verification_result_card_field(result, TCFACEID_SIDE_FRONT,
                                                             "IssuedCountryCode"),
                     "SGP"));
        CHECK(str_nonempty(
            tcfaceid_verification_result_card_field(result, TCFACEID_SIDE_FRONT, "FullName")));
        CHECK(str_nonempty(
            tcfaceid_verification_result_card_field(result, TCFACEID_SIDE_BACK, "Address.City")));
        CHECK(str_has(tcfaceid_verification_result_card_json(result, TCFACEID_SIDE_BACK), "Address"));
        CHECK(tcfaceid_verification_result_card_json_len(result, TCFACEID_SIDE_BACK) ==
              strlen(tcfaceid_verification_result_card_json(result, TCFACEID_SIDE_BACK)));
        CHECK(tcfaceid_verification_result_card_info_json(result) == NULL);
        head = tcfaceid_verification_result_head_image(result);
        CHECK(head != NULL && tcfaceid_verification_result_head_image_len(result) > 8 &&
              memcmp(head, "\x89PNG", 4) == 0);
        CHECK(str_has(tcfaceid_verification_result_json(result), "\"BackCardInfo\""));
    }
    tcfaceid_verification_result_free(result);
    result = NULL;
    /* The emulator refuses AUTO for OCR (sent as is through call_json). */
    {
        char *out = NULL;
        size_t out_len = 0;
        CHECK_CODE(tcfaceid_client_call_json(client, "ApplyCardVerificationExternal",
                                             "{\"Nationality\":\"SGP\",\"CardType\":\"AUTO\","
                                             "\"ImageUrlFront\":\"https://example.com/f.jpg\"}",
                                             &out, &out_len),
                   TCFACEID_RESULT_SERVICE);
        CHECK(str_eq(tcfaceid_last_error_service_code(),
                     "InvalidParameterValue.InvalidParameterValueLimit"));
        CHECK(out == NULL);
    }
    tcfaceid_card_request_free(request);
    tcfaceid_client_free(client);
}

static void test_legacy_vocabulary(const char *endpoint) {
    tcfaceid_client *client = client_for(TCFACEID_API_OCR, endpoint);
    tcfaceid_card_request *request = request_for("ARG", "PASSPORT", NULL);
    tcfaceid_verification_result *result = NULL;
    if (CHECK_CODE(tcfaceid_client_verify_card(client, request, 60000, &result), TCFACEID_RESULT_OK)) {
        CHECK(tcfaceid_verification_result_status(result) == TCFACEID_STATUS_PASSED);
        CHECK(tcfaceid_verification_result_is_terminal(result));
        CHECK(tcfaceid_verification_result_card_json(result, TCFACEID_SIDE_BACK) == NULL);
        CHECK(tcfaceid_verification_result_head_image(result) == NULL);
        CHECK(tcfaceid_last_error_code() == TCFACEID_RESULT_OK);
    }
    tcfaceid_verification_result_free(result);
    tcfaceid_card_request_free(request);
    tcfaceid_client_free(client);
}

static void test_faceid_offline(const char *endpoint) {
    tcfaceid_client *faceid = client_for(TCFACEID_API_FACEID, endpoint);
    tcfaceid_client *ocr = client_for(TCFACEID_API_OCR, endpoint);
    tcfaceid_card_request *request = request_for("SGP", "PASSPORT", NULL);
    tcfaceid_verification_result *result = RESULT_SENTINEL;

    CHECK_CODE(tcfaceid_client_verify_card(faceid, request, 60000, &result),
               TCFACEID_RESULT_SERVICE_ACTION_OFFLINE);
    CHECK(result == RESULT_SENTINEL);
    CHECK(str_eq(tcfaceid_last_error_service_code(), "ActionOffline"));
    CHECK(str_has(tcfaceid_last_error_message(), "TCFACEID_API_OCR"));
    CHECK(str_has(tcfaceid_last_error_message(), "TCFACEID_API=ocr"));
    result = NULL;
    if (CHECK_CODE(tcfaceid_client_verify_card(ocr, request, 60000, &result), TCFACEID_RESULT_OK)) {
        CHECK(tcfaceid_verification_result_status(result) == TCFACEID_STATUS_COMPLETED);
    }
    tcfaceid_verification_result_free(result);
    tcfaceid_card_request_free(request);
    tcfaceid_client_free(ocr);
    tcfaceid_client_free(faceid);
}

int main(void) {
    const char *endpoint;
    unsetenv("HTTPS_PROXY");
    unsetenv("https_proxy");
    unsetenv("HTTP_PROXY");
    unsetenv("http_proxy");
    unsetenv("ALL_PROXY");
    unsetenv("all_proxy");

    test_api_enum();
    test_ocr_rules();
    test_parse_and_meaning();
    if ((endpoint = endpoint_of("TCFACEID_TEST_ENDPOINT")) != NULL) {
        test_ocr_flow(endpoint);
    }
    if ((endpoint = endpoint_of("TCFACEID_TEST_ENDPOINT_OCR_LEGACY")) != NULL) {
        test_legacy_vocabulary(endpoint);
    }
    if ((endpoint = endpoint_of("TCFACEID_TEST_ENDPOINT_FACEID_OFFLINE")) != NULL) {
        test_faceid_offline(endpoint);
    }
    return check_summary();
}
