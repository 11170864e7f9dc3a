//! Shared helpers of the App's server tests: a running App (router + worker) on loopback
//! against the fake GitHub, signed deliveries, GitHub's example payloads, evaluator
//! doubles, and a throw-away PostgreSQL server.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use helmpilot_app::api::GitHubApi;
use helmpilot_app::auth::TokenCache;
use helmpilot_app::config::{AppCredentials, Secret};
use helmpilot_app::gate::{Decision, GateRequest, ManualCommand};
use helmpilot_app::metrics::Metrics;
use helmpilot_app::server::{router, AppState};
use helmpilot_app::store::Store;
use helmpilot_app::worker::{Evaluate, Worker, WorkerConfig};
use helmpilot_github_fake::examples;
use hmac::{Hmac, Mac};
use serde_json::Value;
use tokio::sync::{watch, Notify};

pub const SECRET: &str = "It's a Secret to Everybody";
pub const AUDIT_TOKEN: &str = "audit-t0ken";

/// The repository's root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `sha256=<hex>` of `body` with `secret`, by our own HMAC (the reference signer is checked
/// against it in `signatures_match_octokit`).
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

/// `@octokit/webhooks-methods`' `sign(secret, payload)`: GitHub's reference signer.
pub fn octokit_sign(secret: &str, body: &str) -> String {
    let module =
        repo_root().join("target/npm/node_modules/@octokit/webhooks-methods/dist-node/index.js");
    // Make sure the package is installed (the fake's loader runs the setup script).
    let _ = examples::payloads("ping");
    let script = format!(
        "import({:?}).then(m => m.sign(process.env.S, process.env.B)).then(s => process.stdout.write(s))",
        format!("file://{}", module.display())
    );
    let out = Command::new("node")
        .arg("-e")
        .arg(script)
        .env("S", secret)
        .env("B", body)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A 2048-bit App key (generated: no private key is committed).
pub fn credentials() -> AppCredentials {
    use rand_core::SeedableRng;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(42);
    AppCredentials {
        app_id: 4242,
        key: rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap(),
    }
}

/// A `deployment_protection_rule` (`requested`) payload. GitHub's example package has none,
/// so it is put together from the parts of a real `deployment_status` example (repository,
/// installation, sender, deployment) plus the fields of the event's schema.
pub fn protection_rule_payload(api_url: &str, run_id: u64, environment: &str, sha: &str) -> Value {
    let example = examples::payloads("deployment_status")
        .into_iter()
        .find(|p| p.get("installation").is_some())
        .expect("a deployment_status example with an installation");
    let full_name = example["repository"]["full_name"]
        .as_str()
        .unwrap()
        .to_string();
    let mut deployment = example["deployment"].clone();
    deployment["sha"] = sha.into();
    deployment["environment"] = environment.into();
    serde_json::json!({
        "action": "requested",
        "environment": environment,
        "event": "push",
        "sha": sha,
        "ref": "refs/heads/main",
        "deployment_callback_url": format!("{api_url}/repos/{full_name}/actions/runs/{run_id}/deployment_protection_rule"),
        "deployment": deployment,
        "pull_requests": [],
        "repository": example["repository"],
        "installation": example["installation"],
        "sender": example["sender"],
    })
}

/// One evaluation: the request, the commands and the token it was given.
pub type Call = (GateRequest, Vec<ManualCommand>, String);

/// An evaluator returning whatever decision is set (tests change it over time), counting
/// calls and keeping the commands it was given.
#[derive(Clone)]
pub struct Scripted {
    pub decision: Arc<Mutex<Decision>>,
    pub calls: Arc<Mutex<Vec<Call>>>,
    pub delay: Duration,
}

impl Scripted {
    pub fn new(decision: Decision) -> Scripted {
        Scripted {
            decision: Arc::new(Mutex::new(decision)),
            calls: Arc::new(Mutex::new(Vec::new())),
            delay: Duration::ZERO,
        }
    }

    pub fn set(&self, decision: Decision) {
        *self.decision.lock().unwrap() = decision;
    }

    pub fn calls(&self) -> usize {
        self.calls.lock().unwrap().len()
    }
}

impl Evaluate for Scripted {
    async fn evaluate(
        &self,
        request: &GateRequest,
        token: &str,
        commands: &[ManualCommand],
        _now: i64,
    ) -> Decision {
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        self.calls
            .lock()
            .unwrap()
            .push((request.clone(), commands.to_vec(), token.to_string()));
        self.decision.lock().unwrap().clone()
    }
}

pub fn approve(comment: &str) -> Decision {
    Decision::Approve {
        comment: comment.to_string(),
    }
}

pub fn wait(reason: &str) -> Decision {
    Decision::Wait {
        reason: reason.to_string(),
        recheck_at: None,
    }
}

/// A running App: HTTP server and worker on this runtime.
pub struct RunningApp {
    pub addr: SocketAddr,
    pub store: Store,
    pub metrics: Arc<Metrics>,
    stop: watch::Sender<bool>,
    server: tokio::task::JoinHandle<()>,
    worker: tokio::task::JoinHandle<()>,
}

impl RunningApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Stops the server and the worker (as a restart would).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        self.server.abort();
        let _ = self.server.await;
        let _ = self.worker.await;
        self.store.close().await;
    }
}

