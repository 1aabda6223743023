#!/usr/bin/env python3
"""Generate tests/c/generated_null_args.c from the prototypes in include/tcfaceid.h.

For every exported function and every pointer parameter, the generated program calls the
function with that parameter NULL and every other parameter valid, and checks:

- a function returning tcfaceid_result returns TCFACEID_RESULT_NULL_ARGUMENT, the last error has
  that code, a message, and the parameter's name as its field, and no output was written;
- a getter (returning a pointer, a number or tcfaceid_status) returns NULL / 0 /
  TCFACEID_STATUS_UNKNOWN with the same last error;
- a void _free function given NULL does nothing and leaves the last error alone;
- a parameter documented as nullable (NULLABLE below) given NULL is accepted (TCFACEID_RESULT_OK);
- a (buffer, length) pair is refused as NULL with a length, and accepted as NULL with length 0.

Functions without pointer parameters are called once (so that every function of the header is
in the program; tests/generated.rs checks that), with the result NO_POINTER_EXPECT gives.

Valid values: a live handle from the right constructor for each handle type (MAKERS), a string
chosen by parameter name (STRINGS, else "x"), a writable output slot holding a sentinel, a byte
buffer with its length, a number chosen by name or type (SCALARS_BY_NAME, SCALARS_BY_TYPE).
The generator fails, naming what is missing, when a new function needs a value it cannot make.

Usage: scripts/gen_null_tests.py [--header PATH] [--output PATH] [--check]
  --check  compare with the existing output instead of writing it; exit 1 when it is stale.
Standard library only. The output is committed; tests/generated.rs regenerates it into a temp
file and fails when the committed one differs.
"""

import argparse
import difflib
import os
import re
import sys
from dataclasses import dataclass
from typing import Dict, List, Optional, Set, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_HEADER = os.path.join(ROOT, "include", "tcfaceid.h")
DEFAULT_OUTPUT = os.path.join(ROOT, "tests", "c", "generated_null_args.c")

# Parameters whose documentation says NULL is allowed, and what such a call must return. Each is
# checked against the header: the function must exist and its doc must name the parameter.
#   tcfaceid_sign, tcfaceid_signer_new token: "NULL or "" for none"; tcfaceid_sign,
#   tcfaceid_signer_sign, tcfaceid_signer_sign_text region: "NULL or "" to omit".
#   tcfaceid_client_builder_set_credentials token: "`token` (temporary credentials) may be NULL".
#   tcfaceid_client_builder_set_credentials_from_profile profile: "NULL: "default"".
NULLABLE: Dict[Tuple[str, str], str] = {
    ("tcfaceid_sign", "token"): "TCFACEID_RESULT_OK",
    ("tcfaceid_sign", "region"): "TCFACEID_RESULT_OK",
    ("tcfaceid_signer_new", "token"): "TCFACEID_RESULT_OK",
    ("tcfaceid_signer_sign", "region"): "TCFACEID_RESULT_OK",
    ("tcfaceid_signer_sign_text", "region"): "TCFACEID_RESULT_OK",
    ("tcfaceid_client_builder_set_credentials", "token"): "TCFACEID_RESULT_OK",
    ("tcfaceid_client_builder_set_credentials_from_profile", "profile"): "TCFACEID_RESULT_OK",
    ("tcfaceid_card_request_set_webhook_url", "url"): "TCFACEID_RESULT_OK",
    ("tcfaceid_verification_result_parse", "token"): "TCFACEID_RESULT_OK",
    # "`cancel` (may be NULL: not cancellable)": the call goes on, to the closed port.
    ("tcfaceid_client_verify_card_cancellable", "cancel"): "TCFACEID_RESULT_TRANSPORT",
    ("tcfaceid_client_resume", "cancel"): "TCFACEID_RESULT_TRANSPORT",
    ("tcfaceid_client_builder_set_credentials_callback", "user_data"): "TCFACEID_RESULT_OK",
    ("tcfaceid_client_builder_set_credentials_cvm_role", "role"): "TCFACEID_RESULT_OK",
}

# Handle types the library only lends to a callback, during the call: no test can make one, so
# the functions taking one are left out here and tested where named.
LENT_HANDLES: Dict[str, str] = {
    "tcfaceid_credentials_sink": "tests/c/test_credentials.c, inside the callback",
}

