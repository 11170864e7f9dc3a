//! The pull-request scenario of fixtures/diff/scenario as a Git repository made at test
//! time: `main` is the base (the fraud-detection chart plus the scenario's base templates
//! and values), `feature` the head (head.patch applied).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("repository root")
        .to_path_buf()
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Runs git in `dir` with fixed commit dates (so commit times, and renders, repeat).
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_DATE", "2026-03-01T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-03-01T12:00:00Z")
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// A repository whose `main` is the base and whose `feature` branch is the head.
pub struct Scenario {
    pub dir: PathBuf,
}

impl Scenario {
    pub fn new(name: &str) -> Scenario {
        let dir =
            std::env::temp_dir().join(format!("helmpilot-scenario-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let chart = dir.join("charts/fraud-detector");
        let scenario = repo_root().join("fixtures/diff/scenario");
        copy_dir(&repo_root().join("fixtures/charts/fraud-detector"), &chart);
        copy_dir(&scenario.join("base-templates"), &chart.join("templates"));
        let values = chart.join("values.yaml");
        let mut text = std::fs::read_to_string(&values).unwrap();
        text.push_str(&std::fs::read_to_string(scenario.join("base-values.yaml")).unwrap());
        std::fs::write(&values, text).unwrap();
        git(&dir, &["init", "-q", "-b", "main"]);
        git(&dir, &["config", "user.email", "ci@example.com"]);
        git(&dir, &["config", "user.name", "CI"]);
        git(&dir, &["add", "."]);
        git(&dir, &["commit", "-q", "-m", "base"]);
        git(&dir, &["checkout", "-q", "-b", "feature"]);
        // The pull request (also what scripts/demo/diff-example.sh shows).
        git(
            &dir,
            &["apply", scenario.join("head.patch").to_str().unwrap()],
        );
        git(&dir, &["add", "-A"]);
        git(&dir, &["commit", "-q", "-m", "head"]);
        Scenario { dir }
    }

    /// The commit a revision names.
    pub fn commit(&self, revision: &str) -> String {
        git(&self.dir, &["rev-parse", revision])
    }

    pub fn diff(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_helmpilot"))
            .arg("diff")
            .args(args)
            .current_dir(&self.dir)
            .env_remove("NO_COLOR")
            .output()
            .expect("helmpilot runs")
    }
}

impl Drop for Scenario {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
