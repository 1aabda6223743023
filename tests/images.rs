//! Image checks (spec §4.1: PNG/JPEG only, ≤ 8000×8000 px, ≤ 5 MiB after base64), on images
//! generated in memory by `tests/common` (nothing large is committed), plus the committed demo
//! samples in `bindings/c/samples/`.

mod common;

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use tcfaceid::image::{
    self, check_base64, check_raw, clean_base64, inspect, read_file, ImageFormat, ImageInfo,
    MAX_BASE64_LEN, MAX_DIMENSION, MAX_RAW_LEN,
};
use tcfaceid::{CardVerificationRequest, Error, ResultCode};

const FRONT: &str = "ImageBase64Front";
const BACK: &str = "ImageBase64Back";

fn info(format: ImageFormat, width: u32, height: u32) -> ImageInfo {
    ImageInfo {
        format,
        width,
        height,
    }
}

/// Assert an error's code and that it names `field`, both in `field()` and in the message.
#[track_caller]
fn assert_err<T>(result: Result<T, Error>, code: ResultCode, field: &str) -> Error {
    // Not `expect_err`: it would print a multi-megabyte image on failure.
    let Err(err) = result else {
        panic!("expected {code:?} naming {field}, got Ok");
    };
    assert_eq!(err.code(), code, "{err:?}");
    assert_eq!(err.field(), Some(field), "{err:?}");
    assert!(
        err.message().contains(field),
        "message does not name {field}: {err}"
    );
    err
}

/// Base64 wrapped at 76 columns with CRLF, as MIME encoders write it.
fn mime_base64(bytes: &[u8]) -> String {
    let plain = B64.encode(bytes);
    let lines: Vec<&str> = plain
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    lines.join("\r\n") + "\r\n"
}

// ------------------------------------------------------------------------- accepted images

#[test]
fn tiny_png_is_accepted_with_its_dimensions() {
    for (w, h) in [(1, 1), (64, 40), (13, 7), (3, 300)] {
        let png = common::png(w, h);
        assert_eq!(inspect(&png, FRONT).unwrap(), info(ImageFormat::Png, w, h));
        assert_eq!(
            check_raw(&png, FRONT).unwrap(),
            info(ImageFormat::Png, w, h)
        );
        let text = B64.encode(&png);
        let (clean, got) = check_base64(&text, FRONT).unwrap();
        assert_eq!(got, info(ImageFormat::Png, w, h));
        assert_eq!(B64.decode(clean.as_bytes()).unwrap(), png);
    }
}

#[test]
fn tiny_jpeg_is_accepted_with_its_dimensions() {
    for (w, h) in [(1, 1), (64, 40), (13, 7), (8, 8), (9, 17), (300, 3)] {
        let jpeg = common::jpeg(w, h);
        assert_eq!(
            inspect(&jpeg, FRONT).unwrap(),
            info(ImageFormat::Jpeg, w, h)
        );
        assert_eq!(
            check_raw(&jpeg, BACK).unwrap(),
            info(ImageFormat::Jpeg, w, h)
        );
    }
}

#[test]
fn jpeg_fill_bytes_and_padding_segments_are_skipped() {
    // 1-3 extra bytes become FF fill bytes before a marker; more become COM segments.
    let base = common::jpeg(33, 17).len();
    for extra in [1, 2, 3, 4, 5, 100, 65537, 65538, 65540, 65541, 200_000] {
        let jpeg = common::jpeg_with_len(33, 17, base + extra);
        assert_eq!(jpeg.len(), base + extra);
        assert_eq!(
            inspect(&jpeg, FRONT).unwrap(),
            info(ImageFormat::Jpeg, 33, 17),
            "{extra} extra bytes"
        );
    }
}

// ------------------------------------------------------------------------- refused formats

#[test]
fn gif_is_refused_as_unsupported_and_the_message_says_gif() {
    let gif = common::gif();
    assert!(gif.starts_with(b"GIF89a"));
    let err = assert_err(
        inspect(&gif, FRONT),
        ResultCode::ImageUnsupportedFormat,
        FRONT,
    );
    assert!(err.message().contains("GIF"), "{err}");
    assert_err(
        check_raw(&gif, BACK),
        ResultCode::ImageUnsupportedFormat,
        BACK,
    );
    assert_err(
        check_base64(&B64.encode(&gif), FRONT),
        ResultCode::ImageUnsupportedFormat,
        FRONT,
    );
}

