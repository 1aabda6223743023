//! Batch progress: an indicatif bar on a terminal (done, in flight, failed, rate, ETA), plain
//! lines every `--progress-interval` otherwise, and the counters both read.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::args::ProgressMode;

/// What the workers count.
#[derive(Debug, Default)]
pub struct Counters {
    /// Rows finished in this run (verdict or error).
    pub done: AtomicU64,
    /// Rows finished with an error.
    pub failed: AtomicU64,
    /// Rows being applied or polled.
    pub in_flight: AtomicU64,
    /// Requests whose answers were counted (applies and polls).
    pub requests: AtomicU64,
}

/// The display.
pub struct Progress {
    counters: Arc<Counters>,
    total: u64,
    started: Instant,
    bar: Option<ProgressBar>,
    plain: Option<mpsc::Sender<()>>,
}

impl Progress {
    /// Start showing progress over `total` rows.
    pub fn start(mode: ProgressMode, total: u64, interval: Duration, color: bool) -> Progress {
        let mode = match mode {
            ProgressMode::Auto if std::io::stderr().is_terminal() => ProgressMode::Bar,
            ProgressMode::Auto => ProgressMode::Plain,
            other => other,
        };
        let mut progress = Progress {
            counters: Arc::default(),
            total,
            started: Instant::now(),
            bar: None,
            plain: None,
        };
        match mode {
            ProgressMode::Bar => {
                let template = if color {
                    "{spinner:.green} {bar:24.cyan/blue} {pos}/{len} {msg} ETA {eta}"
                } else {
                    "{spinner} {bar:24} {pos}/{len} {msg} ETA {eta}"
                };
                let style = ProgressStyle::with_template(template)
                    .expect("the template is valid")
                    .progress_chars("=> ");
                let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
                    .with_style(style);
                bar.enable_steady_tick(Duration::from_millis(200));
                progress.bar = Some(bar);
            }
            ProgressMode::Plain => {
                let (stop, ticks) = mpsc::channel::<()>();
                progress.plain = Some(stop);
                let view = progress.view();
                std::thread::spawn(move || {
                    while let Err(mpsc::RecvTimeoutError::Timeout) = ticks.recv_timeout(interval) {
                        eprintln!("{}", view.line());
                    }
                });
            }
            ProgressMode::None | ProgressMode::Auto => {}
        }
        progress
    }

    /// The counters.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// A row started.
    pub fn begin(&self) {
        self.counters.in_flight.fetch_add(1, Ordering::Relaxed);
        self.refresh();
    }

    /// A row finished (with `requests` requests counted).
    pub fn end(&self, failed: bool, requests: u64) {
        self.counters.in_flight.fetch_sub(1, Ordering::Relaxed);
        self.counters.done.fetch_add(1, Ordering::Relaxed);
        self.counters
            .requests
            .fetch_add(requests, Ordering::Relaxed);
        if failed {
            self.counters.failed.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
        self.refresh();
    }

    /// Print a line without breaking the bar.
    pub fn println(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    /// Stop the display (the summary follows); plain mode prints its last line.
    pub fn finish(self) {
        if let Some(bar) = &self.bar {
            bar.set_message(self.view().message());
            bar.finish();
            // The finished bar stays on screen; the summary starts on the next line.
            eprintln!();
        }
        if self.plain.is_some() {
            eprintln!("{}", self.view().line());
        }
    }

    fn refresh(&self) {
        if let Some(bar) = &self.bar {
            bar.set_message(self.view().message());
        }
    }

    /// A snapshot for the plain thread and the bar's message.
    fn view(&self) -> View {
        View {
            counters: Arc::clone(&self.counters),
            total: self.total,
            started: self.started,
        }
    }
}

/// What a progress line is made of.
struct View {
    counters: Arc<Counters>,
    total: u64,
    started: Instant,
}

impl View {
    /// In flight, failed and rate, for the bar.
    fn message(&self) -> String {
        let c = &self.counters;
        format!(
            "{} in flight · {} failed · {:.1} req/s",
            c.in_flight.load(Ordering::Relaxed),
            c.failed.load(Ordering::Relaxed),
            self.rate(),
        )
    }

    /// The whole plain line.
    fn line(&self) -> String {
        let done = self.counters.done.load(Ordering::Relaxed);
        let elapsed = self.started.elapsed().as_secs_f64();
        let eta = if done == 0 {
            "?".to_owned()
        } else {
            let left = (self.total - done.min(self.total)) as f64 * elapsed / done as f64;
            format!("{left:.0}s")
        };
        format!(
            "progress: {done}/{} done · {} · ETA {eta}",
            self.total,
            self.message()
        )
    }

    fn rate(&self) -> f64 {
        let elapsed = self.started.elapsed().as_secs_f64().max(1e-3);
        self.counters.requests.load(Ordering::Relaxed) as f64 / elapsed
    }
}