# Handle parameters that a function takes ownership of, even when it fails: the test must not
# free them afterwards. ("The builder is consumed (freed) whether or not this succeeds".)
CONSUMED: Set[Tuple[str, str]] = {
    ("tcfaceid_client_builder_build", "builder"),
}

# What a function without pointer parameters returns when called with the default arguments,
# right after set_known_last_error() made the last error TCFACEID_RESULT_NULL_ARGUMENT (only for
# functions returning tcfaceid_result; others are just called, and a `const char *` result must
# not be NULL).
NO_POINTER_EXPECT: Dict[str, str] = {
    # The last error's code: the known one.
    "tcfaceid_last_error_code": "TCFACEID_RESULT_NULL_ARGUMENT",
}

# Valid strings by parameter name, as C expressions; any other `const char *` gets "x".
STRINGS: Dict[str, str] = {
    "action": '"GetCardVerificationResult"',
    "base64": '"iVBORw0KGgo="',
    "card_type": '"ID_CARD"',
    "json": '"{\\"Response\\":{\\"Status\\":\\"PROCESSING\\",\\"RequestId\\":\\"r\\"}}"',
    "code": "\"ScreenshotSuspected\"",
    "endpoint": "CLOSED_ENDPOINT",
    "host": '"faceid.tencentcloudapi.com"',
    "json_body": '"{}"',
    "language": '"en-US"',
    "name": '"Authorization"',
    "nationality": '"IDN"',
    "path": '"/nonexistent/tcfaceid/file"',
    "profile": '"default"',
    "proxy": '"http://127.0.0.1:3128"',
    "region": '"ap-singapore"',
    "secret_id": "SECRET_ID",
    "secret_key": "SECRET_KEY",
    "service": '"faceid"',
    "token": '"session-token"',
    "url": '"https://example.com/front.jpg"',
    "version": '"2018-03-01"',
}

SCALARS_BY_NAME: Dict[str, str] = {
    "side": "TCFACEID_SIDE_FRONT",
    "max_attempts": "1",
    "timestamp": "1700000000",
    "code": "TCFACEID_RESULT_OK",
}

SCALARS_BY_TYPE: Dict[str, str] = {
    "bool": "true",
    "int32_t": "1",
    "int64_t": "0",
    "size_t": "0",
    "uint16_t": "0",
    "uint32_t": "0",
    "uint64_t": "1000",
    # Never called: the builders it is set on are freed, not built.
    "tcfaceid_credentials_callback": "null_test_credentials_callback",
}

