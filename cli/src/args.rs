//! The command line: every subcommand, option and help text (clap derive).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The exit codes, as printed at the end of `--help` (kept in step with `exit.rs`).
pub const EXIT_CODES_HELP: &str = "\
Exit codes (stable):
  0    verdict PASSED, or COMPLETED (OCR) (batch: every row PASSED or COMPLETED)
  1    verdict WARNING, REJECTED, ABNORMAL (OCR) or another status (batch: every row has a
       verdict, some did not pass)
  2    usage error (bad option)
  3    local validation failed: nothing was sent (batch: invalid manifest rows)
  4    credentials missing or invalid, or refused by the service (AuthFailure)
  5    network: connection, TLS or timeout
  6    the service answered an error (or an HTTP error, or a malformed response)
  7    no verdict yet (deadline or poll limit reached): resume with `tcfaceid result TOKEN`
  8    batch: some rows ended with an error (see RESULTS.jsonl and the summary)
  9    local I/O error (manifest, results or journal file)
  130  interrupted (Ctrl-C or SIGTERM); tokens already obtained are printed or journalled";

/// Verify identity documents with Tencent Cloud from a shell, a cron job or a batch backfill.
#[derive(Debug, Parser)]
#[command(name = "tcfaceid", version, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    /// Options every subcommand takes.
    #[command(flatten)]
    pub global: Global,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Where and how to reach the service.
#[derive(Debug, Args)]
pub struct Global {
    /// The product: faceid (ApplyCardVerification) or ocr (ApplyCardVerificationExternal).
    #[arg(long, global = true, env = "TCFACEID_API", value_enum, default_value_t = Api::Faceid)]
    pub api: Api,
    /// The service endpoint, e.g. `http://127.0.0.1:PORT` for the emulator (default: the
    /// service, faceid.tencentcloudapi.com over HTTPS).
    #[arg(long, global = true, env = "TCFACEID_ENDPOINT")]
    pub endpoint: Option<String>,
    /// ap-hongkong, ap-jakarta or ap-singapore.
    #[arg(long, global = true, env = "TENCENTCLOUD_REGION")]
    pub region: Option<String>,
    /// Credentials from this section of the profile file (TENCENTCLOUD_CREDENTIALS_FILE, else
    /// ~/.tencentcloud/credentials) instead of the default chain (the environment's
    /// TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY, then the profile file's default section).
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// Allow a plain `http://` endpoint on another machine: the body holds identity documents,
    /// which then cross the network in clear (loopback is always allowed).
    #[arg(long, global = true)]
    pub allow_insecure_http: bool,
    /// Wait this long before each result poll (e.g. 2s, 500ms), at most 60 polls, when the
    /// service gives no polling hint (OCR never does) [default: ocr: 3s, then 5s; faceid: 5s].
    #[arg(long, global = true, value_parser = parse_duration)]
    pub poll_interval: Option<Duration>,
}

/// The two generations of the service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Api {
    /// FaceID ApplyCardVerification / GetCardVerificationResult (2018-03-01).
    Faceid,
    /// OCR ApplyCardVerificationExternal / GetCardVerificationExternalResult (2018-11-19).
    Ocr,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a document locally, submit it and poll to a verdict.
    #[command(after_help = VERIFY_HELP)]
    Verify(VerifyArgs),
    /// Resume polling a token to its verdict.
    #[command(after_help = RESULT_HELP)]
    Result(ResultArgs),
    /// Verify every row of a manifest, journalled so that a rerun never bills a row twice.
    #[command(after_help = BATCH_HELP)]
    Batch(BatchArgs),
    /// Print the signed headers of a request, for callers with their own HTTP tool.
    #[command(after_help = SIGN_HELP)]
    Sign(SignArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  tcfaceid completions bash > /etc/bash_completion.d/tcfaceid"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

const VERIFY_HELP: &str = "\
Images are PNG/JPEG paths, http(s) URLs, or - for standard input (one side at most).

Examples:
  tcfaceid verify HKG ID_CARD front.jpg back.jpg
  tcfaceid verify IDN ID_CARD https://example.com/front.jpg --json
  curl -s https://example.com/p.jpg | tcfaceid verify AUTO PASSPORT -";

const RESULT_HELP: &str = "\
Examples:
  tcfaceid result 7b1c0c5e-5b5a-4d34-9c59-4a7e3d3b8a11
  tcfaceid result \"$TOKEN\" --json --deadline 10m";

const BATCH_HELP: &str = "\
The manifest is CSV with a header row, or JSON Lines (.jsonl, .ndjson): one document a row with
id, nationality, card_type, front and optional back (paths relative to the manifest, or URLs);
other fields are copied into the row's result as `extra`.

Every row is checked locally first; bad rows are reported with their line numbers and nothing is
sent (unless --skip-invalid). Each row's token is appended to the journal (RESULTS.jsonl.journal
unless --journal) and flushed to disk before its first poll. Rerunning the same command after a
crash, kill -9 or Ctrl-C polls the journalled tokens and applies only for rows that never got
one; rows that already have a line in RESULTS.jsonl are skipped. An apply whose answer was lost
(dropped connection, HTTP 5xx) may have been billed: it is not retried, and the row's result
says so.

