//! Shared by the bench binaries (`benches/*.rs` include it with `#[path = "support/mod.rs"]`):
//! one criterion configuration, a recorder that keeps criterion's own samples, and the final
//! "library next to baseline" summary table.
//!
//! Every benchmark is timed through [`timed`] (criterion's `iter_custom`), which stores each
//! `(iterations, elapsed)` pair criterion asked for. Criterion first warms up, then takes exactly
//! `sample_size` samples, so the last `sample_size` pairs of a benchmark are its measurement;
//! the summary reports their median time per iteration. A new part of the issue adds a group
//! (a `Comparison` row) to a binary here, or a new `benches/<name>.rs` with a `[[bench]]`
//! entry in Cargo.toml and its name in the Makefile's `bench` target.
#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::Criterion;

/// Samples per benchmark (criterion's default is 100; fewer keeps `make bench` short).
pub const SAMPLE_SIZE: usize = 40;

/// The criterion settings of every bench binary: 3 s of measurement after 1 s of warm-up,
/// 40 samples, no plots; command-line arguments (a filter, `--test`, ...) still apply.
pub fn criterion() -> Criterion {
    Criterion::default()
        .sample_size(SAMPLE_SIZE)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1))
        .without_plots()
        .configure_from_args()
}

static SAMPLES: Mutex<BTreeMap<String, Vec<(u64, Duration)>>> = Mutex::new(BTreeMap::new());

/// Record one sample of benchmark `id`.
pub fn record(id: &str, iters: u64, elapsed: Duration) {
    SAMPLES
        .lock()
        .unwrap()
        .entry(id.to_owned())
        .or_default()
        .push((iters, elapsed));
}

/// A routine for `Bencher::iter_custom`: runs `f` `iters` times back to back, records the
/// sample under `id` and returns the elapsed time. What `f` returns is dropped inside the
/// timed loop, as a caller would drop it.
pub fn timed<'a, T>(
    id: &'a str,
    mut f: impl FnMut() -> T + 'a,
) -> impl FnMut(u64) -> Duration + 'a {
    move |iters| {
        let elapsed = run(iters, &mut f);
        record(id, iters, elapsed);
        elapsed
    }
}

/// `f` run `iters` times back to back, timed; what `f` returns is dropped inside the loop.
pub fn run<T>(iters: u64, f: &mut impl FnMut() -> T) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        std::hint::black_box(f());
    }
    start.elapsed()
}

