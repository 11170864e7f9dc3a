//! The App's own Helm chart (deploy/chart), rendered by `helmpilot template` exactly as
//! real Helm renders it: fixtures/app-chart/goldens, written by
//! scripts/oracle/app_chart_goldens.py, for each case of fixtures/app-chart/cases.json
//! (`.out`: stdout; `.err`: the error text Helm prints after `Error: `).

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("action/ sits in the repository root")
        .to_path_buf()
}

#[test]
fn the_app_chart_renders_like_helm() {
    let root = repo_root();
    let cases: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("fixtures/app-chart/cases.json")).unwrap(),
    )
    .unwrap();
    let cases = cases.as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let args: Vec<&str> = case["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let output = Command::new(env!("CARGO_BIN_EXE_helmpilot"))
            .arg("template")
            .args(&args)
            .current_dir(&root)
            .env("KUBECONFIG", "/dev/null")
            .output()
            .unwrap();
        let goldens = root.join("fixtures/app-chart/goldens");
        let out = goldens.join(format!("{name}.out"));
        if out.exists() {
            assert!(
                output.status.success(),
                "{name}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            assert_eq!(
                String::from_utf8(output.stdout).unwrap(),
                std::fs::read_to_string(&out).unwrap(),
                "{name}"
            );
        } else {
            let err = std::fs::read_to_string(goldens.join(format!("{name}.err"))).unwrap();
            assert!(!output.status.success(), "{name} should fail");
            let stderr = String::from_utf8_lossy(&output.stderr);
            let first = err.lines().next().unwrap();
            assert!(stderr.contains(first), "{name}: {stderr}\nwant: {first}");
        }
    }
}
