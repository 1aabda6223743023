//! Image generators shared by the integration tests (and by benches through `#[path]`).
//!
//! Everything is built in memory from first principles so no image files are committed:
//!
//! - [`png`]: a complete, decodable RGB PNG (signature, IHDR, one IDAT holding a zlib stream of
//!   *stored* deflate blocks, IEND), with real CRC-32s and Adler-32.
//! - [`png_header_only`]: signature, IHDR (correct CRC) and IEND, no pixels; for declared sizes
//!   too large to fill (9000×9000).
//! - [`jpeg`]: a complete, decodable baseline greyscale JPEG of any size up to 65535×65535: every
//!   8×8 block is flat mid-grey, coded with one-symbol Huffman tables as two zero bits, so even
//!   8000×8000 is only ~250 KB.
//! - [`jpeg_with_len`]: [`jpeg`] padded with COM segments (and, for the last 1–3 bytes, marker
//!   fill bytes) to an exact total length.
//! - [`gif`], [`webp`]: real 1×1 images in formats the service refuses.
//! - [`truncated_jpeg`], [`truncated_png`]: cut inside the frame header / IHDR.
//! - [`random_bytes`]: deterministic xorshift noise.
#![allow(dead_code)]

/// The eight-byte PNG signature.
pub const PNG_SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[n] = c;
        n += 1;
    }
    table
};

/// CRC-32 (ISO-HDLC, as PNG uses it).
pub fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |c, &b| {
        CRC_TABLE[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8)
    })
}

/// Adler-32 (the zlib trailer).
pub fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 is the largest run for which `b` cannot overflow before the modulo.
    for chunk in bytes.chunks(5552) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    b << 16 | a
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

fn ihdr(width: u32, height: u32) -> [u8; 13] {
    let mut data = [0u8; 13];
    data[0..4].copy_from_slice(&width.to_be_bytes());
    data[4..8].copy_from_slice(&height.to_be_bytes());
    data[8] = 8; // bit depth
    data[9] = 2; // colour type: RGB
                 // compression 0, filter 0, interlace 0
    data
}

/// A zlib stream of stored (uncompressed) deflate blocks.
pub fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 65535 * 5 + 16);
    out.extend_from_slice(&[0x78, 0x01]);
    let mut blocks = data.chunks(65535).peekable();
    if blocks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xFF, 0xFF]);
    }
    while let Some(block) = blocks.next() {
        out.push(u8::from(blocks.peek().is_none())); // BFINAL, BTYPE = 00
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

/// A valid, decodable `width`×`height` 8-bit RGB PNG (a gradient). Its size is about
/// `3·width·height` bytes, so keep it to small images; use [`png_header_only`] for big ones.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    assert!(width > 0 && height > 0, "PNG dimensions must be positive");
    let (w, h) = (width as usize, height as usize);
    let mut raw = Vec::with_capacity(h * (1 + 3 * w));
    for y in 0..h {
        raw.push(0); // filter: none
        for x in 0..w {
            raw.extend_from_slice(&[(x * 255 / w) as u8, (y * 255 / h) as u8, 0x80]);
        }
    }
    let mut out = PNG_SIGNATURE.to_vec();
    png_chunk(&mut out, b"IHDR", &ihdr(width, height));
    png_chunk(&mut out, b"IDAT", &zlib_stored(&raw));
    png_chunk(&mut out, b"IEND", &[]);
    out
}

/// A PNG with only the signature, an IHDR declaring `width`×`height` (correct CRC) and IEND:
/// the header says the size, there are no pixels. Dimensions may be anything, even 0.
pub fn png_header_only(width: u32, height: u32) -> Vec<u8> {
    let mut out = PNG_SIGNATURE.to_vec();
    png_chunk(&mut out, b"IHDR", &ihdr(width, height));
    png_chunk(&mut out, b"IEND", &[]);
    out
}

/// [`png`] cut inside the IHDR data, before the height (20 bytes): the size cannot be read.
pub fn truncated_png() -> Vec<u8> {
    let mut bytes = png(4, 4);
    bytes.truncate(20);
    bytes
}

