//! `helm package` archives (fixtures/deps/goldens.json, `packages`, written by
//! scripts/oracle/deps_goldens.py): our archive of the same chart has the same entries
//! (names, modes, sizes, contents).

use std::path::Path;

use helmpilot_chart::chart::load_dir;
use helmpilot_chart::chart::save::{self, SaveOptions};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn listing(entries: &[save::Entry]) -> Value {
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

#[test]
fn packages_match_helm() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(repo.join("fixtures/deps/goldens.json")).unwrap();
    let goldens: Value = serde_json::from_str(&text).unwrap();
    let packages = goldens["packages"].as_array().unwrap();
    assert!(!packages.is_empty());
    for package in packages {
        let chart = load_dir(&repo.join(package["chart"].as_str().unwrap())).unwrap();
        let file = format!("{}-{}.tgz", chart.name(), chart.metadata.version);
        assert_eq!(file, package["file"].as_str().unwrap());
        let entries = save::entries(&chart, SaveOptions { mtime: 0 }).unwrap();
        assert_eq!(listing(&entries), package["entries"], "{file}");

        // The written archive loads back to the same files.
        let bytes = save::archive(&chart, SaveOptions { mtime: 0 }).unwrap();
        let again = helmpilot_chart::chart::load_archive(&bytes).unwrap();
        let entries_again = save::entries(&again, SaveOptions { mtime: 0 }).unwrap();
        assert_eq!(
            listing(&entries_again),
            package["entries"],
            "{file} reloaded"
        );
    }
}
