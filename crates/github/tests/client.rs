//! The client against the fake GitHub API; every request it sends is checked against
//! GitHub's OpenAPI description.

use std::time::{Duration, Instant};

use helmpilot_github::{Client, GitHubError, RepoName, RetryPolicy, Upsert};
use helmpilot_github_fake::openapi::Spec;
use helmpilot_github_fake::{Failure, FakeGitHub};

const MARKER: &str = "<!-- helmpilot:diff -->";

fn fast() -> RetryPolicy {
    RetryPolicy {
        initial_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(8),
        request_timeout: Duration::from_secs(5),
        ..RetryPolicy::default()
    }
}

fn client(fake: &FakeGitHub) -> Client {
    Client::new(&fake.url(), "ghs_test_token")
        .unwrap()
        .with_retry_policy(fast())
}

fn repo() -> RepoName {
    RepoName::parse("octo/charts").unwrap()
}

fn body(text: &str) -> String {
    format!("{MARKER}\n{text}")
}

/// Every recorded request is one GitHub documents, and carried the token.
fn assert_valid_requests(fake: &FakeGitHub) {
    let spec = Spec::load();
    for r in fake.requests() {
        spec.check(&r).unwrap();
        assert_eq!(r.header("authorization"), Some("Bearer ghs_test_token"));
    }
}

#[tokio::test]
async fn upsert_creates_then_leaves_alone_then_edits() {
    let fake = FakeGitHub::start();
    fake.add_comment("octo", "charts", 12, "alice", "Thanks!");
    let c = client(&fake);

    let first = c
        .upsert_comment(&repo(), 12, MARKER, &body("v1"))
        .await
        .unwrap();
    let Upsert::Created(created) = &first else {
        panic!("{first:?}")
    };
    assert_eq!(created.user_login, "github-actions[bot]");
    assert_eq!(created.body, body("v1"));
    assert_eq!(
        created.html_url,
        format!(
            "{}/octo/charts/pull/12#issuecomment-{}",
            fake.url(),
            created.id
        )
    );

    let again = c
        .upsert_comment(&repo(), 12, MARKER, &body("v1"))
        .await
        .unwrap();
    assert_eq!(again, Upsert::Unchanged(created.clone()));

    let edited = c
        .upsert_comment(&repo(), 12, MARKER, &body("v2"))
        .await
        .unwrap();
    let Upsert::Updated(updated) = &edited else {
        panic!("{edited:?}")
    };
    assert_eq!(updated.id, created.id);

    let stored = fake.comments("octo", "charts", 12);
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[1].body, body("v2"));
    let methods: Vec<String> = fake.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(methods, ["GET", "POST", "GET", "GET", "PATCH"]);
    let list = &fake.requests()[0];
    assert_eq!(list.path, "/repos/octo/charts/issues/12/comments");
    assert_eq!(list.query_param("per_page"), Some("100"));
    assert_valid_requests(&fake);
}

#[tokio::test]
async fn lists_every_page_and_finds_a_late_marker() {
    let fake = FakeGitHub::start();
    for i in 0..240 {
        fake.add_comment("octo", "charts", 3, "alice", &format!("comment {i}"));
    }
    let id = fake.add_comment("octo", "charts", 3, "github-actions[bot]", &body("old"));
    for i in 0..9 {
        fake.add_comment("octo", "charts", 3, "bob", &format!("later {i}"));
    }
    let c = client(&fake);
    let all = c.list_issue_comments(&repo(), 3).await.unwrap();
    assert_eq!(all.len(), 250);
    assert_eq!(all[0].body, "comment 0");
    assert_eq!(all[249].body, "later 8");
    let pages: Vec<Option<String>> = fake
        .requests()
        .iter()
        .map(|r| r.query_param("page").map(str::to_string))
        .collect();
    assert_eq!(pages, [None, Some("2".into()), Some("3".into())]);

    fake.clear_requests();
    let done = c
        .upsert_comment(&repo(), 3, MARKER, &body("new"))
        .await
        .unwrap();
    assert!(
        matches!(&done, Upsert::Updated(u) if u.id == id),
        "{done:?}"
    );
    assert_valid_requests(&fake);
}

