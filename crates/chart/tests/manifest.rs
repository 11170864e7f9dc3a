//! What `helm template` does after the engine, against goldens from real Helm v4.2.3
//! (scripts/oracle/manifest_goldens.py): the engine's stored map goes in, and the
//! release manifest, the error texts and the `helm template` output must come out byte
//! for byte. (The release manifest, notes and errors are Helm's own; the hook and flag
//! outputs were built by that script from Helm's code path, checked against Helm's
//! manifest; see its docstring.)

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use helmpilot_chart::manifest::{
    render_resources, write_template_output, Crd, HookEvent, OutputOptions, ResourceOptions,
};
use serde_json::Value;

const OUT: &str = "OUT";

fn goldens() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/manifest/goldens")
}

fn load(name: &str) -> Value {
    let text = fs::read_to_string(goldens().join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn rendered(golden: &Value) -> BTreeMap<String, String> {
    golden["rendered"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect()
}

fn crds(golden: &Value) -> Vec<Crd> {
    golden["crds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Crd {
            filename: c["filename"].as_str().unwrap().to_string(),
            content: c["data"].as_str().unwrap().to_string(),
        })
        .collect()
}

fn options(json: &Value, out_dir: &Path) -> OutputOptions {
    let flag = |name: &str| json[name].as_bool().unwrap_or(false);
    OutputOptions {
        include_crds: flag("include_crds"),
        skip_tests: flag("skip_tests"),
        disable_hooks: flag("disable_hooks"),
        hide_secret: flag("hide_secret"),
        show_only: json["show_only"]
            .as_array()
            .map(|a| a.iter().map(|p| p.as_str().unwrap().to_string()).collect())
            .unwrap_or_default(),
        output_dir: json["output_dir"]
            .as_str()
            .map(|_| out_dir.to_str().unwrap().to_string()),
        use_release_name: flag("use_release_name"),
        release_name: "release-name".to_string(),
    }
}

/// Every file under `dir`, by path, with its text.
fn files_under(dir: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.insert(
                    path.to_str().unwrap().to_string(),
                    fs::read_to_string(&path).unwrap(),
                );
            }
        }
    }
    found
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("helmpilot-manifest-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

/// Runs one flag case; returns how the files look afterwards (empty without a dir).
/// `dir` is where `--output-dir` cases write.
fn check_case(chart: &str, golden: &Value, case: &Value, dir: &Path) -> BTreeMap<String, String> {
    let name = format!("{chart}/{}", case["name"].as_str().unwrap());
    let opts = options(&case["options"], dir);
    let unout = |s: &str| s.replace(OUT, dir.to_str().unwrap());

    let mut out = String::new();
    let result = write_template_output(&rendered(golden), &crds(golden), &opts, &mut out);
    assert_eq!(
        out,
        unout(case["stdout"].as_str().unwrap()),
        "{name}: stdout"
    );
    match case["error"].as_str() {
        Some(error) => assert_eq!(result.unwrap_err().to_string(), error, "{name}: error"),
        None => result.unwrap(),
    }
    let mut written = BTreeMap::new();
    if let Some(files) = case["files"].as_object() {
        let expected: BTreeMap<String, String> = files
            .iter()
            .map(|(k, v)| (unout(k), v.as_str().unwrap().to_string()))
            .collect();
        written = files_under(dir);
        assert_eq!(written, expected, "{name}: files");
    }
    written
}

#[test]
fn charts_match_helm() {
    let mut compared = 0;
    for chart in ["shop", "order", "broken"] {
        let golden = load(&format!("{chart}.json"));
        let result = render_resources(
            &rendered(&golden),
            &crds(&golden),
            &ResourceOptions::default(),
        );
        match golden["error"].as_str() {
            Some(error) => assert_eq!(result.unwrap_err().to_string(), error, "{chart}"),
            None => {
                let resources = result.unwrap();
                assert_eq!(
                    resources.manifest,
                    golden["release_manifest"].as_str().unwrap(),
                    "{chart}: release manifest"
                );
                assert_eq!(
                    resources.notes,
                    golden["notes"].as_str().unwrap(),
                    "{chart}"
                );
                let hooks: Vec<Value> = resources
                    .hooks
                    .iter()
                    .map(|h| {
                        serde_json::json!({
                            "path": h.path, "kind": h.kind, "name": h.name,
                            "events": h.events.iter().map(|e| e.as_str()).collect::<Vec<_>>(),
                            "weight": h.weight, "delete_policies": h.delete_policies,
                        })
                    })
                    .collect();
                assert_eq!(Value::Array(hooks), golden["hooks"], "{chart}: hooks");
            }
        }
        compared += 1;
        for case in golden["cases"].as_array().unwrap() {
            let dir = scratch_dir(&format!("{chart}-{}", case["name"].as_str().unwrap()));
            check_case(chart, &golden, case, &dir);
            let _ = fs::remove_dir_all(&dir);
            compared += 1;
        }
    }
    assert!(compared >= 19, "only {compared} comparisons");
}

#[test]
fn heads_match_helm() {
    let golden = load("heads.json");
    let cases = golden.as_array().unwrap();
    assert!(cases.len() >= 40);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let rendered = rendered(case);
        let result = render_resources(&rendered, &[], &ResourceOptions::default());
        match case["error"].as_str() {
            Some(error) => {
                assert_eq!(result.unwrap_err().to_string(), error, "{name}");
                let mut out = String::new();
                let err =
                    write_template_output(&rendered, &[], &OutputOptions::default(), &mut out)
                        .unwrap_err();
                assert_eq!(
                    err.to_string(),
                    format!("{error}\n\nUse --debug flag to render out invalid YAML")
                );
                assert_eq!(out, "");
            }
            None => assert_eq!(
                result.unwrap().manifest,
                case["release_manifest"].as_str().unwrap(),
                "{name}"
            ),
        }
    }
}