#[test]
fn webp_is_refused_as_unsupported() {
    let webp = common::webp();
    assert_eq!(&webp[8..12], b"WEBP");
    let err = assert_err(
        inspect(&webp, FRONT),
        ResultCode::ImageUnsupportedFormat,
        FRONT,
    );
    assert!(err.message().contains("WebP"), "{err}");
}

#[test]
fn random_bytes_are_refused_as_unsupported() {
    for (n, seed) in [(1, 1), (7, 2), (64, 3), (4096, 4), (100_000, 5)] {
        let bytes = common::random_bytes(n, seed);
        assert_eq!(bytes.len(), n);
        // Make sure the fixed seeds did not produce a known signature by chance.
        assert!(!bytes.starts_with(&[0xFF, 0xD8]) && !bytes.starts_with(common::PNG_SIGNATURE));
        assert_err(
            inspect(&bytes, FRONT),
            ResultCode::ImageUnsupportedFormat,
            FRONT,
        );
    }
    assert_ne!(common::random_bytes(32, 1), common::random_bytes(32, 2));
    assert_eq!(common::random_bytes(32, 9), common::random_bytes(32, 9));
}

#[test]
fn other_formats_are_named_in_the_message() {
    for (bytes, name) in [
        (&b"BM\x36\x00\x00\x00\x00\x00"[..], "BMP"),
        (&b"II*\x00\x08\x00\x00\x00"[..], "TIFF"),
        (&b"%PDF-1.7\n"[..], "PDF"),
    ] {
        let err = assert_err(
            inspect(bytes, FRONT),
            ResultCode::ImageUnsupportedFormat,
            FRONT,
        );
        assert!(err.message().contains(name), "{err}");
    }
}

// ----------------------------------------------------------------- corrupt, empty, too big

#[test]
fn truncated_jpeg_is_corrupt() {
    let truncated = common::truncated_jpeg();
    assert!(truncated.len() < common::jpeg(16, 16).len());
    assert_err(inspect(&truncated, FRONT), ResultCode::ImageCorrupt, FRONT);
    // Cut after SOI, in the middle of APP0, right before the SOF marker.
    let full = common::jpeg(16, 16);
    let sof = common::jpeg_sof_offset(&full);
    for cut in [2, 3, 10, sof, sof + 1, sof + 3] {
        assert_err(
            inspect(&full[..cut], FRONT),
            ResultCode::ImageCorrupt,
            FRONT,
        );
    }
    // A scan before any frame header, and garbage where a marker should be.
    assert_err(
        inspect(b"\xFF\xD8\xFF\xDA\x00\x02", FRONT),
        ResultCode::ImageCorrupt,
        FRONT,
    );
    assert_err(
        inspect(b"\xFF\xD8\x00\x00\x00\x00", FRONT),
        ResultCode::ImageCorrupt,
        FRONT,
    );
}

#[test]
fn truncated_png_is_corrupt() {
    let truncated = common::truncated_png();
    assert_eq!(truncated.len(), 20);
    assert_err(inspect(&truncated, FRONT), ResultCode::ImageCorrupt, FRONT);
    assert_err(
        inspect(common::PNG_SIGNATURE, FRONT),
        ResultCode::ImageCorrupt,
        FRONT,
    );
    // A first chunk that is not IHDR.
    let mut not_ihdr = common::png(2, 2);
    not_ihdr[12..16].copy_from_slice(b"IDAT");
    assert_err(inspect(&not_ihdr, FRONT), ResultCode::ImageCorrupt, FRONT);
}

#[test]
fn zero_dimensions_are_corrupt() {
    for (w, h) in [(0, 10), (10, 0), (0, 0)] {
        assert_err(
            inspect(&common::png_header_only(w, h), FRONT),
            ResultCode::ImageCorrupt,
            FRONT,
        );
    }
    let mut jpeg = common::jpeg(16, 16);
    let sof = common::jpeg_sof_offset(&jpeg);
    jpeg[sof + 5..sof + 7].copy_from_slice(&[0, 0]); // height 0 ("defined later by DNL")
    assert_err(inspect(&jpeg, FRONT), ResultCode::ImageCorrupt, FRONT);
}