fn jpeg_segment(out: &mut Vec<u8>, marker: u8, payload: &[u8]) {
    let len = u16::try_from(payload.len() + 2).expect("JPEG segment payload above 65533 bytes");
    out.extend_from_slice(&[0xFF, marker]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
}

/// Offset of the SOF0 marker (`FF C0`) in a JPEG made by [`jpeg`].
pub fn jpeg_sof_offset(bytes: &[u8]) -> usize {
    bytes
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("no SOF0 marker")
}

/// A valid, decodable baseline JPEG of `width`×`height` (1..=65535), flat mid-grey.
///
/// Segments: SOI, APP0 JFIF 1.01, DQT (all ones), SOF0 (8-bit, one component), DHT DC and AC
/// tables each with a single one-bit code (DC difference 0, AC end-of-block), SOS, entropy data
/// (two zero bits per 8×8 block, padded with one bits; never contains `FF`), EOI.
pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    assert!(
        (1..=65535).contains(&width) && (1..=65535).contains(&height),
        "JPEG dimensions must be 1..=65535"
    );
    let mut out = vec![0xFF, 0xD8];
    jpeg_segment(
        &mut out,
        0xE0,
        &[b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0],
    );
    let mut dqt = vec![0x00]; // 8-bit precision, table 0
    dqt.extend_from_slice(&[1; 64]);
    jpeg_segment(&mut out, 0xDB, &dqt);
    let (w, h) = (width as u16, height as u16);
    let mut sof = vec![8];
    sof.extend_from_slice(&h.to_be_bytes());
    sof.extend_from_slice(&w.to_be_bytes());
    sof.extend_from_slice(&[1, 1, 0x11, 0]); // one component: id 1, 1×1 sampling, table 0
    jpeg_segment(&mut out, 0xC0, &sof);
    let one_code = |class_id: u8| {
        let mut table = vec![class_id, 1];
        table.extend_from_slice(&[0; 15]);
        table.push(0); // the symbol: DC category 0 / AC end-of-block
        table
    };
    jpeg_segment(&mut out, 0xC4, &one_code(0x00));
    jpeg_segment(&mut out, 0xC4, &one_code(0x10));
    jpeg_segment(&mut out, 0xDA, &[1, 1, 0x00, 0, 63, 0]);
    let blocks = (width as u64).div_ceil(8) * (height as u64).div_ceil(8);
    let bits = blocks * 2;
    out.resize(out.len() + (bits / 8) as usize, 0);
    if bits % 8 != 0 {
        out.push(0xFF >> (bits % 8)); // pad the last byte with one bits
    }
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

/// [`jpeg`] grown to exactly `total_len` bytes with COM segments after APP0 (each at most
/// 65537 bytes); when only 1–3 bytes remain they become fill bytes (`FF`) before the DQT
/// marker, which the JPEG standard allows before any marker.
pub fn jpeg_with_len(width: u32, height: u32, total_len: usize) -> Vec<u8> {
    let base = jpeg(width, height);
    assert!(
        total_len >= base.len(),
        "a {width}x{height} JPEG needs at least {} bytes",
        base.len()
    );
    let app0_end = 2 + 2 + 16; // SOI + APP0 marker + APP0 length 16
    assert_eq!(&base[app0_end..app0_end + 2], &[0xFF, 0xDB]);
    let mut out = Vec::with_capacity(total_len);
    out.extend_from_slice(&base[..app0_end]);
    let mut remaining = total_len - base.len();
    while remaining >= 4 {
        let mut segment = remaining.min(65537);
        if (1..4).contains(&(remaining - segment)) {
            segment -= 4; // leave a full empty segment rather than 1-3 stray bytes
        }
        jpeg_segment(&mut out, 0xFE, &vec![b'.'; segment - 4]);
        remaining -= segment;
    }
    out.resize(out.len() + remaining, 0xFF);
    out.extend_from_slice(&base[app0_end..]);
    assert_eq!(out.len(), total_len);
    out
}

/// [`jpeg`] cut inside the SOF0 segment, after the first byte of the height.
pub fn truncated_jpeg() -> Vec<u8> {
    let mut bytes = jpeg(16, 16);
    let sof = jpeg_sof_offset(&bytes);
    bytes.truncate(sof + 2 + 2 + 1 + 1); // marker, length, precision, half the height
    bytes
}

/// A real 1×1 GIF89a (43 bytes).
pub fn gif() -> Vec<u8> {
    let mut out = b"GIF89a".to_vec();
    out.extend_from_slice(&[1, 0, 1, 0, 0x80, 0, 0]); // 1×1, 2-colour global table
    out.extend_from_slice(&[0, 0, 0, 0xFF, 0xFF, 0xFF]);
    out.extend_from_slice(&[0x21, 0xF9, 4, 1, 0, 0, 0, 0]); // graphic control extension
    out.extend_from_slice(&[0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0]); // image descriptor
    out.extend_from_slice(&[2, 2, 0x44, 1, 0]); // LZW min code size 2, one data sub-block
    out.push(0x3B);
    out
}

/// A real 1×1 lossless WebP (RIFF/WEBP/VP8L, 34 bytes).
pub fn webp() -> Vec<u8> {
    let vp8l: [u8; 13] = [
        0x2F, 0x00, 0x00, 0x00, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xFE, 0x07,
    ];
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(4 + 8 + vp8l.len() as u32 + 1).to_le_bytes());
    out.extend_from_slice(b"WEBPVP8L");
    out.extend_from_slice(&(vp8l.len() as u32).to_le_bytes());
    out.extend_from_slice(&vp8l);
    out.push(0); // chunks are padded to an even length
    out
}

/// `n` pseudo-random bytes from xorshift64* seeded with `seed` (0 is replaced by a constant).
pub fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut state = if seed == 0 {
        0x9E37_79B9_7F4A_7C15
    } else {
        seed
    };
    let mut out = Vec::with_capacity(n + 8);
    while out.len() < n {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        out.extend_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(n);
    out
}

/// Read one HTTP/1.1 request (its head, then a body of its Content-Length) from a raw test
/// server's connection, and throw it away; stops early when the peer closes or errs.
pub fn read_http_request(stream: &mut std::net::TcpStream) {
    use std::io::Read as _;
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = stream.read(&mut buf).unwrap_or(0);
        if n == 0 {
            return;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            while data.len() < end + 4 + len {
                let n = stream.read(&mut buf).unwrap_or(0);
                if n == 0 {
                    return;
                }
                data.extend_from_slice(&buf[..n]);
            }
            return;
        }
    }
}
