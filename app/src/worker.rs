//! The background worker: takes due gates from the store, evaluates them, answers GitHub
//! and records the decision, apart from the webhook handler (which only records and
//! acknowledges, so GitHub gets its answer in milliseconds whatever GitHub's API does).
//!
//! A gate is due when it is new, when an event may have changed its answer (the webhook
//! handler pulls its `next_check_at` to now), when the evaluation's recheck time or the
//! periodic recheck comes, or when a failed attempt's backoff ends. Each replica polls the
//! store; [`Store::claim`] lets exactly one of them hold a gate at a time, and a gate is
//! answered at most once because only the holder may mark it decided, after the callback
//! succeeded. A gate held by a replica that died returns to the pool when its lease ends.

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::{watch, Notify, Semaphore};

use crate::api::{ApiError, GitHubApi};
use crate::auth::TokenCache;
use crate::gate::{Decision, GateRequest, ManualCommand};
use crate::metrics::Metrics;
use crate::store::{ClaimedGate, DecisionRecord, Release, Store, StoreError};

/// Delivery ids are kept this long for dedupe (GitHub redelivers within a few days).
const DELIVERY_RETENTION_MS: i64 = 30 * 24 * 3600 * 1000;
/// How often old delivery ids are removed.
const PRUNE_EVERY_MS: i64 = 3600 * 1000;

/// Evaluates a gate with data read from GitHub with `token` (an installation token of the
/// gate's installation). The App's binary plugs `gate::evaluate` with `gate::GitHubBacked`
/// in here; tests plug doubles.
pub trait Evaluate: Send + Sync + 'static {
    /// The decision for `request` at `now` (Unix seconds), given the manual commands for
    /// its environment since it was requested.
    fn evaluate(
        &self,
        request: &GateRequest,
        token: &str,
        commands: &[ManualCommand],
        now: i64,
    ) -> impl Future<Output = Decision> + Send;
}

/// The worker's timings and identity.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// Who claims gates (and answers them, in the audit log).
    pub replica_id: String,
    /// How long a claim lasts; processing is cut off well before (half of it).
    pub lease: Duration,
    /// A waiting gate is looked at again at least this often.
    pub recheck_interval: Duration,
    /// How often the store is polled for due gates (events wake the worker at once).
    pub poll_interval: Duration,
    /// The first retry's wait after a failure; doubles with each failure.
    pub backoff_base: Duration,
    /// The longest wait between retries.
    pub backoff_max: Duration,
    /// Failures in a row after which a gate is abandoned (its last error stays in the
    /// store and the logs).
    pub max_failures: u32,
    /// Gates processed at the same time by this replica.
    pub concurrency: usize,
}

impl WorkerConfig {
    /// Production defaults: 60 s lease, 1 s polling, backoff 1 s doubling to 5 min, 30
    /// failures, 8 gates at a time.
    pub fn new(replica_id: &str, recheck_interval: Duration) -> WorkerConfig {
        WorkerConfig {
            replica_id: replica_id.to_string(),
            lease: Duration::from_secs(60),
            recheck_interval,
            poll_interval: Duration::from_secs(1),
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(300),
            max_failures: 30,
            concurrency: 8,
        }
    }

    fn backoff(&self, failures: u32) -> Duration {
        let factor = 2u32.saturating_pow(failures.saturating_sub(1).min(20));
        self.backoff_base
            .saturating_mul(factor)
            .min(self.backoff_max)
    }
}

/// What processing one gate came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Processed {
    /// Another worker holds it, or it is not due / already decided.
    NotClaimed,
    /// Answered: `approved` or `rejected`.
    Answered(&'static str),
    /// The policy is not yet satisfied; looked at again later.
    Waiting,
    /// An attempt failed; retried after a backoff.
    Failed(String),
    /// Given up (a permanent error, or too many failures).
    Abandoned(String),
    /// The claim was lost before the decision could be recorded (lease ran out).
    LostClaim,
}