#[test]
fn empty_image_is_image_empty() {
    assert_err(inspect(&[], FRONT), ResultCode::ImageEmpty, FRONT);
    assert_err(check_raw(&[], BACK), ResultCode::ImageEmpty, BACK);
    for text in [
        "",
        "\r\n",
        "  \n\t",
        "data:image/jpeg;base64,",
        "data:image/png;base64,\r\n",
    ] {
        assert_err(check_base64(text, FRONT), ResultCode::ImageEmpty, FRONT);
    }
}

#[test]
fn png_declaring_9000x9000_is_too_large_in_resolution() {
    let png = common::png_header_only(9000, 9000);
    let err = assert_err(
        inspect(&png, FRONT),
        ResultCode::ImageResolutionTooLarge,
        FRONT,
    );
    assert!(err.message().contains("9000x9000"), "{err}");
    assert_err(
        check_raw(&png, BACK),
        ResultCode::ImageResolutionTooLarge,
        BACK,
    );
    assert_err(
        check_base64(&B64.encode(&png), FRONT),
        ResultCode::ImageResolutionTooLarge,
        FRONT,
    );
}

#[test]
fn the_resolution_limit_is_8000_inclusive_on_each_axis() {
    assert_eq!(MAX_DIMENSION, 8000);
    let png = common::png_header_only(8000, 8000);
    assert_eq!(
        inspect(&png, FRONT).unwrap(),
        info(ImageFormat::Png, 8000, 8000)
    );
    let jpeg = common::jpeg(8000, 8000);
    assert_eq!(
        inspect(&jpeg, FRONT).unwrap(),
        info(ImageFormat::Jpeg, 8000, 8000)
    );
    for (w, h) in [(8001, 10), (10, 8001), (8001, 8001), (65535, 1)] {
        assert_err(
            inspect(&common::png_header_only(w, h), FRONT),
            ResultCode::ImageResolutionTooLarge,
            FRONT,
        );
        assert_err(
            inspect(&common::jpeg(w, h), BACK),
            ResultCode::ImageResolutionTooLarge,
            BACK,
        );
    }
    // A PNG may declare sizes a JPEG cannot; the check must not wrap around.
    assert_err(
        inspect(&common::png_header_only(u32::MAX, 1), FRONT),
        ResultCode::ImageResolutionTooLarge,
        FRONT,
    );
}

// --------------------------------------------------------------------- the 5 MiB base64 limit

#[test]
fn the_limits_are_5_mib_of_base64_and_3_75_mib_raw() {
    assert_eq!(MAX_BASE64_LEN, 5 * 1024 * 1024);
    assert_eq!(MAX_RAW_LEN, 3_932_160);
    assert_eq!(image::base64_len(MAX_RAW_LEN), MAX_BASE64_LEN);
    assert_eq!(image::base64_len(MAX_RAW_LEN + 1), MAX_BASE64_LEN + 4);
}

/// JPEGs of raw length just under (a whole base64 quantum less), exactly at, and just over the
/// limit, with the expected outcome.
fn limit_cases() -> [(usize, Option<ResultCode>); 3] {
    [
        (MAX_RAW_LEN - 3, None),
        (MAX_RAW_LEN, None),
        (MAX_RAW_LEN + 1, Some(ResultCode::ImageTooLarge)),
    ]
}

#[test]
fn size_limit_on_raw_bytes() {
    for (len, expected) in limit_cases() {
        let jpeg = common::jpeg_with_len(640, 480, len);
        match expected {
            None => assert_eq!(
                check_raw(&jpeg, FRONT).unwrap(),
                info(ImageFormat::Jpeg, 640, 480)
            ),
            Some(code) => {
                let err = assert_err(check_raw(&jpeg, FRONT), code, FRONT);
                assert!(
                    err.message().contains(&(MAX_BASE64_LEN + 4).to_string()),
                    "{err}"
                );
            }
        }
        // The same through a request, as raw bytes on the back side.
        let mut request = CardVerificationRequest::new("HKG", "ID_CARD");
        request.set_front_url("https://example.com/front.jpg");
        request.set_back_bytes(jpeg);
        match expected {
            None => request.validate().unwrap(),
            Some(code) => {
                assert_err(request.validate(), code, BACK);
            }
        }
    }
}

