//! # tcfaceid
//!
//! Tencent Cloud document verification for any language, on both products ([`Api`]): FaceID
//! `ApplyCardVerification` / `GetCardVerificationResult` (2018-03-01, the default) and its live
//! successor OCR `ApplyCardVerificationExternal` / `GetCardVerificationExternalResult`
//! (2018-11-19). Submit the front and back of an ID card, driving licence, passport or
//! residence permit, get a token, poll until a terminal status; with byte-exact
//! TC3-HMAC-SHA256 signing, local checks that catch a bad upload before a billed round trip,
//! and a C ABI (`include/tcfaceid.h`).
//!
//! Layers (data flows down): [`capi`] (extern "C") → [`client`] (HTTP) → [`card`], [`image`],
//! [`api`], [`product`] (request rules, response models, the two products) → [`sign`],
//! [`credential`] (pure) → [`error`].
#![warn(missing_docs)]

pub mod answer;
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
pub mod product;
pub mod provider;
pub mod rate;
pub mod retry;
pub mod sign;
mod transport;

pub use api::{
    AddressInfo, ApplyCardVerificationResponse, CardInfo, CardVerificationResult, GeneralCard,
    VerificationStatus, WarnCode,
};
pub use cancel::Cancel;
pub use card::{CardType, CardVerificationRequest, Nationality, Side};
pub use client::{Client, ClientBuilder, Verification};
pub use credential::Credential;
pub use error::{BusinessError, Error, Result, ResultCode};
pub use image::ImageData;
pub use product::{Api, PollPlan};

/// The crate version, e.g. `0.3.0`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
