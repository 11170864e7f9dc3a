//! Counters and latency histograms, served as Prometheus text (`GET /metrics`).
//!
//! Hand-rolled rather than a metrics crate: a handful of series, label values from a small
//! closed set (event names are capped, see [`Metrics::delivery`]), and the text format is
//! simple. All series live in one [`Metrics`] shared by the handlers and the worker.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// Latency buckets, seconds: from sub-millisecond webhook answers to slow GitHub calls.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Distinct event names kept as labels; beyond that they count as `other` (the event
/// header is only trusted after the signature check, but a bound costs nothing).
const MAX_EVENT_LABELS: usize = 64;

#[derive(Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.counts[i] += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }
}

#[derive(Default)]
struct Series {
    deliveries: BTreeMap<(String, &'static str), u64>,
    decisions: BTreeMap<&'static str, u64>,
    github_calls: BTreeMap<(&'static str, String), u64>,
    github_errors: BTreeMap<&'static str, u64>,
    webhook_latency: Histogram,
    github_latency: BTreeMap<&'static str, Histogram>,
    decision_latency: Histogram,
}

/// The App's metrics.
#[derive(Default)]
pub struct Metrics {
    series: Mutex<Series>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    fn lock(&self) -> MutexGuard<'_, Series> {
        // A panic elsewhere while counting must not stop the counting.
        self.series.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A webhook delivery was answered: `outcome` is `accepted`, `duplicate`, `ignored`,
    /// `unauthorized`, `too_large`, `bad_request` or `error`; `elapsed` is the time to
    /// answer.
    pub fn delivery(&self, event: &str, outcome: &'static str, elapsed: Duration) {
        let mut s = self.lock();
        let known = s.deliveries.keys().any(|(e, _)| e == event);
        let distinct = s
            .deliveries
            .keys()
            .map(|(e, _)| e.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        let event = if known || distinct < MAX_EVENT_LABELS {
            event.to_string()
        } else {
            "other".to_string()
        };
        *s.deliveries.entry((event, outcome)).or_default() += 1;
        s.webhook_latency.observe(elapsed.as_secs_f64());
    }

    /// A gate was answered (`approved` / `rejected`), `elapsed` after GitHub asked.
    pub fn decision(&self, state: &'static str, elapsed: Duration) {
        let mut s = self.lock();
        *s.decisions.entry(state).or_default() += 1;
        s.decision_latency.observe(elapsed.as_secs_f64());
    }

    /// An evaluation said to wait.
    pub fn waiting(&self) {
        *self.lock().decisions.entry("waiting").or_default() += 1;
    }

    /// A call to GitHub's API: `endpoint` is a fixed name (`access_tokens`, `callback`),
    /// `status` the HTTP status (0: no answer).
    pub fn github_call(&self, endpoint: &'static str, status: u16, elapsed: Duration) {
        let mut s = self.lock();
        let class = if status == 0 {
            "error".to_string()
        } else {
            status.to_string()
        };
        *s.github_calls.entry((endpoint, class)).or_default() += 1;
        if !(200..300).contains(&status) {
            *s.github_errors.entry(endpoint).or_default() += 1;
        }
        s.github_latency
            .entry(endpoint)
            .or_default()
            .observe(elapsed.as_secs_f64());
    }

    /// The Prometheus text exposition of every series, plus `gates` (pending/claimed/decided
    /// counts read from the store by the caller).
    pub fn render(&self, gates: &[(String, i64)]) -> String {
        let s = self.lock();
        let mut out = String::new();
        header(
            &mut out,
            "helmpilot_webhook_deliveries_total",
            "counter",
            "Webhook deliveries answered, by event and outcome.",
        );
        for ((event, outcome), n) in &s.deliveries {
            let _ = writeln!(
                out,
                "helmpilot_webhook_deliveries_total{{event=\"{}\",outcome=\"{outcome}\"}} {n}",
                escape(event)
            );
        }
        header(
            &mut out,
            "helmpilot_decisions_total",
            "counter",
            "Gate evaluations, by result (approved, rejected, waiting).",
        );
        for (state, n) in &s.decisions {
            let _ = writeln!(out, "helmpilot_decisions_total{{state=\"{state}\"}} {n}");
        }
        header(
            &mut out,
            "helmpilot_gates",
            "gauge",
            "Gates in the store, by state.",
        );
        for (state, n) in gates {
            let _ = writeln!(out, "helmpilot_gates{{state=\"{}\"}} {n}", escape(state));
        }
        header(
            &mut out,
            "helmpilot_github_requests_total",
            "counter",
            "Requests to GitHub's API, by endpoint and status (error: no answer).",
        );
        for ((endpoint, status), n) in &s.github_calls {
            let _ = writeln!(
                out,
                "helmpilot_github_requests_total{{endpoint=\"{endpoint}\",status=\"{status}\"}} {n}"
            );
        }
        header(
            &mut out,
            "helmpilot_github_errors_total",
            "counter",
            "Requests to GitHub's API that failed, by endpoint.",
        );
        for (endpoint, n) in &s.github_errors {
            let _ = writeln!(
                out,
                "helmpilot_github_errors_total{{endpoint=\"{endpoint}\"}} {n}"
            );
        }
        header(
            &mut out,
            "helmpilot_webhook_duration_seconds",
            "histogram",
            "Time to answer a webhook delivery.",
        );
        histogram(
            &mut out,
            "helmpilot_webhook_duration_seconds",
            "",
            &s.webhook_latency,
        );
        header(
            &mut out,
            "helmpilot_github_request_duration_seconds",
            "histogram",
            "Time of a request to GitHub's API, by endpoint.",
        );
        for (endpoint, h) in &s.github_latency {
            histogram(
                &mut out,
                "helmpilot_github_request_duration_seconds",
                &format!("endpoint=\"{endpoint}\","),
                h,
            );
        }
        header(
            &mut out,
            "helmpilot_decision_duration_seconds",
            "histogram",
            "Time from GitHub's request to the answer.",
        );
        histogram(
            &mut out,
            "helmpilot_decision_duration_seconds",
            "",
            &s.decision_latency,
        );
        out
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn histogram(out: &mut String, name: &str, labels: &str, h: &Histogram) {
    for (bound, n) in BUCKETS.iter().zip(h.counts) {
        let _ = writeln!(out, "{name}_bucket{{{labels}le=\"{bound}\"}} {n}");
    }
    let _ = writeln!(out, "{name}_bucket{{{labels}le=\"+Inf\"}} {}", h.count);
    let plain = labels.trim_end_matches(',');
    let braces = if plain.is_empty() {
        String::new()
    } else {
        format!("{{{plain}}}")
    };
    let _ = writeln!(out, "{name}_sum{braces} {}", h.sum);
    let _ = writeln!(out, "{name}_count{braces} {}", h.count);
}

/// Label values: backslash, quote and newline escaped, as the text format wants.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let m = Metrics::default();
        m.delivery("ping", "accepted", Duration::from_micros(300));
        m.delivery("ping", "accepted", Duration::from_millis(3));
        m.delivery("push", "ignored", Duration::from_millis(30));
        m.decision("approved", Duration::from_secs(2));
        m.github_call("callback", 204, Duration::from_millis(20));
        m.github_call("callback", 0, Duration::from_secs(10));
        let text = m.render(&[("pending".to_string(), 3)]);
        assert!(
            text.contains(
                "helmpilot_webhook_deliveries_total{event=\"ping\",outcome=\"accepted\"} 2\n"
            ),
            "{text}"
        );
        assert!(text.contains(
            "helmpilot_webhook_deliveries_total{event=\"push\",outcome=\"ignored\"} 1\n"
        ));
        assert!(text.contains("helmpilot_webhook_duration_seconds_bucket{le=\"0.0005\"} 1\n"));
        assert!(text.contains("helmpilot_webhook_duration_seconds_bucket{le=\"0.005\"} 2\n"));
        assert!(text.contains("helmpilot_webhook_duration_seconds_bucket{le=\"+Inf\"} 3\n"));
        assert!(text.contains("helmpilot_webhook_duration_seconds_count 3\n"));
        assert!(text.contains("helmpilot_decisions_total{state=\"approved\"} 1\n"));
        assert!(text.contains("helmpilot_gates{state=\"pending\"} 3\n"));
        assert!(text
            .contains("helmpilot_github_requests_total{endpoint=\"callback\",status=\"204\"} 1\n"));
        assert!(text.contains(
            "helmpilot_github_requests_total{endpoint=\"callback\",status=\"error\"} 1\n"
        ));
        assert!(text.contains("helmpilot_github_errors_total{endpoint=\"callback\"} 1\n"));
        assert!(text.contains(
            "helmpilot_github_request_duration_seconds_count{endpoint=\"callback\"} 2\n"
        ));
    }

    #[test]
    fn event_labels_are_bounded_and_escaped() {
        let m = Metrics::default();
        for i in 0..(MAX_EVENT_LABELS + 5) {
            m.delivery(&format!("e{i}"), "ignored", Duration::ZERO);
        }
        m.delivery("a\"b", "ignored", Duration::ZERO);
        let text = m.render(&[]);
        assert!(
            text.contains("event=\"other\",outcome=\"ignored\"} 6\n"),
            "{text}"
        );
        m.delivery("e0", "ignored", Duration::ZERO);
        assert!(m
            .render(&[])
            .contains("event=\"e0\",outcome=\"ignored\"} 2\n"));
        assert_eq!(escape("a\"b\\\n"), "a\\\"b\\\\\\n");
    }
}
