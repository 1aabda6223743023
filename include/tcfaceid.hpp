/*
 * tcfaceid.hpp: a header-only C++17 interface to libtcfaceid (Tencent Cloud FaceID document
 * verification), over the C API of tcfaceid.h. Written by hand (tcfaceid.h is generated).
 *
 *   tcfaceid::Client client = tcfaceid::ClientBuilder().credentials_from_env()
 *                                 .region("ap-singapore").build();
 *   tcfaceid::CardRequest request("HKG", "ID_CARD");
 *   request.set_image_file(tcfaceid::Side::Front, "front.jpg");
 *   tcfaceid::VerificationResult result = client.verify_card(request);
 *
 * Conventions:
 * - Handles (ClientBuilder, Client, CardRequest, Cancel) own one C handle each, are move-only and free
 *   it in their destructor. A moved-from handle may only be destroyed or assigned to.
 * - Every failing C call throws tcfaceid::Error, which carries the result code, the message,
 *   the field at fault, the service's error code, its RequestId, the HTTP status and the
 *   verification token (when one was issued), all copied from the C last error.
 * - Text goes in as std::string_view (copied by the library; a NUL inside is refused with
 *   std::invalid_argument before any C call); images as tcfaceid::Bytes (a pointer and a
 *   length: a std::vector<uint8_t>, a std::string, or any contiguous container of bytes).
 * - Results are plain structs of std::string and numbers: nothing to free, no lifetime rule.
 * - Threads: as in C. A Client may be shared by any number of threads (its methods are const);
 *   a ClientBuilder or CardRequest belongs to one thread at a time.
 *
 * Link with -ltcfaceid (pkg-config tcfaceid, or CMake's tcfaceid::tcfaceid).
 */
#ifndef TCFACEID_HPP
#define TCFACEID_HPP

#if __cplusplus < 201703L && !(defined(_MSVC_LANG) && _MSVC_LANG >= 201703L)
#error "tcfaceid.hpp needs C++17 (e.g. -std=c++17); C++11 code can use tcfaceid.h"
#endif

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "tcfaceid.h"

namespace tcfaceid {

/** The state of a verification (tcfaceid_status). */
enum class Status : std::uint32_t {
    Unknown = TCFACEID_STATUS_UNKNOWN,       ///< a status this library does not know
    Processing = TCFACEID_STATUS_PROCESSING, ///< still being processed: poll again
    Passed = TCFACEID_STATUS_PASSED,         ///< the document passed
    Warning = TCFACEID_STATUS_WARNING,       ///< passed with warnings (see warn_infos)
    Rejected = TCFACEID_STATUS_REJECTED,     ///< rejected (see warn_infos)
};

/** A side of the document (tcfaceid_side). */
enum class Side : std::uint32_t {
    Front = TCFACEID_SIDE_FRONT, ///< always required
    Back = TCFACEID_SIDE_BACK,   ///< required for some documents
};

/** The library's name and version, e.g. "tcfaceid/0.1.0" (static). */
inline std::string_view version() noexcept { return tcfaceid_version(); }

/** A static English description of a result code. */
inline std::string_view result_str(std::uint32_t code) noexcept { return tcfaceid_result_str(code); }

namespace detail {

/** A borrowed C string copied into a std::string ("" for NULL). */
inline std::string copy(const char *text) { return text != nullptr ? std::string(text) : std::string(); }

/** The verification token of the last failed call on this thread ("" when none was issued). */
inline std::string last_error_token() { return copy(tcfaceid_last_error_token()); }

/** A NUL-terminated copy of `text`; std::invalid_argument when it holds a NUL. */
inline std::string c_string(std::string_view text, const char *name) {
    if (text.find('\0') != std::string_view::npos) {
        throw std::invalid_argument(std::string("tcfaceid: ") + name + " must not contain a NUL character");
    }
    return std::string(text);
}

template <typename T, void (*Free)(T *)>
struct Deleter {
    void operator()(T *handle) const noexcept { Free(handle); }
};

/** A move-only owner of one C handle, freed with `Free`. */
template <typename T, void (*Free)(T *)>
using Handle = std::unique_ptr<T, Deleter<T, Free>>;

/** Milliseconds as the uint64_t of the C API (negative: 0). */
inline std::uint64_t millis(std::chrono::milliseconds value) {
    return value.count() < 0 ? 0 : static_cast<std::uint64_t>(value.count());
}

} // namespace detail

/** A failed call: everything the C library's thread-local last error said, copied. */
class Error : public std::runtime_error {
  public:
    /** An error with these parts (normally made by Error::last). */
    Error(tcfaceid_result code, const std::string &message, std::string field, std::string service_code,
          std::string request_id, std::string token, std::uint16_t http_status)
        : std::runtime_error(message), code_(code), field_(std::move(field)),
          service_code_(std::move(service_code)), request_id_(std::move(request_id)), token_(std::move(token)),
          http_status_(http_status) {}

