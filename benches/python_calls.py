"""Python client small calls per second (`make bench` only; issue 11 item 6).

Run by benches/floors.rs, which starts the canned responder and times the C ABI client against
it in turn: ``python_calls.py PORT SECONDS`` prints the calls per second of one
``tcfaceid.Client`` applying a small request (an image URL) in a loop on one thread, after a
warm-up call, against ``http://127.0.0.1:PORT``. The library is found as python-test finds it
(TCFACEID_LIBRARY); the package through PYTHONPATH=bindings/python.
"""

import sys
import time

import tcfaceid


def main() -> None:
    port, seconds = int(sys.argv[1]), float(sys.argv[2])
    with tcfaceid.Client(
        secret_id="AKIDbench",
        secret_key="bench-secret-key",
        region="ap-singapore",
        endpoint=f"http://127.0.0.1:{port}",
        timeout=30.0,
    ) as client, tcfaceid.CardRequest("IDN", "ID_CARD", "https://example.com/front.jpg") as request:
        client.apply(request)  # warm up: the connection, the key
        calls = 0
        begin = time.perf_counter()
        while time.perf_counter() - begin < seconds:
            client.apply(request)
            calls += 1
        print(calls / (time.perf_counter() - begin))


if __name__ == "__main__":
    main()
