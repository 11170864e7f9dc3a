//! `helmpilot diff` end to end: a Git repository made at test time from the fixture chart
//! (fixtures/charts/fraud-detector plus fixtures/diff/scenario), a base commit and a
//! head commit with the changes a pull request brings, and the three outputs checked for
//! the right objects, risks and masking.

mod support;

use std::process::Output;

use support::scenario::{git, repo_root, Scenario};

const API_KEY_BASE: &str = "sk-base-7f3a91c2e4b8";
const API_KEY_HEAD: &str = "sk-head-0d5e62a9f1c3";

fn stdout(output: &Output) -> String {
    assert!(
        output.status.code() == Some(0) || output.status.code() == Some(2),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(output)).expect("JSON output")
}

/// `(change, kind, name)` of each changed object of one environment in the JSON report.
fn changes(report: &serde_json::Value, env: &str) -> Vec<(String, String, String)> {
    let env = report["environments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == env)
        .unwrap_or_else(|| panic!("no environment {env}"));
    env["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["change"].as_str().unwrap().to_string(),
                c["key"]["kind"].as_str().unwrap().to_string(),
                c["key"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn risk_rules(report: &serde_json::Value, env: &str) -> Vec<String> {
    let env = report["environments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == env)
        .unwrap();
    let mut rules: Vec<String> = env["risks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["rule"].as_str().unwrap(),
                r["key"]["kind"].as_str().unwrap()
            )
        })
        .collect();
    rules.sort();
    rules.dedup();
    rules
}

#[test]
fn json_names_the_objects_and_risks_of_each_environment() {
    let scenario = Scenario::new("json");
    let report = json(&scenario.diff(&[
        "charts/fraud-detector",
        "--base",
        "main",
        "--head",
        "feature",
        "-o",
        "json",
    ]));
    assert_eq!(report["schema_version"], 1);
    let names: Vec<&str> = report["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["dev", "prod", "staging"]);

    let staging = changes(&report, "staging");
    let has = |list: &[(String, String, String)], change: &str, kind: &str, name_part: &str| {
        list.iter()
            .any(|(c, k, n)| c == change && k == kind && n.contains(name_part))
    };
    assert!(
        has(&staging, "changed", "Deployment", "fraud-detector"),
        "{staging:?}"
    );
    assert!(has(&staging, "changed", "Secret", "scoring"), "{staging:?}");
    assert!(
        has(&staging, "removed", "PersistentVolumeClaim", "model-cache"),
        "{staging:?}"
    );
    assert!(
        has(&staging, "renamed", "ConfigMap", "feature-flags"),
        "{staging:?}"
    );

    let rules = risk_rules(&report, "staging");
    for expected in [
        "immutable-selector Deployment",
        "pvc-deleted PersistentVolumeClaim",
        "secret-changed Secret",
        "image-changed Deployment",
    ] {
        assert!(
            rules
                .iter()
                .any(|r| r.starts_with(expected.split(' ').next().unwrap())
                    && r.ends_with(expected.split(' ').nth(1).unwrap())),
            "missing {expected} in {rules:?}"
        );
    }
    // The image moved in staging only.
    let images = |env: &str| {
        report["environments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == env)
            .unwrap()["images"]
            .as_array()
            .unwrap()
            .clone()
    };
    let staging_images = images("staging");
    assert_eq!(staging_images.len(), 1, "{staging_images:?}");
    assert!(staging_images[0]["from"]
        .as_str()
        .unwrap()
        .ends_with(":2.7.1"));
    assert!(staging_images[0]["to"]
        .as_str()
        .unwrap()
        .ends_with(":2.8.0"));
    assert!(images("prod").is_empty() && images("dev").is_empty());
    // The selector change reaches every environment.
    for env in ["dev", "prod"] {
        assert!(
            risk_rules(&report, env)
                .iter()
                .any(|r| r.contains("selector") && r.ends_with("Deployment")),
            "{env}"
        );
    }
    let text = report.to_string();
    assert!(
        !text.contains(API_KEY_BASE) && !text.contains(API_KEY_HEAD),
        "a secret leaked into JSON"
    );
}

#[test]
fn text_and_markdown_show_the_same_changes_without_secrets() {
    let scenario = Scenario::new("formats");
    let base_args = [
        "charts/fraud-detector",
        "--base",
        "main",
        "--head",
        "feature",
    ];
    let text = stdout(&scenario.diff(&[&base_args[..], &["--no-color"]].concat()));
    assert!(!text.contains('\x1b'), "--no-color output has escape codes");
    for needle in [
        "staging",
        "PersistentVolumeClaim",
        "spec.selector",
        "2.7.1",
        "2.8.0",
        "SCORING_API_KEY",
    ] {
        assert!(text.contains(needle), "text lacks {needle:?}:\n{text}");
    }
    let markdown = stdout(&scenario.diff(&[&base_args[..], &["-o", "markdown"]].concat()));
    assert!(
        markdown.contains("<details>") && markdown.contains("```diff"),
        "{markdown}"
    );
    assert!(markdown.chars().count() <= 65_536);
    for output in [&text, &markdown] {
        assert!(
            !output.contains(API_KEY_BASE) && !output.contains(API_KEY_HEAD),
            "a secret leaked"
        );
    }
    let golden_path = repo_root().join("fixtures/diff/scenario/markdown.golden.md");
    if std::env::var_os("HELMPILOT_UPDATE_GOLDENS").is_some() {
        std::fs::write(&golden_path, &markdown).unwrap();
    }
    let golden =
        std::fs::read_to_string(&golden_path).expect("fixtures/diff/scenario/markdown.golden.md");
    assert_eq!(
        markdown, golden,
        "the PR comment changed; review and rewrite it with HELMPILOT_UPDATE_GOLDENS=1"
    );
}

#[test]
fn exit_codes_environment_selection_and_manifest_files() {
    let scenario = Scenario::new("exit");
    let changed = scenario.diff(&[
        "charts/fraud-detector",
        "--base",
        "main",
        "--head",
        "feature",
        "--env",
        "staging",
        "-o",
        "json",
        "--exit-code",
    ]);
    assert_eq!(changed.status.code(), Some(2));
    let report = json(&changed);
    assert_eq!(report["environments"].as_array().unwrap().len(), 1);

    let same = scenario.diff(&[
        "charts/fraud-detector",
        "--base",
        "feature",
        "--head",
        "feature",
        "--exit-code",
    ]);
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&same.stderr)
    );

    let unknown = scenario.diff(&["charts/fraud-detector", "--base", "main", "--env", "qa"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("values-qa.yaml"));

    let bad_flag = scenario.diff(&["--exit-code", "--no-such-flag"]);
    assert_eq!(
        bad_flag.status.code(),
        Some(1),
        "a bad command line is an error, not a change"
    );

    // Without --head, the working tree is the head: an uncommitted edit shows up.
    let prod_values = scenario.dir.join("charts/fraud-detector/values-prod.yaml");
    let mut text = std::fs::read_to_string(&prod_values).unwrap();
    text.push_str("\npodAnnotations:\n  reviewed-by: on-call\n");
    std::fs::write(&prod_values, text).unwrap();
    let working = scenario.diff(&[
        "charts/fraud-detector",
        "--base",
        "feature",
        "--env",
        "prod",
        "-o",
        "json",
        "--exit-code",
    ]);
    assert_eq!(
        working.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&working.stderr)
    );
    assert!(changes(&json(&working), "prod")
        .iter()
        .any(|(c, k, _)| c == "changed" && k == "Deployment"));

    // Two rendered files.
    let old = scenario.dir.join("old.yaml");
    let new = scenario.dir.join("new.yaml");
    std::fs::write(&old, "---\n# Source: x/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n").unwrap();
    std::fs::write(&new, "---\n# Source: x/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: w\n").unwrap();
    let files = scenario.diff(&[
        "--manifests",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "-o",
        "json",
        "--exit-code",
    ]);
    assert_eq!(files.status.code(), Some(2));
    assert_eq!(
        changes(&json(&files), new.to_str().unwrap()),
        [(
            "changed".to_string(),
            "ConfigMap".to_string(),
            "a".to_string()
        )]
    );
}

#[test]
fn a_chart_added_in_the_pull_request_is_all_added() {
    let scenario = Scenario::new("new-chart");
    let chart = scenario.dir.join("charts/common-lib-user");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: common-lib-user\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(
        chart.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n",
    )
    .unwrap();
    git(&scenario.dir, &["add", "-A"]);
    git(&scenario.dir, &["commit", "-q", "-m", "new chart"]);
    let report = json(&scenario.diff(&[
        "charts/common-lib-user",
        "--base",
        "main",
        "--head",
        "feature",
        "-o",
        "json",
    ]));
    assert_eq!(
        changes(&report, "default"),
        [(
            "added".to_string(),
            "ConfigMap".to_string(),
            "common-lib-user".to_string()
        )]
    );
}

#[test]
fn a_chart_deleted_in_the_pull_request_is_all_removed() {
    let scenario = Scenario::new("deleted-chart");
    git(&scenario.dir, &["rm", "-q", "-r", "charts/fraud-detector"]);
    git(&scenario.dir, &["commit", "-q", "-m", "retire the chart"]);
    let report = json(&scenario.diff(&[
        "charts/fraud-detector",
        "--base",
        "main",
        "--env",
        "prod",
        "-o",
        "json",
    ]));
    let prod = changes(&report, "prod");
    assert!(
        !prod.is_empty() && prod.iter().all(|(change, _, _)| change == "removed"),
        "{prod:?}"
    );
    assert!(prod.iter().any(|(_, kind, _)| kind == "Deployment"));
    let rules = risk_rules(&report, "prod");
    assert!(
        rules.iter().any(|r| r.starts_with("pvc-deleted")),
        "{rules:?}"
    );
}

#[test]
fn two_thousand_changed_objects_fit_one_comment() {
    let scenario = Scenario::new("large");
    let render = |version: &str| {
        (0..2_000)
            .map(|i| {
                format!(
                    "---\n# Source: big/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings-{i:04}\ndata:\n  release: \"{version}\"\n  shard: \"{i}\"\n  description: {}\n",
                    "feature store shard configuration ".repeat(3)
                )
            })
            .collect::<String>()
    };
    let (old, new) = (scenario.dir.join("old.yaml"), scenario.dir.join("new.yaml"));
    std::fs::write(&old, render("2026.10")).unwrap();
    std::fs::write(&new, render("2026.11")).unwrap();
    let markdown = stdout(&scenario.diff(&[
        "--manifests",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "-o",
        "markdown",
    ]));
    assert!(
        markdown.chars().count() <= 65_536,
        "{} chars",
        markdown.chars().count()
    );
    assert!(
        markdown.contains("| 0 | 2,000 | 0 |"),
        "the summary row keeps the full count"
    );
    assert!(
        markdown.contains("Shortened to fit a comment"),
        "what was cut is said"
    );
}