    /** The error of the call that just returned `code` on this thread. */
    static Error last(tcfaceid_result code) {
        return Error(code, detail::copy(tcfaceid_last_error_message()), detail::copy(tcfaceid_last_error_field()),
                     detail::copy(tcfaceid_last_error_service_code()),
                     detail::copy(tcfaceid_last_error_request_id()), detail::last_error_token(),
                     tcfaceid_last_error_http_status());
    }

    /** The result code (a TCFACEID_RESULT_* value). */
    tcfaceid_result code() const noexcept { return code_; }
    /** The static description of the code. */
    std::string_view description() const noexcept { return tcfaceid_result_str(code_); }
    /** The argument or request field at fault (e.g. "Nationality"); "" when none. */
    const std::string &field() const noexcept { return field_; }
    /** The service's Response.Error.Code; "" when the failure did not come from the service. */
    const std::string &service_code() const noexcept { return service_code_; }
    /** The service's RequestId; "" when the request did not reach the service. */
    const std::string &request_id() const noexcept { return request_id_; }
    /** The verification token when one was issued (poll or resume with it); "" otherwise. */
    const std::string &token() const noexcept { return token_; }
    /** The HTTP status of the response behind the failure; 0 when there was none. */
    std::uint16_t http_status() const noexcept { return http_status_; }

  private:
    tcfaceid_result code_;
    std::string field_;
    std::string service_code_;
    std::string request_id_;
    std::string token_;
    std::uint16_t http_status_;
};

namespace detail {
/** Throw the last error when `code` is not TCFACEID_RESULT_OK. */
inline void check(tcfaceid_result code) {
    if (code != TCFACEID_RESULT_OK) {
        throw Error::last(code);
    }
}
} // namespace detail

/** A read-only view of bytes (an image): a pointer and a length, never owned. */
class Bytes {
  public:
    /** `size` bytes at `data` (NULL only with size 0). */
    Bytes(const void *data, std::size_t size) noexcept : data_(static_cast<const std::uint8_t *>(data)), size_(size) {}

    /** The bytes of any contiguous container of 1-byte elements (std::vector<uint8_t>,
     * std::string, std::array<std::byte, N>, std::span<const std::byte>...). */
    template <typename Container, typename Element = std::remove_pointer_t<decltype(std::data(std::declval<const Container &>()))>,
              typename = std::enable_if_t<sizeof(Element) == 1 && !std::is_same_v<std::decay_t<Container>, Bytes>>>
    Bytes(const Container &bytes) noexcept // NOLINT(google-explicit-constructor): a view, like std::span
        : Bytes(std::data(bytes), std::size(bytes)) {}

    /** The first byte (may be NULL when empty). */
    const std::uint8_t *data() const noexcept { return data_; }
    /** The number of bytes. */
    std::size_t size() const noexcept { return size_; }