# C code of a constructor per handle type: a function `make_<type without tcfaceid_>` returning
# a live handle (or NULL after a failed check). Freed with tcfaceid_<type>_free.
MAKERS: Dict[str, str] = {
    "tcfaceid_client_builder": """\
static struct tcfaceid_client_builder *make_client_builder(void) {
    struct tcfaceid_client_builder *builder = NULL;
    CHECK(tcfaceid_client_builder_new(&builder) == TCFACEID_RESULT_OK && builder != NULL);
    return builder;
}
""",
    "tcfaceid_client": """\
/* A client for a closed loopback port: the calls below never get as far as the network, or
 * (a nullable argument left NULL) end at once with TCFACEID_RESULT_TRANSPORT: one attempt, no
 * retries, so the outcome does not depend on how fast the machine runs the backoff. */
static struct tcfaceid_client *make_client(void) {
    struct tcfaceid_client_builder *builder = make_client_builder();
    struct tcfaceid_client *client = NULL;
    CHECK(tcfaceid_client_builder_set_credentials(builder, SECRET_ID, SECRET_KEY, NULL) ==
          TCFACEID_RESULT_OK);
    CHECK(tcfaceid_client_builder_set_region(builder, "ap-singapore") == TCFACEID_RESULT_OK);
    CHECK(tcfaceid_client_builder_set_endpoint(builder, CLOSED_ENDPOINT) == TCFACEID_RESULT_OK);
    CHECK(tcfaceid_client_builder_set_retries(builder, 1, 1, 1) == TCFACEID_RESULT_OK);
    CHECK(tcfaceid_client_builder_build(builder, &client) == TCFACEID_RESULT_OK && client != NULL);
    return client;
}
""",
    "tcfaceid_card_request": """\
static struct tcfaceid_card_request *make_card_request(void) {
    struct tcfaceid_card_request *request = NULL;
    CHECK(tcfaceid_card_request_new("IDN", "ID_CARD", &request) == TCFACEID_RESULT_OK &&
          request != NULL);
    CHECK(tcfaceid_card_request_set_url(request, TCFACEID_SIDE_FRONT,
                                        "https://example.com/front.jpg") == TCFACEID_RESULT_OK);
    return request;
}
""",
    "tcfaceid_verification_result": """\
static struct tcfaceid_verification_result *make_verification_result(void) {
    struct tcfaceid_verification_result *result = NULL;
    CHECK(tcfaceid_verification_result_parse(
              "{\\"Response\\":{\\"Status\\":\\"COMPLETED\\",\\"CardInfo\\":{\\"FullName\\":\\"A\\"},"
              "\\"HeadImageBase64\\":\\"iVBORw0KGgo=\\",\\"RequestId\\":\\"r\\"}}",
              NULL, &result) == TCFACEID_RESULT_OK &&
          result != NULL);
    return result;
}
""",
    "tcfaceid_apply_response": """\
/* An apply answered by the emulator that scripts/with-emulator.sh started
 * (TCFACEID_TEST_ENDPOINT; without it the check fails and NULL is returned). */
static struct tcfaceid_apply_response *make_apply_response(void) {
    const char *endpoint = getenv("TCFACEID_TEST_ENDPOINT");
    struct tcfaceid_client_builder *builder = NULL;
    struct tcfaceid_client *client = NULL;
    struct tcfaceid_card_request *request = NULL;
    struct tcfaceid_apply_response *response = NULL;
    if (!CHECK(endpoint != NULL)) {
        return NULL;
    }
    builder = make_client_builder();
    CHECK(tcfaceid_client_builder_set_credentials(builder, SECRET_ID, SECRET_KEY, NULL) ==
          TCFACEID_RESULT_OK);
    CHECK(tcfaceid_client_builder_set_region(builder, "ap-singapore") == TCFACEID_RESULT_OK);
    CHECK(tcfaceid_client_builder_set_endpoint(builder, endpoint) == TCFACEID_RESULT_OK);
    CHECK(tcfaceid_client_builder_build(builder, &client) == TCFACEID_RESULT_OK && client != NULL);
    request = make_card_request();
    CHECK(tcfaceid_client_apply_card_verification(client, request, &response) ==
              TCFACEID_RESULT_OK &&
          response != NULL);
    tcfaceid_card_request_free(request);
    tcfaceid_client_free(client);
    return response;
}
""",
    "tcfaceid_cancel": """\
static struct tcfaceid_cancel *make_cancel(void) {
    struct tcfaceid_cancel *cancel = NULL;
    CHECK(tcfaceid_cancel_new(&cancel) == TCFACEID_RESULT_OK && cancel != NULL);
    return cancel;
}
""",
    "tcfaceid_signed_headers": """\
static struct tcfaceid_signed_headers *make_signed_headers(void) {
    struct tcfaceid_signed_headers *headers = NULL;
    CHECK(tcfaceid_sign(SECRET_ID, SECRET_KEY, NULL, "faceid", "faceid.tencentcloudapi.com",
                        "ap-singapore", "GetCardVerificationResult", "2018-03-01", 1700000000,
                        BYTES, sizeof BYTES, &headers) == TCFACEID_RESULT_OK &&
          headers != NULL);
    return headers;
}
""",
    "tcfaceid_signer": """\
static struct tcfaceid_signer *make_signer(void) {
    struct tcfaceid_signer *signer = NULL;
    CHECK(tcfaceid_signer_new(SECRET_ID, SECRET_KEY, NULL, "faceid", &signer) ==
              TCFACEID_RESULT_OK &&
          signer != NULL);
    return signer;
}
""",
}

