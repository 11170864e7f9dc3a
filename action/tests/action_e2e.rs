//! `helmpilot action` end to end: the real binary with the GitHub Actions environment set,
//! on a Git repository made from the fixture scenario, talking to a recording fake of the
//! GitHub REST endpoints it uses (GitHub itself cannot be reached from here). Event
//! payloads are GitHub's own examples (npm `@octokit/webhooks-examples`) with only SHAs
//! and names patched, and every request we send is checked against GitHub's OpenAPI
//! description (npm `@octokit/openapi`).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use helmpilot_github_fake::examples::{patch_pull_request, payload, PullRequestPatch};
use helmpilot_github_fake::openapi::Spec;
use helmpilot_github_fake::{Failure, FakeGitHub};
use support::scenario::{git, Scenario};

const OWNER: &str = "octo-org";
const REPO: &str = "ml-deploy";
const NUMBER: u64 = 42;

/// The runner's files for one job step.
struct Runner {
    dir: PathBuf,
}

impl Runner {
    fn new(scenario: &Scenario, name: &str) -> Runner {
        let dir = scenario.dir.with_extension(format!("runner-{name}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Runner { dir }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.file(name)).unwrap_or_default()
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs `helmpilot action` for a `pull_request` event from `base` to `head`.
fn run_action(
    scenario: &Scenario,
    runner: &Runner,
    github: &FakeGitHub,
    event: &str,
    (base, head): (&str, &str),
    inputs: &[(&str, &str)],
) -> Output {
    let mut body = payload("pull_request", Some("synchronize"));
    patch_pull_request(
        &mut body,
        &PullRequestPatch {
            repository: format!("{OWNER}/{REPO}"),
            head_repository: format!("{OWNER}/{REPO}"),
            number: NUMBER,
            base_ref: "main".into(),
            base_sha: scenario.commit(base),
            head_ref: "feature".into(),
            head_sha: scenario.commit(head),
        },
    );
    let event_path = runner.file("event.json");
    std::fs::write(&event_path, serde_json::to_vec(&body).unwrap()).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_helmpilot"));
    command
        .arg("action")
        .current_dir(&scenario.dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", std::env::var("HOME").unwrap_or_default())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", event)
        .env("GITHUB_EVENT_PATH", &event_path)
        .env("GITHUB_REPOSITORY", format!("{OWNER}/{REPO}"))
        .env("GITHUB_API_URL", github.url())
        .env("GITHUB_WORKSPACE", &scenario.dir)
        .env("GITHUB_STEP_SUMMARY", runner.file("summary.md"))
        .env("GITHUB_OUTPUT", runner.file("output.txt"))
        .env("RUNNER_TEMP", &runner.dir)
        .env("HELMPILOT_CACHE_DIR", runner.file("cache"))
        // As the runner passes inputs: INPUT_ + the name upper-cased, dashes kept.
        .env("INPUT_GITHUB-TOKEN", "ghs_fakeTokenForTests0123456789");
    for (name, value) in inputs {
        command.env(format!("INPUT_{}", name.to_uppercase()), value);
    }
    command.output().expect("helmpilot runs")
}

/// `helmpilot action` on the pull request from `main` to `feature`.
fn pull_request(
    scenario: &Scenario,
    runner: &Runner,
    github: &FakeGitHub,
    inputs: &[(&str, &str)],
) -> Output {
    run_action(
        scenario,
        runner,
        github,
        "pull_request",
        ("main", "feature"),
        inputs,
    )
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
}

/// Every request the action sent must be a valid call of GitHub's REST API.
fn assert_requests_match_openapi(github: &FakeGitHub) {
    let spec = Spec::load();
    let requests = github.requests();
    assert!(!requests.is_empty());
    for request in &requests {
        if let Err(problem) = spec.check(request) {
            panic!("{} {}: {problem}", request.method, request.path);
        }
    }
}

fn commit_change(scenario: &Scenario, path: &str, from: &str, to: &str) {
    let file = scenario.dir.join(path);
    let content = std::fs::read_to_string(&file).unwrap();
    assert!(content.contains(from), "{path} lacks {from:?}");
    std::fs::write(&file, content.replacen(from, to, 1)).unwrap();
    git(
        &scenario.dir,
        &["commit", "-q", "-am", &format!("edit {path}")],
    );
}

#[test]
fn one_comment_created_then_edited_then_set_to_no_changes() {
    let scenario = Scenario::new("action-comment");
    let github = FakeGitHub::start();
    let runner = Runner::new(&scenario, "first");

    // First push of the pull request: one comment, with the marker.
    let first = pull_request(&scenario, &runner, &github, &[]);
    assert_exit(&first, 0);
    let comments = github.comments(OWNER, REPO, NUMBER);
    assert_eq!(comments.len(), 1);
    let marker_line = comments[0].body.lines().next().unwrap().to_string();
    assert!(
        marker_line.starts_with("<!-- helmpilot:diff:") && marker_line.ends_with("-->"),
        "{marker_line}"
    );
    assert!(comments[0]
        .body
        .contains("| `charts/fraud-detector` | `staging` |"));
    assert!(comments[0].body.contains("immutable-selector"));
    let stdout = text(&first.stdout);
    assert!(
        stdout.contains("::group::charts/fraud-detector · staging ("),
        "{stdout}"
    );
    assert!(stdout.contains("::endgroup::"));
    assert!(stdout.contains("::add-mask::ghs_fakeTokenForTests0123456789"));
    assert!(!text(&first.stderr).contains("ghs_fakeTokenForTests0123456789"));
    // Job summary and outputs.
    let summary = runner.read("summary.md");
    assert!(
        summary.contains("<details>") && summary.contains("```diff"),
        "{summary}"
    );
    let outputs = runner.read("output.txt");
    assert!(
        outputs.contains("changed<<") && outputs.contains("\ntrue\n"),
        "{outputs}"
    );
    assert!(outputs.contains("risks<<"));
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(runner.file("helmpilot-report.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(report["schema_version"], 1);

    // Another push: the same comment is edited; no second comment.
    commit_change(
        &scenario,
        "charts/fraud-detector/values-dev.yaml",
        "replicaCount: 1",
        "replicaCount: 2",
    );
    let second = pull_request(&scenario, &runner, &github, &[]);
    assert_exit(&second, 0);
    let comments_after = github.comments(OWNER, REPO, NUMBER);
    assert_eq!(comments_after.len(), 1, "a later push edits the comment");
    assert_eq!(comments_after[0].id, comments[0].id);
    assert_ne!(comments_after[0].body, comments[0].body);
    assert!(text(&second.stdout).contains("comment updated"));

    // The pull request no longer changes any chart: the comment says so.
    git(&scenario.dir, &["checkout", "-q", "main", "--", "charts"]);
    git(
        &scenario.dir,
        &["commit", "-q", "-m", "revert the chart changes"],
    );
    let third = pull_request(&scenario, &runner, &github, &[]);
    assert_exit(&third, 0);
    let final_comments = github.comments(OWNER, REPO, NUMBER);
    assert_eq!(final_comments.len(), 1);
    assert!(final_comments[0].body.starts_with(&marker_line));
    assert!(
        final_comments[0].body.to_lowercase().contains("no changes"),
        "{}",
        final_comments[0].body
    );
    assert!(runner.read("output.txt").contains("changed<<"));
    assert_requests_match_openapi(&github);
}

#[test]
fn fail_on_risk_fails_after_commenting_and_render_errors_are_annotated() {
    let scenario = Scenario::new("action-fail");
    let github = FakeGitHub::start();
    let runner = Runner::new(&scenario, "fail");
    let high = pull_request(&scenario, &runner, &github, &[("fail-on-risk", "high")]);
    assert_exit(&high, 1);
    assert!(
        text(&high.stderr).contains("fail-on-risk"),
        "{}",
        text(&high.stderr)
    );
    assert_eq!(
        github.comments(OWNER, REPO, NUMBER).len(),
        1,
        "the comment is posted before failing"
    );

    let none = pull_request(&scenario, &runner, &github, &[("fail-on-risk", "none")]);
    assert_exit(&none, 0);

    // A template that no longer renders: an annotation on that file, and a failed step.
    commit_change(
        &scenario,
        "charts/fraud-detector/templates/configmap.yaml",
        "metadata:",
        "metadata:\n  broken: {{ .Values.nope.missing }}",
    );
    let broken = pull_request(&scenario, &runner, &github, &[]);
    assert_exit(&broken, 1);
    let stdout = text(&broken.stdout);
    assert!(
        stdout.contains("::error file=charts/fraud-detector/templates/configmap.yaml,line="),
        "{stdout}"
    );
    let bad_input = pull_request(&scenario, &runner, &github, &[("comment", "sometimes")]);
    assert_exit(&bad_input, 1);
    assert!(text(&bad_input.stderr).contains("input `comment`"));
    assert_requests_match_openapi(&github);
}

#[test]
fn retries_and_missing_permissions_are_explained() {
    let scenario = Scenario::new("action-perm");
    let github = FakeGitHub::start();
    let runner = Runner::new(&scenario, "perm");
    github.fail_next(1, Failure::Status(502));
    let retried = pull_request(&scenario, &runner, &github, &[]);
    assert_exit(&retried, 0);
    assert_eq!(github.comments(OWNER, REPO, NUMBER).len(), 1);

    github.fail_next(1, Failure::Forbidden);
    let refused = pull_request(&scenario, &runner, &github, &[]);
    assert_exit(&refused, 1);
    assert!(
        text(&refused.stderr).contains("pull-requests: write"),
        "{}",
        text(&refused.stderr)
    );
}

#[test]
fn other_events_touch_nothing_and_shallow_checkouts_are_explained() {
    let scenario = Scenario::new("action-events");
    let github = FakeGitHub::start();
    let runner = Runner::new(&scenario, "events");
    let push = run_action(
        &scenario,
        &runner,
        &github,
        "push",
        ("main", "feature"),
        &[],
    );
    assert_exit(&push, 0);
    assert!(text(&push.stdout).contains("deploy"));
    assert!(github.requests().is_empty(), "no API call on other events");

    // A base commit the checkout does not have.
    let mut body = payload("pull_request", Some("opened"));
    patch_pull_request(
        &mut body,
        &PullRequestPatch {
            repository: format!("{OWNER}/{REPO}"),
            head_repository: format!("{OWNER}/{REPO}"),
            number: NUMBER,
            base_ref: "main".into(),
            base_sha: "0123456789abcdef0123456789abcdef01234567".into(),
            head_ref: "feature".into(),
            head_sha: scenario.commit("feature"),
        },
    );
    std::fs::write(
        runner.file("event.json"),
        serde_json::to_vec(&body).unwrap(),
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_helmpilot"))
        .arg("action")
        .current_dir(&scenario.dir)
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", runner.file("event.json"))
        .env("GITHUB_REPOSITORY", format!("{OWNER}/{REPO}"))
        .env("GITHUB_API_URL", github.url())
        .env("GITHUB_WORKSPACE", &scenario.dir)
        .env("RUNNER_TEMP", &runner.dir)
        .env("INPUT_GITHUB-TOKEN", "ghs_x")
        .output()
        .unwrap();
    assert_exit(&output, 1);
    assert!(
        text(&output.stderr).contains("fetch-depth: 0"),
        "{}",
        text(&output.stderr)
    );
    let _ = Path::new("");
}
