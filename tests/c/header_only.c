/*
 * Compiles include/tcfaceid.h on its own (twice, to check the include guard), with nothing else
 * included first: as C99 and C11 with -Wall -Wextra -Wpedantic -Werror, and as C++ (g++ -x c++).
 * It is compiled with -c only, never linked or run: main() takes the functions' addresses, which
 * checks that every prototype exists and has the documented type.
 */
#include "tcfaceid.h"
#include "tcfaceid.h"

#if !defined(TCFACEID_VERSION_MAJOR) || !defined(TCFACEID_VERSION_MINOR) ||                     \
    !defined(TCFACEID_VERSION_PATCH) || !defined(TCFACEID_VERSION_NUMBER) ||                    \
    !defined(TCFACEID_VERSION_STRING) || !defined(TCFACEID_SOVERSION)
#error "version macros missing"
#endif

#if TCFACEID_VERSION_NUMBER !=                                                                  \
    ((TCFACEID_VERSION_MAJOR << 16) | (TCFACEID_VERSION_MINOR << 8) | TCFACEID_VERSION_PATCH)
#error "TCFACEID_VERSION_NUMBER does not match MAJOR, MINOR and PATCH"
#endif

typedef void (*any_function)(void);

int main(void) {
    /* Types are usable as declared. */
    tcfaceid_result ok = TCFACEID_RESULT_OK;
    tcfaceid_side side = TCFACEID_SIDE_BACK;
    tcfaceid_card_request *request = NULL;
    tcfaceid_signed_headers *headers = NULL;
    size_t count = 0;
    /* Every function of the API, by address (a missing or mistyped one fails to compile). */
    any_function functions[] = {
        (any_function)tcfaceid_version,
        (any_function)tcfaceid_last_error_code,
        (any_function)tcfaceid_last_error_message,
        (any_function)tcfaceid_last_error_field,
        (any_function)tcfaceid_last_error_service_code,
        (any_function)tcfaceid_last_error_request_id,
        (any_function)tcfaceid_last_error_http_status,
        (any_function)tcfaceid_result_str,
        (any_function)tcfaceid_string_free,
        (any_function)tcfaceid_signer_new,
        (any_function)tcfaceid_signer_sign,
        (any_function)tcfaceid_signer_sign_text,
        (any_function)tcfaceid_signer_free,
        (any_function)tcfaceid_sign,
        (any_function)tcfaceid_signed_headers_count,
        (any_function)tcfaceid_signed_headers_name,
        (any_function)tcfaceid_signed_headers_value,
        (any_function)tcfaceid_signed_headers_get,
        (any_function)tcfaceid_signed_headers_free,
        (any_function)tcfaceid_card_request_new,
        (any_function)tcfaceid_card_request_free,
        (any_function)tcfaceid_card_request_set_nationality,
        (any_function)tcfaceid_card_request_set_card_type,
        (any_function)tcfaceid_card_request_set_allow_unknown_codes,
        (any_function)tcfaceid_card_request_set_url,
        (any_function)tcfaceid_card_request_set_image_bytes,
        (any_function)tcfaceid_card_request_set_image_file,
        (any_function)tcfaceid_card_request_set_image_base64,
        (any_function)tcfaceid_card_request_clear_side,
        (any_function)tcfaceid_card_request_validate,
        (any_function)tcfaceid_card_request_body,
    };
    /* Prototypes are exactly as documented (a mismatch is an error in C++ and a warning, made
     * an error by -Werror, in C). */
    tcfaceid_result (*sign)(const char *, const char *, const char *, const char *, const char *,
                            const char *, const char *, const char *, int64_t, const uint8_t *,
                            size_t, tcfaceid_signed_headers **) = tcfaceid_sign;
    tcfaceid_result (*signer_sign)(const tcfaceid_signer *, const char *, const char *,
                                   const char *, const char *, int64_t, const uint8_t *, size_t,
                                   tcfaceid_signed_headers **) = tcfaceid_signer_sign;
    tcfaceid_result (*set_bytes)(tcfaceid_card_request *, tcfaceid_side, const uint8_t *,
                                 size_t) = tcfaceid_card_request_set_image_bytes;
    tcfaceid_result (*body)(const tcfaceid_card_request *, char **, size_t *) =
        tcfaceid_card_request_body;
    const char *(*result_str)(uint32_t) = tcfaceid_result_str;
    uint16_t (*http_status)(void) = tcfaceid_last_error_http_status;

    (void)request;
    (void)headers;
    (void)count;
    (void)sign;
    (void)signer_sign;
    (void)set_bytes;
    (void)body;
    (void)result_str;
    (void)http_status;
    (void)ok;
    (void)side;
    (void)functions;
    return 0;
}