Examples:
  tcfaceid batch docs.csv --out results.jsonl
  tcfaceid batch docs.jsonl --out results.jsonl --concurrency 8 --rate 15 -v

docs.csv:
  id,nationality,card_type,front,back
  c1,HKG,ID_CARD,scans/c1-front.jpg,scans/c1-back.jpg
  c2,IDN,ID_CARD,https://example.com/c2.jpg,";

const SIGN_HELP: &str = "\
Prints one `Name: value` line per header (or --format json). The body is signed byte for byte:
send exactly the same bytes.

Example:
  echo '{\"CardVerificationToken\":\"...\"}' > body.json
  tcfaceid sign GetCardVerificationResult body.json > headers.txt
  curl -sS https://faceid.tencentcloudapi.com -H @headers.txt --data-binary @body.json";

/// `tcfaceid verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// IDN, HKG, THA, MYS, SGP, JPN, TWN, BGD, NGA, PAK or AUTO.
    pub nationality: String,
    /// ID_CARD, PASSPORT, DRIVING_LICENSE, AUTO (faceid) or RESIDENCE_PERMIT (ocr).
    pub card_type: String,
    /// The front: a path, an http(s) URL, or - for standard input.
    pub front: String,
    /// The back, where the document needs it.
    pub back: Option<String>,
    /// Pass Nationality and CardType codes this version does not know through unchanged.
    #[arg(long)]
    pub allow_unknown_codes: bool,
    /// OCR (--api ocr): also return the portrait cut from the document (ReturnHeadImage).
    #[arg(long)]
    pub return_head_image: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `tcfaceid result`.
#[derive(Debug, Args)]
pub struct ResultArgs {
    /// The CardVerificationToken an apply returned (polled at once, then every 5 s).
    pub token: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// How verify and result print, and how long they wait.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Print one JSON object (status, warnings, card info, token, RequestId, or the error).
    #[arg(long)]
    pub json: bool,
    /// Give up polling after this long (e.g. 90, 90s, 5m, 1h); the token is printed so that
    /// `tcfaceid result` can go on.
    #[arg(long, default_value = "5m", value_parser = parse_duration)]
    pub deadline: Duration,
}

/// `tcfaceid batch`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// The manifest: CSV with a header row, or JSON Lines (.jsonl / .ndjson).
    pub manifest: PathBuf,
    /// Where each row's result goes, one JSON line per row.
    #[arg(long, value_name = "RESULTS.jsonl")]
    pub out: PathBuf,
    /// The token journal [default: RESULTS.jsonl.journal].
    #[arg(long)]
    pub journal: Option<PathBuf>,
    /// Rows in flight at once (workers sharing one client).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Requests per second, all workers, polls and retries included (the service allows 20).
    #[arg(long, default_value_t = 10.0)]
    pub rate: f64,
    /// Go on without the rows that fail the local checks (each gets an INVALID result line).
    #[arg(long)]
    pub skip_invalid: bool,
    /// Per row: give up polling this long after its apply (e.g. 300, 5m).
    #[arg(long, default_value = "5m", value_parser = parse_duration)]
    pub deadline: Duration,
    /// The progress display: a bar on a terminal, plain lines otherwise (auto).
    #[arg(long, value_enum, default_value_t = ProgressMode::Auto)]
    pub progress: ProgressMode,
    /// Seconds between plain progress lines.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub progress_interval: Duration,
    /// Print one line per row event (token journalled, result written).
    #[arg(short, long)]
    pub verbose: bool,
}

/// How batch shows its progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProgressMode {
    /// A bar when standard error is a terminal, plain lines otherwise.
    Auto,
    /// Always the bar.
    Bar,
    /// Always plain lines.
    Plain,
    /// Only the summary.
    None,
}

/// `tcfaceid sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The action, e.g. ApplyCardVerification or GetCardVerificationResult.
    pub action: String,
    /// The JSON body: a file, or - for standard input [default: {}].
    pub body: Option<String>,
    /// The X-TC-Timestamp to sign with, in Unix seconds [default: now].
    #[arg(long)]
    pub timestamp: Option<i64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SignFormat::Headers)]
    pub format: SignFormat,
}

/// How sign prints the headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SignFormat {
    /// `Name: value` lines (curl -H @file).
    Headers,
    /// One JSON object, header name to value.
    Json,
}

/// Seconds as a number, or a number with an `ms`, `s`, `m` or `h` suffix.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => text.split_at(at),
        None => (text, "s"),
    };
    let value: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration like 90, 90s, 5m, 1h or 500ms"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(value)),
        "s" => Ok(Duration::from_secs(value)),
        "m" => Ok(Duration::from_secs(value * 60)),
        "h" => Ok(Duration::from_secs(value * 3600)),
        _ => Err(format!("{text:?}: the unit must be ms, s, m or h")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert!(parse_duration("5d").is_err());
        assert!(parse_duration("m").is_err());
    }
}