/// The worker. Cheap to clone (everything shared).
pub struct Worker<E> {
    store: Store,
    api: GitHubApi,
    tokens: Arc<TokenCache>,
    evaluator: Arc<E>,
    metrics: Arc<Metrics>,
    config: WorkerConfig,
    wake: Arc<Notify>,
    in_flight: Arc<Mutex<HashSet<String>>>,
}

impl<E> Clone for Worker<E> {
    fn clone(&self) -> Self {
        Worker {
            store: self.store.clone(),
            api: self.api.clone(),
            tokens: self.tokens.clone(),
            evaluator: self.evaluator.clone(),
            metrics: self.metrics.clone(),
            config: self.config.clone(),
            wake: self.wake.clone(),
            in_flight: self.in_flight.clone(),
        }
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl<E: Evaluate> Worker<E> {
    /// A worker; `wake` is what the webhook handler notifies when something became due.
    pub fn new(
        store: Store,
        api: GitHubApi,
        tokens: Arc<TokenCache>,
        evaluator: Arc<E>,
        metrics: Arc<Metrics>,
        config: WorkerConfig,
        wake: Arc<Notify>,
    ) -> Worker<E> {
        Worker {
            store,
            api,
            tokens,
            evaluator,
            metrics,
            config,
            wake,
            in_flight: Arc::new(Mutex::new(HashSet::new())),
        }
    }

    /// Runs until `shutdown` turns true, then waits for the gates in progress.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let permits = Arc::new(Semaphore::new(self.config.concurrency.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        let mut next_prune = 0i64;
        loop {
            if *shutdown.borrow() {
                break;
            }
            let now = now_ms();
            if now >= next_prune {
                next_prune = now.saturating_add(PRUNE_EVERY_MS);
                match self
                    .store
                    .prune_deliveries(now - DELIVERY_RETENTION_MS)
                    .await
                {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(removed = n, "pruned old deliveries"),
                    Err(e) => tracing::warn!("{e}"),
                }
            }
            match self.store.due_gates(now_ms(), 256).await {
                Ok(ids) => {
                    for id in ids {
                        let fresh = self
                            .in_flight
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .insert(id.clone());
                        if !fresh {
                            continue;
                        }
                        let Ok(permit) = permits.clone().acquire_owned().await else {
                            break;
                        };
                        let worker = self.clone();
                        tasks.spawn(async move {
                            let outcome = worker.process(&id).await;
                            if let Err(e) = outcome {
                                tracing::error!(gate = %id, "{e}");
                            }
                            worker
                                .in_flight
                                .lock()
                                .unwrap_or_else(PoisonError::into_inner)
                                .remove(&id);
                            drop(permit);
                        });
                    }
                }
                Err(e) => tracing::error!("cannot read due gates: {e}"),
            }
            // Reap finished tasks without waiting.
            while tasks.try_join_next().is_some() {}
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(self.config.poll_interval) => {}
                _ = shutdown.changed() => {}
            }
        }
        while tasks.join_next().await.is_some() {}
    }

    /// Claims gate `id` and, if this worker got it, decides it.
    pub async fn process(&self, id: &str) -> Result<Processed, StoreError> {
        let owner = self.config.replica_id.as_str();
        let Some(gate) = self
            .store
            .claim(id, owner, now_ms(), self.config.lease)
            .await?
        else {
            return Ok(Processed::NotClaimed);
        };
        let budget = self.config.lease / 2;
        match tokio::time::timeout(budget, self.decide(&gate)).await {
            Ok(result) => result,
            Err(_) => {
                let error = format!(
                    "evaluating and answering took longer than {} s",
                    budget.as_secs()
                );
                self.fail(&gate, &error, true).await
            }
        }
    }

