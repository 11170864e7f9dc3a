//! The whole App on one gate: a signed `deployment_protection_rule` delivery, the real
//! policy engine reading `.github/helmpilot.yml`, the pull request and its reviews from a
//! fake of GitHub's REST API (GitHub cannot be reached from here; the fake keeps to the
//! real API's shapes and every request is checked against GitHub's OpenAPI description),
//! waiting while the policy is not satisfied, and answering once when a review satisfies it.

mod common;

use std::time::Duration;

use common::*;
use helmpilot_app::engine::PolicyEngine;
use helmpilot_github_fake::openapi::Spec;
use helmpilot_github_fake::{examples, FakeGitHub, RecordedRequest};

const SHA: &str = "5c1e0b7d4f2a9e8c3b6a1d0f9e8d7c6b5a4f3e2d";

const POLICY: &str = "version: 1
environments:
  production:
    required_approvals: 1
    allowed_refs: [main]
";

fn callbacks(github: &FakeGitHub) -> Vec<RecordedRequest> {
    github
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/deployment_protection_rule"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_review_on_the_deployed_commit_opens_the_gate() {
    let github = FakeGitHub::start();
    let payload = protection_rule_payload(&github.url(), 4242, "production", SHA);
    let repo = payload["repository"]["full_name"]
        .as_str()
        .unwrap()
        .to_string();
    let (owner, name) = repo.split_once('/').unwrap();
    for git_ref in ["refs/heads/main", "main", SHA] {
        github.add_file(owner, name, git_ref, ".github/helmpilot.yml", POLICY);
    }
    github.add_pull_request(owner, name, 7, "author-dev", SHA, None);
    // The author's own approval does not count (no self-approval by default).
    github.add_review(
        owner,
        name,
        7,
        "author-dev",
        "APPROVED",
        SHA,
        "2026-03-01T10:00:00Z",
        "MEMBER",
    );

    let (db, _dir) = sqlite_url();
    let app = start_app(
        &db,
        &github.url(),
        PolicyEngine::new(&github.url()),
        worker_config("e2e"),
    )
    .await;
    let client = reqwest::Client::new();
    let body = serde_json::to_vec(&payload).unwrap();
    let (status, text) = deliver(&client, &app, "deployment_protection_rule", "e2e-1", &body).await;
    assert_eq!(status, 202, "{text}");
    // Not satisfied yet: the engine read the policy and the reviews, and the gate waits.
    assert!(
        eventually(Duration::from_secs(10), || github
            .requests()
            .iter()
            .any(|r| r.path.ends_with("/reviews")))
        .await
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(callbacks(&github).is_empty(), "no answer while waiting");

    // A teammate approves the deployed commit; the review event brings the gate forward.
    github.add_review(
        owner,
        name,
        7,
        "sre-carol",
        "APPROVED",
        SHA,
        "2026-03-01T11:00:00Z",
        "MEMBER",
    );
    let mut review = examples::payload("pull_request_review", Some("submitted"));
    review["repository"]["full_name"] = repo.clone().into();
    let (status, _) = deliver(
        &client,
        &app,
        "pull_request_review",
        "e2e-2",
        &serde_json::to_vec(&review).unwrap(),
    )
    .await;
    assert_eq!(status, 202);
    assert!(eventually(Duration::from_secs(10), || callbacks(&github).len() == 1).await);
    let answer = callbacks(&github)[0].body.clone().unwrap();
    assert_eq!(answer["environment_name"], "production");
    assert_eq!(answer["state"], "approved", "{answer}");
    let comment = answer["comment"].as_str().unwrap();
    assert!(comment.contains("sre-carol"), "{comment}");

    // Exactly once: later events do not answer again.
    deliver(
        &client,
        &app,
        "pull_request_review",
        "e2e-3",
        &serde_json::to_vec(&review).unwrap(),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(callbacks(&github).len(), 1);
    let spec = Spec::load();
    for request in github.requests() {
        spec.check(&request)
            .unwrap_or_else(|e| panic!("{} {}: {e}", request.method, request.path));
    }
    app.stop().await;
}
