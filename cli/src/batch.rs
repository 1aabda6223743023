//! `tcfaceid batch`: check every manifest row, then verify the rows without a result with
//! `--concurrency` workers sharing one rate-limited client, journalling each token durably
//! before its first poll, and writing one result line per row.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use tcfaceid::client::PollPlan;
use tcfaceid::Client;
use tcfaceid::VerificationStatus;

use crate::args::{BatchArgs, Global};
use crate::exit;
use crate::flow;
use crate::interrupt::Interrupt;
use crate::journal::{self, Entry, Lines};
use crate::manifest::{self, Row};
use crate::progress::Progress;
use crate::record::{ErrorRecord, Record, STATUS_INVALID};
use crate::single::color_for;

/// Run `tcfaceid batch`; returns the exit code.
pub fn run(global: &Global, args: &BatchArgs) -> i32 {
    match run_checked(global, args) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("tcfaceid: {error}");
            exit::IO
        }
    }
}

/// What the workers share.
struct Shared<'a> {
    client: Client,
    args: &'a BatchArgs,
    journal: Arc<Lines>,
    results: Arc<Lines>,
    tokens: HashMap<String, Entry>,
    progress: Progress,
    interrupt: Arc<Interrupt>,
    next: AtomicUsize,
}

fn run_checked(global: &Global, args: &BatchArgs) -> std::io::Result<i32> {
    let manifest = manifest::read(&args.manifest, flow::product(global))
        .map_err(|e| in_file(&args.manifest, e))?;
    let name = args.manifest.display();
    for bad in &manifest.invalid {
        let id = bad
            .id
            .as_deref()
            .map(|id| format!(" (id {id})"))
            .unwrap_or_default();
        eprintln!("{name}:{}{id}: {}", bad.line, bad.message);
    }
    if !manifest.invalid.is_empty() && !args.skip_invalid {
        eprintln!(
            "tcfaceid: {} of {} rows are invalid; nothing was sent. Fix them, or pass \
             --skip-invalid to go on without them.",
            manifest.invalid.len(),
            manifest.invalid.len() + manifest.rows.len()
        );
        return Ok(exit::INVALID);
    }
    let client = match flow::client(global, Some(args.rate)) {
        Ok(client) => client,
        Err(error) => {
            eprintln!("tcfaceid: {error}");
            return Ok(Record::error(&error, None).exit_code());
        }
    };
    let journal_path = args
        .journal
        .clone()
        .unwrap_or_else(|| suffixed(&args.out, ".journal"));
    let (journal, tokens) =
        journal::open_journal(&journal_path).map_err(|e| in_file(&journal_path, e))?;
    let (results, done) = journal::open_results(&args.out).map_err(|e| in_file(&args.out, e))?;
    let (journal, results) = (Arc::new(journal), Arc::new(results));
    for bad in manifest
        .invalid
        .iter()
        .filter(|bad| bad.id.as_ref().is_none_or(|id| !done.contains_key(id)))
    {
        let record = Record {
            id: bad.id.clone(),
            line: Some(bad.line),
            status: STATUS_INVALID.to_owned(),
            error: Some(ErrorRecord {
                class: exit::Class::Validation.name().to_owned(),
                code: 0,
                message: bad.message.clone(),
                ..ErrorRecord::default()
            }),
            extra: bad.extra.clone(),
            ..Record::default()
        };
        results.append(&record.to_json())?;
    }
    let pending: Vec<&Row> = manifest
        .rows
        .iter()
        .filter(|row| !done.contains_key(&row.id))
        .collect();
    let resumed = pending
        .iter()
        .filter(|r| tokens.contains_key(&r.id))
        .count();
    if !done.is_empty() || resumed > 0 {
        eprintln!(
            "resuming: {} rows already have a result, {resumed} journalled tokens to poll, {} \
             rows to apply",
            done.len(),
            pending.len() - resumed
        );
    }
    let interrupt = Interrupt::install({
        let (journal, results) = (Arc::clone(&journal), Arc::clone(&results));
        let path = journal_path.clone();
        move || {
            let _journal = journal.lock();
            let _results = results.lock();
            eprintln!(
                "\ninterrupted: every token obtained is in {}; rerun the same command to finish",
                path.display()
            );
            true
        }
    });
    let color = color_for(&std::io::stderr());
    let shared = Shared {
        client,
        args,
        journal,
        results,
        tokens,
        progress: Progress::start(
            args.progress,
            pending.len() as u64,
            args.progress_interval,
            color,
        ),
        interrupt,
        next: AtomicUsize::new(0),
    };
    let started = Instant::now();
    let workers = usize::from(args.concurrency).min(pending.len().max(1));
    let failures: Vec<std::io::Error> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| scope.spawn(|| work(&shared, &pending)))
            .collect();
        handles
            .into_iter()
            .filter_map(|h| h.join().expect("a worker panicked").err())
            .collect()
    });
    let requests = shared.progress.counters().requests.load(Ordering::Relaxed);
    shared.progress.finish();
    if let Some(error) = failures.into_iter().next() {
        return Err(error);
    }
    drop(shared.results);
    summary(
        args,
        started.elapsed().as_secs_f64(),
        requests,
        pending.len(),
        resumed,
    )
}

