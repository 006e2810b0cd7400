//! Helpers shared by the benches (`make bench`).

use std::time::Duration;

/// A size from the environment (`BENCH_…`), else `default`.
pub fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The `p` quantile (0–1) of durations sorted ascending; zero when there are none.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

/// A memory figure of a running process from `/proc/<pid>/status` (`VmRSS`, its resident
/// memory now; `VmHWM`, the most it has held), in megabytes; `None` off Linux or once the
/// process is gone.
pub fn process_memory_mb(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let value = status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))?;
    let kb: f64 = value.split_whitespace().next()?.parse().ok()?;
    Some(kb / 1024.0)
}

/// One line of a bench's report: the figure, the limit it runs against and their ratio (a
/// figure with no limit, `limit` 0, shows its context instead of a ratio).
pub fn report(figure: &str, value: f64, unit: &str, limit: f64, limit_text: &str) {
    if limit > 0.0 {
        let ratio = value / limit;
        println!(
            "  {figure:<52} {value:>10.1} {unit:<6} | limit {limit_text:<46} | ratio {ratio:.2}"
        );
    } else {
        println!("  {figure:<52} {value:>10.1} {unit:<6} | {limit_text}");
    }
}