PREAMBLE = """\
/*
 * GENERATED by scripts/gen_null_tests.py from include/tcfaceid.h. Do not edit: change the
 * generator and run `python3 scripts/gen_null_tests.py` (tests/generated.rs fails when this file
 * is stale or misses a function of the header).
 *
 * Every exported function is called with NULL in each pointer parameter in turn, every other
 * parameter valid: a tcfaceid_result function gives TCFACEID_RESULT_NULL_ARGUMENT naming the
 * parameter and writes no output; a getter gives NULL / 0 / TCFACEID_STATUS_UNKNOWN with that
 * last error; _free(NULL) does nothing and keeps the last error; a documented nullable parameter
 * is accepted; a (buffer, length) pair may be NULL only with length 0. It must run clean under
 * valgrind --leak-check=full. Ends with "N passed, M failed".
 */
#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcfaceid.h"

#include "check.h"

static const char SECRET_ID[] = "AKIDTCFACEIDEMULATOR0000000000000000";
static const char SECRET_KEY[] = "tcfaceid-emulator-demo-secret-key";
/* Nothing listens there; no call below gets as far as connecting anyway. */
static const char CLOSED_ENDPOINT[] = "http://127.0.0.1:1";

/* A valid byte buffer: the PNG signature and IHDR of a 1 x 1 image. */
static const uint8_t BYTES[] = {0x89, 'P', 'N', 'G', '\\r', '\\n', 0x1a, '\\n', 0, 0, 0, 13,
                                'I',  'H', 'D', 'R', 0,     0,     0,    1,     0, 0, 0, 1,
                                8,    2,   0,   0,   0,     0,     0,    0,     0};

/* Written into every output slot first: a failed call must leave it there. */
#define SENTINEL ((void *)(uintptr_t)0x5A5A)
#define SCALAR_SENTINEL 0x5A5A

/* The last error is NULL_ARGUMENT for `parameter`. */
static void check_null_argument(const char *function, const char *parameter, int line) {
    int ok = tcfaceid_last_error_code() == TCFACEID_RESULT_NULL_ARGUMENT &&
             str_nonempty(tcfaceid_last_error_message()) &&
             str_eq(tcfaceid_last_error_field(), parameter);
    if (!check_true(ok, "the last error names the NULL parameter", __FILE__, line)) {
        fprintf(stderr, "  %s(%s = NULL): last error %u, field \\"%s\\": %s\\n", function,
                parameter, (unsigned)tcfaceid_last_error_code(), tcfaceid_last_error_field(),
                tcfaceid_last_error_message());
    }
}

/* Check a result code, printing the last error when it is not `want`. */
static void check_result(tcfaceid_result got, tcfaceid_result want, const char *what, int line) {
    if (!check_true(got == want, what, __FILE__, line)) {
        fprintf(stderr, "  got %u (%s), want %u (%s); last error field \\"%s\\": %s\\n",
                (unsigned)got, tcfaceid_result_str(got), (unsigned)want, tcfaceid_result_str(want),
                tcfaceid_last_error_field(), tcfaceid_last_error_message());
    }
}

/* Make the last error a known one, to see that a call leaves it alone. */
static void set_known_last_error(void) {
    struct tcfaceid_card_request *request = NULL;
    CHECK(tcfaceid_card_request_new(NULL, "ID_CARD", &request) == TCFACEID_RESULT_NULL_ARGUMENT);
}

/* Valid user data and callback for tcfaceid_client_builder_set_credentials_callback. */
static int USER_DATA;

static int32_t null_test_credentials_callback(void *user_data,
                                              struct tcfaceid_credentials_sink *sink) {
    (void)user_data;
    (void)sink;
    return 1;
}

static void check_known_last_error(const char *what, int line) {
    check_true(tcfaceid_last_error_code() == TCFACEID_RESULT_NULL_ARGUMENT &&
                   str_eq(tcfaceid_last_error_field(), "nationality"),
               what, __FILE__, line);
}
"""


@dataclass
class Param:
    ctype: str  # e.g. "const struct tcfaceid_client *"
    name: str

    @property
    def depth(self) -> int:
        return self.ctype.count("*")

    @property
    def base(self) -> str:
        """The type without const, struct and stars, e.g. "tcfaceid_client"."""
        words = self.ctype.replace("*", " ").split()
        return " ".join(w for w in words if w not in ("const", "struct"))

    @property
    def is_pointer(self) -> bool:
        return self.depth > 0


@dataclass
class Function:
    ret: str
    name: str
    params: List[Param]
    doc: str
    line: int
    guard: str = ""  # the macro of an enclosing `#if defined(TCFACEID_...)`, if any

    @property
    def pointer_params(self) -> List[Param]:
        return [p for p in self.params if p.is_pointer]