  private:
    const std::uint8_t *data_;
    std::size_t size_;
};

/** ApplyCardVerification's answer. */
struct ApplyResult {
    std::string token;                ///< CardVerificationToken: poll GetCardVerificationResult with it
    std::uint64_t max_polling_times = 0; ///< AsyncCardVerificationMaxPollingTimes
    std::uint64_t polling_wait_secs = 0; ///< AsyncCardVerificationPollingWaitTime
    std::string request_id;           ///< the service's RequestId
    std::string json;                 ///< the whole Response object as JSON
};

/** GetCardVerificationResult's answer (or verify_card's verdict). */
struct VerificationResult {
    Status status = Status::Unknown;     ///< PROCESSING until the verdict
    std::string status_str;              ///< the raw status the service sent
    std::string token;                   ///< the token that was polled
    std::uint64_t polls = 0;             ///< polls made (verify_card), else 1
    std::vector<std::string> warn_infos; ///< WarnInfos
    std::string nationality;             ///< Nationality ("" when absent)
    std::string card_type;               ///< CardType
    std::string card_sub_type;           ///< CardSubType
    std::string card_info_json;          ///< CardInfo as JSON ("" when absent)
    std::string id_verification_token;   ///< IdVerificationToken
    std::string request_id;              ///< the service's RequestId
    std::string json;                    ///< the whole Response object as JSON
};

/** An ApplyCardVerification request: the document, its images, checked locally. */
class CardRequest {
  public:
    /** A request for a document (e.g. "HKG", "ID_CARD"); the images are set next. */
    CardRequest(std::string_view nationality, std::string_view card_type) {
        tcfaceid_card_request *request = nullptr;
        detail::check(tcfaceid_card_request_new(detail::c_string(nationality, "nationality").c_str(),
                                                detail::c_string(card_type, "card_type").c_str(), &request));
        handle_.reset(request);
    }

    /** One side as an http(s) URL the service downloads. */
    CardRequest &set_url(Side side, std::string_view url) {
        detail::check(tcfaceid_card_request_set_url(get(), static_cast<tcfaceid_side>(side),
                                                    detail::c_string(url, "url").c_str()));
        return *this;
    }
    /** One side as PNG or JPEG bytes (copied). */
    CardRequest &set_image(Side side, Bytes image) {
        detail::check(tcfaceid_card_request_set_image_bytes(get(), static_cast<tcfaceid_side>(side), image.data(),
                                                            image.size()));
        return *this;
    }
    /** One side as PNG or JPEG bytes lent, not copied (a large image then costs no memory
     * beyond the body it is encoded into). The bytes must stay valid and unchanged while the
     * request is used (validate, body, apply, verify); set the side again, clear it, or
     * destroy the request before freeing them. */
    CardRequest &set_image_borrowed(Side side, Bytes image) {
        detail::check(tcfaceid_card_request_set_image_bytes_borrowed(get(), static_cast<tcfaceid_side>(side),
                                                                     image.data(), image.size()));
        return *this;
    }
    /** One side as the path of a PNG or JPEG file (read when the request is checked and sent). */
    CardRequest &set_image_file(Side side, std::string_view path) {
        detail::check(tcfaceid_card_request_set_image_file(get(), static_cast<tcfaceid_side>(side),
                                                           detail::c_string(path, "path").c_str()));
        return *this;
    }
    /** One side as base64 text of a PNG or JPEG. */
    CardRequest &set_image_base64(Side side, std::string_view base64) {
        detail::check(tcfaceid_card_request_set_image_base64(get(), static_cast<tcfaceid_side>(side),
                                                             detail::c_string(base64, "base64").c_str()));
        return *this;
    }
    /** Remove one side. */
    CardRequest &clear_side(Side side) {
        detail::check(tcfaceid_card_request_clear_side(get(), static_cast<tcfaceid_side>(side)));
        return *this;
    }
    /** Accept a nationality or card type this library does not know. */
    CardRequest &set_allow_unknown_codes(bool allow) {
        detail::check(tcfaceid_card_request_set_allow_unknown_codes(get(), allow));
        return *this;
    }
    /** Every local check (no network); throws the first failure. */
    void validate() const { detail::check(tcfaceid_card_request_validate(get())); }
    /** The exact JSON body of ApplyCardVerification, for callers with their own HTTP stack. */
    std::string body() const {
        char *json = nullptr;
        size_t length = 0;
        detail::check(tcfaceid_card_request_body(get(), &json, &length));
        const detail::Handle<char, tcfaceid_string_free> owned(json);
        return std::string(owned.get(), length);
    }

