//! The client-side rate limit against the emulator over loopback: calls from several threads
//! sharing one client are spaced by the limit (a lower bound on the elapsed time, never an
//! upper one), and a bad rate is refused when the client is built.

use std::time::{Duration, Instant};

use tcfaceid::{Client, Credential, ResultCode};
use tcfaceid_emulator::{Emulator, EmulatorConfig, DEMO_SECRET_ID, DEMO_SECRET_KEY};

fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig {
        log: false,
        ..Default::default()
    })
    .unwrap()
}

fn builder(emulator: &Emulator) -> tcfaceid::ClientBuilder {
    Client::builder()
        .endpoint(emulator.endpoint())
        .region("ap-singapore")
        .credential(Credential::new(DEMO_SECRET_ID, DEMO_SECRET_KEY, None).unwrap())
}

#[test]
fn threads_sharing_a_client_share_its_rate_limit() {
    let emulator = emulator();
    // 50 requests/s: 21 calls need at least 20 intervals of 20 ms.
    let client = builder(&emulator)
        .max_requests_per_second(50.0)
        .build()
        .unwrap();
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                for _ in 0..7 {
                    // An unknown token is a service error, but a request all the same.
                    let _ = client.get_card_verification_result("no-such-token");
                }
            });
        }
    });
    assert!(
        start.elapsed() >= Duration::from_millis(400),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(emulator.stats().result_calls, 21);
}

#[test]
fn a_rate_that_is_not_positive_is_refused() {
    let emulator = emulator();
    let error = builder(&emulator)
        .max_requests_per_second(0.0)
        .build()
        .unwrap_err();
    assert_eq!(error.code(), ResultCode::InvalidOption);
}