def strip_comments_keep_docs(text: str) -> Tuple[str, Dict[int, str]]:
    """Blank out comments and preprocessor lines (keeping line numbers); return the doc comment
    text that ends right before each line."""
    docs: Dict[int, str] = {}
    out = []
    i = 0
    line = 1
    pending_doc: Optional[str] = None
    while i < len(text):
        if text.startswith("/*", i):
            end = text.index("*/", i + 2) + 2
            comment = text[i:end]
            pending_doc = comment
            line += comment.count("\n")
            out.append("\n" * comment.count("\n"))
            i = end
            continue
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            out.append(" ")
            i = end
            continue
        ch = text[i]
        if ch == "#" and (i == 0 or text[i - 1] == "\n"):
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            i = end
            continue
        if ch == "\n":
            line += 1
        elif not ch.isspace() and pending_doc is not None:
            docs[line] = pending_doc
            pending_doc = None
        out.append(ch)
        i += 1
    return "".join(out), docs


PROTOTYPE = re.compile(
    r"(?P<ret>[A-Za-z_][\w \t*]*?)\s*\b(?P<name>tcfaceid_\w+)\s*\((?P<params>[^()]*)\)\s*;"
)


def norm_type(text: str, where: str) -> str:
    """A C type in one spelling: words separated by one space, the stars last and together,
    e.g. "const struct tcfaceid_client *" or "char **"."""
    words = text.replace("*", " * ").split()
    stars = words.count("*")
    if stars and words[-stars:] != ["*"] * stars:
        raise SystemExit(f"{where}: unsupported type {text!r} (a qualifier after a '*')")
    base = " ".join(w for w in words if w != "*")
    return base + (" " + "*" * stars if stars else "")


def feature_guards(text: str) -> List[str]:
    """For each line (0-based), the macro X of the innermost enclosing `#if defined(X)` whose X
    starts with TCFACEID_ (functions built only with a cargo feature), else ""."""
    stack: List[str] = []
    out = []
    for source_line in text.split("\n"):
        directive = source_line.strip()
        if directive.startswith("#if"):
            m = re.match(r"#if defined\((TCFACEID_\w+)\)$", directive)
            stack.append(m.group(1) if m else "")
        elif directive.startswith("#endif") and stack:
            stack.pop()
        out.append(next((g for g in reversed(stack) if g), ""))
    return out


def parse_header(path: str) -> List[Function]:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    code, docs = strip_comments_keep_docs(text)
    guards = feature_guards(text)
    functions = []
    for m in PROTOTYPE.finditer(code):
        line = code.count("\n", 0, m.start("ret")) + 1
        where = f"{path}:{line}"
        ret = norm_type(m.group("ret"), where)
        params: List[Param] = []
        raw = " ".join(m.group("params").split())
        if raw and raw != "void":
            for part in raw.split(","):
                pm = re.match(r"^(?P<type>.*?[\s*])(?P<name>\w+)$", part.strip())
                if not pm:
                    raise SystemExit(f"{where}: cannot parse parameter {part!r}")
                ctype = norm_type(pm.group("type"), where)
                params.append(Param(ctype=ctype, name=pm.group("name")))
        functions.append(
            Function(ret=ret, name=m.group("name"), params=params, doc=docs.get(line, ""),
                     line=line, guard=guards[line - 1])
        )
    if not functions:
        raise SystemExit(f"{path}: no prototypes found")
    names = [f.name for f in functions]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SystemExit(f"{path}: declared twice: {', '.join(duplicates)}")
    return functions