/// A second opinion that other work on the machine disturbs less than criterion's medians:
/// the benchmarks run in turn, `rounds` times, `iters` iterations each time, and each keeps
/// its fastest round. Returns (id, best time per iteration) in the order given.
pub fn interleaved(
    rounds: usize,
    iters: u64,
    benches: &mut [(&'static str, &mut dyn FnMut(u64) -> Duration)],
) -> Vec<(&'static str, Duration)> {
    let mut best = vec![Duration::MAX; benches.len()];
    for _ in 0..rounds {
        for (slot, (_, bench)) in best.iter_mut().zip(benches.iter_mut()) {
            *slot = (*slot).min(bench(iters) / iters as u32);
        }
    }
    benches.iter().map(|(id, _)| *id).zip(best).collect()
}

/// Print the interleaved figures of each comparison: `name: library X, baseline Y, ratio Rx`.
pub fn print_interleaved(rows: &[Comparison], best: &[(&'static str, Duration)]) {
    println!("\n-- interleaved check (best of rounds, library and baseline in turn) --");
    let find = |id: &str| best.iter().find(|(b, _)| *b == id).map(|(_, d)| *d);
    for row in rows {
        if let (Some(lib), Some(base)) = (find(row.library), find(row.baseline)) {
            println!(
                "{}: library {}, baseline {}, ratio {:.2}x (target <= {:.2}x)",
                row.name,
                format_time(lib),
                format_time(base),
                lib.as_secs_f64() / base.as_secs_f64(),
                row.target,
            );
        }
    }
}

/// Time per iteration over the last `SAMPLE_SIZE` samples of one benchmark (criterion's
/// measurement samples).
#[derive(Clone, Copy, Debug)]
pub struct Stats {
    /// The median sample.
    pub median: Duration,
    /// The fastest sample: the least disturbed by other work on the machine.
    pub min: Duration,
    /// How many samples (fewer than `SAMPLE_SIZE` in `--test` mode).
    pub samples: usize,
}

/// [`Stats`] of benchmark `id`, if it ran.
pub fn stats(id: &str) -> Option<Stats> {
    let samples = SAMPLES.lock().unwrap();
    let all = samples.get(id)?;
    let last = &all[all.len().saturating_sub(SAMPLE_SIZE)..];
    let mut per_iter: Vec<f64> = last
        .iter()
        .map(|(iters, elapsed)| elapsed.as_secs_f64() / *iters as f64)
        .collect();
    per_iter.sort_by(f64::total_cmp);
    let n = per_iter.len();
    let median = if n % 2 == 1 {
        per_iter[n / 2]
    } else {
        (per_iter[n / 2 - 1] + per_iter[n / 2]) / 2.0
    };
    Some(Stats {
        median: Duration::from_secs_f64(median),
        min: Duration::from_secs_f64(per_iter[0]),
        samples: n,
    })
}

/// `1.21 µs`, `3.42 ms`.
pub fn format_time(d: Duration) -> String {
    let ns = d.as_secs_f64() * 1e9;
    if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{:.2} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

/// One line of the summary: a library benchmark next to its baseline.
pub struct Comparison {
    /// The name printed first (e.g. `sign_small_cold`).
    pub name: &'static str,
    /// Benchmark id of the library path (`group/function`).
    pub library: &'static str,
    /// Benchmark id of the baseline.
    pub baseline: &'static str,
    /// Largest acceptable library/baseline ratio.
    pub target: f64,
}

/// Print `name: library X, baseline Y, ratio Rx (target <= Tx)` (medians) for every
/// comparison whose benchmarks ran (a filter may skip some), with the ratio of the fastest
/// samples after it. Misses are reported, never fatal: these are benchmarks, not timed tests.
pub fn print_summary(title: &str, rows: &[Comparison]) {
    println!("\n== {title}: library next to baseline (median of criterion's samples) ==");
    for row in rows {
        let (Some(lib), Some(base)) = (stats(row.library), stats(row.baseline)) else {
            continue;
        };
        let ratio = lib.median.as_secs_f64() / base.median.as_secs_f64();
        let min_ratio = lib.min.as_secs_f64() / base.min.as_secs_f64();
        let verdict = if lib.samples < SAMPLE_SIZE || base.samples < SAMPLE_SIZE {
            "(too few samples: test mode?)"
        } else if ratio <= row.target {
            "ok"
        } else {
            "MISSED"
        };
        println!(
            "{}: library {}, baseline {}, ratio {:.2}x (target <= {:.2}x) {verdict}; \
             fastest samples {} / {} = {:.2}x",
            row.name,
            format_time(lib.median),
            format_time(base.median),
            ratio,
            row.target,
            format_time(lib.min),
            format_time(base.min),
            min_ratio,
        );
    }
}

/// One line of `make bench`'s closing summary: printed, and appended to the file named by
/// `TCFACEID_BENCH_SUMMARY` when set (the Makefile prints that file, alone, at the end).
pub fn summary(line: &str) {
    println!("{line}");
    if let Some(path) = std::env::var_os("TCFACEID_BENCH_SUMMARY") {
        use std::io::Write as _;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .expect("the summary file opens");
        writeln!(file, "{line}").expect("the summary file is writable");
    }
}

/// Counts the bytes allocated minus those freed by the thread that called [`Counting::start`],
/// and their peak, until it calls [`Counting::stop`] (other threads, e.g. a responder, are not
/// counted); otherwise one thread-local read per call. A bench binary that measures memory
/// declares it its global allocator:
/// `#[global_allocator] static ALLOCATOR: support::Counting = support::Counting;`.
pub struct Counting;

thread_local! {
    /// Whether this thread's allocations are counted.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}
static CURRENT: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

impl Counting {
    fn add(size: usize, sign: isize) {
        if COUNTING.with(Cell::get) {
            let delta = sign * size as isize;
            let now = CURRENT.fetch_add(delta, Ordering::Relaxed) + delta;
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
    }

    /// Count this thread's allocations from now on, from zero.
    pub fn start() {
        CURRENT.store(0, Ordering::Relaxed);
        PEAK.store(0, Ordering::Relaxed);
        COUNTING.with(|c| c.set(true));
    }

    /// The peak since [`Counting::start`], and what is still allocated of it.
    pub fn stop() -> (isize, isize) {
        COUNTING.with(|c| c.set(false));
        (
            PEAK.load(Ordering::Relaxed),
            CURRENT.load(Ordering::Relaxed),
        )
    }
}

// SAFETY: every call is forwarded unchanged to `System`; only counters are updated around it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            Self::add(layout.size(), 1);
        }
        ptr
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            Self::add(layout.size(), 1);
        }
        ptr
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        Self::add(layout.size(), -1);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            Self::add(new_size, 1);
            Self::add(layout.size(), -1);
        }
        new
    }
}