    /** The C handle, still owned by this object. */
    tcfaceid_card_request *get() const {
        if (!handle_) {
            throw std::logic_error("tcfaceid: this CardRequest was moved from");
        }
        return handle_.get();
    }

  private:
    detail::Handle<tcfaceid_card_request, tcfaceid_card_request_free> handle_;
};

/** A cancel handle: pass it to Client::verify_card or Client::resume and call trigger() from
 * any thread to end that call within about 100 ms (Error with TCFACEID_RESULT_CANCELLED and the
 * token when the apply had succeeded). Once triggered it stays triggered: one per call. It must
 * outlive the calls using it. */
class Cancel {
  public:
    /** A handle, not triggered. */
    Cancel() {
        tcfaceid_cancel *cancel = nullptr;
        detail::check(tcfaceid_cancel_new(&cancel));
        handle_.reset(cancel);
    }
    /** Stop every call using this handle as soon as it can. Any thread. */
    void trigger() const { detail::check(tcfaceid_cancel_trigger(get())); }
    /** Whether trigger() was called. */
    bool triggered() const { return tcfaceid_cancel_is_triggered(get()); }
    /** The C handle, still owned by this object. */
    const tcfaceid_cancel *get() const {
        if (!handle_) {
            throw std::logic_error("tcfaceid: this Cancel was moved from");
        }
        return handle_.get();
    }