#[tokio::test]
async fn prefers_the_bots_comment_over_a_pasted_copy() {
    let fake = FakeGitHub::start();
    let pasted = fake.add_comment("octo", "charts", 4, "alice", &body("pasted"));
    let bot = fake.add_comment("octo", "charts", 4, "github-actions[bot]", &body("bot"));
    let c = client(&fake);
    let done = c
        .upsert_comment(&repo(), 4, MARKER, &body("fresh"))
        .await
        .unwrap();
    assert_eq!(done.comment().id, bot);
    assert_eq!(fake.comments("octo", "charts", 4)[0].id, pasted);
    assert_eq!(fake.comments("octo", "charts", 4)[0].body, body("pasted"));
    // A configured author wins over the bot heuristic.
    let c = client(&fake).with_comment_author("alice");
    let done = c
        .upsert_comment(&repo(), 4, MARKER, &body("fresh"))
        .await
        .unwrap();
    assert!(
        matches!(done, Upsert::Updated(ref u) if u.id == pasted),
        "{done:?}"
    );
}

#[tokio::test]
async fn server_errors_are_retried() {
    let fake = FakeGitHub::start();
    fake.fail_next(2, Failure::Status(502));
    let c = client(&fake);
    let done = c
        .upsert_comment(&repo(), 1, MARKER, &body("x"))
        .await
        .unwrap();
    assert!(matches!(done, Upsert::Created(_)));
    let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [502, 502, 200, 201]);
}

#[tokio::test]
async fn retries_are_bounded() {
    let fake = FakeGitHub::start();
    fake.fail_next(10, Failure::Status(500));
    let err = client(&fake)
        .list_issue_comments(&repo(), 1)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "GitHub answered 500 when trying to list comments on octo/charts#1 (GitHub says: Server Error) after 5 attempts"
    );
    assert_eq!(fake.requests().len(), 5);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let fake = FakeGitHub::start();
    fake.fail_next(
        1,
        Failure::RetryAfter {
            status: 403,
            seconds: 1,
        },
    );
    let started = Instant::now();
    let c = client(&fake);
    c.create_issue_comment(&repo(), 1, "hello").await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(fake.requests().len(), 2);
    assert_eq!(fake.comments("octo", "charts", 1).len(), 1);
}

#[tokio::test]
async fn rate_limits_longer_than_the_budget_are_reported_not_waited() {
    let fake = FakeGitHub::start();
    fake.fail_next(
        1,
        Failure::RetryAfter {
            status: 429,
            seconds: 3600,
        },
    );
    let started = Instant::now();
    let err = client(&fake)
        .create_issue_comment(&repo(), 9, "x")
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        err.to_string(),
        "GitHub rate-limited the request to create comments on octo/charts#9 (429) and asks to wait 3600s, more than the 60s retry budget: re-run the job later, or spread out the workflows that share this token"
    );
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn exhausted_quota_waits_for_the_reset() {
    let fake = FakeGitHub::start();
    fake.fail_next(1, Failure::RateLimitExhausted { reset_in: 0 });
    let started = Instant::now();
    let all = client(&fake).list_issue_comments(&repo(), 1).await.unwrap();
    assert!(all.is_empty());
    // The reset is "now", plus the one second of slack.
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn secondary_rate_limit_without_headers_backs_off() {
    let fake = FakeGitHub::start();
    fake.fail_next(2, Failure::SecondaryRateLimit);
    let all = client(&fake).list_issue_comments(&repo(), 1).await.unwrap();
    assert!(all.is_empty());
    assert_eq!(fake.requests().len(), 3);
}

#[tokio::test]
async fn forbidden_says_which_permission_is_missing_without_retrying() {
    let fake = FakeGitHub::start();
    fake.fail_next(1, Failure::Forbidden);
    let err = client(&fake)
        .create_issue_comment(&repo(), 12, "x")
        .await
        .unwrap_err();
    assert!(matches!(err, GitHubError::Permission { status: 403, .. }));
    assert_eq!(
        err.to_string(),
        "GitHub refused to create comments on octo/charts#12 (403): the token needs `pull-requests: write` (add `permissions: pull-requests: write` to the workflow job; for pull requests from forks see pull_request_target) (GitHub says: Resource not accessible by integration)"
    );
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn not_found_on_list_and_edit() {
    let fake = FakeGitHub::start();
    fake.fail_next(1, Failure::NotFound);
    let err = client(&fake)
        .list_issue_comments(&repo(), 12)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "GitHub refused to list comments on octo/charts#12 (404): the token needs `pull-requests: write` (add `permissions: pull-requests: write` to the workflow job; for pull requests from forks see pull_request_target); GitHub also answers 404 when the pull request or comment does not exist (GitHub says: Not Found)"
    );
    // Editing a comment that is not there is the fake's real 404.
    let err = client(&fake)
        .update_issue_comment(&repo(), 77, "x")
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("GitHub refused to edit comments on octo/charts (comment 77) (404)"),
        "{err}"
    );
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn a_wrong_token_is_reported_and_never_printed() {
    let fake = FakeGitHub::start();
    fake.require_token("the-right-one");
    let err = client(&fake)
        .list_issue_comments(&repo(), 1)
        .await
        .unwrap_err();
    let text = err.to_string();
    assert_eq!(
        text,
        "GitHub rejected the token when trying to list comments on octo/charts#1 (401) (GitHub says: Bad credentials): check the `github-token` input; `secrets.GITHUB_TOKEN` expires when the job ends"
    );
    assert!(!text.contains("ghs_test_token") && !format!("{err:?}").contains("ghs_test_token"));
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn unreachable_api_is_a_transport_error_after_retries() {
    // A port that was just free: nothing listens there.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let c = Client::new(&format!("http://127.0.0.1:{port}"), "t")
        .unwrap()
        .with_retry_policy(fast());
    let err = c.list_issue_comments(&repo(), 1).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("cannot reach the GitHub API at http://127.0.0.1:{port} to list comments on octo/charts#1 after 5 attempts: ")),
        "{text}"
    );
    assert!(
        text.ends_with("(check GITHUB_API_URL and the runner's network)"),
        "{text}"
    );
}

