//! `helmpilot template` as a command: exit statuses, error reports with code frames, and
//! `--output-dir`, whose files must hold exactly the documents the printed stream holds.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("action/ sits in the repository root")
        .to_path_buf()
}

fn helmpilot(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_helmpilot"))
        .args(args)
        .args(["--now", "2026-01-01T00:00:00Z"])
        .current_dir(repo_root())
        .output()
        .expect("the helmpilot binary runs")
}

/// Documents of a `helm template` stream grouped by their `# Source:` path, in order.
fn documents_by_source(stream: &str) -> BTreeMap<String, String> {
    let mut by_source: BTreeMap<String, String> = BTreeMap::new();
    for block in stream.split("---\n# Source: ").skip(1) {
        let (path, _) = block.split_once('\n').expect("a source line");
        by_source
            .entry(path.to_string())
            .or_default()
            .push_str(&format!("---\n# Source: {block}"));
    }
    by_source
}

#[test]
fn output_dir_files_hold_the_printed_documents() {
    let chart = "fixtures/charts/fraud-detector";
    let values = "fixtures/charts/fraud-detector/values-prod.yaml";
    let printed = helmpilot(&["template", "prod", chart, "-f", values]);
    assert!(printed.status.success(), "{:?}", printed);
    let printed = String::from_utf8(printed.stdout).unwrap();

    let dir = std::env::temp_dir().join(format!("helmpilot-output-dir-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let dir_text = dir.to_str().unwrap();
    let written = helmpilot(&[
        "template",
        "prod",
        chart,
        "-f",
        values,
        "--output-dir",
        dir_text,
    ]);
    assert!(written.status.success(), "{:?}", written);
    let report = String::from_utf8(written.stdout).unwrap();

    let expected = documents_by_source(&printed);
    assert!(expected.len() > 5, "the chart renders several files");
    for (source, documents) in &expected {
        let file = dir.join(source);
        assert!(
            report.contains(&format!("wrote {}", file.display())),
            "{report}"
        );
        // Each document is written as `---\n# Source: ...\n<doc>\n`, like the stream,
        // where documents are also separated by the same header.
        let content = std::fs::read_to_string(&file).unwrap();
        assert_eq!(
            content.trim_end(),
            documents.trim_end(),
            "{}",
            file.display()
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn usage_errors_exit_2_and_render_errors_exit_1_with_a_code_frame() {
    let too_many = helmpilot(&["template", "a", "fixtures/charts/fraud-detector", "extra"]);
    assert_eq!(too_many.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&too_many.stderr),
        "Error: expected at most two arguments, unexpected arguments: extra\n"
    );

    let unknown_flag = helmpilot(&["template", "fixtures/charts/fraud-detector", "--frobnicate"]);
    assert_eq!(unknown_flag.status.code(), Some(2));

    let failing = helmpilot(&["template", "fixtures/charts/errors/missing-required"]);
    assert_eq!(failing.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&failing.stderr);
    assert!(
        stderr.starts_with("Error: execution error at (missing-required/templates/deployment.yaml:10:52): image.tag is required"),
        "{stderr}"
    );
    assert!(
        stderr.contains(" --> missing-required/templates/deployment.yaml:10:53\n"),
        "{stderr}"
    );
    assert!(stderr.contains("^^^^^^^^"), "{stderr}");

    let missing = helmpilot(&["template", "./no-such-chart"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr)
        .starts_with("Error: path \"./no-such-chart\" not found"));
}

#[test]
fn archives_render_like_their_directories() {
    // The umbrella chart vendors the model server as a .tgz; rendering that archive on
    // its own must give what the directory gives (same chart, same values).
    let archive = std::fs::read_dir(repo_root().join("fixtures/charts/ml-platform/charts"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "tgz"))
        .expect("ml-platform vendors a .tgz");
    let from_archive = helmpilot(&["template", "r", archive.to_str().unwrap()]);
    let from_dir = helmpilot(&["template", "r", "fixtures/charts/fraud-detector"]);
    assert!(from_archive.status.success(), "{:?}", from_archive);
    assert_eq!(
        String::from_utf8_lossy(&from_archive.stdout),
        String::from_utf8_lossy(&from_dir.stdout)
    );
}
