//! End-to-end tests of `helmpilot render` on the bundled example, against the output real
//! Helm gives for the same chart and values (examples/hello/expected-helm.json, written
//! by scripts/oracle/render_example.py).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn helmpilot(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_helmpilot"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("run helmpilot")
}

/// Splits `helm template`-style output into {file name: body}.
fn sections(stdout: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for doc in stdout.split("---\n# Source: ").skip(1) {
        let (path, body) = doc.split_once('\n').expect("a source line");
        let name = path.rsplit('/').next().unwrap_or(path).to_string();
        // The printer adds one newline after each document.
        out.insert(name, body.strip_suffix('\n').unwrap_or(body).to_string());
    }
    out
}

#[test]
fn renders_the_example_exactly_as_helm() {
    let output = helmpilot(&[
        "render",
        "examples/hello/templates/_helpers.tpl",
        "examples/hello/templates/deployment.yaml",
        "examples/hello/templates/service.yaml",
        "-f",
        "examples/hello/values.json",
        "--name",
        "demo",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let ours = sections(&String::from_utf8(output.stdout).expect("utf-8 output"));
    let golden =
        std::fs::read_to_string(repo().join("examples/hello/expected-helm.json")).expect("golden");
    let helm: BTreeMap<String, String> = serde_json::from_str(&golden).expect("golden json");
    assert_eq!(ours, helm);
}

#[test]
fn a_template_error_names_the_place_and_shows_the_line() {
    let dir = std::env::temp_dir().join(format!("helmpilot-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let template = dir.join("bad.yaml");
    std::fs::write(&template, "ok: 1\nbad: {{ .Values.a.b }}\n").expect("write template");
    let values = dir.join("values.json");
    std::fs::write(&values, r#"{"a": 1}"#).expect("write values");

    let output = helmpilot(&[
        "render",
        template.to_str().unwrap(),
        "-f",
        values.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("can't evaluate field b in type interface {}"),
        "{stderr}"
    );
    assert!(stderr.contains("bad.yaml:2:"), "{stderr}");
    assert!(stderr.contains("2 | bad: {{ .Values.a.b }}"), "{stderr}");
    assert!(
        output.stdout.is_empty(),
        "nothing is printed when rendering fails"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_values_file_that_is_not_json_is_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("helmpilot-values-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let values = dir.join("values.json");
    std::fs::write(&values, "replicas: [").expect("write values");

    let output = helmpilot(&[
        "render",
        "examples/hello/templates/service.yaml",
        "-f",
        values.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("is not valid JSON"), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}