#[test]
fn lent_bytes_are_checked_and_encoded_as_owned_ones() {
    for (len, expected) in limit_cases() {
        let jpeg = common::jpeg_with_len(640, 480, len);
        let mut owned = CardVerificationRequest::new("IDN", "ID_CARD");
        owned.set_front_bytes(jpeg.clone());
        let mut lent = CardVerificationRequest::new("IDN", "ID_CARD");
        lent.set_front_bytes_borrowed(&jpeg);
        match expected {
            None => assert!(
                lent.to_body().unwrap() == owned.to_body().unwrap(),
                "{len} bytes"
            ),
            Some(code) => {
                assert_err(lent.to_body(), code, FRONT);
            }
        }
    }
}

#[test]
fn size_limit_on_base64_text() {
    for (len, expected) in limit_cases() {
        let text = B64.encode(common::jpeg_with_len(640, 480, len));
        assert_eq!(text.len(), image::base64_len(len));
        match expected {
            None => {
                let (clean, got) = check_base64(&text, FRONT).unwrap();
                assert_eq!(got, info(ImageFormat::Jpeg, 640, 480));
                assert_eq!(clean.len(), text.len());
            }
            Some(code) => {
                assert_err(check_base64(&text, FRONT), code, FRONT);
            }
        }
    }
    // Line breaks and a data: prefix do not count: only the cleaned text is measured (and sent).
    let at_limit = common::jpeg_with_len(640, 480, MAX_RAW_LEN);
    let wrapped = format!("data:image/jpeg;base64,{}", mime_base64(&at_limit));
    assert!(wrapped.len() > MAX_BASE64_LEN);
    let (clean, _) = check_base64(&wrapped, FRONT).unwrap();
    assert_eq!(clean.len(), MAX_BASE64_LEN);
}

#[test]
fn size_limit_on_files() {
    let dir = tempfile::tempdir().unwrap();
    for (len, expected) in limit_cases() {
        let path = dir.path().join(format!("image-{len}.jpg"));
        let jpeg = common::jpeg_with_len(640, 480, len);
        std::fs::write(&path, &jpeg).unwrap();
        let mut request = CardVerificationRequest::new("IDN", "ID_CARD");
        request.set_front_file(&path);
        match expected {
            None => {
                assert_eq!(read_file(&path, FRONT).unwrap(), jpeg);
                request.validate().unwrap();
            }
            Some(code) => {
                assert_err(read_file(&path, FRONT), code, FRONT);
                assert_err(request.validate(), code, FRONT);
            }
        }
    }
}

#[test]
fn an_oversized_file_is_refused_without_being_read() {
    // A sparse 16 GiB file: reading it would take minutes and exhaust memory.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.jpg");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(16 << 30).unwrap();
    assert_err(read_file(&path, BACK), ResultCode::ImageTooLarge, BACK);
}

// ---------------------------------------------------------------------------- base64 forms

#[test]
fn data_url_prefix_and_crlf_line_breaks_are_accepted() {
    let jpeg = common::jpeg(300, 200);
    let plain = B64.encode(&jpeg);
    let wrapped = mime_base64(&jpeg);
    assert!(wrapped.contains("\r\n"));
    for text in [
        format!("data:image/jpeg;base64,{wrapped}"),
        format!("data:image/jpeg;base64,{plain}"),
        wrapped.clone(),
        format!("{plain}\n"),
    ] {
        let (clean, got) = check_base64(&text, FRONT).unwrap();
        assert_eq!(got, info(ImageFormat::Jpeg, 300, 200));
        assert_eq!(clean, plain, "cleaned text for {:?}", &text[..30]);
    }
    assert_eq!(
        clean_base64(&format!("data:image/jpeg;base64,{wrapped}")),
        plain
    );
    // Padding is optional on input.
    let png = common::png(2, 1);
    let unpadded = B64.encode(&png).trim_end_matches('=').to_owned();
    assert_eq!(
        check_base64(&unpadded, FRONT).unwrap().1,
        info(ImageFormat::Png, 2, 1)
    );
}

