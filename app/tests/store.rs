//! The store and the exactly-once guarantees, on SQLite and on a real PostgreSQL server
//! (started by scripts/app/postgres.sh): dedupe, the atomic claim under contention, 100
//! concurrent deliveries for one gate through two replicas, and a restart with a pending
//! gate.

mod common;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use helmpilot_app::gate::GateRequest;
use helmpilot_app::store::{Delivery, Effect, Recorded, Release, Store};
use helmpilot_github::RepoName;
use helmpilot_github_fake::FakeGitHub;

const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

fn request(run: u64) -> GateRequest {
    GateRequest {
        installation_id: 1,
        repository: RepoName::parse("octo/charts").unwrap(),
        environment: "production".into(),
        sha: SHA.into(),
        git_ref: "main".into(),
        deployment_id: 10 + run,
        deployment_callback_url: format!("https://api.github.com/repos/octo/charts/actions/runs/{run}/deployment_protection_rule"),
        requested_by: "alice".into(),
        requested_at: 1_700_000_000,
    }
}

fn delivery(id: &str, now_ms: i64) -> Delivery {
    Delivery {
        id: id.into(),
        event: "deployment_protection_rule".into(),
        action: "requested".into(),
        received_at_ms: now_ms,
    }
}

/// Records, dedupe, claim contention, release, finish, commands, audit.
async fn store_cases(url: &str) {
    let store = Store::connect(url).await.unwrap();
    // Migrations are idempotent: a second start on the same database is fine.
    let again = Store::connect(url).await.unwrap();
    again.close().await;
    store.ping().await.unwrap();

    let gate = Effect::NewGate(request(1));
    let id = helmpilot_app::store::gate_id(&request(1));
    assert_eq!(
        store.record(&delivery("d1", 1000), &gate).await.unwrap(),
        Recorded::New { woke: true }
    );
    assert_eq!(
        store.record(&delivery("d1", 1001), &gate).await.unwrap(),
        Recorded::Duplicate
    );
    // Another delivery of the same request: recorded, but no second gate.
    assert_eq!(
        store.record(&delivery("d2", 1002), &gate).await.unwrap(),
        Recorded::New { woke: false }
    );
    assert_eq!(store.due_gates(1000, 10).await.unwrap(), vec![id.clone()]);
    assert!(store.due_gates(999, 10).await.unwrap().is_empty());

    // 50 claimers at once: exactly one wins.
    let mut tasks = Vec::new();
    for i in 0..50 {
        let store = store.clone();
        let id = id.clone();
        tasks.push(tokio::spawn(async move {
            store
                .claim(&id, &format!("w{i}"), 2000, Duration::from_secs(60))
                .await
                .unwrap()
        }));
    }
    let mut winners = Vec::new();
    for t in tasks {
        if let Some(c) = t.await.unwrap() {
            winners.push(c);
        }
    }
    assert_eq!(winners.len(), 1);
    let claimed = &winners[0];
    assert_eq!(claimed.request, request(1));
    assert_eq!(claimed.failures, 0);
    // Whoever holds it, a stranger cannot release or finish it.
    assert!(!store
        .release(&id, "stranger", 0, 2001, Release::Waiting { reason: "x" })
        .await
        .unwrap());
    // Not due while claimed and the lease holds; due once the lease ran out.
    assert!(store.due_gates(3000, 10).await.unwrap().is_empty());
    assert_eq!(
        store.due_gates(2000 + 60_001, 10).await.unwrap(),
        vec![id.clone()]
    );
    // A claim after the lease takes it over (its holder died).
    let taken = store
        .claim(&id, "rescuer", 2000 + 60_001, Duration::from_secs(60))
        .await
        .unwrap();
    assert!(taken.is_some());
    assert!(store
        .release(
            &id,
            "rescuer",
            70_000,
            62_002,
            Release::Failed { error: "502" }
        )
        .await
        .unwrap());
    let row = store.gate(&id).await.unwrap().unwrap();
    assert_eq!(
        (row.state.as_str(), row.failures, row.next_check_at_ms),
        ("pending", 1, 70_000)
    );
    assert_eq!(row.last_error.as_deref(), Some("502"));
    // Not before its backoff.
    assert!(store
        .claim(&id, "rescuer", 69_999, Duration::from_secs(60))
        .await
        .unwrap()
        .is_none());
    let c = store
        .claim(&id, "rescuer", 70_000, Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.failures, 1);
    assert!(store
        .release(
            &id,
            "rescuer",
            80_000,
            70_001,
            Release::Waiting {
                reason: "1 of 2 approvals"
            }
        )
        .await
        .unwrap());
    let row = store.gate(&id).await.unwrap().unwrap();
    assert_eq!(
        (row.failures, row.waiting_reason.as_deref()),
        (0, Some("1 of 2 approvals"))
    );

    // Events for the repository pull pending gates forward.
    let recheck = Effect::Recheck {
        repository: RepoName::parse("octo/charts").unwrap(),
    };
    assert_eq!(
        store
            .record(&delivery("d3", 75_000), &recheck)
            .await
            .unwrap(),
        Recorded::New { woke: true }
    );
    assert_eq!(
        store.gate(&id).await.unwrap().unwrap().next_check_at_ms,
        75_000
    );
    let other = Effect::Recheck {
        repository: RepoName::parse("octo/other").unwrap(),
    };
    assert_eq!(
        store.record(&delivery("d4", 75_000), &other).await.unwrap(),
        Recorded::New { woke: false }
    );

    // Commands are kept per repository and environment, from the request on.
    let command = |env: &str, at: i64, approve: bool| Effect::Command {
        installation_id: 1,
        repository: RepoName::parse("octo/charts").unwrap(),
        issue_number: 7,
        command: helmpilot_app::gate::ManualCommand {
            author: "bob".into(),
            environment: env.into(),
            approve,
            reason: if approve {
                String::new()
            } else {
                "not today".into()
            },
            at,
        },
    };
    store
        .record(
            &delivery("c1", 76_000),
            &command("production", 1_700_000_100, false),
        )
        .await
        .unwrap();
    store
        .record(
            &delivery("c2", 76_000),
            &command("staging", 1_700_000_100, true),
        )
        .await
        .unwrap();
    store
        .record(
            &delivery("c3", 76_000),
            &command("production", 1_600_000_000, true),
        )
        .await
        .unwrap();
    let repo = RepoName::parse("octo/charts").unwrap();
    let commands = store
        .commands(&repo, "production", 1_700_000_000)
        .await
        .unwrap();
    assert_eq!(commands.len(), 1);
    assert_eq!(
        (commands[0].approve, commands[0].reason.as_str()),
        (false, "not today")
    );

    // Finish: only by the holder, once; the audit record goes with it.
    let c = store
        .claim(&id, "w-final", 80_000, Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    let record = helmpilot_app::store::DecisionRecord {
        gate_id: c.id.clone(),
        repository: "octo/charts".into(),
        environment: "production".into(),
        sha: SHA.into(),
        git_ref: "main".into(),
        deployment_id: 11,
        requested_by: "alice".into(),
        requested_at: 1_700_000_000,
        state: "rejected".into(),
        comment: "not today (bob)".into(),
        policy_version: "v".into(),
        decided_by: "w-final".into(),
        decided_at_ms: 81_000,
    };
    assert!(!store.finish("someone-else", &record).await.unwrap());
    assert!(store.finish("w-final", &record).await.unwrap());
    assert!(!store.finish("w-final", &record).await.unwrap());
    assert!(store
        .claim(&id, "late", 1_000_000_000, Duration::from_secs(60))
        .await
        .unwrap()
        .is_none());
    assert!(store.due_gates(i64::MAX / 2, 10).await.unwrap().is_empty());
    assert_eq!(store.recent_decisions(10).await.unwrap(), vec![record]);
    let counts = store.gate_counts().await.unwrap();
    assert_eq!(counts, vec![("decided".to_string(), 1)]);
    // Old delivery ids are pruned; a redelivery after that finds the gate and adds nothing.
    assert_eq!(store.prune_deliveries(2000).await.unwrap(), 2);
    assert_eq!(
        store.record(&delivery("d1", 90_000), &gate).await.unwrap(),
        Recorded::New { woke: false }
    );
    assert_eq!(store.recent_decisions(10).await.unwrap().len(), 1);
    store.close().await;
}

/// 100 deliveries of one request, at once, split between two replicas on one database:
/// exactly one callback.
async fn concurrent_deliveries(url: &str) {
    let github = FakeGitHub::start();
    let evaluator = Scripted::new(approve("ok"));
    let mut slow = evaluator.clone();
    // Long enough that both replicas see the gate while it is being decided.
    slow.delay = Duration::from_millis(200);
    let a = start_app(url, &github.url(), slow.clone(), worker_config("replica-a")).await;
    let b = start_app(url, &github.url(), slow, worker_config("replica-b")).await;
    let body = Arc::new(
        serde_json::to_vec(&protection_rule_payload(
            &github.url(),
            4242,
            "production",
            SHA,
        ))
        .unwrap(),
    );
    let client = reqwest::Client::new();
    let mut tasks = Vec::new();
    for i in 0..100 {
        let client = client.clone();
        let body = body.clone();
        let url = if i % 2 == 0 {
            a.url("/webhook")
        } else {
            b.url("/webhook")
        };
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .header("x-github-event", "deployment_protection_rule")
                .header("x-github-delivery", format!("c-{i}"))
                .header("x-hub-signature-256", sign(SECRET, &body))
                .body(body.to_vec())
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 202);
    }
    let callbacks = || {
        github
            .requests()
            .into_iter()
            .filter(|r| r.path.ends_with("/deployment_protection_rule"))
            .count()
    };
    assert!(eventually(Duration::from_secs(15), || callbacks() == 1).await);
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(callbacks(), 1);
    assert_eq!(evaluator.calls(), 1);
    assert_eq!(a.store.recent_decisions(10).await.unwrap().len(), 1);
    a.stop().await;
    b.stop().await;
}

