//! Chart.lock digests and text, `dependency list` statuses, the build check and the
//! archives of `file://` dependencies, against what Helm v4.2.3 did with the same chart
//! trees (fixtures/deps/goldens.json, written by scripts/oracle/deps_goldens.py).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use helmpilot_chart::chart::save::{self, SaveOptions};
use helmpilot_chart::chart::{self as chart, Chart, Lock, Metadata};
use helmpilot_repo::lock::{check_lock, hash_req, lock_file_name, lock_file_text};
use helmpilot_repo::status::dependency_statuses;
use serde_json::Value;

const GENERATED: &str = "2024-01-01T00:00:00Z";

fn goldens() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/deps/goldens.json");
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// A fresh directory for one case, under the target's temporary space.
fn case_root(index: usize) -> PathBuf {
    let root = std::env::temp_dir().join(format!(
        "helmpilot-lock-goldens-{}-{index}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&root);
    fs::create_dir_all(&root).unwrap();
    root
}

fn write_tree(root: &Path, files: &serde_json::Map<String, Value>) {
    let root_text = root.to_str().unwrap();
    for (name, text) in files {
        let text = text.as_str().unwrap();
        if let Some(path) = name.strip_prefix("@archive ") {
            // A chart archive holding only Chart.yaml, for the given name and version.
            let spec: Value = serde_json::from_str(text).unwrap();
            let chart = Chart {
                metadata: Metadata {
                    api_version: "v2".into(),
                    name: spec["name"].as_str().unwrap().into(),
                    version: spec["version"].as_str().unwrap().into(),
                    ..Metadata::default()
                },
                ..Chart::default()
            };
            let path = root.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, save::archive(&chart, SaveOptions::default()).unwrap()).unwrap();
            continue;
        }
        let path = root.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text.replace("{ROOT}", root_text)).unwrap();
    }
}

fn scrub(text: &str, root: &Path) -> String {
    text.replace(root.to_str().unwrap(), "{ROOT}")
}

/// Our `dependency list` rows in the oracle's JSON shape, or `{"error": ...}`.
fn our_listing(dir: &Path, root: &Path) -> Value {
    let listing = match dependency_statuses(dir) {
        Ok(rows) => Value::Array(
            rows.unwrap_or_default()
                .into_iter()
                .map(|r| {
                    serde_json::json!({"name": r.name, "version": r.version,
                                       "repository": r.repository, "status": r.status.as_str()})
                })
                .collect(),
        ),
        Err(e) => serde_json::json!({"error": e.to_string()}),
    };
    serde_json::from_str(&scrub(&listing.to_string(), root)).unwrap()
}

/// The archive entries in the oracle's shape, sorted by name.
fn entry_listing(entries: &[save::Entry]) -> Value {
    use sha2::{Digest, Sha256};
    let mut rows: Vec<Value> = entries
        .iter()
        .map(|e| {
            let sum: String = Sha256::digest(&e.data)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            serde_json::json!({"name": e.name, "mode": e.mode, "size": e.data.len(), "sha256": sum})
        })
        .collect();
    rows.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    Value::Array(rows)
}

/// Helm's `GetLocalPath` for the relative and absolute `file://` paths of the cases.
fn local_path(repository: &str, chart_dir: &Path) -> PathBuf {
    let p = repository.trim_start_matches("file://");
    if p.starts_with('/') {
        PathBuf::from(p)
    } else {
        chart_dir.join(p)
    }
}

