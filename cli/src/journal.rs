//! The two append-only JSON Lines files of a batch: the journal (each row's token, synced to
//! disk before the row's first poll) and the results (one line per row, written once).
//!
//! A crash can leave a torn last line (no newline). It is cut off when the file is opened:
//! a journal line is only trusted once complete (the row was never polled), and a row whose
//! result line was torn has no result and is finished again from its journalled token.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::record::Record;

/// One journal line: a row's token and its polling hints.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Entry {
    /// The manifest row's id.
    pub id: String,
    /// The CardVerificationToken.
    pub token: String,
    /// RequestId of the apply.
    pub request_id: String,
    /// Most polls: the service's AsyncCardVerificationMaxPollingTimes, else the product's plan.
    pub max_polls: u64,
    /// Seconds before the first poll (older journals: none, meaning `poll_wait_secs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_wait_secs: Option<u64>,
    /// Seconds between polls: AsyncCardVerificationPollingWaitTime, else the product's plan.
    pub poll_wait_secs: u64,
}

/// An append-only JSON Lines file shared by the workers.
#[derive(Debug)]
pub struct Lines {
    file: Mutex<File>,
    sync: bool,
}

impl Lines {
    /// Open (or create) `path`, cut off a torn last line, and return the complete lines read.
    /// With `exclusive`, take an exclusive lock on the file for the life of the process, so
    /// two batches can never share a journal.
    pub fn open(path: &Path, sync: bool, exclusive: bool) -> io::Result<(Lines, Vec<String>)> {
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)?;
        if exclusive {
            file.try_lock().map_err(|_| {
                io::Error::new(
                    io::ErrorKind::WouldBlock,
                    format!("{} is in use by another tcfaceid batch", path.display()),
                )
            })?;
        }
        let mut text = String::new();
        file.read_to_string(&mut text)?;
        let complete = text.rfind('\n').map_or(0, |at| at + 1);
        if complete < text.len() {
            file.set_len(complete as u64)?;
            file.sync_data()?;
        }
        file.seek(SeekFrom::End(0))?;
        let lines = text[..complete]
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect();
        Ok((
            Lines {
                file: Mutex::new(file),
                sync,
            },
            lines,
        ))
    }

    /// Append one line in a single write; with `sync`, wait until it is on disk.
    pub fn append(&self, line: &str) -> io::Result<()> {
        let mut file = self.lock();
        let mut bytes = Vec::with_capacity(line.len() + 1);
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
        file.write_all(&bytes)?;
        if self.sync {
            file.sync_data()?;
        }
        Ok(())
    }

    /// Hold the file: no line is written while the guard lives (used before exiting).
    pub fn lock(&self) -> std::sync::MutexGuard<'_, File> {
        self.file.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Open the journal: the tokens already journalled, by row id.
pub fn open_journal(path: &Path) -> io::Result<(Lines, HashMap<String, Entry>)> {
    let (lines, text) = Lines::open(path, true, true)?;
    let entries: Vec<Entry> = parse(path, &text, "journal")?;
    Ok((
        lines,
        entries.into_iter().map(|e| (e.id.clone(), e)).collect(),
    ))
}

/// Open the results: the records already written, by row id.
pub fn open_results(path: &Path) -> io::Result<(Lines, HashMap<String, Record>)> {
    let (lines, text) = Lines::open(path, false, false)?;
    let records: Vec<Record> = parse(path, &text, "result")?;
    let by_id = records
        .into_iter()
        .filter_map(|r| Some((r.id.clone()?, r)))
        .collect();
    Ok((lines, by_id))
}

/// Every line as a `T`; an error names the file and line.
fn parse<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &[String],
    what: &str,
) -> io::Result<Vec<T>> {
    text.iter()
        .enumerate()
        .map(|(index, line)| {
            serde_json::from_str(line).map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{}:{}: not a {what} line: {e}", path.display(), index + 1),
                )
            })
        })
        .collect()
}