#[test]
fn base64_with_a_bad_character_is_invalid_base64() {
    let plain = B64.encode(common::jpeg(16, 16));
    let middle = plain.len() / 2;
    for bad in ['*', '-', '_', '!', 'é', '%'] {
        let mut text = plain.clone();
        text.insert(middle, bad);
        assert_err(
            check_base64(&text, FRONT),
            ResultCode::ImageInvalidBase64,
            FRONT,
        );
    }
    // A length that no base64 text can have, and padding in the middle.
    assert_err(
        check_base64(&plain[..plain.len() - 3], BACK),
        ResultCode::ImageInvalidBase64,
        BACK,
    );
    let mut padded_inside = plain.clone();
    padded_inside.insert_str(8, "==");
    assert_err(
        check_base64(&padded_inside, BACK),
        ResultCode::ImageInvalidBase64,
        BACK,
    );
    // A data: URL that is not base64 keeps its prefix, which does not decode.
    assert_err(
        check_base64(&format!("data:image/jpeg,{plain}"), FRONT),
        ResultCode::ImageInvalidBase64,
        FRONT,
    );
}

/// Bug in `image::clean_base64` (see the report): whitespace before (or inside) a `data:`
/// prefix hides the prefix, then the whitespace is removed and the prefix is decoded as base64.
#[test]
fn data_url_after_leading_whitespace_is_accepted() {
    let jpeg = common::jpeg(16, 16);
    let plain = B64.encode(&jpeg);
    for text in [
        format!("\ndata:image/jpeg;base64,{plain}"),
        format!("  data:image/jpeg;base64,{plain}"),
        format!("\r\ndata:image/jpeg;base64,\r\n{}", mime_base64(&jpeg)),
    ] {
        let (clean, got) = check_base64(&text, FRONT).unwrap();
        assert_eq!(got, info(ImageFormat::Jpeg, 16, 16));
        assert_eq!(clean, plain);
    }
}

// ---------------------------------------------------------------------------------- files

#[test]
fn a_missing_file_is_unreadable_and_the_error_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-dir").join("front.jpg");
    let err = assert_err(read_file(&path, FRONT), ResultCode::ImageUnreadable, FRONT);
    assert!(err.message().contains(&path.display().to_string()), "{err}");

    let mut request = CardVerificationRequest::new("MYS", "DRIVING_LICENSE");
    request.set_front_bytes(common::png(4, 4));
    request.set_back_file(&path);
    let err = assert_err(request.validate(), ResultCode::ImageUnreadable, BACK);
    assert!(err.message().contains(&path.display().to_string()), "{err}");
    assert_err(request.to_body(), ResultCode::ImageUnreadable, BACK);
}

/// Bug in `image::read_file` (see the report): the size check uses `metadata().len()`, which is
/// 0 for a pipe or a device, so the whole stream is read into memory (endless for `/dev/zero`).
/// A FIFO fed one byte more than the limit shows it without exhausting memory.
#[cfg(unix)]
#[test]
fn an_oversized_stream_is_refused_while_reading() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stream.jpg");
    let c_path = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
    let writer_path = path.clone();
    let writer = std::thread::spawn(move || {
        let mut fifo = std::fs::OpenOptions::new()
            .write(true)
            .open(writer_path)
            .unwrap();
        // Stops early with a broken pipe once the reader has seen enough.
        let _ = fifo.write_all(&common::jpeg_with_len(640, 480, MAX_RAW_LEN + 1));
    });
    let result = read_file(&path, FRONT);
    // Unblock the writer if read_file never opened the FIFO (refusing it up front is fine too).
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        let _ = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&path);
    }
    writer.join().unwrap();
    let Err(err) = result else {
        panic!("read_file returned the whole stream instead of stopping at the limit");
    };
    assert!(
        matches!(
            err.code(),
            ResultCode::ImageTooLarge | ResultCode::ImageUnreadable
        ),
        "{err:?}"
    );
    assert_eq!(err.field(), Some(FRONT));
}

