//! `tcfaceid verify` and `tcfaceid result`: one document (or one token) to its verdict.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tcfaceid::{Cancel, CardVerificationRequest, Error, Side};

use crate::args::{Global, OutputArgs, ResultArgs, VerifyArgs};
use crate::exit;
use crate::flow;
use crate::interrupt::Interrupt;
use crate::record::Record;

/// Run `tcfaceid verify`; returns the exit code.
pub fn verify(global: &Global, args: &VerifyArgs) -> i32 {
    let mut request = CardVerificationRequest::new(&args.nationality, &args.card_type);
    request.set_allow_unknown_codes(args.allow_unknown_codes);
    if args.return_head_image {
        request.set_return_head_image(Some(true));
    }
    let here = std::path::Path::new("");
    let sides = [
        (Side::Front, Some(&args.front)),
        (Side::Back, args.back.as_ref()),
    ];
    for (side, spec) in sides {
        let Some(spec) = spec else { continue };
        if let Err(error) = flow::set_image(&mut request, side, spec, here) {
            return finish(&args.output, &Record::error(&error, None));
        }
    }
    if let Err(error) = request.validate_for(flow::product(global)) {
        return finish(&args.output, &Record::error(&error, None));
    }
    let client = match flow::client(global, None) {
        Ok(client) => client,
        Err(error) => return finish(&args.output, &Record::error(&error, None)),
    };
    let token: Arc<Mutex<Option<String>>> = Arc::default();
    let cancel = Cancel::new();
    let interrupt = Interrupt::install(last_words(Arc::clone(&token), cancel.clone()));
    let Some(applying) = interrupt.begin_apply() else {
        return exit::INTERRUPTED;
    };
    let started = Instant::now();
    let apply = match client.apply_card_verification(&request) {
        Ok(apply) => apply,
        Err(error) => return finish(&args.output, &Record::error(&error, None)),
    };
    let issued = apply.card_verification_token.clone();
    *token.lock().unwrap_or_else(|p| p.into_inner()) = Some(issued.clone());
    drop(applying);
    // On stderr even with --json: the token is safe before the first poll.
    eprintln!("applied: token {issued} (RequestId {})", apply.request_id);
    let plan = client.poll_plan().with_hints(&apply);
    let record = outcome(
        &issued,
        flow::poll(
            &client,
            &issued,
            plan,
            started + args.output.deadline,
            Some(&cancel),
        ),
    );
    finish(&args.output, &record)
}

/// Run `tcfaceid result`; returns the exit code.
pub fn result(global: &Global, args: &ResultArgs) -> i32 {
    let client = match flow::client(global, None) {
        Ok(client) => client,
        Err(error) => return finish(&args.output, &Record::error(&error, None)),
    };
    let until = Instant::now() + args.output.deadline;
    let token = Arc::new(Mutex::new(Some(args.token.clone())));
    let cancel = Cancel::new();
    Interrupt::install(last_words(token, cancel.clone()));
    eprintln!("polling: token {}", args.token);
    let polled = client
        .resume(
            &args.token,
            until.saturating_duration_since(Instant::now()),
            Some(&cancel),
        )
        .map(|(result, _, polls)| (result, polls));
    finish(&args.output, &outcome(&args.token, polled))
}

fn outcome(token: &str, polled: Result<(tcfaceid::CardVerificationResult, u64), Error>) -> Record {
    match polled {
        Ok((result, polls)) => Record::verdict(token, result, polls),
        Err(error) => Record::error(&error, Some(token)),
    }
}

/// What Ctrl-C does: with a token, cancel the polling so that the command prints its record
/// (the token and the cancellation) and exits 130; before any apply, say so and exit.
fn last_words(
    token: Arc<Mutex<Option<String>>>,
    cancel: Cancel,
) -> impl Fn() -> bool + Send + 'static {
    move || {
        if token.lock().unwrap_or_else(|p| p.into_inner()).is_some() {
            cancel.trigger();
            false
        } else {
            eprintln!("\ninterrupted before any apply: nothing was billed");
            true
        }
    }
}

/// Print the record as asked and return its exit code.
fn finish(output: &OutputArgs, record: &Record) -> i32 {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = if output.json {
        writeln!(out, "{}", record.to_json())
    } else {
        record.write_human(&mut out, color_for(&stdout))
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => record.exit_code(),
        Err(_) => exit::IO,
    }
}

/// Colour only on a terminal, and never when `NO_COLOR` is set (<https://no-color.org>).
pub fn color_for(stream: &impl IsTerminal) -> bool {
    stream.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
