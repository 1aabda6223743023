/*
 * The C + OpenSSL reference for the C-ABI signature (make bench, benches/floors.rs): a plain C
 * TC3-HMAC-SHA256 signer of the small ApplyCardVerification body that floors.rs signs, written
 * for speed with OpenSSL 3: SHA-256 and HMAC implementations fetched once, their contexts
 * reused (the one-shot SHA256() and HMAC() fetch them on every call, several times slower),
 * snprintf for the texts, and the day's signing key derived once (the cached-key case). Each
 * signature fills every header value into one malloc'd block, freed after (as a library
 * handing headers out would).
 *
 *   sign_openssl N        time N signatures; prints "<nanoseconds per signature>"
 *   sign_openssl --print  print the Authorization value (floors.rs checks it is the library's)
 *
 * Built by `make bench` with -O2 against libcrypto (libssl-dev).
 */
#define _POSIX_C_SOURCE 200809L

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char SECRET_ID[] = "AKIDbench";
static const char SECRET_KEY[] = "bench-secret-key";
static const char SERVICE[] = "faceid";
static const char HOST[] = "faceid.tencentcloudapi.com";
static const char REGION[] = "ap-singapore";
static const char ACTION[] = "ApplyCardVerification";
static const char VERSION[] = "2018-03-01";
static const long long TIMESTAMP = 1700000000;
static const char DATE[] = "2023-11-14";
static const char BODY[] = "{\"Nationality\":\"IDN\",\"CardType\":\"ID_CARD\","
                           "\"ImageUrlFront\":\"https://example.com/front.jpg\"}";

static void hex(const unsigned char *in, size_t len, char *out) {
    static const char digits[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = '\0';
}

/* SHA-256 and HMAC-SHA256, fetched once; their contexts are reused by every call. */
static EVP_MD *sha256_md;
static EVP_MD_CTX *sha256_ctx;
static EVP_MAC_CTX *hmac_ctx;

static int setup(void) {
    static char digest_name[] = "SHA256";
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    OSSL_PARAM params[2];
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    sha256_ctx = EVP_MD_CTX_new();
    hmac_ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
    EVP_MAC_free(mac);
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0);
    params[1] = OSSL_PARAM_construct_end();
    return sha256_md != NULL && sha256_ctx != NULL && hmac_ctx != NULL &&
           EVP_MAC_CTX_set_params(hmac_ctx, params) == 1;
}

static void sha256(const void *data, size_t len, unsigned char out[32]) {
    EVP_DigestInit_ex2(sha256_ctx, sha256_md, NULL);
    EVP_DigestUpdate(sha256_ctx, data, len);
    EVP_DigestFinal_ex(sha256_ctx, out, NULL);
}

static void hmac(const unsigned char *key, size_t key_len, const char *data, unsigned char out[32]) {
    size_t len = 32;
    EVP_MAC_init(hmac_ctx, key, key_len, NULL);
    EVP_MAC_update(hmac_ctx, (const unsigned char *)data, strlen(data));
    EVP_MAC_final(hmac_ctx, out, &len, 32);
}

/* kSigning for DATE and SERVICE: derived once. */
static void derive_key(unsigned char key[32]) {
    char seed[64];
    unsigned char k_date[32], k_service[32];
    snprintf(seed, sizeof seed, "TC3%s", SECRET_KEY);
    hmac((const unsigned char *)seed, strlen(seed), DATE, k_date);
    hmac(k_date, 32, SERVICE, k_service);
    hmac(k_service, 32, "tc3_request", key);
}

/* One signature: every header value in one malloc'd block (the caller frees it). */
static char *sign(const unsigned char key[32], const char *body, size_t body_len) {
    unsigned char digest[32];
    char payload_hex[65], canonical_hex[65], signature_hex[65];
    char canonical[512], to_sign[256];
    char *headers = malloc(1024);
    if (headers == NULL) {
        return NULL;
    }
    sha256(body, body_len, digest);
    hex(digest, 32, payload_hex);
    snprintf(canonical, sizeof canonical,
             "POST\n/\n\ncontent-type:application/json\nhost:%s\n\ncontent-type;host\n%s", HOST,
             payload_hex);
    sha256(canonical, strlen(canonical), digest);
    hex(digest, 32, canonical_hex);
    snprintf(to_sign, sizeof to_sign, "TC3-HMAC-SHA256\n%lld\n%s/%s/tc3_request\n%s", TIMESTAMP,
             DATE, SERVICE, canonical_hex);
    hmac(key, 32, to_sign, digest);
    hex(digest, 32, signature_hex);
    snprintf(headers, 1024,
             "TC3-HMAC-SHA256 Credential=%s/%s/%s/tc3_request, SignedHeaders=content-type;host, "
             "Signature=%s%c%s%c%s%c%s%c%lld%c%s%c%s",
             SECRET_ID, DATE, SERVICE, signature_hex, 0, "application/json", 0, HOST, 0, ACTION,
             0, TIMESTAMP, 0, VERSION, 0, REGION);
    return headers;
}

int main(int argc, char **argv) {
    unsigned char key[32];
    struct timespec start, end;
    long n, i;
    size_t body_len = strlen(BODY);
    if (!setup()) {
        fprintf(stderr, "sign_openssl: OpenSSL has no SHA256 or HMAC\n");
        return 1;
    }
    derive_key(key);
    if (argc == 2 && strcmp(argv[1], "--print") == 0) {
        char *headers = sign(key, BODY, body_len);
        if (headers == NULL) {
            return 1;
        }
        printf("%s\n", headers);
        free(headers);
        return 0;
    }
    n = argc == 2 ? atol(argv[1]) : 0;
    if (n <= 0) {
        fprintf(stderr, "usage: sign_openssl N | --print\n");
        return 2;
    }
    free(sign(key, BODY, body_len)); /* warm up */
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (i = 0; i < n; i++) {
        char *headers = sign(key, BODY, body_len);
        if (headers == NULL) {
            return 1;
        }
        free(headers);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    printf("%.1f\n", ((double)(end.tv_sec - start.tv_sec) * 1e9 +
                      (double)(end.tv_nsec - start.tv_nsec)) / (double)n);
    return 0;
}
