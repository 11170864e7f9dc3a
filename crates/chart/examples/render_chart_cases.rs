//! Renders template cases read as JSON lines on stdin with Helm's function library, one
//! result line per case on stdout (`{"output": ...}` or `{"error": ...}`), as the function
//! conformance suite compares them with Helm. `scripts/fuzz/differential.py --functions`
//! drives it.
//!
//! ```text
//! echo '{"template": "{{ upper .Values.a }}", "values": {"a": "x"}}' | cargo run -p helmpilot-chart --example render_chart_cases
//! ```

#[path = "../../template/tests/support/mod.rs"]
// Shared by several test and example binaries; each uses a part of it.
#[allow(dead_code)]
mod support;

use helmpilot_chart::funcs::helm_functions;

fn main() -> std::io::Result<()> {
    let funcs = helm_functions();
    support::serve_cases(|case| support::render_with(case, funcs.clone()))
}
