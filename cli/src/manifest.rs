//! The batch manifest: CSV with a header row, or JSON Lines; one document a row with `id`,
//! `nationality`, `card_type`, `front` and optional `back`, other fields kept as extras. Every
//! row is turned into a request and checked locally; problems carry the row's line number.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde_json::{Map, Value};
use tcfaceid::{Api, CardVerificationRequest, Side};

use crate::flow;

/// One document of the manifest, checked.
#[derive(Debug)]
pub struct Row {
    /// The line the row starts on (1-based; the CSV header is line 1).
    pub line: u64,
    /// The row's id, unique in the manifest.
    pub id: String,
    /// The request, checked locally.
    pub request: CardVerificationRequest<'static>,
    /// Fields other than the five known ones.
    pub extra: Map<String, Value>,
}

/// A row that failed the local checks.
#[derive(Debug)]
pub struct Invalid {
    /// The line the row starts on.
    pub line: u64,
    /// The row's id, when it has one.
    pub id: Option<String>,
    /// What is wrong.
    pub message: String,
    /// The row's other fields.
    pub extra: Map<String, Value>,
}

/// Every row of a manifest, checked: the good ones and the bad ones.
#[derive(Debug, Default)]
pub struct Manifest {
    /// Rows that passed every local check.
    pub rows: Vec<Row>,
    /// Rows that did not, in manifest order.
    pub invalid: Vec<Invalid>,
}

const KNOWN: [&str; 5] = ["id", "nationality", "card_type", "front", "back"];

/// Read and check a manifest (JSON Lines for `.jsonl` / `.ndjson`, CSV otherwise). Relative
/// image paths are taken from the manifest's directory.
pub fn read(path: &Path, api: Api) -> std::io::Result<Manifest> {
    let base = path.parent().unwrap_or(Path::new(""));
    let jsonl = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson"));
    let raw = if jsonl {
        read_jsonl(path)?
    } else {
        read_csv(path)?
    };
    let mut manifest = Manifest::default();
    let mut ids = HashSet::new();
    for (line, fields) in raw {
        match fields.and_then(|fields| check(fields, base, api, &mut ids)) {
            Ok(row) => manifest.rows.push(Row { line, ..row }),
            Err((message, id, extra)) => manifest.invalid.push(Invalid {
                line,
                id,
                message,
                extra,
            }),
        }
    }
    Ok(manifest)
}

type Fields = Map<String, Value>;
type Problem = (String, Option<String>, Fields);

fn read_jsonl(path: &Path) -> std::io::Result<Vec<(u64, Result<Fields, Problem>)>> {
    let mut rows = Vec::new();
    for (index, line) in BufReader::new(File::open(path)?).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let fields = match serde_json::from_str::<Value>(&line) {
            Ok(Value::Object(fields)) => Ok(fields),
            Ok(_) => Err(("not a JSON object".to_owned(), None, Fields::new())),
            Err(e) => Err((format!("not JSON: {e}"), None, Fields::new())),
        };
        rows.push((index as u64 + 1, fields));
    }
    Ok(rows)
}

fn read_csv(path: &Path) -> std::io::Result<Vec<(u64, Result<Fields, Problem>)>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)?;
    let headers: Vec<String> = reader
        .headers()
        .map_err(std::io::Error::other)?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let row = match record {
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line());
                let fields = headers
                    .iter()
                    .zip(record.iter())
                    .filter(|(_, value)| !value.is_empty())
                    .map(|(name, value)| (name.clone(), Value::String(value.to_owned())))
                    .collect();
                (line, Ok(fields))
            }
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line());
                if !matches!(error.kind(), csv::ErrorKind::UnequalLengths { .. }) {
                    return Err(std::io::Error::other(error));
                }
                (line, Err((error.to_string(), None, Fields::new())))
            }
        };
        rows.push(row);
    }
    Ok(rows)
}

/// Turn a row's fields into a checked request.
fn check(
    mut fields: Fields,
    base: &Path,
    api: Api,
    ids: &mut HashSet<String>,
) -> Result<Row, Problem> {
    let mut text = |name: &str| -> Result<Option<String>, String> {
        match fields.remove(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(Value::Number(n)) if name == "id" => Ok(Some(n.to_string())),
            Some(other) => Err(format!("{name}: expected a string, found {other}")),
        }
    };
    let mut known = Vec::with_capacity(KNOWN.len());
    let mut problem = None;
    for name in KNOWN {
        match text(name) {
            Ok(value) => known.push(value),
            Err(message) => {
                problem.get_or_insert(message);
                known.push(None);
            }
        }
    }
    let [id, nationality, card_type, front, back] =
        <[Option<String>; 5]>::try_from(known).expect("five known fields");
    let fail = |message: String| Err((message, id.clone(), fields.clone()));
    if let Some(message) = problem {
        return fail(message);
    }
    let Some(id_text) = id.clone() else {
        return fail("id: missing".to_owned());
    };
    let (Some(nationality), Some(card_type), Some(front)) = (nationality, card_type, front) else {
        return fail("nationality, card_type and front are required".to_owned());
    };
    let mut request = CardVerificationRequest::new(nationality, card_type);
    for (side, spec) in [(Side::Front, Some(&front)), (Side::Back, back.as_ref())] {
        let Some(spec) = spec else { continue };
        if spec == "-" {
            return fail("images cannot come from standard input in a manifest".to_owned());
        }
        if let Err(error) = flow::set_image(&mut request, side, spec, base) {
            return fail(error.message().to_owned());
        }
    }
    if let Err(error) = request.validate_for(api) {
        return fail(error.message().to_owned());
    }
    if !ids.insert(id_text.clone()) {
        return fail(format!("id {id_text:?} appears more than once"));
    }
    Ok(Row {
        line: 0,
        id: id_text,
        request,
        extra: fields,
    })
}
