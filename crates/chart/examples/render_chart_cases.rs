//! Renders template cases read as JSON lines on stdin with Helm's function library, one
//! result line per case on stdout (`{"output": ...}` or `{"error": ...}`), as the function
//! conformance suite compares them with Helm. `scripts/fuzz/differential.py --functions`
//! drives it.
//!
//! Helm reads the wall clock (a date function given a non-time value formats "now"), so
//! for this comparison each case renders with the system time as its injected clock.
//!
//! ```text
//! echo '{"template": "{{ upper .Values.a }}", "values": {"a": "x"}}' | cargo run -p helmpilot-chart --example render_chart_cases
//! ```

#[path = "../../template/tests/support/mod.rs"]
// Shared by several test and example binaries; each uses a part of it.
#[allow(dead_code)]
mod support;

use std::time::{SystemTime, UNIX_EPOCH};

use helmpilot_chart::funcs::{helm_functions_with, FunctionEnv, Timestamp};

fn main() -> std::io::Result<()> {
    support::serve_cases(|case| {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let env = FunctionEnv {
            now: Timestamp {
                unix_seconds: i64::try_from(since_epoch.as_secs()).unwrap_or(i64::MAX),
                nanos: since_epoch.subsec_nanos(),
            },
            ..FunctionEnv::default()
        };
        support::render_with(case, helm_functions_with(env))
    })
}
