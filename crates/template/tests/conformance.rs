//! The conformance suite: every case under fixtures/template-conformance was rendered by
//! real Helm (v4.2.3 through helm-python-sdk 0.2.2, see scripts/oracle); we render it the
//! way Helm's engine does (see `support`) and compare output or error text byte for byte.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use support::{render, CaseInput};

#[derive(Deserialize)]
struct Case {
    name: String,
    #[serde(flatten)]
    input: CaseInput,
    output: Option<String>,
    error: Option<String>,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/template-conformance")
}

/// Cases we knowingly render differently from Helm, with the reason, one per line:
/// `file.json/case-name  reason`.
fn known_divergences() -> BTreeMap<String, String> {
    let path = fixtures().join("known-divergences.txt");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(char::is_whitespace) {
            Some((id, reason)) => (id.to_string(), reason.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

#[test]
fn matches_helm_goldens() {
    let dir = fixtures().join("goldens");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("goldens directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let known = known_divergences();
    let (mut total, mut failures, mut stale) = (0, Vec::new(), Vec::new());
    for path in &paths {
        let file = path
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or_default()
            .to_string();
        let cases: Vec<Case> =
            serde_json::from_str(&std::fs::read_to_string(path).expect("read golden"))
                .unwrap_or_else(|e| panic!("{file}: {e}"));
        for case in &cases {
            total += 1;
            let id = format!("{file}/{}", case.name);
            let expected = match (&case.output, &case.error) {
                (Some(out), None) => Ok(out.clone()),
                (None, Some(err)) => Err(err.clone()),
                _ => panic!("{id}: a golden needs exactly one of output and error"),
            };
            let actual = std::panic::catch_unwind(|| render(&case.input))
                .unwrap_or_else(|_| Err("<panic>".to_string()));
            let agrees = actual == expected;
            match (agrees, known.contains_key(&id)) {
                (true, true) => stale.push(id),
                (false, false) => failures.push(format!(
                    "{id}\n  template: {:?}\n  helm:     {:?}\n  ours:     {:?}",
                    case.input.template, expected, actual
                )),
                _ => {}
            }
        }
    }
    println!(
        "conformance: {total} cases, {} known divergences",
        known.len()
    );
    assert!(
        total >= 400,
        "expected at least 400 golden cases, found {total}"
    );
    assert!(
        stale.is_empty(),
        "known divergences that now agree with Helm (remove them): {stale:#?}"
    );
    assert!(
        failures.is_empty(),
        "{} of {total} cases differ from Helm:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
