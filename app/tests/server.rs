//! The App over HTTP on loopback, against the fake GitHub: signatures (checked against
//! GitHub's reference signer), GitHub's example payloads, dedupe, limits, the gate's
//! round trip with the callback, retries, rechecks, commands, audit and metrics.

mod common;

use std::time::Duration;

use common::*;
use helmpilot_github_fake::openapi::Spec;
use helmpilot_github_fake::{examples, Failure, FakeGitHub};

const SHA: &str = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";

fn callbacks(github: &FakeGitHub) -> Vec<helmpilot_github_fake::RecordedRequest> {
    github
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/deployment_protection_rule"))
        .collect()
}

fn check_openapi(github: &FakeGitHub) {
    let spec = Spec::load();
    let requests = github.requests();
    assert!(!requests.is_empty());
    for r in &requests {
        spec.check(r).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signatures_match_octokit_and_bad_ones_are_refused() {
    let github = FakeGitHub::start();
    let (db, _dir) = sqlite_url();
    let app = start_app(
        &db,
        &github.url(),
        Scripted::new(wait("x")),
        worker_config("r1"),
    )
    .await;
    let client = reqwest::Client::new();
    let body = serde_json::to_string(&examples::payload("ping", None)).unwrap();

    // GitHub's own signer and ours agree, and a delivery signed by it is accepted.
    let reference = octokit_sign(SECRET, &body);
    assert_eq!(reference, sign(SECRET, body.as_bytes()));

    let post = |headers: Vec<(&'static str, String)>, delivery: &'static str| {
        let mut request = client
            .post(app.url("/webhook"))
            .header("x-github-event", "ping")
            .header("x-github-delivery", delivery)
            .body(body.clone());
        for (k, v) in headers {
            request = request.header(k, v);
        }
        async move {
            let r = request.send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let wrong = octokit_sign("another secret", &body);
    let (status, text) = post(vec![("x-hub-signature-256", wrong)], "d-1").await;
    assert_eq!(status, 401, "{text}");
    assert!(text.contains("does not match"), "{text}");
    let (status, text) = post(vec![], "d-1").await;
    assert_eq!(
        (status, text.contains("missing X-Hub-Signature-256")),
        (401, true),
        "{text}"
    );
    // The SHA-1 header alone (GitHub sends both; the App only accepts SHA-256).
    let (status, text) = post(
        vec![(
            "x-hub-signature",
            "sha1=0123456789abcdef0123456789abcdef01234567".into(),
        )],
        "d-1",
    )
    .await;
    assert_eq!(status, 401);
    assert!(text.contains("SHA-1"), "{text}");
    let (status, _) = post(vec![("x-hub-signature-256", "sha256=xyz".into())], "d-1").await;
    assert_eq!(status, 401);
    // A body changed after signing.
    let tampered = client
        .post(app.url("/webhook"))
        .header("x-github-event", "ping")
        .header("x-github-delivery", "d-1")
        .header("x-hub-signature-256", reference.clone())
        .body(body.replace("zen", "Zen"))
        .send()
        .await
        .unwrap();
    assert_eq!(tampered.status().as_u16(), 401);

    // Refused deliveries stored nothing: the same delivery id is new when signed right.
    let (status, text) = post(vec![("x-hub-signature-256", reference.clone())], "d-1").await;
    assert_eq!(status, 202, "{text}");
    // And now it is a redelivery.
    let (status, text) = post(vec![("x-hub-signature-256", reference)], "d-1").await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("already received"), "{text}");

    let metrics = client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(
            "helmpilot_webhook_deliveries_total{event=\"unverified\",outcome=\"unauthorized\"} 5\n"
        ),
        "{metrics}"
    );
    assert!(metrics
        .contains("helmpilot_webhook_deliveries_total{event=\"ping\",outcome=\"accepted\"} 1\n"));
    assert!(metrics
        .contains("helmpilot_webhook_deliveries_total{event=\"ping\",outcome=\"duplicate\"} 1\n"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_unknown_events_and_malformed_json() {
    let github = FakeGitHub::start();
    let (db, _dir) = sqlite_url();
    let app = start_app(
        &db,
        &github.url(),
        Scripted::new(wait("x")),
        worker_config("r1"),
    )
    .await;
    let client = reqwest::Client::new();

    // Over the limit (64 KiB in these tests): 413 before anything else.
    let big = vec![b' '; 64 * 1024 + 1];
    let (status, text) = deliver(&client, &app, "ping", "big", &big).await;
    assert_eq!(status, 413, "{text}");
    // Exactly at the limit is read (and then is not JSON).
    let mut at_limit = vec![b' '; 64 * 1024];
    at_limit[0] = b'[';
    let (status, text) = deliver(&client, &app, "ping", "at-limit", &at_limit).await;
    assert_eq!(status, 400, "{text}");

    // Unknown events are acknowledged and ignored, whatever the body.
    let (status, text) = deliver(&client, &app, "workflow_job", "u1", b"not json").await;
    assert_eq!(status, 202, "{text}");
    assert!(text.contains("ignored"));
    // Known events with malformed JSON: 400 with a reason.
    let (status, text) = deliver(
        &client,
        &app,
        "deployment_protection_rule",
        "m1",
        b"{\"action\":",
    )
    .await;
    assert_eq!(status, 400);
    assert!(text.contains("not valid JSON"), "{text}");
    // Valid JSON without what the event needs: 400 naming the field.
    let (status, text) = deliver(
        &client,
        &app,
        "deployment_protection_rule",
        "m2",
        br#"{"action":"requested","environment":"prod"}"#,
    )
    .await;
    assert_eq!(status, 400);
    assert!(text.contains("deployment_callback_url"), "{text}");
    // A delivery without X-GitHub-Delivery cannot be deduplicated.
    let body = b"{}";
    let r = client
        .post(app.url("/webhook"))
        .header("x-github-event", "ping")
        .header("x-hub-signature-256", sign(SECRET, body))
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);

    assert_eq!(
        client
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    assert_eq!(
        client
            .get(app.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn example_payloads_are_routed() {
    let github = FakeGitHub::start();
    let (db, _dir) = sqlite_url();
    let app = start_app(
        &db,
        &github.url(),
        Scripted::new(wait("x")),
        worker_config("r1"),
    )
    .await;
    let client = reqwest::Client::new();
    let mut n = 0;
    let mut outcomes = Vec::new();
    for event in [
        "ping",
        "pull_request_review",
        "deployment_status",
        "issue_comment",
    ] {
        for payload in examples::payloads(event) {
            n += 1;
            let body = serde_json::to_vec(&payload).unwrap();
            let (status, text) = deliver(&client, &app, event, &format!("ex-{n}"), &body).await;
            outcomes.push((
                event,
                payload["action"].as_str().unwrap_or("").to_string(),
                status,
            ));
            assert!(status == 202, "{event}: {status} {text}");
        }
    }
    // Every example was acknowledged; none of them is a gate, so no GitHub call.
    assert_eq!(outcomes.len(), 21);
    assert!(github.requests().is_empty());
    let metrics = client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("{event=\"pull_request_review\",outcome=\"accepted\"} 4\n"),
        "{metrics}"
    );
    assert!(metrics.contains("{event=\"deployment_status\",outcome=\"accepted\"} 4\n"));
    // Comments without a `/helmpilot` command, and deleted/edited ones, are ignored.
    assert!(
        metrics.contains("{event=\"issue_comment\",outcome=\"ignored\"} 9\n"),
        "{metrics}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gate_is_answered_once_and_audited() {
    let github = FakeGitHub::start();
    let (db, _dir) = sqlite_url();
    let evaluator = Scripted::new(approve("2 approvals from @octo/sre"));
    let app = start_app(&db, &github.url(), evaluator.clone(), worker_config("r1")).await;
    let client = reqwest::Client::new();
    let payload = protection_rule_payload(&github.url(), 777, "production", SHA);
    let body = serde_json::to_vec(&payload).unwrap();
    let (status, text) = deliver(&client, &app, "deployment_protection_rule", "g-1", &body).await;
    assert_eq!(status, 202, "{text}");
    assert!(eventually(Duration::from_secs(10), || callbacks(&github).len() == 1).await);
    // A redelivery changes nothing: no second evaluation, no second callback.
    let (status, _) = deliver(&client, &app, "deployment_protection_rule", "g-1", &body).await;
    assert_eq!(status, 200);
    // The same request under another delivery id is the same gate: still one answer.
    let (status, _) = deliver(&client, &app, "deployment_protection_rule", "g-2", &body).await;
    assert_eq!(status, 202);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let calls = callbacks(&github);
    assert_eq!(calls.len(), 1);
    assert_eq!(evaluator.calls(), 1);
    let call = &calls[0];
    assert_eq!(
        call.path,
        format!(
            "/repos/{}/actions/runs/777/deployment_protection_rule",
            payload["repository"]["full_name"].as_str().unwrap()
        )
    );
    assert_eq!(
        call.body.as_ref().unwrap(),
        &serde_json::json!({"environment_name": "production", "state": "approved", "comment": "2 approvals from @octo/sre"})
    );
    let installation = payload["installation"]["id"].as_u64().unwrap();
    assert_eq!(
        call.header("authorization"),
        Some(
            format!(
                "Bearer {}",
                helmpilot_github_fake::app::installation_token(installation)
            )
            .as_str()
        )
    );
    // The evaluator was given the request as GitHub sent it, and the installation token.
    {
        let seen = evaluator.calls.lock().unwrap();
        let (request, commands, token) = &seen[0];
        assert_eq!(request.environment, "production");
        assert_eq!(request.sha, SHA);
        assert_eq!(request.git_ref, "refs/heads/main");
        assert_eq!(
            request.deployment_id,
            payload["deployment"]["id"].as_u64().unwrap()
        );
        assert_eq!(
            request.requested_by,
            payload["deployment"]["creator"]["login"].as_str().unwrap()
        );
        assert!(commands.is_empty());
        assert_eq!(
            token,
            &helmpilot_github_fake::app::installation_token(installation)
        );
    }
    // The token request carried a JWT; every request fits GitHub's OpenAPI description.
    let token_request = github
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("/access_tokens"))
        .unwrap();
    assert_eq!(
        token_request.path,
        format!("/app/installations/{installation}/access_tokens")
    );
    assert_eq!(
        token_request
            .header("authorization")
            .unwrap()
            .matches('.')
            .count(),
        2
    );
    check_openapi(&github);

    // The audit log: bearer only.
    let denied = client.get(app.url("/audit")).send().await.unwrap();
    assert_eq!(denied.status().as_u16(), 401);
    let wrong = client
        .get(app.url("/audit"))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 401);
    let audit = client
        .get(app.url("/audit?limit=10"))
        .bearer_auth(AUDIT_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let audit: serde_json::Value = serde_json::from_str(&audit).unwrap();
    let decisions = audit["decisions"].as_array().unwrap();
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0]["state"], "approved");
    assert_eq!(decisions[0]["environment"], "production");
    assert_eq!(decisions[0]["comment"], "2 approvals from @octo/sre");
    assert_eq!(decisions[0]["decided_by"], "r1");
    assert!(decisions[0]["policy_version"]
        .as_str()
        .unwrap()
        .contains(SHA));

    let metrics = client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("helmpilot_decisions_total{state=\"approved\"} 1\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("helmpilot_gates{state=\"decided\"} 1\n"),
        "{metrics}"
    );
    assert!(
        metrics
            .contains("helmpilot_github_requests_total{endpoint=\"callback\",status=\"204\"} 1\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains(
            "helmpilot_github_requests_total{endpoint=\"access_tokens\",status=\"201\"} 1\n"
        ),
        "{metrics}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_or_failing_github_is_retried_with_backoff() {
    let github = FakeGitHub::start();
    let (db, _dir) = sqlite_url();
    let evaluator = Scripted::new(helmpilot_app::gate::Decision::Reject {
        comment: "freeze until Monday".into(),
    });
    let app = start_app(&db, &github.url(), evaluator.clone(), worker_config("r1")).await;
    let client = reqwest::Client::new();
    // The token request fails twice, then the callback once.
    github.fail_next(2, Failure::Status(502));
    let body = serde_json::to_vec(&protection_rule_payload(
        &github.url(),
        9,
        "production",
        SHA,
    ))
    .unwrap();
    let started = std::time::Instant::now();
    let (status, _) = deliver(&client, &app, "deployment_protection_rule", "f-1", &body).await;
    assert_eq!(status, 202);
    // The webhook answer did not wait for GitHub.
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(
        eventually(Duration::from_secs(10), || github
            .requests()
            .iter()
            .any(|r| r.status == 201))
        .await
    );
    github.fail_next(1, Failure::Status(503));
    assert!(
        eventually(Duration::from_secs(10), || callbacks(&github)
            .iter()
            .any(|r| r.status == 204))
        .await
    );
    let calls = callbacks(&github);
    let statuses: Vec<u16> = github.requests().iter().map(|r| r.status).collect();
    assert_eq!(
        calls.iter().filter(|r| r.status == 204).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        calls.last().unwrap().body.as_ref().unwrap()["state"],
        "rejected"
    );
    let metrics = client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("helmpilot_github_errors_total{endpoint=\"access_tokens\"} 2\n"),
        "{metrics}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_gates_are_rechecked_on_events_and_commands() {
    let github = FakeGitHub::start();
    let (db, _dir) = sqlite_url();
    let evaluator = Scripted::new(wait("1 of 2 approvals"));
    let app = start_app(&db, &github.url(), evaluator.clone(), worker_config("r1")).await;
    let client = reqwest::Client::new();
    let payload = protection_rule_payload(&github.url(), 31, "production", SHA);
    let repo = payload["repository"]["full_name"]
        .as_str()
        .unwrap()
        .to_string();
    let body = serde_json::to_vec(&payload).unwrap();
    deliver(&client, &app, "deployment_protection_rule", "w-1", &body).await;
    assert!(eventually(Duration::from_secs(10), || evaluator.calls() == 1).await);
    // Not due again before the recheck interval (60 s here).
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(evaluator.calls(), 1);

    // A review in the same repository brings it forward.
    let mut review = examples::payload("pull_request_review", Some("submitted"));
    review["repository"]["full_name"] = repo.clone().into();
    deliver(
        &client,
        &app,
        "pull_request_review",
        "w-2",
        &serde_json::to_vec(&review).unwrap(),
    )
    .await;
    assert!(eventually(Duration::from_secs(10), || evaluator.calls() == 2).await);

    // A command comment is kept and handed to the evaluation.
    let mut comment = examples::payloads("issue_comment")
        .into_iter()
        .find(|p| p["action"] == "created" && p.get("installation").is_some())
        .unwrap();
    comment["repository"]["full_name"] = repo.into();
    comment["comment"]["body"] = "/helmpilot approve production".into();
    evaluator.set(approve("approved by command"));
    let (status, text) = deliver(
        &client,
        &app,
        "issue_comment",
        "w-3",
        &serde_json::to_vec(&comment).unwrap(),
    )
    .await;
    assert_eq!(status, 202, "{text}");
    assert!(eventually(Duration::from_secs(10), || callbacks(&github).len() == 1).await);
    let seen = evaluator.calls.lock().unwrap().clone();
    let (_, commands, _) = seen.last().unwrap();
    assert_eq!(commands.len(), 1);
    assert!(commands[0].approve);
    assert_eq!(commands[0].environment, "production");
    assert_eq!(
        commands[0].author,
        comment["comment"]["user"]["login"].as_str().unwrap()
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_outside_the_api_is_never_sent_the_token() {
    let github = FakeGitHub::start();
    let (db, _dir) = sqlite_url();
    let app = start_app(
        &db,
        &github.url(),
        Scripted::new(approve("ok")),
        worker_config("r1"),
    )
    .await;
    let client = reqwest::Client::new();
    let body = serde_json::to_vec(&protection_rule_payload(
        "https://evil.example",
        5,
        "production",
        SHA,
    ))
    .unwrap();
    deliver(&client, &app, "deployment_protection_rule", "e-1", &body).await;
    let store = app.store.clone();
    let id = format!(
        "production@https://evil.example/repos/{}/actions/runs/5/deployment_protection_rule",
        "Codertocat/Hello-World"
    );
    let mut abandoned = false;
    for _ in 0..200 {
        if let Some(g) = store.gate(&id).await.unwrap() {
            if g.state == "abandoned" {
                assert!(g
                    .last_error
                    .unwrap()
                    .contains("not on the configured GitHub API"));
                abandoned = true;
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(abandoned);
    assert!(callbacks(&github).is_empty());
    app.stop().await;
}
