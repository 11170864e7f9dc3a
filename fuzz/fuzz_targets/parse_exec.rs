//! Parses and executes arbitrary templates; only panics (and crashes) are findings.
//!
//! Input layout (what scripts/fuzz/seed_corpus.py writes):
//!
//! ```text
//! {"a": 1, "l": [1, 2]}          <- first line: JSON values (becomes .Values)
//! {{ range .Values.l }}...       <- the rest: the main template
//! \0{{ define "x" }}...          <- optional: each NUL starts a partial file
//! ```
//!
//! If the first line is not a JSON object, the whole input is the template and the values
//! are empty. Templates are parsed in one set (partials first, like Helm's `_*.tpl`
//! files) and executed with tight limits, so runaway templates end with an error instead
//! of exhausting the fuzzer.

#![no_main]

use std::collections::BTreeMap;

use helmpilot_template::{Limits, Map, Templates, Value};
use libfuzzer_sys::fuzz_target;

const MAIN: &str = "t/templates/case.yaml";

/// Splits the input into values and the template files (main first, then partials).
fn split(data: &[u8]) -> (Value, Vec<String>) {
    let text = String::from_utf8_lossy(data);
    let (values, rest) = match text.split_once('\n') {
        Some((first, rest)) => match serde_json::from_str::<serde_json::Value>(first) {
            Ok(v @ serde_json::Value::Object(_)) => (Value::from(&v), rest),
            _ => (Value::from(BTreeMap::new()), &*text),
        },
        None => (Value::from(BTreeMap::new()), &*text),
    };
    (values, rest.split('\0').map(str::to_string).collect())
}

fuzz_target!(|data: &[u8]| {
    let (values, files) = split(data);
    let mut set = Templates::new();
    set.set_name("gotpl");
    set.set_limits(Limits { max_template_depth: 200, max_output_bytes: 1 << 20, max_steps: 100_000 });
    // Partials first, then the main template (a later definition replaces an earlier one).
    for (i, text) in files.iter().enumerate().skip(1) {
        let _ = set.parse(&format!("t/templates/_p{i}.tpl"), text);
    }
    if set.parse(MAIN, &files[0]).is_err() {
        return;
    }
    let top = Map::new();
    top.insert("Values", values);
    let _ = set.execute(MAIN, &Value::Map(top));
});
