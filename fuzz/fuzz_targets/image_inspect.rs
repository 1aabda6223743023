//! `image::inspect` and `image::check_raw` on arbitrary bytes: never a panic; an accepted image
//! has the signature of its format and a size in range; every refusal is an image error (3xx).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tcfaceid::image::{self, ImageFormat};

fn image_class(error: &tcfaceid::Error) -> bool {
    (300..400).contains(&(error.code() as u32))
}

fuzz_target!(|data: &[u8]| {
    match image::inspect(data, "ImageBase64Front") {
        Ok(info) => {
            assert!(info.width > 0 && info.height > 0, "{info:?}");
            match info.format {
                ImageFormat::Png => assert!(data.starts_with(b"\x89PNG\r\n\x1a\n")),
                ImageFormat::Jpeg => assert!(data.starts_with(&[0xFF, 0xD8])),
            }
        }
        Err(error) => assert!(image_class(&error), "{error:?}"),
    }
    match image::check_raw(data, "ImageBase64Back") {
        Ok(info) => {
            assert!(info.width <= 8000 && info.height <= 8000, "{info:?}");
            assert_eq!(image::inspect(data, "x").ok(), Some(info));
        }
        Err(error) => {
            assert!(image_class(&error), "{error:?}");
            assert_eq!(error.field(), Some("ImageBase64Back"));
        }
    }
});
