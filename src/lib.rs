//! # tcfaceid
//!
//! Tencent Cloud FaceID document verification for any language: `ApplyCardVerification`
//! (submit the front and back of an ID card, driving licence or passport; get a token) and
//! `GetCardVerificationResult` (poll with the token until PASSED / WARNING / REJECTED), with
//! byte-exact TC3-HMAC-SHA256 signing, local checks that catch a bad upload before a billed
//! round trip, and a C ABI (`include/tcfaceid.h`).
//!
//! Layers (data flows down): [`capi`] (extern "C") → [`client`] (HTTP) → [`card`], [`image`],
//! [`api`] (request rules and response models) → [`sign`], [`credential`] (pure) → [`error`].
#![warn(missing_docs)]

pub mod api;
pub mod cancel;
pub mod capi;
pub mod card;
pub mod client;
pub mod credential;
pub mod endpoint;
pub mod error;
mod http;
pub mod image;
pub mod rate;
pub mod retry;
pub mod sign;

pub use api::{
    ApplyCardVerificationResponse, CardInfo, CardVerificationResult, VerificationStatus,
};
pub use cancel::Cancel;
pub use card::{CardType, CardVerificationRequest, Nationality, Side};
pub use client::{Client, ClientBuilder, Verification};
pub use credential::Credential;
pub use error::{BusinessError, Error, Result, ResultCode};
pub use image::ImageData;

/// The crate version, e.g. `0.1.0`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
