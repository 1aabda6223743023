// tests/cpp/test_hpp.cpp: include/tcfaceid.hpp against the emulator (scripts/cpp-test.sh runs
// it under ASan+UBSan with TCFACEID_TEST_ENDPOINT* from scripts/with-emulator.sh).
// Prints one line per check; exits 1 at the first failure.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tcfaceid.hpp"

// Handles are move-only; results are plain values.
static_assert(!std::is_copy_constructible_v<tcfaceid::Client>);
static_assert(!std::is_copy_assignable_v<tcfaceid::Client>);
static_assert(std::is_nothrow_move_constructible_v<tcfaceid::Client>);
static_assert(!std::is_copy_constructible_v<tcfaceid::CardRequest>);
static_assert(std::is_nothrow_move_constructible_v<tcfaceid::CardRequest>);
static_assert(!std::is_copy_constructible_v<tcfaceid::ClientBuilder>);
static_assert(std::is_copy_constructible_v<tcfaceid::VerificationResult>);
static_assert(std::is_aggregate_v<tcfaceid::ApplyResult>);

namespace {

int failures = 0;

void expect(bool ok, const char *what) {
    std::printf("%s: %s\n", ok ? "ok  " : "FAIL", what);
    if (!ok) {
        failures++;
    }
}

std::string env(const char *name) {
    const char *value = std::getenv(name);
    if (value == nullptr || value[0] == '\0') {
        std::fprintf(stderr, "test_hpp: %s is not set (run under scripts/with-emulator.sh)\n", name);
        std::exit(1);
    }
    return value;
}

// The emulator's counter `name` (GET /__emulator/stats over a plain socket); with `at_least`,
// after the emulator has blocked until the counter reached it (how a test waits for a request
// to arrive, instead of sleeping). -1 when the emulator cannot be asked or did not reach it.
long emulator_counter(const std::string &endpoint, const std::string &name, long at_least = 0) {
    const std::string prefix = "http://127.0.0.1:";
    if (endpoint.compare(0, prefix.size(), prefix) != 0) {
        return -1;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(std::stoi(endpoint.substr(prefix.size()))));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    std::string request = "GET /__emulator/stats";
    if (at_least > 0) {
        request += "?wait=" + name + ":" + std::to_string(at_least);
    }
    request += " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    std::string answer;
    if (connect(fd, reinterpret_cast<const sockaddr *>(&addr), sizeof addr) == 0 &&
        send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
        char buf[4096];
        ssize_t n;
        while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
            answer.append(buf, static_cast<size_t>(n));
        }
    }
    close(fd);
    const std::string key = "\"" + name + "\":";
    const size_t at = answer.find(key);
    if (answer.compare(0, 12, "HTTP/1.1 200") != 0 || at == std::string::npos) {
        return -1;
    }
    return std::strtol(answer.c_str() + at + key.size(), nullptr, 10);
}

std::vector<unsigned char> read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<unsigned char>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

tcfaceid::Client client_for(const std::string &endpoint) {
    return tcfaceid::ClientBuilder()
        .credentials(env("TCFACEID_TEST_SECRET_ID"), env("TCFACEID_TEST_SECRET_KEY"))
        .region("ap-singapore")
        .endpoint(endpoint)
        .build();
}

} // namespace