#[test]
fn a_directory_is_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    assert_err(
        read_file(dir.path(), FRONT),
        ResultCode::ImageUnreadable,
        FRONT,
    );
}

#[test]
fn a_file_is_checked_like_raw_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.png");
    std::fs::write(&good, common::png(5, 6)).unwrap();
    let gif = dir.path().join("photo.jpg"); // the extension is not trusted
    std::fs::write(&gif, common::gif()).unwrap();
    let empty = dir.path().join("empty.jpg");
    std::fs::write(&empty, b"").unwrap();

    let mut request = CardVerificationRequest::new("IDN", "ID_CARD");
    request.set_front_file(&good);
    request.validate().unwrap();
    request.set_front_file(&gif);
    assert_err(
        request.validate(),
        ResultCode::ImageUnsupportedFormat,
        FRONT,
    );
    request.set_front_file(&empty);
    assert_err(request.validate(), ResultCode::ImageEmpty, FRONT);
}

// ------------------------------------------------------------- every error names its field

#[test]
fn every_image_error_names_the_side_it_is_about() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.jpg");
    let cases: Vec<(&str, tcfaceid::ImageData, ResultCode)> = {
        use tcfaceid::ImageData::*;
        vec![
            (
                "gif",
                Bytes(common::gif()),
                ResultCode::ImageUnsupportedFormat,
            ),
            (
                "webp",
                Base64(B64.encode(common::webp())),
                ResultCode::ImageUnsupportedFormat,
            ),
            (
                "truncated",
                Bytes(common::truncated_jpeg()),
                ResultCode::ImageCorrupt,
            ),
            ("empty", Bytes(Vec::new()), ResultCode::ImageEmpty),
            (
                "empty base64",
                Base64("\r\n".into()),
                ResultCode::ImageEmpty,
            ),
            (
                "9000x9000",
                Bytes(common::png_header_only(9000, 9000)),
                ResultCode::ImageResolutionTooLarge,
            ),
            (
                "bad base64",
                Base64("/9j/4AAQ*".into()),
                ResultCode::ImageInvalidBase64,
            ),
            ("missing file", File(missing), ResultCode::ImageUnreadable),
            (
                "too large",
                Bytes(common::jpeg_with_len(8, 8, MAX_RAW_LEN + 1)),
                ResultCode::ImageTooLarge,
            ),
        ]
    };
    for (name, data, code) in cases {
        for (side, field) in [(tcfaceid::Side::Front, FRONT), (tcfaceid::Side::Back, BACK)] {
            let mut request = CardVerificationRequest::new("SGP", "ID_CARD");
            request.set_front_url("https://example.com/front.jpg");
            request.set_back_url("https://example.com/back.jpg");
            request.clear_side(side);
            request.set_data(side, data.clone());
            let err = request.validate().expect_err(name);
            assert_eq!(err.code(), code, "{name} on {field}: {err:?}");
            assert_eq!(err.field(), Some(field), "{name}: {err:?}");
            assert!(err.message().starts_with(field), "{name}: {err}");
        }
    }
}

// ---------------------------------------------------------------------- the demo samples

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("bindings/c/samples")
        .join(name)
}

#[test]
fn committed_samples_are_small_valid_images() {
    for (name, expected) in [
        ("front.png", info(ImageFormat::Png, 64, 40)),
        ("front.jpg", info(ImageFormat::Jpeg, 128, 80)),
        ("back.jpg", info(ImageFormat::Jpeg, 128, 80)),
    ] {
        let bytes = read_file(&sample(name), FRONT).unwrap();
        assert!(bytes.len() < 4096, "{name} is {} bytes", bytes.len());
        assert_eq!(check_raw(&bytes, FRONT).unwrap(), expected, "{name}");
        let trailer: &[u8] = if name.ends_with("png") {
            b"IEND\xAE\x42\x60\x82"
        } else {
            b"\xFF\xD9"
        };
        assert!(bytes.ends_with(trailer), "{name} is cut short");
    }
    let mut request = CardVerificationRequest::new("HKG", "ID_CARD");
    request.set_front_file(sample("front.jpg"));
    request.set_back_file(sample("back.jpg"));
    request.validate().unwrap();
}