  private:
    detail::Handle<tcfaceid_cancel, tcfaceid_cancel_free> handle_;
};

class Client;

namespace detail {
inline ApplyResult take(tcfaceid_apply_response *raw) {
    const Handle<tcfaceid_apply_response, tcfaceid_apply_response_free> response(raw);
    return ApplyResult{copy(tcfaceid_apply_response_token(raw)), tcfaceid_apply_response_max_polling_times(raw),
                       tcfaceid_apply_response_polling_wait_secs(raw), copy(tcfaceid_apply_response_request_id(raw)),
                       copy(tcfaceid_apply_response_json(raw))};
}

inline VerificationResult take(tcfaceid_verification_result *raw) {
    const Handle<tcfaceid_verification_result, tcfaceid_verification_result_free> result(raw);
    VerificationResult out{static_cast<Status>(tcfaceid_verification_result_status(raw)),
                           copy(tcfaceid_verification_result_status_str(raw)),
                           copy(tcfaceid_verification_result_token(raw)),
                           tcfaceid_verification_result_polls(raw),
                           {},
                           copy(tcfaceid_verification_result_nationality(raw)),
                           copy(tcfaceid_verification_result_card_type(raw)),
                           copy(tcfaceid_verification_result_card_sub_type(raw)),
                           copy(tcfaceid_verification_result_card_info_json(raw)),
                           copy(tcfaceid_verification_result_id_verification_token(raw)),
                           copy(tcfaceid_verification_result_request_id(raw)),
                           copy(tcfaceid_verification_result_json(raw))};
    const std::size_t count = tcfaceid_verification_result_warn_info_count(raw);
    out.warn_infos.reserve(count);
    for (std::size_t i = 0; i < count; i++) {
        out.warn_infos.push_back(copy(tcfaceid_verification_result_warn_info(raw, i)));
    }
    return out;
}
} // namespace detail

/** A FaceID client, safe to share between threads; made by ClientBuilder::build. */
class Client {
  public:
    /** Check and submit a document (ApplyCardVerification). */
    ApplyResult apply_card_verification(const CardRequest &request) const {
        tcfaceid_apply_response *response = nullptr;
        detail::check(tcfaceid_client_apply_card_verification(get(), request.get(), &response));
        return detail::take(response);
    }
    /** One GetCardVerificationResult call: PROCESSING until the verdict. */
    VerificationResult get_card_verification_result(std::string_view token) const {
        tcfaceid_verification_result *result = nullptr;
        detail::check(tcfaceid_client_get_card_verification_result(
            get(), detail::c_string(token, "token").c_str(), &result));
        return detail::take(result);
    }
    /** Apply, then poll as the service's hints say until the verdict, `deadline`, or `cancel`
     * (may be NULL) is triggered. Every error after the (billed) apply carries the token:
     * resume with it, never apply again. */
    VerificationResult verify_card(const CardRequest &request,
                                   std::chrono::milliseconds deadline = std::chrono::minutes(5),
                                   const Cancel *cancel = nullptr) const {
        tcfaceid_verification_result *result = nullptr;
        detail::check(tcfaceid_client_verify_card_cancellable(get(), request.get(), detail::millis(deadline),
                                                              cancel != nullptr ? cancel->get() : nullptr, &result));
        return detail::take(result);
    }
    /** Resume a verification from its token (Error::token()): poll until the verdict,
     * `deadline`, or `cancel` (may be NULL). Never applies again. */
    VerificationResult resume(std::string_view token, std::chrono::milliseconds deadline = std::chrono::minutes(5),
                              const Cancel *cancel = nullptr) const {
        tcfaceid_verification_result *result = nullptr;
        detail::check(tcfaceid_client_resume(get(), detail::c_string(token, "token").c_str(),
                                             detail::millis(deadline), cancel != nullptr ? cancel->get() : nullptr,
                                             &result));
        return detail::take(result);
    }
    /** Sign and send any action with a JSON body; the whole response body. */
    std::string call_json(std::string_view action, std::string_view json_body = "{}") const {
        char *response = nullptr;
        size_t length = 0;
        detail::check(tcfaceid_client_call_json(get(), detail::c_string(action, "action").c_str(),
                                                detail::c_string(json_body, "json_body").c_str(), &response,
                                                &length));
        const detail::Handle<char, tcfaceid_string_free> owned(response);
        return std::string(owned.get(), length);
    }

    /** The C handle, still owned by this object. */
    const tcfaceid_client *get() const {
        if (!handle_) {
            throw std::logic_error("tcfaceid: this Client was moved from");
        }
        return handle_.get();
    }

  private:
    friend class ClientBuilder;
    explicit Client(tcfaceid_client *client) noexcept : handle_(client) {}
    detail::Handle<tcfaceid_client, tcfaceid_client_free> handle_;
};

/** Settings of a Client; each setter checks its value and throws Error when refused. */
class ClientBuilder {
  public:
    /** A builder with the library's defaults. */
    ClientBuilder() {
        tcfaceid_client_builder *builder = nullptr;
        detail::check(tcfaceid_client_builder_new(&builder));
        handle_.reset(builder);
    }

