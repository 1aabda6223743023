// tcfaceid C++ example: verify one identity document end to end (the C++ twin of
// bindings/c/example.c: same arguments, environment, output and exit status).
//
//   example NATIONALITY CARD_TYPE FRONT_IMAGE [BACK_IMAGE]
//
// FRONT_IMAGE / BACK_IMAGE are file paths (PNG or JPEG) or http(s) URLs.
// Credentials and region come from the standard environment variables
// (TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY, optional TENCENTCLOUD_SECURITY_TOKEN,
// TENCENTCLOUD_REGION); the endpoint from TCFACEID_ENDPOINT (default: the real service).
//
// It applies (ApplyCardVerification), then polls GetCardVerificationResult as the service's
// hints say until the verdict, and prints the token, status, warn infos and card info.
// Exit status: 0 when a verdict is printed; 1 with the error's details otherwise; 2 on usage.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "tcfaceid.hpp"

namespace {

// Print a library error as the C example does and return the exit status.
int report_error(std::string_view what, const tcfaceid::Error &error) {
    std::cerr << "error: " << what << " failed: result " << static_cast<unsigned>(error.code()) << " ("
              << error.description() << ")\n";
    std::cerr << "  message:      " << error.what() << "\n";
    if (!error.field().empty()) {
        std::cerr << "  field:        " << error.field() << "\n";
    }
    if (!error.service_code().empty()) {
        std::cerr << "  service code: " << error.service_code() << "\n";
    }
    if (!error.request_id().empty()) {
        std::cerr << "  request id:   " << error.request_id() << "\n";
    }
    if (error.http_status() != 0) {
        std::cerr << "  HTTP status:  " << error.http_status() << "\n";
    }
    if (!error.token().empty()) {
        std::cerr << "  token:        " << error.token() << "\n";
    }
    return 1;
}

bool is_url(std::string_view text) { return text.rfind("http://", 0) == 0 || text.rfind("https://", 0) == 0; }

// Set one side of the request from a path or a URL.
void set_side(tcfaceid::CardRequest &request, tcfaceid::Side side, std::string_view image) {
    if (is_url(image)) {
        request.set_url(side, image);
    } else {
        request.set_image_file(side, image);
    }
}

std::string_view or_dash(const std::string &text) { return text.empty() ? std::string_view("-") : text; }

// Build the client from the environment; the region comes from TENCENTCLOUD_REGION.
tcfaceid::Client build_client() {
    tcfaceid::ClientBuilder builder;
    builder.credentials_from_env();
    const char *endpoint = std::getenv("TCFACEID_ENDPOINT");
    if (endpoint != nullptr && endpoint[0] != '\0') {
        builder.endpoint(endpoint);
    }
    return builder.build();
}

} // namespace

int main(int argc, char **argv) {
    if (argc < 4 || argc > 5) {
        std::cerr << "usage: " << argv[0] << " NATIONALITY CARD_TYPE FRONT_IMAGE [BACK_IMAGE]\n";
        std::cerr << "  images are PNG/JPEG file paths or http(s) URLs; see the README\n";
        return 2;
    }
    std::cout << tcfaceid::version() << "\n";

    std::optional<tcfaceid::Client> client;
    try {
        client.emplace(build_client());
    } catch (const tcfaceid::Error &error) {
        return report_error("building the client", error);
    }
    std::optional<tcfaceid::CardRequest> request;
    try {
        request.emplace(argv[1], argv[2]);
        set_side(*request, tcfaceid::Side::Front, argv[3]);
        if (argc == 5) {
            set_side(*request, tcfaceid::Side::Back, argv[4]);
        }
    } catch (const tcfaceid::Error &error) {
        return report_error("preparing the request", error);
    }

    tcfaceid::ApplyResult applied;
    try {
        applied = client->apply_card_verification(*request);
    } catch (const tcfaceid::Error &error) {
        return report_error("ApplyCardVerification", error);
    }
    std::cout << "token:       " << applied.token << "\n";
    std::cout << "request id:  " << applied.request_id << "\n";
    std::cout << "polling:     up to " << applied.max_polling_times << " polls, " << applied.polling_wait_secs
              << " s apart\n";

    std::optional<tcfaceid::VerificationResult> result;
    for (std::uint64_t poll = 1; poll <= applied.max_polling_times; poll++) {
        std::this_thread::sleep_for(std::chrono::seconds(applied.polling_wait_secs));
        try {
            result = client->get_card_verification_result(applied.token);
        } catch (const tcfaceid::Error &error) {
            return report_error("GetCardVerificationResult", error);
        }
        std::cout << "poll " << poll << ":      " << result->status_str << "\n";
        if (result->status != tcfaceid::Status::Processing) {
            break;
        }
    }
    if (!result || result->status == tcfaceid::Status::Processing) {
        std::cerr << "error: no verdict after " << applied.max_polling_times
                  << " polls; poll again later with the token\n";
        return 1;
    }

    std::cout << "status:      " << result->status_str << "\n";
    std::cout << "nationality: " << or_dash(result->nationality) << "\n";
    std::cout << "card type:   " << or_dash(result->card_type) << "\n";
    std::cout << "sub type:    " << or_dash(result->card_sub_type) << "\n";
    std::cout << "warn infos:  " << result->warn_infos.size() << "\n";
    for (const std::string &warning : result->warn_infos) {
        std::cout << "  - " << warning << "\n";
    }
    std::cout << "card info:   " << or_dash(result->card_info_json) << "\n";
    return 0;
}