    async fn decide(&self, gate: &ClaimedGate) -> Result<Processed, StoreError> {
        let request = &gate.request;
        let now = now_ms() / 1000;
        let token = match self.tokens.token(request.installation_id, now).await {
            Ok(t) => t,
            Err(e) => {
                let transient = e.is_transient();
                return self.fail(gate, &e.to_string(), transient).await;
            }
        };
        let commands = self
            .store
            .commands(
                &request.repository,
                &request.environment,
                request.requested_at,
            )
            .await?;
        let decision = self
            .evaluator
            .evaluate(request, &token, &commands, now)
            .await;
        let (state, comment) = match decision {
            Decision::Wait { reason, recheck_at } => {
                self.metrics.waiting();
                let now_ms = now_ms();
                let periodic = now_ms.saturating_add(ms(self.config.recheck_interval));
                let next = recheck_at
                    .map(|s| s.saturating_mul(1000).clamp(now_ms, periodic))
                    .unwrap_or(periodic);
                let owner = self.config.replica_id.as_str();
                return Ok(
                    if self
                        .store
                        .release(
                            &gate.id,
                            owner,
                            next,
                            now_ms,
                            Release::Waiting { reason: &reason },
                        )
                        .await?
                    {
                        tracing::info!(gate = %gate.id, %reason, "waiting");
                        Processed::Waiting
                    } else {
                        Processed::LostClaim
                    },
                );
            }
            Decision::Approve { comment } => ("approved", comment),
            Decision::Reject { comment } => ("rejected", comment),
        };
        if let Err(e) = self
            .api
            .review_deployment(
                &request.deployment_callback_url,
                &token,
                &request.environment,
                state,
                &comment,
            )
            .await
        {
            if matches!(e, ApiError::Status { status: 401, .. }) {
                self.tokens.forget(request.installation_id).await;
            }
            let transient = e.is_transient();
            return self.fail(gate, &e.to_string(), transient).await;
        }
        let decided_at_ms = now_ms();
        let record = DecisionRecord {
            gate_id: gate.id.clone(),
            repository: request.repository.to_string(),
            environment: request.environment.clone(),
            sha: request.sha.clone(),
            git_ref: request.git_ref.clone(),
            deployment_id: request.deployment_id,
            requested_by: request.requested_by.clone(),
            requested_at: request.requested_at,
            state: state.to_string(),
            comment,
            policy_version: format!(
                ".github/helmpilot.yml at {}; helmpilot-app {}",
                request.sha,
                env!("CARGO_PKG_VERSION")
            ),
            decided_by: self.config.replica_id.clone(),
            decided_at_ms,
        };
        if !self.store.finish(&self.config.replica_id, &record).await? {
            tracing::error!(gate = %gate.id, "answered GitHub but the claim had run out; not recorded twice");
            return Ok(Processed::LostClaim);
        }
        let waited = decided_at_ms / 1000 - request.requested_at;
        self.metrics.decision(
            state,
            Duration::from_secs(u64::try_from(waited).unwrap_or(0)),
        );
        tracing::info!(gate = %gate.id, state, "answered");
        Ok(Processed::Answered(state))
    }

    async fn fail(
        &self,
        gate: &ClaimedGate,
        error: &str,
        transient: bool,
    ) -> Result<Processed, StoreError> {
        let failures = gate.failures.saturating_add(1);
        let owner = self.config.replica_id.as_str();
        let now = now_ms();
        if !transient || failures >= self.config.max_failures {
            tracing::error!(gate = %gate.id, failures, "giving up: {error}");
            return Ok(if self.store.abandon(&gate.id, owner, now, error).await? {
                Processed::Abandoned(error.to_string())
            } else {
                Processed::LostClaim
            });
        }
        let next = now.saturating_add(ms(self.config.backoff(failures)));
        tracing::warn!(gate = %gate.id, failures, "attempt failed, retrying later: {error}");
        Ok(
            if self
                .store
                .release(&gate.id, owner, next, now, Release::Failed { error })
                .await?
            {
                Processed::Failed(error.to_string())
            } else {
                Processed::LostClaim
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let mut c = WorkerConfig::new("r", Duration::from_secs(60));
        c.backoff_base = Duration::from_millis(100);
        c.backoff_max = Duration::from_secs(1);
        let waits: Vec<u128> = (1..=6).map(|f| c.backoff(f).as_millis()).collect();
        assert_eq!(waits, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(c.backoff(u32::MAX), Duration::from_secs(1));
    }
}
