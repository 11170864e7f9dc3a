//! Renders template cases read as JSON lines on stdin, one result line per case on stdout:
//! `{"output": "..."}` or `{"error": "..."}`, exactly as the conformance suite compares
//! them with Helm. The differential fuzzer (scripts/fuzz) drives it.
//!
//! ```text
//! echo '{"template": "{{ .Values.a }}", "values": {"a": 1}}' | cargo run --example render_cases
//! ```

#[path = "../tests/support/mod.rs"]
// Shared by several test and example binaries; each uses a part of it.
#[allow(dead_code)]
mod support;

use std::io::{BufRead, Write};

fn main() -> std::io::Result<()> {
    let stdin = std::io::stdin();
    let mut stdout = std::io::BufWriter::new(std::io::stdout());
    for line in stdin.lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let result = match serde_json::from_str::<support::CaseInput>(&line) {
            Ok(case) => match std::panic::catch_unwind(|| support::render(&case)) {
                Ok(Ok(output)) => serde_json::json!({ "output": output }),
                Ok(Err(error)) => serde_json::json!({ "error": error }),
                Err(_) => serde_json::json!({ "panic": true }),
            },
            Err(e) => serde_json::json!({ "invalid_input": e.to_string() }),
        };
        writeln!(stdout, "{result}")?;
        stdout.flush()?;
    }
    Ok(())
}