#[test]
fn dependency_goldens() {
    let goldens = goldens();
    let cases = goldens["cases"].as_array().unwrap();
    assert!(cases.len() >= 40, "expected 40+ cases, got {}", cases.len());
    let mut failures = Vec::new();
    let (mut digests, mut locks, mut archives, mut listings, mut builds) = (0, 0, 0, 0, 0);
    for (index, case) in cases.iter().enumerate() {
        let name = case["name"].as_str().unwrap();
        let root = case_root(index);
        write_tree(&root, case["files"].as_object().unwrap());
        let dir = root.join(case["chart"].as_str().unwrap());
        let mut check = |what: &str, ours: Value, helm: &Value| {
            if &ours != helm {
                failures.push(format!("{name}: {what}\n  ours: {ours}\n  helm: {helm}"));
            }
        };

        check(
            "list before",
            our_listing(&dir, &root),
            &case["list_before"],
        );
        listings += 1;

        let Some(lock_text) = case["lock"].as_str() else {
            let _ = fs::remove_dir_all(&root);
            continue;
        };
        let loaded = chart::load_dir(&dir).unwrap();
        let real_text = lock_text.replace("{ROOT}", root.to_str().unwrap());
        let helm_lock = Lock::parse(real_text.as_bytes()).unwrap();
        let req = &loaded.metadata.dependencies;
        let api = loaded.metadata.api_version.as_str();
        check(
            "lock name",
            Value::from(lock_file_name(api)),
            &case["lock_name"],
        );
        if !lock_text.contains("{ROOT}") {
            check(
                "digest",
                Value::from(hash_req(req, &helm_lock.dependencies)),
                &Value::from(helm_lock.digest.clone()),
            );
            digests += 1;
        }
        let ours = Lock {
            generated: GENERATED.into(),
            ..helm_lock.clone()
        };
        check(
            "lock text",
            Value::from(scrub(&lock_file_text(&ours).unwrap(), &root)),
            &Value::from(format!("{lock_text}generated: \"{GENERATED}\"\n")),
        );
        locks += 1;

        // The archives of file:// dependencies, made as Helm's update makes them.
        let charts_dir = dir.join("charts");
        let before: BTreeSet<String> = fs::read_dir(&charts_dir)
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        let mut made = BTreeSet::new();
        for locked in &helm_lock.dependencies {
            if !locked.repository.starts_with("file://") {
                continue;
            }
            let sub = chart::load_dir(&local_path(&locked.repository, &dir)).unwrap();
            let file = format!("{}-{}.tgz", sub.name(), sub.metadata.version);
            let entries = save::entries(&sub, SaveOptions::default()).unwrap();
            check(
                &format!("archive {file}"),
                entry_listing(&entries),
                &case["archives"][file.as_str()],
            );
            archives += 1;
            let bytes = save::archive(&sub, SaveOptions::default()).unwrap();
            fs::create_dir_all(&charts_dir).unwrap();
            fs::write(charts_dir.join(&file), bytes).unwrap();
            made.insert(file);
        }
        // Helm then deletes outdated archives: loadable files it did not just write,
        // unless they belong to a dependency with no repository.
        let local: BTreeSet<&str> = req
            .iter()
            .filter(|d| d.repository.is_empty())
            .map(|d| d.name.as_str())
            .collect();
        for file in before.difference(&made) {
            let path = charts_dir.join(file);
            if path.is_dir() {
                continue;
            }
            if let Ok(c) = chart::load(&path) {
                if !local.contains(c.name()) {
                    fs::remove_file(&path).unwrap();
                }
            }
        }
        let written: BTreeSet<String> = case["archives"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        check(
            "archives written",
            Value::from(made.iter().cloned().collect::<Vec<_>>()),
            &Value::from(written.into_iter().collect::<Vec<_>>()),
        );
        fs::write(
            dir.join(lock_file_name(api)),
            lock_file_text(&ours).unwrap(),
        )
        .unwrap();
        check("list after", our_listing(&dir, &root), &case["list_after"]);
        listings += 1;

        // `helm dependency build` after the dependency file was changed.
        if let Some(tampered) = case["build_tampered"].as_object() {
            let file = tampered["file"].as_str().unwrap();
            let text = tampered["text"].as_str().unwrap();
            fs::write(
                dir.join(file),
                text.replace("{ROOT}", root.to_str().unwrap()),
            )
            .unwrap();
            let changed = chart::load_dir(&dir).unwrap();
            let deps = changed.metadata.dependencies.as_slice();
            let ours = check_lock(
                &changed.metadata.api_version,
                Some(deps),
                Some(deps),
                &helm_lock,
            );
            let ours = match ours {
                Ok(()) => Value::Null,
                Err(e) => Value::from(e.to_string()),
            };
            check("build after tampering", ours, &tampered["error"]);
            // And the untouched list is in sync.
            assert!(
                check_lock(api, Some(req), Some(req), &helm_lock).is_ok()
                    || lock_text.contains("{ROOT}"),
                "{name}: the lock Helm wrote is out of sync for us"
            );
            builds += 1;
        }
        let _ = fs::remove_dir_all(&root);
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!(
        "compared {digests} digests, {locks} lock texts, {archives} archives, \
         {listings} listings, {builds} build checks"
    );
}