#[tokio::test]
async fn enterprise_server_base_path_is_kept_across_pages() {
    let fake = FakeGitHub::start_enterprise();
    for i in 0..150 {
        fake.add_comment("octo", "charts", 8, "alice", &i.to_string());
    }
    let c = Client::new(&format!("{}/", fake.url()), "ghs_test_token")
        .unwrap()
        .with_retry_policy(fast());
    let all = c.list_issue_comments(&repo(), 8).await.unwrap();
    assert_eq!(all.len(), 150);
    let done = c
        .upsert_comment(&repo(), 8, MARKER, &body("ghes"))
        .await
        .unwrap();
    assert!(matches!(done, Upsert::Created(_)));
    let paths: Vec<String> = fake.requests().iter().map(|r| r.path.clone()).collect();
    assert!(
        paths
            .iter()
            .all(|p| p.starts_with("/repos/octo/charts/issues/")),
        "{paths:?}"
    );
    assert_valid_requests(&fake);
}

#[tokio::test]
async fn markers_and_lengths_are_checked_before_any_request() {
    let fake = FakeGitHub::start();
    let c = client(&fake);
    let err = c.upsert_comment(&repo(), 1, " ", "body").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot use the comment marker \" \": it is empty, so every comment would match"
    );
    let err = c
        .upsert_comment(&repo(), 1, MARKER, "no marker here")
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("the body does not contain it"),
        "{err}"
    );
    let long = body(&"é".repeat(65_536));
    let err = c
        .upsert_comment(&repo(), 1, MARKER, &long)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("GitHub accepts at most 65536"),
        "{err}"
    );
    assert_eq!(fake.requests().len(), 1, "only the list ran");
    // Exactly at the limit is accepted by both sides.
    let exact = body(&"é".repeat(65_536 - MARKER.len() - 1));
    assert_eq!(exact.chars().count(), 65_536);
    assert!(matches!(
        c.upsert_comment(&repo(), 1, MARKER, &exact).await.unwrap(),
        Upsert::Created(_)
    ));
}

#[tokio::test]
async fn clients_are_cheap_clones_sharing_settings() {
    let fake = FakeGitHub::start();
    let c = client(&fake);
    let d = c.clone();
    let repo = repo();
    let (a, b) = tokio::join!(
        c.create_issue_comment(&repo, 2, "one"),
        d.create_issue_comment(&repo, 2, "two")
    );
    assert_ne!(a.unwrap().id, b.unwrap().id);
    assert_eq!(fake.comments("octo", "charts", 2).len(), 2);
    assert_eq!(d.api_url(), fake.url());
}