    /** These credentials (`token`: temporary credentials, or empty). */
    ClientBuilder &credentials(std::string_view secret_id, std::string_view secret_key, std::string_view token = {}) {
        const std::string key = detail::c_string(secret_key, "secret_key");
        const std::string session = detail::c_string(token, "token");
        detail::check(tcfaceid_client_builder_set_credentials(get(), detail::c_string(secret_id, "secret_id").c_str(),
                                                              key.c_str(), token.empty() ? nullptr : session.c_str()));
        return *this;
    }
    /** TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY and TENCENTCLOUD_SECURITY_TOKEN. */
    ClientBuilder &credentials_from_env() {
        detail::check(tcfaceid_client_builder_set_credentials_from_env(get()));
        return *this;
    }
    /** A profile of the credentials file. */
    ClientBuilder &credentials_from_profile(std::string_view profile) {
        detail::check(tcfaceid_client_builder_set_credentials_from_profile(
            get(), detail::c_string(profile, "profile").c_str()));
        return *this;
    }
    /** The region, e.g. "ap-singapore". */
    ClientBuilder &region(std::string_view region) {
        detail::check(tcfaceid_client_builder_set_region(get(), detail::c_string(region, "region").c_str()));
        return *this;
    }
    /** The endpoint URL (https://, or http:// to loopback). */
    ClientBuilder &endpoint(std::string_view url) {
        detail::check(tcfaceid_client_builder_set_endpoint(get(), detail::c_string(url, "endpoint").c_str()));
        return *this;
    }
    /** The service's message language, "en-US" or "zh-CN". */
    ClientBuilder &language(std::string_view language) {
        detail::check(tcfaceid_client_builder_set_language(get(), detail::c_string(language, "language").c_str()));
        return *this;
    }
    /** A proxy URL. */
    ClientBuilder &proxy(std::string_view url) {
        detail::check(tcfaceid_client_builder_set_proxy(get(), detail::c_string(url, "proxy").c_str()));
        return *this;
    }
    /** A PEM file of CA certificates to trust instead of the bundled roots. */
    ClientBuilder &ca_file(std::string_view path) {
        detail::check(tcfaceid_client_builder_set_ca_file(get(), detail::c_string(path, "ca_file").c_str()));
        return *this;
    }
    /** The time allowed for DNS, TCP and TLS. */
    ClientBuilder &connect_timeout(std::chrono::milliseconds timeout) {
        detail::check(tcfaceid_client_builder_set_connect_timeout_ms(get(), detail::millis(timeout)));
        return *this;
    }
    /** The overall deadline of one call, retries included. */
    ClientBuilder &timeout(std::chrono::milliseconds timeout) {
        detail::check(tcfaceid_client_builder_set_timeout_ms(get(), detail::millis(timeout)));
        return *this;
    }
    /** The largest response body read. */
    ClientBuilder &max_response_bytes(std::uint64_t bytes) {
        detail::check(tcfaceid_client_builder_set_max_response_bytes(get(), bytes));
        return *this;
    }
    /** `max_attempts` in all (1: no retries) with jittered exponential backoff. */
    ClientBuilder &retries(std::uint32_t max_attempts, std::chrono::milliseconds base_delay,
                           std::chrono::milliseconds max_delay) {
        detail::check(tcfaceid_client_builder_set_retries(get(), max_attempts, detail::millis(base_delay),
                                                          detail::millis(max_delay)));
        return *this;
    }
    /** Seconds added to the local clock when stamping requests. */
    ClientBuilder &clock_offset(std::chrono::seconds offset) {
        detail::check(tcfaceid_client_builder_set_clock_offset_secs(get(), offset.count()));
        return *this;
    }

    /** The client. Consumes the builder, even when it throws. */
    Client build() {
        tcfaceid_client *client = nullptr;
        tcfaceid_client_builder *builder = get();
        handle_.release(); // tcfaceid_client_builder_build consumes it, even on failure
        detail::check(tcfaceid_client_builder_build(builder, &client));
        return Client(client);
    }

  private:
    tcfaceid_client_builder *get() const {
        if (!handle_) {
            throw std::logic_error("tcfaceid: this ClientBuilder was built or moved from");
        }
        return handle_.get();
    }
    detail::Handle<tcfaceid_client_builder, tcfaceid_client_builder_free> handle_;
};

} // namespace tcfaceid

#endif // TCFACEID_HPP
