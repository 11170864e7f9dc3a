//! Differential test of the `--set` family against Helm's own parsers.
//!
//! `fixtures/strvals/cases.jsonl` holds expressions run through Helm v4.2.3's
//! `pkg/strvals` (see `scripts/oracle/strvals_goldens.py`), each with the JSON Helm
//! marshalled the result to, or Helm's error text. Every case is parsed here and
//! compared byte for byte: our tree marshalled the way Go marshals, or our message.
//!
//! Go marshals int64 1 and float64 1 alike, so number types are checked from the flag,
//! as Helm's source fixes them: `--set` makes only int64, `--set-json` only float64.

use std::collections::BTreeMap;
use std::path::PathBuf;

use helmpilot_chart::values::strvals::{parse, SetKind};
use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/strvals")
}

/// What Helm's reader gave for each `--set-file` path when the goldens were made.
fn file_table() -> BTreeMap<String, Result<String, String>> {
    let text = std::fs::read_to_string(fixtures().join("files.json")).expect("files.json");
    let table: BTreeMap<String, BTreeMap<String, String>> =
        serde_json::from_str(&text).expect("files.json is a map");
    table
        .into_iter()
        .map(|(path, entry)| {
            let read = match (entry.get("content"), entry.get("error")) {
                (Some(content), None) => Ok(content.clone()),
                (None, Some(error)) => Err(error.clone()),
                _ => panic!("files.json entry {path:?} needs content or error"),
            };
            (path, read)
        })
        .collect()
}

fn kind(name: &str) -> SetKind {
    match name {
        "set" => SetKind::Typed,
        "string" => SetKind::String,
        "json" => SetKind::Json,
        "literal" => SetKind::Literal,
        "file" => SetKind::File,
        other => panic!("unknown kind {other:?}"),
    }
}

/// Every number in `value`, with a path to name it.
fn numbers<'a>(value: &'a Value, path: String, out: &mut Vec<(String, &'a serde_json::Number)>) {
    match value {
        Value::Number(n) => out.push((path, n)),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                numbers(item, format!("{path}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                numbers(v, format!("{path}.{k}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn strvals_match_helm() {
    let text = std::fs::read_to_string(fixtures().join("cases.jsonl")).expect("cases.jsonl");
    let files = file_table();
    let read_file = |path: &str| match files.get(path) {
        Some(read) => read.clone(),
        None => Err(format!("path {path:?} is not in files.json")),
    };

    let mut compared = 0;
    let mut failures = Vec::new();
    for line in text.split('\n').filter(|l| !l.is_empty()) {
        let case: BTreeMap<String, String> = serde_json::from_str(line).expect("case line");
        let (name, input) = (&case["kind"], &case["input"]);
        let kind = kind(name);
        let got = parse(input, kind, &read_file);
        compared += 1;
        match (got, case.get("result"), case.get("error")) {
            (Ok(map), Some(want), None) => {
                let value = Value::Object(map);
                let got = helmpilot_yaml::json::marshal(&value);
                if &got != want {
                    failures.push(format!("{name} {input:?}: got {got}, Helm {want}"));
                }
                let mut nums = Vec::new();
                numbers(&value, String::new(), &mut nums);
                for (path, n) in nums {
                    let ok = match kind {
                        SetKind::Json => n.is_f64(),
                        _ => n.is_i64() || n.is_u64(),
                    };
                    if !ok {
                        failures.push(format!(
                            "{name} {input:?}: number {n} at {path} has the wrong Go type"
                        ));
                    }
                }
            }
            (Err(err), None, Some(want)) => {
                if &err.to_string() != want {
                    failures.push(format!("{name} {input:?}: error {err:?}, Helm {want:?}"));
                }
            }
            (Ok(map), None, Some(want)) => failures.push(format!(
                "{name} {input:?}: parsed to {}, Helm failed with {want:?}",
                helmpilot_yaml::json::marshal(&Value::Object(map))
            )),
            (Err(err), Some(want), None) => failures.push(format!(
                "{name} {input:?}: failed with {err:?}, Helm parsed to {want}"
            )),
            _ => panic!("case needs exactly one of result and error: {line}"),
        }
    }
    assert!(compared > 500, "only {compared} cases in the corpus");
    assert!(
        failures.is_empty(),
        "{} of {compared} cases differ from Helm:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
