//! `GitHubBacked` against the GitHub fake: every request it makes is checked against
//! GitHub's OpenAPI description, and the gate decides from what it read.

use std::time::Duration;

use helmpilot_app::gate::github::GitHubBacked;
use helmpilot_app::gate::{evaluate, Decision, GateRequest, GitHubData};
use helmpilot_github::{RepoName, RetryPolicy};
use helmpilot_github_fake::openapi::Spec;
use helmpilot_github_fake::{Failure, FakeGitHub};

const SHA: &str = "1111111111111111111111111111111111111111";
const OLD: &str = "0000000000000000000000000000000000000000";
const MERGE: &str = "2222222222222222222222222222222222222222";
const T0: i64 = 1_715_169_600;

const POLICY: &str = "environments:\n  production:\n    required_approvals: 2\n    required_reviewers: [alice, \"@acme/sre\"]\n    require_prior_success: [staging]\n    allowed_refs: [main]\n";

fn repo() -> RepoName {
    RepoName::parse("acme/app").unwrap()
}

fn request(sha: &str) -> GateRequest {
    GateRequest {
        installation_id: 1,
        repository: repo(),
        environment: "production".into(),
        sha: sha.into(),
        git_ref: "main".into(),
        deployment_id: 7,
        deployment_callback_url: "http://127.0.0.1/unused".into(),
        requested_by: "dora".into(),
        requested_at: T0,
    }
}

fn fast() -> RetryPolicy {
    RetryPolicy {
        initial_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(4),
        ..RetryPolicy::default()
    }
}

fn backed(fake: &FakeGitHub) -> GitHubBacked {
    GitHubBacked::new(&fake.url(), "ghs_installation_token")
        .unwrap()
        .with_retry_policy(fast())
}

/// Every recorded request is a real GitHub operation with declared parameters.
fn check_all(fake: &FakeGitHub) -> Vec<String> {
    let spec = Spec::load();
    fake.requests()
        .iter()
        .map(|r| {
            assert_eq!(spec.check(r), Ok(()), "{r:?}");
            assert_eq!(
                r.header("authorization"),
                Some("Bearer ghs_installation_token")
            );
            let query: Vec<String> = r.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let query = if query.is_empty() {
                String::new()
            } else {
                format!("?{}", query.join("&"))
            };
            format!("{} {}{query} -> {}", r.method, r.path, r.status)
        })
        .collect()
}

fn seed(fake: &FakeGitHub) {
    fake.add_file("acme", "app", "main", ".github/helmpilot.yml", POLICY);
    fake.add_pull_request("acme", "app", 12, "paula", SHA, None);
    fake.add_review(
        "acme",
        "app",
        12,
        "alice",
        "APPROVED",
        SHA,
        "2024-05-08T11:00:00Z",
        "MEMBER",
    );
    fake.add_review(
        "acme",
        "app",
        12,
        "sam",
        "APPROVED",
        OLD,
        "2024-05-08T10:00:00Z",
        "MEMBER",
    );
    fake.add_review(
        "acme",
        "app",
        12,
        "sam",
        "APPROVED",
        SHA,
        "2024-05-08T11:30:00Z",
        "MEMBER",
    );
    fake.add_team_member("acme", "sre", "sam", "active");
    let d = fake.add_deployment("acme", "app", SHA, "main", "staging");
    fake.add_deployment_status(d, "in_progress");
    fake.add_deployment_status(d, "success");
}

#[tokio::test]
async fn the_gate_reads_github_and_approves() {
    let fake = FakeGitHub::start();
    fake.require_token("ghs_installation_token");
    seed(&fake);
    let data = backed(&fake);
    let decision = evaluate(&request(SHA), &data, &[], T0 + 60).await;
    let Decision::Approve { comment } = decision else {
        panic!("{decision:?}");
    };
    assert!(
        comment.contains("`staging` has a successful deployment of 1111111"),
        "{comment}"
    );
    assert!(
        comment.contains(
            "Approvals: 2 of 2: @sam (approved #12 at 1111111), @alice (approved #12 at 1111111)"
        ),
        "{comment}"
    );
    let calls = check_all(&fake);
    assert_eq!(
        calls,
        [
            "GET /repos/acme/app/contents/.github/helmpilot.yml?ref=main -> 200".to_string(),
            "GET /repos/acme/app/deployments?sha=1111111111111111111111111111111111111111&environment=staging&per_page=100 -> 200".to_string(),
            format!("GET /repos/acme/app/deployments/{}/statuses?per_page=100 -> 200", 3_000_000_004u64),
            format!("GET /repos/acme/app/commits/{SHA}/pulls?per_page=100 -> 200"),
            "GET /repos/acme/app/pulls/12/reviews?per_page=100 -> 200".to_string(),
            "GET /orgs/acme/teams/sre/memberships/sam -> 200".to_string(),
        ]
    );
}

