//! Chart conformance: every case of `fixtures/chart-conformance/cases.json` (a fixture
//! chart with values files and `helm template` flags) run through the `helmpilot` binary,
//! compared byte for byte with what real Helm v4.2.3 printed
//! (`scripts/oracle/render_charts.py` wrote the goldens: `<case>.out` for stdout,
//! `<case>.err` for the error message after `Error: `).
//!
//! Helm ends errors raised after it has a release with a hint about its `--debug` flag;
//! helmpilot has no such flag (it shows a code frame instead), so the hint is not compared.
//!
//! Cases marked with a `divergence` are where helmpilot deliberately differs (the
//! sandbox refuses what Helm allows); they must fail, with our own message.

use std::path::{Path, PathBuf};
use std::process::Command;

const DEBUG_HINT: &str = "\n\nUse --debug flag to render out invalid YAML";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("action/ sits in the repository root")
        .to_path_buf()
}

#[derive(serde::Deserialize)]
struct Case {
    name: String,
    args: Vec<String>,
    #[serde(default)]
    divergence: Option<String>,
}

#[test]
fn fixture_charts_render_like_helm() {
    let root = repo_root();
    let dir = root.join("fixtures/chart-conformance");
    let cases: Vec<Case> = serde_json::from_str(
        &std::fs::read_to_string(dir.join("cases.json")).expect("cases.json is readable"),
    )
    .expect("cases.json is a list of cases");
    assert!(!cases.is_empty());

    let mut failures = Vec::new();
    for case in &cases {
        let output = Command::new(env!("CARGO_BIN_EXE_helmpilot"))
            .arg("template")
            .args(&case.args)
            // Fixed seed and clock: the fixtures avoid random and time functions, so these
            // only make the run independent of the checkout.
            .args(["--now", "2026-01-01T00:00:00Z"])
            .current_dir(&root)
            .output()
            .expect("the helmpilot binary runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let golden_out = dir.join("goldens").join(format!("{}.out", case.name));
        let golden_err = dir.join("goldens").join(format!("{}.err", case.name));
        if case.divergence.is_some() {
            if output.status.success() {
                failures.push(format!("{}: should fail (sandbox) but rendered", case.name));
            }
            continue;
        }
        if let Ok(expected) = std::fs::read_to_string(&golden_out) {
            if !output.status.success() {
                failures.push(format!("{}: failed: {stderr}", case.name));
            } else if stdout != expected {
                failures.push(format!(
                    "{}: output differs\n{}",
                    case.name,
                    first_difference(&expected, &stdout)
                ));
            }
        } else {
            let expected = std::fs::read_to_string(&golden_err)
                .unwrap_or_else(|_| panic!("{}: no golden .out or .err", case.name));
            let expected = expected.trim_end().trim_end_matches(DEBUG_HINT).to_string();
            let message = stderr
                .strip_prefix("Error: ")
                .unwrap_or(&stderr)
                .to_string();
            if output.status.success() {
                failures.push(format!(
                    "{}: rendered but Helm fails: {expected}",
                    case.name
                ));
            } else if !message.starts_with(expected.trim_end()) {
                failures.push(format!(
                    "{}: error differs\n  helm: {}\n  ours: {}",
                    case.name,
                    expected.trim_end(),
                    message.trim_end()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from Helm:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// The first differing line, with a little context.
fn first_difference(expected: &str, actual: &str) -> String {
    let expected_lines: Vec<&str> = expected.lines().collect();
    let actual_lines: Vec<&str> = actual.lines().collect();
    let at = expected_lines
        .iter()
        .zip(&actual_lines)
        .position(|(a, b)| a != b)
        .unwrap_or(expected_lines.len().min(actual_lines.len()));
    format!(
        "  line {}:\n  helm: {:?}\n  ours: {:?}",
        at + 1,
        expected_lines.get(at).unwrap_or(&"<end>"),
        actual_lines.get(at).unwrap_or(&"<end>")
    )
}
