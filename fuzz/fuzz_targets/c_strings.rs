//! Every `const char*` input of the C ABI, fed NUL-terminated fuzzed bytes (invalid UTF-8
//! included): the card request functions, `tcfaceid_sign` and its headers, and every client
//! builder setter up to `_build` (no call is sent: nothing here touches the network or reads a
//! file named by the input).
//!
//! Checks: no panic reaches the boundary (TCFACEID_RESULT_PANIC is a failure); a string that is
//! not UTF-8 gives TCFACEID_RESULT_INVALID_UTF8; a failed call leaves its output NULL and its
//! code as the last error, whose texts are readable C strings; every handle is freed once.
//!
//! Input layout: byte 0 picks options (which optional pointers are NULL, the side, the
//! "allow unknown codes" flag); bytes 1..9 are a timestamp; the rest splits at NUL bytes into
//! up to 13 strings (missing ones are empty).
#![no_main]

use std::ffi::{c_char, CStr, CString};
use std::ptr;

use libfuzzer_sys::fuzz_target;
use tcfaceid::capi::card_request::*;
use tcfaceid::capi::client::*;
use tcfaceid::capi::error::*;
use tcfaceid::capi::sign::*;
use tcfaceid::capi::string::tcfaceid_string_free;
use tcfaceid::ResultCode;

/// Check a call's code against the last error, and that the last error's texts are readable.
fn after(code: ResultCode) {
    assert_ne!(
        code,
        ResultCode::Panic,
        "a panic was caught at the C boundary"
    );
    assert_eq!(tcfaceid_last_error_code(), code);
    for text in [
        tcfaceid_last_error_message(),
        tcfaceid_last_error_field(),
        tcfaceid_last_error_service_code(),
        tcfaceid_last_error_request_id(),
    ] {
        assert!(!text.is_null());
        // SAFETY: never NULL (checked), NUL-terminated and valid until the next call.
        let _ = unsafe { CStr::from_ptr(text) }.to_bytes().len();
    }
    if code != ResultCode::Ok {
        // SAFETY: a static string for any number.
        let described = unsafe { CStr::from_ptr(tcfaceid_result_str(code as u32)) };
        assert!(!described.to_bytes().is_empty());
    }
}

