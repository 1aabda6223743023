"""Python client small calls per second (`make bench` only; issue 11 item 6).

Run by benches/floors.rs, which starts the canned responder and times the C ABI client against
it in turn: ``python_calls.py PORT SECONDS`` prints the calls per second of one
``tcfaceid.Client`` applying a small request (an image URL) in a loop on one thread, after a
warm-up call, against ``http://127.0.0.1:PORT``. With ``--ctypes-floor`` first, the loop makes
only the client's one foreign call (apply, the answer's fields lent into this thread's slots)
and builds no result: what any ctypes binding pays, the floor of the Python client. The library is
found as python-test finds it (TCFACEID_LIBRARY); the package through PYTHONPATH=bindings/python.
"""

import sys
import time

import tcfaceid
from tcfaceid import _ffi, _results


def main() -> None:
    floor = sys.argv[1] == "--ctypes-floor"
    port, seconds = int(sys.argv[1 + floor]), float(sys.argv[2 + floor])
    with tcfaceid.Client(
        secret_id="AKIDbench",
        secret_key="bench-secret-key",
        region="ap-singapore",
        endpoint=f"http://127.0.0.1:{port}",
        timeout=30.0,
    ) as client, tcfaceid.CardRequest("IDN", "ID_CARD", "https://example.com/front.jpg") as request:
        client.apply(request)  # warm up: the connection, the key
        apply = client.apply
        if floor:
            apply_fields = _ffi.bare("tcfaceid_client_apply_card_verification_fields")
            handles, refs = (client._handle(), request._handle()), _results.APPLY_FIELDS.refs

            def apply(_: object) -> None:
                apply_fields(*handles, *refs)

        calls = 0
        begin = time.perf_counter()
        while time.perf_counter() - begin < seconds:
            apply(request)
            calls += 1
        print(calls / (time.perf_counter() - begin))


if __name__ == "__main__":
    main()