#[tokio::test]
async fn waiting_and_merged_pull_requests() {
    let fake = FakeGitHub::start();
    seed(&fake);
    // The merge commit of a merged pull request: its reviews on the last head count.
    fake.add_pull_request("acme", "app", 13, "paula", OLD, Some(MERGE));
    fake.add_review(
        "acme",
        "app",
        13,
        "alice",
        "APPROVED",
        OLD,
        "2024-05-08T11:00:00Z",
        "MEMBER",
    );
    fake.add_review(
        "acme",
        "app",
        13,
        "bob",
        "APPROVED",
        OLD,
        "2024-05-08T11:00:00Z",
        "MEMBER",
    );
    fake.add_team_member("acme", "sre", "bob", "pending");
    let data = backed(&fake);
    let decision = evaluate(&request(MERGE), &data, &[], T0 + 60).await;
    let Decision::Wait { reason, recheck_at } = decision else {
        panic!("{decision:?}");
    };
    assert_eq!(recheck_at, None);
    assert!(
        reason.contains("Missing: a successful deployment of 2222222 to `staging` (none yet)"),
        "{reason}"
    );
    // bob's membership is only an invitation.
    assert!(
        reason.contains("@bob (not a required reviewer)"),
        "{reason}"
    );
    assert!(
        reason.contains("have 1 of 2: @alice (approved #13 at 0000000)"),
        "{reason}"
    );
    check_all(&fake);
}

#[tokio::test]
async fn missing_file_and_non_members_are_none_not_errors() {
    let fake = FakeGitHub::start();
    let data = backed(&fake);
    assert_eq!(data.policy_file(&repo(), "main").await, Ok(None));
    assert_eq!(
        data.is_team_member("acme", "sre", "nobody").await,
        Ok(false)
    );
    assert_eq!(
        data.pull_requests_for_commit(&repo(), SHA).await,
        Ok(vec![])
    );
    assert_eq!(data.deployments(&repo(), SHA, "staging").await, Ok(vec![]));
    let decision = evaluate(&request(SHA), &data, &[], T0).await;
    assert!(
        matches!(&decision, Decision::Approve { comment } if comment.contains("there is no .github/helmpilot.yml at `main`")),
        "{decision:?}"
    );
    check_all(&fake);
}

#[tokio::test]
async fn reviews_are_read_across_pages() {
    let fake = FakeGitHub::start();
    fake.add_pull_request("acme", "app", 12, "paula", SHA, None);
    for i in 0..150 {
        fake.add_review(
            "acme",
            "app",
            12,
            &format!("user{i}"),
            "COMMENTED",
            SHA,
            "2024-05-08T11:00:00Z",
            "NONE",
        );
    }
    fake.add_review(
        "acme",
        "app",
        12,
        "last",
        "APPROVED",
        SHA,
        "2024-05-08T12:00:00Z",
        "OWNER",
    );
    let data = backed(&fake);
    let reviews = data.reviews(&repo(), 12).await.unwrap();
    assert_eq!(reviews.len(), 151);
    assert_eq!(reviews[150].author, "last");
    assert_eq!(reviews[150].submitted_at, T0);
    assert_eq!(reviews[150].author_association, "OWNER");
    let calls = check_all(&fake);
    assert_eq!(
        calls,
        [
            "GET /repos/acme/app/pulls/12/reviews?per_page=100 -> 200",
            "GET /repos/acme/app/pulls/12/reviews?per_page=100&page=2 -> 200",
        ]
    );
}

#[tokio::test]
async fn server_errors_are_retried_and_permissions_explained() {
    let fake = FakeGitHub::start();
    seed(&fake);
    let data = backed(&fake);
    fake.fail_next(2, Failure::Status(502));
    assert_eq!(
        data.policy_file(&repo(), "main").await,
        Ok(Some(POLICY.to_string()))
    );
    fake.fail_next(1, Failure::Forbidden);
    let err = data
        .pull_requests_for_commit(&repo(), SHA)
        .await
        .unwrap_err();
    assert!(err.contains("GitHub answered 403"), "{err}");
    assert!(
        err.contains("the App needs the `pull requests: read` permission"),
        "{err}"
    );
    // An API failure makes the gate wait and look again, not decide.
    fake.fail_next(5, Failure::Status(500));
    let decision = evaluate(&request(SHA), &data, &[], T0).await;
    assert!(
        matches!(&decision, Decision::Wait { recheck_at: Some(t), reason } if *t == T0 + 60 && reason.contains("Cannot read .github/helmpilot.yml")),
        "{decision:?}"
    );
    let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [502, 502, 200, 403, 500, 500, 500, 500, 500]);
}

#[tokio::test]
async fn enterprise_server_layout() {
    let fake = FakeGitHub::start_enterprise();
    seed(&fake);
    let data = backed(&fake);
    let decision = evaluate(&request(SHA), &data, &[], T0 + 60).await;
    assert!(matches!(decision, Decision::Approve { .. }), "{decision:?}");
    assert!(fake.requests().iter().all(|r| r.status == 200));
    check_all(&fake);
}

#[test]
fn bad_settings_are_errors() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _guard = rt.enter();
    let err = GitHubBacked::new("ftp://example.com", "t").unwrap_err();
    assert!(err.starts_with("invalid GitHub API URL"), "{err}");
    let err = GitHubBacked::new("https://api.github.com", " ").unwrap_err();
    assert_eq!(err, "the GitHub token is empty");
}