// --------------------------------------------------------------- the generators themselves

/// Walk a PNG's chunks, checking every length and CRC.
fn png_chunks(png: &[u8]) -> Vec<(String, usize)> {
    assert!(png.starts_with(common::PNG_SIGNATURE));
    let mut i = 8;
    let mut chunks = Vec::new();
    while i < png.len() {
        let len = u32::from_be_bytes(png[i..i + 4].try_into().unwrap()) as usize;
        let kind = String::from_utf8(png[i + 4..i + 8].to_vec()).unwrap();
        let crc = u32::from_be_bytes(png[i + 8 + len..i + 12 + len].try_into().unwrap());
        assert_eq!(
            crc,
            common::crc32(&png[i + 4..i + 8 + len]),
            "CRC of {kind}"
        );
        chunks.push((kind, len));
        i += 12 + len;
    }
    assert_eq!(i, png.len());
    chunks
}

#[test]
fn generated_pngs_are_well_formed() {
    assert_eq!(common::crc32(b"123456789"), 0xCBF4_3926);
    assert_eq!(common::adler32(b"Wikipedia"), 0x11E6_0398);
    let png = common::png(300, 250); // 225,250 bytes of scanlines: four stored blocks
    let chunks = png_chunks(&png);
    let kinds: Vec<&str> = chunks.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["IHDR", "IDAT", "IEND"]);
    assert_eq!(chunks[0].1, 13);
    // The IDAT is a zlib stream of stored blocks whose payload is the scanlines.
    let idat_len = chunks[1].1;
    let idat = &png[8 + 25 + 8..8 + 25 + 8 + idat_len];
    let mut raw = Vec::new();
    let mut i = 2;
    loop {
        let last = idat[i] & 1 == 1;
        assert_eq!(idat[i] & 0b110, 0, "stored block");
        let len = u16::from_le_bytes([idat[i + 1], idat[i + 2]]);
        let nlen = u16::from_le_bytes([idat[i + 3], idat[i + 4]]);
        assert_eq!(len, !nlen);
        raw.extend_from_slice(&idat[i + 5..i + 5 + len as usize]);
        i += 5 + len as usize;
        if last {
            break;
        }
    }
    assert_eq!(raw.len(), 250 * (1 + 3 * 300));
    assert_eq!(&idat[i..], common::adler32(&raw).to_be_bytes());
    let header = png_chunks(&common::png_header_only(9000, 9000));
    assert_eq!(header, [("IHDR".to_owned(), 13), ("IEND".to_owned(), 0)]);
}

#[test]
fn generated_jpegs_are_well_formed() {
    for (w, h, len) in [(1, 1, None), (64, 40, None), (640, 480, Some(300_001))] {
        let jpeg = match len {
            Some(len) => common::jpeg_with_len(w, h, len),
            None => common::jpeg(w, h),
        };
        assert!(jpeg.starts_with(&[0xFF, 0xD8]) && jpeg.ends_with(&[0xFF, 0xD9]));
        // Every segment up to SOS has a length that lands on the next marker.
        let mut i = 2;
        let mut markers = Vec::new();
        loop {
            assert_eq!(jpeg[i], 0xFF, "marker at {i}");
            let marker = jpeg[i + 1];
            markers.push(marker);
            let seg_len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
            i += 2 + seg_len;
            if marker == 0xDA {
                break;
            }
        }
        let essential: Vec<u8> = markers.iter().copied().filter(|&m| m != 0xFE).collect();
        assert_eq!(essential, [0xE0, 0xDB, 0xC0, 0xC4, 0xC4, 0xDA]);
        // Entropy-coded data has no marker (so no FF) before EOI.
        assert!(!jpeg[i..jpeg.len() - 2].contains(&0xFF));
        assert_eq!(
            jpeg.len() - 2 - i,
            (2 * w.div_ceil(8) * h.div_ceil(8)).div_ceil(8) as usize
        );
    }
}