class Generator:
    def __init__(self, functions: List[Function]):
        self.functions = functions
        self.by_name = {f.name: f for f in functions}
        self.needed_makers: Set[str] = set()
        self.cases = 0
        self.check_tables()

    def check_tables(self) -> None:
        for (fname, pname) in list(NULLABLE) + sorted(CONSUMED):
            function = self.by_name.get(fname)
            if function is None:
                raise SystemExit(f"gen_null_tests.py: {fname} (in a table) is not in the header")
            if pname not in [p.name for p in function.params]:
                raise SystemExit(f"gen_null_tests.py: {fname} has no parameter {pname}")
        for (fname, pname) in NULLABLE:
            doc = self.by_name[fname].doc
            if f"`{pname}`" not in doc or "NULL" not in doc:
                raise SystemExit(
                    f"gen_null_tests.py: the doc of {fname} does not say `{pname}` may be NULL"
                )
        for fname in NO_POINTER_EXPECT:
            if fname not in self.by_name:
                raise SystemExit(
                    f"gen_null_tests.py: {fname} (NO_POINTER_EXPECT) is not in the header"
                )

    # --- values -------------------------------------------------------------------------------

    def free_function(self, base: str) -> str:
        name = "tcfaceid_string_free" if base == "char" else f"{base}_free"
        if name not in self.by_name:
            raise SystemExit(f"gen_null_tests.py: no {name} in the header to free a {base}")
        return name

    def maker(self, base: str, function: Function, param: Param) -> str:
        if base not in MAKERS:
            raise SystemExit(
                f"gen_null_tests.py: {function.name} needs a valid {base} for `{param.name}`: "
                f"add a constructor to MAKERS"
            )
        self.needed_makers.add(base)
        if base in ("tcfaceid_client", "tcfaceid_apply_response"):
            self.needed_makers.add("tcfaceid_client_builder")
        if base == "tcfaceid_apply_response":
            self.needed_makers.add("tcfaceid_card_request")
        return f"make_{base[len('tcfaceid_'):]}"

    def buffer_length(self, function: Function, index: int) -> Optional[Param]:
        """The length parameter that follows a byte buffer, if `index` is one."""
        param = function.params[index]
        if param.base != "uint8_t" or param.depth != 1:
            return None
        if index + 1 >= len(function.params):
            raise SystemExit(f"{function.name}: buffer `{param.name}` has no length after it")
        length = function.params[index + 1]
        if length.base != "size_t" or length.is_pointer:
            raise SystemExit(f"{function.name}: buffer `{param.name}` is not followed by a size_t")
        return length

    def scalar(self, param: Param, function: Function) -> str:
        if param.name in SCALARS_BY_NAME:
            return SCALARS_BY_NAME[param.name]
        if param.base in SCALARS_BY_TYPE:
            return SCALARS_BY_TYPE[param.base]
        raise SystemExit(
            f"gen_null_tests.py: {function.name}: no value for `{param.name}` of type {param.ctype}"
        )

    # --- one call -----------------------------------------------------------------------------

    def case(
        self, function: Function, null: Optional[Param], null_len_zero: bool = False
    ) -> List[str]:
        """The C statements of one call: set up every argument, call, check, clean up.

        `null` is the parameter passed as NULL (None: none). With `null_len_zero`, `null` is a
        byte buffer passed as NULL with length 0."""
        decls: List[str] = []
        args: List[str] = []
        frees: List[str] = []  # handles made here, freed at the end
        outs: List[Tuple[str, Param]] = []  # output slots
        scalar_outs: List[Tuple[str, Param]] = []  # number output slots (e.g. a length)
        lengths: Dict[str, str] = {}
        params = function.params
        for index, param in enumerate(params):
            if param.name in lengths:
                args.append(lengths[param.name])
                continue
            length = self.buffer_length(function, index)
            if param is null:
                args.append("NULL")
                if length is not None:
                    lengths[length.name] = "0" if null_len_zero else "sizeof BYTES"
                continue
            if length is not None:
                args.append("BYTES")
                lengths[length.name] = "sizeof BYTES"
                continue
            if not param.is_pointer:
                args.append(self.scalar(param, function))
                continue
            base = param.base
            var = f"{param.name}_value"
            if param.depth == 2:
                if not is_borrowed_output(param):
                    self.free_function(base)  # an owned output must have a free function
                pointee = "char" if base == "char" else f"struct {base}"
                const = "const " if is_borrowed_output(param) else ""
                decls.append(f"{const}{pointee} *{var} = SENTINEL;")
                args.append(f"&{var}")
                outs.append((var, param))
            elif base == "char":
                if param.ctype.startswith("const"):
                    args.append(STRINGS.get(param.name, '"x"'))
                else:
                    raise SystemExit(f"{function.name}: a non-const char * input `{param.name}`")
            elif param.depth == 1 and base in SCALARS_BY_TYPE and not param.ctype.startswith("const"):
                decls.append(f"{base} {var} = SCALAR_SENTINEL;")
                args.append(f"&{var}")
                scalar_outs.append((var, param))
            elif base == "void":
                args.append("&USER_DATA")
            elif base.startswith("tcfaceid_"):
                maker = self.maker(base, function, param)
                decls.append(f"struct {base} *{var} = {maker}();")
                args.append(var)
                if (function.name, param.name) not in CONSUMED:
                    frees.append(f"{self.free_function(base)}({var});")
            else:
                raise SystemExit(
                    f"gen_null_tests.py: {function.name}: no valid value for `{param.name}` "
                    f"({param.ctype})"
                )
        lines = decls[:]
        if null is None or function.ret == "void":
            lines.append("set_known_last_error();")
        what = function.name
        if null is not None:
            what += f"({null.name} = NULL{', length 0' if null_len_zero else ''})"
        expect_ok = null is not None and (null_len_zero or (function.name, null.name) in NULLABLE)
        if function.ret == "tcfaceid_result":
            if null is None:
                want = NO_POINTER_EXPECT.get(function.name)
                if want is None:
                    raise SystemExit(
                        f"gen_null_tests.py: {function.name} has no pointer parameter: add its "
                        f"result to NO_POINTER_EXPECT"
                    )
            elif expect_ok:
                want = NULLABLE.get((function.name, null.name), "TCFACEID_RESULT_OK")
            else:
                want = "TCFACEID_RESULT_NULL_ARGUMENT"
            lines += wrap_call("tcfaceid_result got = ", function.name, args, ";")
            lines += wrap_call("", "check_result", ["got", want, c_string(what), "__LINE__"], ";")
            if null is not None and want == "TCFACEID_RESULT_NULL_ARGUMENT":
                lines += self.null_argument_check(function, null)
            else:
                lines.append(f"CHECK(tcfaceid_last_error_code() == {want});")
            wrote_outputs = want == "TCFACEID_RESULT_OK"
        elif function.ret == "void":
            lines += wrap_call("", function.name, args, ";")
            if null is not None:
                lines += wrap_call("", "check_known_last_error",
                                   [c_string(what + " keeps the last error"), "__LINE__"], ";")
            wrote_outputs = False
        else:
            lines += wrap_call(f"{function.ret}{'' if function.ret.endswith('*') else ' '}got = ",
                               function.name, args, ";")
            if null is None:
                lines.append("CHECK(got != NULL);" if function.ret.endswith("*") else "(void)got;")
            else:
                zero = "NULL" if function.ret.endswith("*") else "0"
                if function.ret == "tcfaceid_status":
                    zero = "TCFACEID_STATUS_UNKNOWN"
                lines.append(f"CHECK(got == {zero});")
                lines += self.null_argument_check(function, null)
            wrote_outputs = False
        for var, param in outs:
            if wrote_outputs:
                lines.append(f"CHECK({var} != SENTINEL); /* {param.name} written */")
                if not is_borrowed_output(param):
                    lines.append(f"if ({var} != SENTINEL) {{")
                    lines.append(f"    {self.free_function(param.base)}({var});")
                    lines.append("}")
            else:
                lines.append(f"CHECK({var} == SENTINEL); /* {param.name} untouched */")
        for var, param in scalar_outs:
            op = "!=" if wrote_outputs else "=="
            lines.append(f"CHECK({var} {op} SCALAR_SENTINEL); /* {param.name} "
                         f"{'written' if wrote_outputs else 'untouched'} */")
        lines += frees
        self.cases += 1
        return lines

    @staticmethod
    def null_argument_check(function: Function, null: Param) -> List[str]:
        return wrap_call("", "check_null_argument",
                         [c_string(function.name), c_string(null.name), "__LINE__"], ";")

    def function_test(self, function: Function) -> List[str]:
        out = [f"static void test_{function.name[len('tcfaceid_'):]}(void) {{"]
        blocks: List[Tuple[str, List[str]]] = []
        pointers = function.pointer_params
        if not pointers:
            blocks.append(("no pointer parameter: called once", self.case(function, None)))
        for index, param in enumerate(function.params):
            if not param.is_pointer:
                continue
            if function.ret == "void":
                label = f"{param.name} = NULL: does nothing"
            elif (function.name, param.name) in NULLABLE:
                label = f"{param.name} = NULL: documented as nullable"
            else:
                label = f"{param.name} = NULL"
            blocks.append((label, self.case(function, param)))
            if self.buffer_length(function, index) is not None:
                blocks.append(
                    (f"{param.name} = NULL with length 0: an empty buffer",
                     self.case(function, param, null_len_zero=True))
                )
        for i, (label, lines) in enumerate(blocks):
            if i:
                out.append("")
            out.append(f"    /* {label} */")
            out.append("    {")
            out += [f"        {line}" if line else "" for line in lines]
            out.append("    }")
        out.append("}")
        return out

    def generate(self) -> str:
        lent = [f for f in self.functions if any(p.base in LENT_HANDLES for p in f.params)]
        self.functions = [f for f in self.functions if f not in lent]
        tests = [self.function_test(f) for f in self.functions]
        out = [PREAMBLE]
        out.append("/* Constructors of valid handles, one per handle type a test needs. */")
        order = ["tcfaceid_client_builder", "tcfaceid_client", "tcfaceid_card_request",
                 "tcfaceid_signed_headers"]
        for base in order + sorted(set(MAKERS) - set(order)):
            if base in self.needed_makers:
                out.append(MAKERS[base])
        for f, test in zip(self.functions, tests):
            if f.guard:
                out.append(f"#if defined({f.guard})")
            out.append("\n".join(test) + "\n")
            if f.guard:
                out.append("#endif")
        out.append("int main(void) {")
        out.append(f"    /* {len(self.functions)} functions, {self.cases} calls. */")
        for f in lent:
            where = next(LENT_HANDLES[p.base] for p in f.params if p.base in LENT_HANDLES)
            out.append(f"    /* {f.name}: tested in {where}. */")
        for f in self.functions:
            if f.guard:
                out.append(f"#if defined({f.guard})")
            out.append(f"    test_{f.name[len('tcfaceid_'):]}();")
            if f.guard:
                out.append("#endif")
        out.append("    /* After all of that (a panic included), the library still works. */")
        out.append("    {")
        out.append("        struct tcfaceid_card_request *request = make_card_request();")
        out.append("        CHECK(tcfaceid_card_request_validate(request) == TCFACEID_RESULT_OK);")
        out.append("        tcfaceid_card_request_free(request);")
        out.append("    }")
        out.append("    return check_summary();")
        out.append("}")
        if "tcfaceid_card_request" not in self.needed_makers:
            raise SystemExit("gen_null_tests.py: main() needs make_card_request")
        return "\n".join(out) + "\n"