int main(int argc, char **argv) {
    const std::string samples = argc > 1 ? argv[1] : "bindings/c/samples";
    const std::vector<unsigned char> front = read_file(samples + "/front.jpg");
    const std::vector<unsigned char> back = read_file(samples + "/back.jpg");
    expect(!front.empty() && !back.empty(), "the sample images are readable");

    // A verdict from bytes (Bytes from std::vector) through verify_card, on a moved client.
    tcfaceid::Client first = client_for(env("TCFACEID_TEST_ENDPOINT"));
    tcfaceid::Client client = std::move(first);
    tcfaceid::CardRequest request("HKG", "ID_CARD");
    request.set_image(tcfaceid::Side::Front, front).set_image(tcfaceid::Side::Back, back);
    tcfaceid::VerificationResult verdict = client.verify_card(request);
    expect(verdict.status == tcfaceid::Status::Passed && verdict.status_str == "PASSED", "verify_card: PASSED");
    expect(!verdict.token.empty() && !verdict.request_id.empty(), "the verdict has a token and a RequestId");

    // Lent bytes (not copied): the same verdict; the bytes outlive every use of the request.
    {
        tcfaceid::CardRequest lent("HKG", "ID_CARD");
        lent.set_image_borrowed(tcfaceid::Side::Front, front).set_image_borrowed(tcfaceid::Side::Back, back);
        tcfaceid::VerificationResult from_lent = client.verify_card(lent);
        expect(from_lent.status == tcfaceid::Status::Passed, "verify_card with lent bytes: PASSED");
        expect(from_lent.token != verdict.token, "each apply gets its own token");
    }

    // Apply, then poll by hand: the same token comes back.
    tcfaceid::CardRequest moved = std::move(request);
    tcfaceid::ApplyResult applied = client.apply_card_verification(moved);
    tcfaceid::VerificationResult polled = client.get_card_verification_result(applied.token);
    expect(polled.token == applied.token, "get_card_verification_result polls the applied token");
    bool threw = false;
    try {
        (void)request.get();
    } catch (const std::logic_error &) {
        threw = true;
    }
    expect(threw, "a moved-from CardRequest throws std::logic_error");

    // Local validation: an Error with the code and the service's field name, nothing sent.
    try {
        tcfaceid::CardRequest bad("XXX", "ID_CARD");
        bad.set_image(tcfaceid::Side::Front, front);
        bad.validate();
        expect(false, "an unknown nationality is refused");
    } catch (const tcfaceid::Error &e) {
        expect(e.code() == TCFACEID_RESULT_INVALID_NATIONALITY && e.field() == "Nationality",
               "an unknown nationality: INVALID_NATIONALITY, field Nationality");
    }
    try {
        const std::string gif = "GIF89a0123456789012345678901234567890";
        tcfaceid::CardRequest bad("HKG", "ID_CARD");
        bad.set_image(tcfaceid::Side::Front, gif).set_image(tcfaceid::Side::Back, back);
        bad.validate();
        expect(false, "a GIF is refused");
    } catch (const tcfaceid::Error &e) {
        expect(e.code() == TCFACEID_RESULT_IMAGE_UNSUPPORTED_FORMAT && e.field() == "ImageBase64Front",
               "a GIF (Bytes from std::string): IMAGE_UNSUPPORTED_FORMAT, field ImageBase64Front");
    }
    try {
        tcfaceid::CardRequest bad(std::string_view("HK\0G", 4), "ID_CARD");
        expect(false, "a NUL inside a string_view is refused");
    } catch (const std::invalid_argument &) {
        expect(true, "a NUL inside a string_view: std::invalid_argument before any C call");
    }

    // The service's error: code, service code, RequestId, HTTP status.
    try {
        client_for(env("TCFACEID_TEST_ENDPOINT_RATE_LIMITED")).get_card_verification_result("some-token");
        expect(false, "the rate-limited emulator fails");
    } catch (const tcfaceid::Error &e) {
        expect(e.code() == TCFACEID_RESULT_SERVICE_RATE_LIMITED &&
                   e.service_code().rfind("RequestLimitExceeded", 0) == 0 && !e.request_id().empty() &&
                   e.http_status() == 200 && !e.description().empty(),
               "rate limited: SERVICE_RATE_LIMITED with service code, RequestId, HTTP 200");
    }
    try {
        client_for(env("TCFACEID_TEST_ENDPOINT_HTTP500")).call_json("GetCardVerificationResult");
        expect(false, "the HTTP 500 emulator fails");
    } catch (const tcfaceid::Error &e) {
        expect(e.code() == TCFACEID_RESULT_HTTP_STATUS && e.http_status() == 500, "HTTP 500: HTTP_STATUS, 500");
    }

    // No verdict within the service's polls: the error keeps the (billed) token.
    try {
        client_for(env("TCFACEID_TEST_ENDPOINT_NO_VERDICT")).verify_card(moved);
        expect(false, "no verdict within the polls");
    } catch (const tcfaceid::Error &e) {
        expect(e.code() == TCFACEID_RESULT_POLL_ATTEMPTS_EXHAUSTED && !e.token().empty(),
               "no verdict: POLL_ATTEMPTS_EXHAUSTED with the token");
    }

    // Resume from that token, cancelled from another thread: CANCELLED with the token.
    {
        const std::string endpoint = env("TCFACEID_TEST_ENDPOINT_NO_VERDICT");
        tcfaceid::Client slow = client_for(endpoint);
        const tcfaceid::ApplyResult pending = slow.apply_card_verification(moved);
        const tcfaceid::Cancel cancel;
        const long polls = emulator_counter(endpoint, "result_calls");
        expect(polls >= 0, "the emulator's counters over HTTP");
        long reached = -1;
        // Triggered once the resume's first poll has reached the emulator (then it waits 5 s,
        // the default plan, before the next).
        std::thread canceller([&] {
            reached = emulator_counter(endpoint, "result_calls", polls + 1);
            cancel.trigger();
        });
        try {
            (void)slow.resume(pending.token, std::chrono::minutes(5), &cancel);
            expect(false, "a cancelled resume throws");
        } catch (const tcfaceid::Error &e) {
            // A resume that ran out of polls before the trigger also keeps the token.
            expect((e.code() == TCFACEID_RESULT_CANCELLED || e.code() == TCFACEID_RESULT_POLL_ATTEMPTS_EXHAUSTED) &&
                       e.token() == pending.token,
                   "resume: cancelled (or out of polls) with the token");
        }
        canceller.join();
        expect(reached > polls, "the resume polled before the trigger");
        expect(cancel.triggered(), "the Cancel reports triggered");
    }

    // The request body and any action as JSON.
    tcfaceid::CardRequest url_request("HKG", "ID_CARD");
    url_request.set_url(tcfaceid::Side::Front, "https://example.com/front.jpg")
        .set_url(tcfaceid::Side::Back, "https://example.com/back.jpg");
    expect(url_request.body().find("\"ImageUrlFront\":\"https://example.com/front.jpg\"") != std::string::npos,
           "body() holds ImageUrlFront");
    const std::string json =
        client.call_json("GetCardVerificationResult", "{\"CardVerificationToken\":\"" + applied.token + "\"}");
    expect(json.find("\"Response\"") != std::string::npos, "call_json returns the whole response");

    // A builder is consumed by build(), even when it throws.
    tcfaceid::ClientBuilder builder;
    builder.credentials(env("TCFACEID_TEST_SECRET_ID"), env("TCFACEID_TEST_SECRET_KEY"));
    try {
        builder.region("mars-north-1").build();
        expect(false, "an unknown region is refused");
    } catch (const tcfaceid::Error &e) {
        expect(e.code() == TCFACEID_RESULT_INVALID_REGION, "an unknown region: INVALID_REGION");
    }
    threw = false;
    try {
        builder.build();
    } catch (const std::logic_error &) {
        threw = true;
    }
    expect(threw, "a builder consumed by a failed build() throws std::logic_error");
    std::printf("%s\n", failures == 0 ? "test_hpp: PASSED" : "test_hpp: FAILED");
    return failures == 0 ? 0 : 1;
}