/// Fast timings for tests.
pub fn worker_config(replica: &str) -> WorkerConfig {
    let mut c = WorkerConfig::new(replica, Duration::from_secs(60));
    c.poll_interval = Duration::from_millis(50);
    c.backoff_base = Duration::from_millis(50);
    c.backoff_max = Duration::from_millis(400);
    c
}

pub async fn start_app<E: Evaluate>(
    database_url: &str,
    api_url: &str,
    evaluator: E,
    config: WorkerConfig,
) -> RunningApp {
    let store = Store::connect(database_url).await.unwrap();
    let metrics = Arc::new(Metrics::default());
    let wake = Arc::new(Notify::new());
    let api = GitHubApi::new(api_url, metrics.clone()).unwrap();
    let tokens = TokenCache::new(credentials(), api.clone());
    let (stop, stopped) = watch::channel(false);
    let worker = Worker::new(
        store.clone(),
        api,
        tokens,
        Arc::new(evaluator),
        metrics.clone(),
        config,
        wake.clone(),
    );
    let worker = tokio::spawn(worker.run(stopped));
    let app = router(AppState {
        webhook_secret: Secret::new(SECRET),
        audit_token: Some(Secret::new(AUDIT_TOKEN)),
        max_body: 64 * 1024,
        store: store.clone(),
        metrics: metrics.clone(),
        wake,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    RunningApp {
        addr,
        store,
        metrics,
        stop,
        server,
        worker,
    }
}

/// Posts a delivery; `signature` `None` signs it correctly.
pub async fn deliver(
    client: &reqwest::Client,
    app: &RunningApp,
    event: &str,
    delivery: &str,
    body: &[u8],
) -> (u16, String) {
    let response = client
        .post(app.url("/webhook"))
        .header("x-github-event", event)
        .header("x-github-delivery", delivery)
        .header("x-hub-signature-256", sign(SECRET, body))
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// Polls `check` until it holds or `timeout` passes.
pub async fn eventually(timeout: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if check() {
            return true;
        }
        if tokio::time::Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A temporary SQLite database URL (the directory lives as long as the returned guard).
pub fn sqlite_url() -> (String, TempDir) {
    let dir = TempDir::new();
    (format!("sqlite://{}/app.db", dir.0.display()), dir)
}

pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "helmpilot-app-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A PostgreSQL server started by scripts/app/postgres.sh, stopped on drop.
pub struct Postgres {
    pub url: String,
    dir: String,
}

impl Postgres {
    pub fn start() -> Postgres {
        let script = repo_root().join("scripts/app/postgres.sh");
        let out = Command::new("bash")
            .arg(&script)
            .arg("start")
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "scripts/app/postgres.sh start failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name))
                .unwrap_or_else(|| panic!("no {name} in {text}"))
                .to_string()
        };
        Postgres {
            url: field("DATABASE_URL="),
            dir: field("PGDATA="),
        }
    }

    /// A fresh database on this server (one per test, so tests do not see each other).
    pub async fn database(&self, name: &str) -> String {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&self.url).await.unwrap();
        sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        let _ = conn.close().await;
        let base = self.url.rsplit_once('/').unwrap().0;
        format!("{base}/{name}")
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let script = repo_root().join("scripts/app/postgres.sh");
        let _ = Command::new("bash")
            .arg(&script)
            .arg("stop")
            .arg(&self.dir)
            .status();
    }
}