fn expect_utf8(code: ResultCode, strings: &[&CString]) {
    if strings
        .iter()
        .any(|s| std::str::from_utf8(s.as_bytes()).is_err())
    {
        assert_eq!(code, ResultCode::InvalidUtf8);
    } else {
        assert_ne!(code, ResultCode::InvalidUtf8);
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 9 {
        return;
    }
    let options = data[0];
    let timestamp = i64::from_le_bytes(data[1..9].try_into().unwrap());
    let mut parts: Vec<CString> = data[9..]
        .split(|b| *b == 0)
        .take(13)
        .map(|p| CString::new(p).unwrap())
        .collect();
    parts.resize(13, CString::default());
    let p = |i: usize| parts[i].as_ptr();
    let maybe = |bit: u8, i: usize| -> *const c_char {
        if options & bit != 0 {
            ptr::null()
        } else {
            p(i)
        }
    };
    let side = u32::from(options >> 6); // 0 front, 1 back, 2 and 3 invalid

    // SAFETY: every pointer is NULL or a NUL-terminated string alive for the whole block; out
    // pointers are ours; every handle made is freed exactly once.
    unsafe {
        // The card request.
        let mut request = ptr::null_mut();
        let code = tcfaceid_card_request_new(p(0), p(1), &mut request);
        after(code);
        expect_utf8(code, &[&parts[0], &parts[1]]);
        if code == ResultCode::Ok {
            after(tcfaceid_card_request_set_nationality(request, p(1)));
            after(tcfaceid_card_request_set_card_type(request, p(0)));
            after(tcfaceid_card_request_set_allow_unknown_codes(
                request,
                options & 1 == 1,
            ));
            let code = tcfaceid_card_request_set_url(request, side, p(2));
            after(code);
            let code = tcfaceid_card_request_set_image_base64(request, side ^ 1, p(3));
            after(code);
            let bytes = parts[4].as_bytes();
            after(tcfaceid_card_request_set_image_bytes(
                request,
                side,
                bytes.as_ptr(),
                bytes.len(),
            ));
            after(tcfaceid_card_request_validate(request));
            let (mut json, mut json_len) = (ptr::null_mut(), 0);
            let code = tcfaceid_card_request_body(request, &mut json, &mut json_len);
            after(code);
            if code == ResultCode::Ok {
                let body = CStr::from_ptr(json).to_str().expect("the body is UTF-8");
                assert_eq!(body.len(), json_len);
                serde_json::from_str::<serde_json::Value>(body).expect("the body is JSON");
                tcfaceid_string_free(json);
            } else {
                assert!(json.is_null());
            }
            after(tcfaceid_card_request_clear_side(request, side));
            tcfaceid_card_request_free(request);
        } else {
            assert!(request.is_null());
        }

        // Signing alone.
        let body = parts[3].as_bytes();
        let mut headers = ptr::null_mut();
        let code = tcfaceid_sign(
            p(4),
            p(5),
            maybe(2, 6),
            p(12),
            p(7),
            maybe(4, 8),
            p(9),
            p(10),
            timestamp,
            body.as_ptr(),
            body.len(),
            &mut headers,
        );
        after(code);
        let mut checked = vec![
            &parts[4], &parts[5], &parts[12], &parts[7], &parts[9], &parts[10],
        ];
        if options & 2 == 0 {
            checked.push(&parts[6]);
        }
        if options & 4 == 0 {
            checked.push(&parts[8]);
        }
        expect_utf8(code, &checked);
        if code == ResultCode::Ok {
            let count = tcfaceid_signed_headers_count(headers);
            assert!(count >= 6);
            for i in 0..count {
                let name = tcfaceid_signed_headers_name(headers, i);
                let value = tcfaceid_signed_headers_value(headers, i);
                assert!(!name.is_null() && !value.is_null());
                let value_bytes = CStr::from_ptr(value).to_bytes();
                assert!(!value_bytes.iter().any(|b| *b == b'\r' || *b == b'\n'));
                assert_eq!(tcfaceid_signed_headers_get(headers, name), value);
            }
            assert!(tcfaceid_signed_headers_name(headers, count).is_null());
            tcfaceid_signed_headers_free(headers);
        } else {
            assert!(headers.is_null());
        }

        // The client builder, up to build (which checks everything but sends nothing).
        let mut builder = ptr::null_mut();
        after(tcfaceid_client_builder_new(&mut builder));
        let code = tcfaceid_client_builder_set_credentials(builder, p(4), p(5), maybe(2, 6));
        after(code);
        after(tcfaceid_client_builder_set_region(builder, p(8)));
        after(tcfaceid_client_builder_set_endpoint(builder, p(11)));
        after(tcfaceid_client_builder_set_language(builder, p(10)));
        if options & 8 != 0 {
            after(tcfaceid_client_builder_set_proxy(builder, p(7)));
        }
        after(tcfaceid_client_builder_set_connect_timeout_ms(
            builder,
            timestamp as u64 % 4_000_000,
        ));
        after(tcfaceid_client_builder_set_timeout_ms(
            builder,
            (timestamp >> 8) as u64,
        ));
        after(tcfaceid_client_builder_set_max_response_bytes(
            builder,
            timestamp as u64,
        ));
        after(tcfaceid_client_builder_set_retries(
            builder,
            u32::from(options & 0x0f),
            (timestamp & 0xffff) as u64,
            (timestamp >> 16 & 0xffff) as u64,
        ));
        after(tcfaceid_client_builder_set_clock_offset_secs(
            builder, timestamp,
        ));
        if code != ResultCode::Ok {
            // No credentials set: build would fall back to the environment and profile file;
            // abandon the builder instead.
            tcfaceid_client_builder_free(builder);
        } else {
            let mut client = ptr::null_mut();
            let code = tcfaceid_client_builder_build(builder, &mut client);
            after(code);
            if code == ResultCode::Ok {
                tcfaceid_client_free(client);
            } else {
                assert!(client.is_null());
            }
        }
    }
});