def is_borrowed_output(param: Param) -> bool:
    """A `const char **` output: a string borrowed from a handle, never freed by the caller."""
    return param.depth == 2 and param.ctype.startswith("const")


def c_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def wrap_call(head: str, name: str, args: List[str], tail: str, width: int = 92) -> List[str]:
    """`head name(args)tail`, broken after commas when longer than `width`: the arguments packed
    and aligned after the parenthesis or, when that is still too wide, on lines of their own
    indented by four."""
    one = f"{head}{name}({', '.join(args)}){tail}"
    if len(one) <= width:
        return [one]
    opening = f"{head}{name}("
    for aligned in (True, False):
        indent = " " * len(opening) if aligned else "    "
        lines: List[str] = [] if aligned else [opening]
        line_start = opening if aligned else indent
        current = line_start
        for i, arg in enumerate(args):
            piece = arg + (", " if i + 1 < len(args) else f"){tail}")
            if current != line_start and len(current) + len(piece.rstrip()) > width:
                lines.append(current.rstrip())
                current = line_start = indent
            current += piece
        lines.append(current.rstrip())
        if all(len(line) <= width for line in lines):
            break
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--header", default=DEFAULT_HEADER)
    parser.add_argument("--output", default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true",
                        help="fail (exit 1) when the output differs instead of writing it")
    args = parser.parse_args()
    text = Generator(parse_header(args.header)).generate()
    if args.check:
        try:
            with open(args.output, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = ""
        if current != text:
            sys.stdout.writelines(difflib.unified_diff(
                current.splitlines(True), text.splitlines(True), args.output, "generated"))
            print(f"{args.output} is stale: run scripts/gen_null_tests.py", file=sys.stderr)
            return 1
        return 0
    with open(args.output, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
