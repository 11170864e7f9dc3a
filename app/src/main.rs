//! `helmpilot-app`: the webhook server. Reads its settings from the environment (see
//! app/README.md), migrates the store, starts the worker and serves until SIGTERM/Ctrl-C.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use helmpilot_app::api::GitHubApi;
use helmpilot_app::auth::TokenCache;
use helmpilot_app::config::Config;
use helmpilot_app::metrics::Metrics;
use helmpilot_app::server::{router, AppState};
use helmpilot_app::store::Store;
use helmpilot_app::worker::{Worker, WorkerConfig};
use tokio::sync::{watch, Notify};

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("helmpilot-app: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("helmpilot-app: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("helmpilot-app: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let store = Store::connect(&config.database_url).await?;
    let metrics = Arc::new(Metrics::default());
    let wake = Arc::new(Notify::new());
    let (stop, stopped) = watch::channel(false);

    let worker = match &config.credentials {
        Some(credentials) => {
            let api = GitHubApi::new(&config.github_api_url, metrics.clone())?;
            let tokens = TokenCache::new(credentials.clone(), api.clone());
            let worker = Worker::new(
                store.clone(),
                api,
                tokens,
                Arc::new(evaluator(&config)),
                metrics.clone(),
                WorkerConfig::new(&config.replica_id, config.recheck_interval),
                wake.clone(),
            );
            Some(tokio::spawn(worker.run(stopped)))
        }
        None => {
            tracing::warn!(
                "HELMPILOT_APP_ID and HELMPILOT_PRIVATE_KEY are not set: deployment requests \
                 are recorded but not answered"
            );
            None
        }
    };

    let app = router(AppState {
        webhook_secret: config.webhook_secret.clone(),
        audit_token: config.audit_token.clone(),
        max_body: config.max_body,
        store: store.clone(),
        metrics,
        wake,
    });
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {} (HELMPILOT_LISTEN)", config.listen))?;
    tracing::info!(
        listen = %config.listen,
        database = ?store.backend(),
        replica = %config.replica_id,
        "helmpilot-app {} serving",
        env!("CARGO_PKG_VERSION")
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("the HTTP server failed")?;
    let _ = stop.send(true);
    if let Some(worker) = worker {
        let _ = worker.await;
    }
    store.close().await;
    Ok(())
}

fn evaluator(config: &Config) -> helmpilot_app::engine::PolicyEngine {
    helmpilot_app::engine::PolicyEngine::new(&config.github_api_url)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down");
}
