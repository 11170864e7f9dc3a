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

fn main() -> std::io::Result<()> {
    support::serve_cases(support::render)
}