/// A second `helm template --output-dir` run into the same directory: manifest files
/// start over (Helm creates them on their first document of the run), but hooks append
/// to a file that exists, so files holding only hooks get them a second time.
#[test]
fn output_dir_second_run_appends_hooks_only() {
    let golden = load("shop.json");
    let case = golden["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "output-dir")
        .unwrap()
        .clone();
    let dir = scratch_dir("second-run");
    let first = check_case("shop", &golden, &case, &dir);
    let opts = options(&case["options"], &dir);
    let mut out = String::new();
    write_template_output(&rendered(&golden), &crds(&golden), &opts, &mut out).unwrap();
    let second = files_under(&dir);

    let manifest_paths: BTreeSet<&str> = golden["release_manifest"]
        .as_str()
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("# Source: "))
        .collect();
    let mut hooks_only = 0;
    for (file, text) in &first {
        let hook_only = golden["hooks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["path"].as_str().unwrap())
            .any(|p| file.ends_with(&format!("/{p}")) && !manifest_paths.contains(p));
        let expected = if hook_only {
            hooks_only += 1;
            format!("{text}{text}")
        } else {
            text.clone()
        };
        assert_eq!(second[file], expected, "{file}");
    }
    assert_eq!(hooks_only, 2);
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn hook_model_keeps_weights_and_policies() {
    let golden = load("shop.json");
    let res = render_resources(&rendered(&golden), &[], &ResourceOptions::default()).unwrap();
    let heavy = res
        .hooks
        .iter()
        .find(|h| h.name == "pre-job-heavy")
        .unwrap();
    assert_eq!(heavy.weight, 10);
    assert_eq!(heavy.events, [HookEvent::PreInstall]);
    assert_eq!(
        heavy.delete_policies,
        ["before-hook-creation", "hook-succeeded"]
    );
    // An unquoted weight is read as Helm reads it: sigs.k8s.io/yaml makes it "-5".
    let cm = res.hooks.iter().find(|h| h.name == "pre-cm").unwrap();
    assert_eq!(cm.weight, -5);
    assert!(res.hooks.iter().filter(|h| h.is_test()).count() == 2);
    // Documents that are not hooks carry what Helm read of them.
    let deployment = res
        .manifests
        .iter()
        .find(|m| m.head.kind == "Deployment")
        .unwrap();
    assert_eq!(deployment.head.api_version, "apps/v1");
    assert_eq!(
        deployment.head.metadata.as_ref().unwrap().name,
        "release-name-shop"
    );
}

/// `crd_objects` names CRD files as Helm's `Chart.CRDObjects` does (the golden's list
/// is Helm's), from a chart built by hand with the fixture's files.
#[test]
fn crd_objects_match_helm() {
    use helmpilot_chart::chart::{Chart, ChartFile, Metadata};
    use helmpilot_chart::manifest::crd_objects;

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/manifest/charts/shop");
    let file = |dir: &Path, name: &str| ChartFile {
        name: name.to_string(),
        data: fs::read(dir.join(name)).unwrap().into(),
    };
    let named = |name: &str| Metadata {
        name: name.to_string(),
        ..Metadata::default()
    };
    let sub = root.join("charts/cache");
    let chart = Chart {
        metadata: named("shop"),
        files: vec![
            file(&root, "crds/crontab.yaml"),
            file(&root, "crds/README.txt"),
            file(&root, "values.yaml"),
        ],
        dependencies: vec![Chart {
            metadata: named("cache"),
            files: vec![file(&sub, "crds/caches.YAML")],
            ..Chart::default()
        }],
        ..Chart::default()
    };
    assert_eq!(crd_objects(&chart), crds(&load("shop.json")));
}