/// A pending gate survives a restart and is decided by the next process.
async fn restart_with_pending_gate(url: &str) {
    let github = FakeGitHub::start();
    let first = Scripted::new(wait("waiting for a second approval"));
    let app = start_app(url, &github.url(), first.clone(), worker_config("before")).await;
    let client = reqwest::Client::new();
    let body = serde_json::to_vec(&protection_rule_payload(
        &github.url(),
        77,
        "production",
        SHA,
    ))
    .unwrap();
    assert_eq!(
        deliver(&client, &app, "deployment_protection_rule", "r-1", &body)
            .await
            .0,
        202
    );
    assert!(eventually(Duration::from_secs(10), || first.calls() == 1).await);
    app.stop().await;

    // The new process: the gate is still pending (due at the recheck time); an event pulls
    // it forward, and the new evaluation answers.
    let second = Scripted::new(approve("second approval given"));
    let app = start_app(url, &github.url(), second.clone(), worker_config("after")).await;
    let counts = app.store.gate_counts().await.unwrap();
    assert_eq!(counts, vec![("pending".to_string(), 1)]);
    // Redelivery of the original request after the restart changes nothing.
    assert_eq!(
        deliver(&client, &app, "deployment_protection_rule", "r-1", &body)
            .await
            .0,
        200
    );
    let mut review =
        helmpilot_github_fake::examples::payload("pull_request_review", Some("submitted"));
    review["repository"]["full_name"] = "Codertocat/Hello-World".into();
    assert_eq!(
        deliver(
            &client,
            &app,
            "pull_request_review",
            "r-2",
            &serde_json::to_vec(&review).unwrap()
        )
        .await
        .0,
        202
    );
    assert!(eventually(Duration::from_secs(10), || second.calls() == 1).await);
    let decided = async {
        for _ in 0..200 {
            if app.store.recent_decisions(5).await.unwrap().len() == 1 {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        false
    };
    assert!(decided.await);
    let decisions = app.store.recent_decisions(5).await.unwrap();
    assert_eq!(decisions[0].decided_by, "after");
    assert_eq!(decisions[0].comment, "second approval given");
    let callbacks: Vec<_> = github
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/deployment_protection_rule"))
        .collect();
    assert_eq!(callbacks.len(), 1);
    app.stop().await;
}

fn run<F: Future<Output = ()>>(f: F) {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(f);
}

#[test]
fn sqlite() {
    run(async {
        let (url, _d1) = sqlite_url();
        store_cases(&url).await;
        let (url, _d2) = sqlite_url();
        concurrent_deliveries(&url).await;
        let (url, _d3) = sqlite_url();
        restart_with_pending_gate(&url).await;
    });
}

#[test]
fn postgres() {
    let server = Postgres::start();
    run(async {
        store_cases(&server.database("store_cases").await).await;
        concurrent_deliveries(&server.database("concurrent").await).await;
        restart_with_pending_gate(&server.database("restart").await).await;
    });
}
