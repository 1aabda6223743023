//! One verification's outcome as printed by `verify` / `result` and written to RESULTS.jsonl:
//! the verdict with its warnings and card info, or the error; the token whenever there is one.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tcfaceid::{CardVerificationResult, Error, VerificationStatus};

use crate::exit::{self, Class};

/// `status` of a row that failed the local checks and was skipped.
pub const STATUS_INVALID: &str = "INVALID";
/// `status` of a verification that ended with an error.
pub const STATUS_ERROR: &str = "ERROR";

/// A verification's outcome.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Record {
    /// The manifest row's id (batch only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The manifest line the row starts on (batch only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// PASSED, WARNING, REJECTED (or another service status), ERROR or INVALID.
    pub status: String,
    /// WarnInfo of the verdict.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// The document as the service read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// The document type as the service read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_type: Option<String>,
    /// The document sub-type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_sub_type: Option<String>,
    /// The fields read off the card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_info: Option<Value>,
    /// OCR: the front of the document as the service read it (`CardInfo`, a flat card).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub general_card: Option<Value>,
    /// OCR: the back of the document (`BackCardInfo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub back_card_info: Option<Value>,
    /// OCR: whether a portrait (`HeadImageBase64`) came with the verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_image: Option<bool>,
    /// The CardVerificationToken, whenever an apply succeeded.
    #[serde(default)]
    pub token: Option<String>,
    /// RequestId of the answer that decided this record (the verdict or the error).
    #[serde(default)]
    pub request_id: Option<String>,
    /// GetCardVerificationResult calls made in the run that reached the verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polls: Option<u64>,
    /// The error, when status is ERROR or INVALID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorRecord>,
    /// The manifest row's other fields.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// An error as recorded.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ErrorRecord {
    /// validation, credentials, network, service, no-verdict or io.
    pub class: String,
    /// The library's result code (stable; see include/tcfaceid.h).
    pub code: u32,
    /// The message.
    pub message: String,
    /// The request field at fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The service's error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_code: Option<String>,
    /// The HTTP status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
}

impl Record {
    /// A verdict.
    pub fn verdict(token: &str, result: CardVerificationResult, polls: u64) -> Record {
        Record {
            status: result.status.as_str().to_owned(),
            warnings: result.warn_info.unwrap_or_default(),
            nationality: result.nationality,
            card_type: result.card_type,
            card_sub_type: result.card_sub_type,
            card_info: result.card_info.map(to_value),
            general_card: result.general_card.map(to_value),
            back_card_info: result.back_card_info.map(to_value),
            head_image: result.head_image_base64.map(|text| !text.is_empty()),
            token: Some(token.to_owned()),
            request_id: Some(result.request_id),
            polls: Some(polls),
            ..Record::default()
        }
    }

    /// An error, with the token when the apply had succeeded (given, or carried by the error).
    pub fn error(error: &Error, token: Option<&str>) -> Record {
        Record {
            status: STATUS_ERROR.to_owned(),
            token: token.or(error.token()).map(str::to_owned),
            request_id: error.request_id().map(str::to_owned),
            error: Some(ErrorRecord {
                class: Class::of(error.code()).name().to_owned(),
                code: error.code() as u32,
                message: error.message().to_owned(),
                field: error.field().map(str::to_owned),
                service_code: error.service_code().map(str::to_owned),
                http_status: error.http_status(),
            }),
            ..Record::default()
        }
    }

    /// A local I/O failure (e.g. the journal could not be written).
    pub fn io_error(error: &io::Error, token: Option<&str>) -> Record {
        Record {
            status: STATUS_ERROR.to_owned(),
            token: token.map(str::to_owned),
            error: Some(ErrorRecord {
                class: Class::Io.name().to_owned(),
                message: error.to_string(),
                ..ErrorRecord::default()
            }),
            ..Record::default()
        }
    }

    /// Whether this is an error (or an invalid row) rather than a verdict.
    pub fn is_error(&self) -> bool {
        self.error.is_some()
    }

    /// The error class name, for errors.
    pub fn class(&self) -> Option<&str> {
        self.error.as_ref().map(|e| e.class.as_str())
    }

    /// The exit code of this outcome on its own.
    pub fn exit_code(&self) -> i32 {
        match &self.error {
            None => exit::for_status(&VerificationStatus::parse(&self.status)),
            Some(error) => [
                Class::Validation,
                Class::Credentials,
                Class::Network,
                Class::NoVerdict,
                Class::Io,
                Class::Cancelled,
            ]
            .into_iter()
            .find(|class| class.name() == error.class)
            .map_or(exit::SERVICE, Class::exit_code),
        }
    }

    /// One JSON line (no newline).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a record serialises")
    }

    /// The human form, for a terminal.
    pub fn write_human(&self, out: &mut impl Write, color: bool) -> io::Result<()> {
        let paint = |code: &str, text: &str| {
            if color {
                format!("\x1b[{code}m{text}\x1b[0m")
            } else {
                text.to_owned()
            }
        };
        let field = |out: &mut dyn Write, name: &str, value: &str| {
            writeln!(out, "{:<12}{value}", format!("{name}:"))
        };
        if let Some(error) = &self.error {
            writeln!(
                out,
                "{} {} (code {}): {}",
                paint("1;31", "ERROR"),
                error.class,
                error.code,
                error.message
            )?;
            if let Some(code) = &error.service_code {
                field(out, "service", code)?;
            }
        } else {
            let colour = match self.status.as_str() {
                "PASSED" | "COMPLETED" => "1;32",
                "WARNING" => "1;33",
                _ => "1;31",
            };
            let document = [&self.nationality, &self.card_type, &self.card_sub_type]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(" ");
            writeln!(out, "{}  {document}", paint(colour, &self.status))?;
        }
        if let Some(token) = &self.token {
            field(out, "token", token)?;
        }
        if let Some(id) = &self.request_id {
            field(out, "request id", id)?;
        }
        if self.error.is_none() {
            let warnings = if self.warnings.is_empty() {
                "none".to_owned()
            } else {
                self.warnings.join(", ")
            };
            field(out, "warnings", &warnings)?;
        }
        if let Some(Value::Object(members)) = &self.card_info {
            for (member, fields) in members {
                field(out, "card", member)?;
                write_fields(out, fields)?;
            }
        }
        for (name, card) in [
            ("front card", &self.general_card),
            ("back card", &self.back_card_info),
        ] {
            if let Some(card) = card {
                field(out, name, "")?;
                write_fields(out, card)?;
            }
        }
        if let Some(head_image) = self.head_image {
            field(out, "head image", if head_image { "yes" } else { "no" })?;
        }
        let resumable = [Class::NoVerdict, Class::Network, Class::Cancelled]
            .iter()
            .any(|class| self.class() == Some(class.name()));
        if resumable {
            if let Some(token) = &self.token {
                writeln!(out, "resume with: tcfaceid result {token}")?;
            }
        }
        Ok(())
    }
}

fn to_value(card: impl Serialize) -> Value {
    serde_json::to_value(card).expect("a card serialises")
}

/// A card's fields, one a line, indented.
fn write_fields(out: &mut impl Write, fields: &Value) -> io::Result<()> {
    if let Value::Object(fields) = fields {
        for (name, value) in fields {
            let text = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned);
            writeln!(out, "  {:<22}{text}", format!("{name}:"))?;
        }
    }
    Ok(())
}