/// One worker: take the next row until none is left (or a signal came).
fn work(shared: &Shared<'_>, pending: &[&Row]) -> std::io::Result<()> {
    loop {
        let index = shared.next.fetch_add(1, Ordering::Relaxed);
        let Some(row) = pending.get(index) else {
            return Ok(());
        };
        if shared.interrupt.stopping() {
            return Ok(());
        }
        shared.progress.begin();
        let (mut record, requests) = match shared.tokens.get(&row.id) {
            Some(entry) => finish(shared, entry, 0),
            None => match apply(shared, row) {
                Some(Ok(entry)) => finish(shared, &entry, 1),
                Some(Err(record)) => (record, 1),
                None => return Ok(()),
            },
        };
        record.id = Some(row.id.clone());
        record.line = Some(row.line);
        record.extra = row.extra.clone();
        shared.results.append(&record.to_json())?;
        shared.progress.end(record.is_error(), requests);
        if shared.args.verbose {
            let what = record.class().map_or(record.status.as_str(), |c| c);
            shared
                .progress
                .println(&format!("row {} (line {}): {what}", row.id, row.line));
        }
    }
}

/// Apply for a row and journal its token before anything else; `None` when a signal came.
fn apply(shared: &Shared<'_>, row: &Row) -> Option<Result<Entry, Record>> {
    let applying = shared.interrupt.begin_apply()?;
    let apply = match shared.client.apply_card_verification(&row.request) {
        Ok(apply) => apply,
        Err(error) => return Some(Err(Record::error(&error, None))),
    };
    let plan = shared.client.poll_plan().with_hints(&apply);
    let entry = Entry {
        id: row.id.clone(),
        token: apply.card_verification_token,
        request_id: apply.request_id,
        max_polls: plan.max_polls,
        first_wait_secs: Some(plan.first_wait.as_secs()),
        poll_wait_secs: plan.wait.as_secs(),
    };
    let line = serde_json::to_string(&entry).expect("an entry serialises");
    if let Err(error) = shared.journal.append(&line) {
        // The token is billed and in hand: it goes into the result line instead.
        eprintln!(
            "tcfaceid: cannot journal the token of row {}: {error}",
            row.id
        );
        return Some(Err(Record::io_error(&error, Some(&entry.token))));
    }
    drop(applying);
    if shared.args.verbose {
        shared.progress.println(&format!(
            "row {} (line {}): token journalled",
            row.id, row.line
        ));
    }
    Some(Ok(entry))
}

/// Poll a journalled token to its verdict.
fn finish(shared: &Shared<'_>, entry: &Entry, applies: u64) -> (Record, u64) {
    let wait = std::time::Duration::from_secs(entry.poll_wait_secs);
    let plan = PollPlan {
        max_polls: entry.max_polls,
        first_wait: entry
            .first_wait_secs
            .map_or(wait, std::time::Duration::from_secs),
        wait,
    };
    let until = Instant::now() + shared.args.deadline;
    match flow::poll(&shared.client, &entry.token, plan, until, None) {
        Ok((result, polls)) => (
            Record::verdict(&entry.token, result, polls),
            applies + polls,
        ),
        Err(error) => (Record::error(&error, Some(&entry.token)), applies + 1),
    }
}

/// Print the summary of the whole results file; returns the batch's exit code.
fn summary(
    args: &BatchArgs,
    seconds: f64,
    requests: u64,
    ran: usize,
    resumed: usize,
) -> std::io::Result<i32> {
    let (_, records) = journal::open_results(&args.out).map_err(|e| in_file(&args.out, e))?;
    let mut verdicts = BTreeMap::<String, u64>::new();
    let mut errors = BTreeMap::<String, u64>::new();
    for record in records.values() {
        match record.class() {
            Some(class) => *errors.entry(class.to_owned()).or_default() += 1,
            None => *verdicts.entry(record.status.clone()).or_default() += 1,
        }
    }
    let list = |counts: &BTreeMap<String, u64>| {
        counts
            .iter()
            .map(|(name, n)| format!("{name} {n}"))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    eprintln!(
        "summary: {} rows in {}; this run: {ran} rows ({resumed} resumed from the journal) in \
         {seconds:.1} s, {requests} requests, {:.1} requests/s",
        records.len(),
        args.out.display(),
        requests as f64 / seconds.max(1e-3)
    );
    eprintln!(
        "  verdicts: {}",
        if verdicts.is_empty() {
            "none".to_owned()
        } else {
            list(&verdicts)
        }
    );
    eprintln!(
        "  errors:   {}",
        if errors.is_empty() {
            "none".to_owned()
        } else {
            list(&errors)
        }
    );
    let code = if !errors.is_empty() {
        exit::BATCH_ERRORS
    } else {
        verdicts
            .keys()
            .map(|status| exit::for_status(&VerificationStatus::parse(status)))
            .max()
            .unwrap_or(exit::OK)
    };
    Ok(code)
}

fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn in_file(path: &Path, error: std::io::Error) -> std::io::Error {
    std::io::Error::new(error.kind(), format!("{}: {error}", path.display()))
}
