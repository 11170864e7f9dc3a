//! The store: deliveries (dedupe), pending gates, manual commands and decisions, in an
//! embedded SQLite file (the default) or PostgreSQL (several replicas), with the same
//! migrations (`app/migrations/`) run at start.
//!
//! Every statement is written once for both databases (sqlx's `any` driver; `$n`
//! placeholders, which SQLite accepts too). Deciding a gate exactly once rests on one
//! statement, [`Store::claim`]: `UPDATE gates ... WHERE state = 'pending' ... RETURNING`,
//! atomic on both (PostgreSQL re-checks the condition after taking the row lock).

mod migrations;

use std::time::Duration;

use helmpilot_github::RepoName;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};

use crate::gate::{GateRequest, ManualCommand};

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// DATABASE_URL names a database this build does not support.
    #[error(
        "DATABASE_URL: unsupported database {scheme:?} (expected sqlite://FILE or postgres://...)"
    )]
    Unsupported {
        /// The URL's scheme.
        scheme: String,
    },
    /// Could not connect.
    #[error("cannot connect to the database ({backend}): {source}")]
    Connect {
        /// `sqlite` or `postgres`.
        backend: &'static str,
        /// sqlx's error.
        #[source]
        source: sqlx::Error,
    },
    /// A migration failed.
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A query failed.
    #[error("database error while {doing}: {source}")]
    Query {
        /// What the store was doing.
        doing: &'static str,
        /// sqlx's error.
        #[source]
        source: sqlx::Error,
    },
    /// A stored row is not what this version writes.
    #[error("corrupt row in {table}: {reason}")]
    Corrupt {
        /// The table.
        table: &'static str,
        /// What did not fit.
        reason: String,
    },
}

fn query_error(doing: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| StoreError::Query { doing, source }
}

/// Which database a [`Store`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// What a webhook delivery asks the store to record, besides the delivery itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Nothing (ping, ignored actions).
    None,
    /// A new deployment protection request to decide.
    NewGate(GateRequest),
    /// Something that may change pending decisions of the repository happened (a review,
    /// a deployment status): look at its pending gates again now.
    Recheck {
        /// `owner/name`.
        repository: RepoName,
    },
    /// A `/helmpilot approve|reject` comment: keep it and look at the repository's pending
    /// gates again.
    Command {
        /// The installation the comment came through.
        installation_id: u64,
        /// `owner/name`.
        repository: RepoName,
        /// The issue or pull request commented on.
        issue_number: u64,
        /// The command.
        command: ManualCommand,
    },
}

/// One webhook delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// `X-GitHub-Delivery`.
    pub id: String,
    /// `X-GitHub-Event`.
    pub event: String,
    /// The payload's `action` (empty when it has none).
    pub action: String,
    /// When it arrived, Unix milliseconds.
    pub received_at_ms: i64,
}

/// What [`Store::record`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// A delivery not seen before; its effect is stored. `woke` tells whether pending gates
    /// became due (a new gate, or a recheck that found some).
    New {
        /// Whether the worker has something to do now.
        woke: bool,
    },
    /// This delivery id was recorded before: nothing changed.
    Duplicate,
}

/// A gate a worker holds (see [`Store::claim`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimedGate {
    /// The gate's key.
    pub id: String,
    /// The request as recorded.
    pub request: GateRequest,
    /// Failed attempts so far (for the backoff).
    pub failures: u32,
}

/// A gate as the store holds it (tests and the audit view).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GateRow {
    /// The gate's key.
    pub id: String,
    /// `pending`, `claimed` or `decided`.
    pub state: String,
    /// When it is next looked at, Unix milliseconds.
    pub next_check_at_ms: i64,
    /// Failed attempts in a row.
    pub failures: u32,
    /// Why it waits, from the last evaluation.
    pub waiting_reason: Option<String>,
    /// The last error (token, callback).
    pub last_error: Option<String>,
}

/// An answer given, for the audit log.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DecisionRecord {
    /// The gate's key.
    pub gate_id: String,
    /// `owner/name`.
    pub repository: String,
    /// The environment.
    pub environment: String,
    /// The commit deployed.
    pub sha: String,
    /// The deployment's ref.
    pub git_ref: String,
    /// The deployment's id.
    pub deployment_id: u64,
    /// Who asked (the workflow's actor).
    pub requested_by: String,
    /// When GitHub asked, Unix seconds.
    pub requested_at: i64,
    /// `approved` or `rejected`.
    pub state: String,
    /// Why (the comment sent to GitHub).
    pub comment: String,
    /// Which policy decided: the policy file at this commit, and the App's version.
    pub policy_version: String,
    /// The replica that answered.
    pub decided_by: String,
    /// When, Unix milliseconds.
    pub decided_at_ms: i64,
}

/// The database behind the App. Cheap to clone (a connection pool).
///
/// ```no_run
/// # async fn run() -> Result<(), helmpilot_app::store::StoreError> {
/// let store = helmpilot_app::store::Store::connect("sqlite://helmpilot.db").await?;
/// store.ping().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

const GATE_COLUMNS: &str = "id, installation_id, repository, environment, sha, git_ref, \
    deployment_id, callback_url, requested_by, requested_at, failures";

impl Store {
    /// Connects to `url` (`sqlite://FILE`, created when missing, or `postgres://...`) and
    /// brings the schema up to date.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let scheme = url
            .split(':')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let (backend, url, max) = match scheme.as_str() {
            "sqlite" => {
                // sqlx opens an existing file only, unless told `mode=rwc`.
                let url = if url.contains("mode=") {
                    url.to_string()
                } else if url.contains('?') {
                    format!("{url}&mode=rwc")
                } else {
                    format!("{url}?mode=rwc")
                };
                // SQLite has one writer at a time; with several connections the others
                // spin in its busy handler (sleeps of up to 100 ms: the tail latency).
                // One connection makes them wait in line in the pool instead.
                (Backend::Sqlite, url, 1)
            }
            "postgres" | "postgresql" => (Backend::Postgres, url.to_string(), 10),
            _ => return Err(StoreError::Unsupported { scheme }),
        };
        let name = match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL: readers do not block the writer; NORMAL: durable at each
                        // checkpoint, safe against corruption, and fast enough for
                        // thousands of deliveries a second.
                        sqlx::query("PRAGMA journal_mode = WAL")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA synchronous = NORMAL")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA busy_timeout = 10000")
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(|source| StoreError::Connect {
                backend: name,
                source,
            })?;
        migrations::run(&pool).await?;
        Ok(Store { pool, backend })
    }

    /// The database kind.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Whether the database answers (`/readyz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(query_error("checking the connection"))?;
        Ok(())
    }

    /// Records a delivery and its effect in one transaction, unless the delivery id was
    /// recorded before (then nothing changes).
    pub async fn record(
        &self,
        delivery: &Delivery,
        effect: &Effect,
    ) -> Result<Recorded, StoreError> {
        let doing = "recording a delivery";
        let mut tx = self.pool.begin().await.map_err(query_error(doing))?;
        let inserted = sqlx::query(
            "INSERT INTO deliveries (delivery_id, event, action, received_at_ms) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (delivery_id) DO NOTHING",
        )
        .bind(&delivery.id)
        .bind(&delivery.event)
        .bind(&delivery.action)
        .bind(delivery.received_at_ms)
        .execute(&mut *tx)
        .await
        .map_err(query_error(doing))?
        .rows_affected();
        if inserted == 0 {
            tx.rollback().await.map_err(query_error(doing))?;
            return Ok(Recorded::Duplicate);
        }
        let now = delivery.received_at_ms;
        let woke = match effect {
            Effect::None => false,
            Effect::NewGate(request) => {
                let added = sqlx::query(
                    "INSERT INTO gates (id, installation_id, repository, environment, sha, \
                     git_ref, deployment_id, callback_url, requested_by, requested_at, \
                     delivery_id, state, next_check_at_ms, failures, updated_at_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $12, 0, $12) \
                     ON CONFLICT (id) DO NOTHING",
                )
                .bind(gate_id(request))
                .bind(to_i64(request.installation_id))
                .bind(request.repository.to_string())
                .bind(&request.environment)
                .bind(&request.sha)
                .bind(&request.git_ref)
                .bind(to_i64(request.deployment_id))
                .bind(&request.deployment_callback_url)
                .bind(&request.requested_by)
                .bind(request.requested_at)
                .bind(&delivery.id)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(query_error(doing))?
                .rows_affected();
                added > 0
            }
            Effect::Recheck { repository } => {
                wake(&mut tx, &repository.to_string(), now).await? > 0
            }
            Effect::Command {
                installation_id,
                repository,
                issue_number,
                command,
            } => {
                sqlx::query(
                    "INSERT INTO commands (delivery_id, installation_id, repository, \
                     issue_number, environment, author, approve, reason, at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (delivery_id) DO NOTHING",
                )
                .bind(&delivery.id)
                .bind(to_i64(*installation_id))
                .bind(repository.to_string())
                .bind(to_i64(*issue_number))
                .bind(&command.environment)
                .bind(&command.author)
                .bind(i64::from(command.approve))
                .bind(&command.reason)
                .bind(command.at)
                .execute(&mut *tx)
                .await
                .map_err(query_error(doing))?;
                wake(&mut tx, &repository.to_string(), now).await? > 0
            }
        };
        tx.commit().await.map_err(query_error(doing))?;
        Ok(Recorded::New { woke })
    }

    /// Keys of gates due now: pending ones whose time has come, and claimed ones whose
    /// worker's lease ran out (it died). Oldest first, at most `limit`.
    pub async fn due_gates(&self, now_ms: i64, limit: u32) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT id FROM gates WHERE (state = 'pending' AND next_check_at_ms <= $1) \
             OR (state = 'claimed' AND claimed_until_ms < $1) \
             ORDER BY next_check_at_ms LIMIT $2",
        )
        .bind(now_ms)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(query_error("listing due gates"))?;
        rows.iter()
            .map(|r| {
                r.try_get::<String, _>(0)
                    .map_err(query_error("listing due gates"))
            })
            .collect()
    }

    /// Takes gate `id` for `owner` until `now_ms + lease`, if it is pending (or its last
    /// holder's lease ran out). At most one caller, across every replica on the database,
    /// gets `Some` for a given pending gate.
    pub async fn claim(
        &self,
        id: &str,
        owner: &str,
        now_ms: i64,
        lease: Duration,
    ) -> Result<Option<ClaimedGate>, StoreError> {
        let until = now_ms.saturating_add(i64::try_from(lease.as_millis()).unwrap_or(i64::MAX));
        let sql = format!(
            "UPDATE gates SET state = 'claimed', claimed_by = $1, claimed_until_ms = $2, \
             updated_at_ms = $3 \
             WHERE id = $4 AND ((state = 'pending' AND next_check_at_ms <= $3) \
             OR (state = 'claimed' AND claimed_until_ms < $3)) \
             RETURNING {GATE_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(owner)
            .bind(until)
            .bind(now_ms)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(query_error("claiming a gate"))?;
        row.map(|r| claimed_from_row(&r)).transpose()
    }

    /// Gives a claimed gate back: it waits (`failed: false`, failures reset) or an attempt
    /// failed (`failed: true`, failures counted), and is looked at again at `next_ms`.
    /// Returns false when `owner` no longer held it.
    pub async fn release(
        &self,
        id: &str,
        owner: &str,
        next_ms: i64,
        now_ms: i64,
        outcome: Release<'_>,
    ) -> Result<bool, StoreError> {
        let (failures_sql, reason, error) = match outcome {
            Release::Waiting { reason } => ("0", Some(reason), None),
            Release::Failed { error } => ("failures + 1", None, Some(error)),
        };
        let sql = format!(
            "UPDATE gates SET state = 'pending', claimed_by = NULL, claimed_until_ms = NULL, \
             next_check_at_ms = $1, failures = {failures_sql}, \
             waiting_reason = COALESCE($2, waiting_reason), last_error = $3, updated_at_ms = $4 \
             WHERE id = $5 AND state = 'claimed' AND claimed_by = $6"
        );
        let n = sqlx::query(&sql)
            .bind(next_ms)
            .bind(reason)
            .bind(error)
            .bind(now_ms)
            .bind(id)
            .bind(owner)
            .execute(&self.pool)
            .await
            .map_err(query_error("releasing a gate"))?
            .rows_affected();
        Ok(n > 0)
    }

    /// Gives up on a claimed gate (`state = 'abandoned'`, the error kept). Returns false
    /// when `owner` no longer held it.
    pub async fn abandon(
        &self,
        id: &str,
        owner: &str,
        now_ms: i64,
        error: &str,
    ) -> Result<bool, StoreError> {
        let n = sqlx::query(
            "UPDATE gates SET state = 'abandoned', claimed_by = NULL, claimed_until_ms = NULL, \
             failures = failures + 1, last_error = $1, updated_at_ms = $2 \
             WHERE id = $3 AND state = 'claimed' AND claimed_by = $4",
        )
        .bind(error)
        .bind(now_ms)
        .bind(id)
        .bind(owner)
        .execute(&self.pool)
        .await
        .map_err(query_error("abandoning a gate"))?
        .rows_affected();
        Ok(n > 0)
    }

    /// Marks a claimed gate decided and writes the audit record, in one transaction.
    /// Returns false (and writes nothing) when `owner` no longer held it.
    pub async fn finish(&self, owner: &str, record: &DecisionRecord) -> Result<bool, StoreError> {
        let doing = "recording a decision";
        let mut tx = self.pool.begin().await.map_err(query_error(doing))?;
        let n = sqlx::query(
            "UPDATE gates SET state = 'decided', claimed_by = NULL, claimed_until_ms = NULL, \
             last_error = NULL, updated_at_ms = $1 \
             WHERE id = $2 AND state = 'claimed' AND claimed_by = $3",
        )
        .bind(record.decided_at_ms)
        .bind(&record.gate_id)
        .bind(owner)
        .execute(&mut *tx)
        .await
        .map_err(query_error(doing))?
        .rows_affected();
        if n == 0 {
            tx.rollback().await.map_err(query_error(doing))?;
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO decisions (gate_id, repository, environment, sha, git_ref, \
             deployment_id, requested_by, requested_at, state, comment, policy_version, \
             decided_by, decided_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(&record.gate_id)
        .bind(&record.repository)
        .bind(&record.environment)
        .bind(&record.sha)
        .bind(&record.git_ref)
        .bind(to_i64(record.deployment_id))
        .bind(&record.requested_by)
        .bind(record.requested_at)
        .bind(&record.state)
        .bind(&record.comment)
        .bind(&record.policy_version)
        .bind(&record.decided_by)
        .bind(record.decided_at_ms)
        .execute(&mut *tx)
        .await
        .map_err(query_error(doing))?;
        tx.commit().await.map_err(query_error(doing))?;
        Ok(true)
    }

    /// The manual commands for `environment` of `repository` given at or after `since`
    /// (Unix seconds), oldest first.
    pub async fn commands(
        &self,
        repository: &RepoName,
        environment: &str,
        since: i64,
    ) -> Result<Vec<ManualCommand>, StoreError> {
        let doing = "reading manual commands";
        let rows = sqlx::query(
            "SELECT author, environment, approve, reason, at FROM commands \
             WHERE repository = $1 AND environment = $2 AND at >= $3 ORDER BY at, delivery_id",
        )
        .bind(repository.to_string())
        .bind(environment)
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(query_error(doing))?;
        rows.iter()
            .map(|r| {
                Ok(ManualCommand {
                    author: r.try_get(0).map_err(query_error(doing))?,
                    environment: r.try_get(1).map_err(query_error(doing))?,
                    approve: r.try_get::<i64, _>(2).map_err(query_error(doing))? != 0,
                    reason: r.try_get(3).map_err(query_error(doing))?,
                    at: r.try_get(4).map_err(query_error(doing))?,
                })
            })
            .collect()
    }

    /// The most recent decisions, newest first.
    pub async fn recent_decisions(&self, limit: u32) -> Result<Vec<DecisionRecord>, StoreError> {
        let doing = "reading decisions";
        let rows = sqlx::query(
            "SELECT gate_id, repository, environment, sha, git_ref, deployment_id, \
             requested_by, requested_at, state, comment, policy_version, decided_by, \
             decided_at_ms FROM decisions ORDER BY decided_at_ms DESC, gate_id LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(query_error(doing))?;
        rows.iter()
            .map(|r| {
                Ok(DecisionRecord {
                    gate_id: r.try_get(0).map_err(query_error(doing))?,
                    repository: r.try_get(1).map_err(query_error(doing))?,
                    environment: r.try_get(2).map_err(query_error(doing))?,
                    sha: r.try_get(3).map_err(query_error(doing))?,
                    git_ref: r.try_get(4).map_err(query_error(doing))?,
                    deployment_id: to_u64(r.try_get(5).map_err(query_error(doing))?),
                    requested_by: r.try_get(6).map_err(query_error(doing))?,
                    requested_at: r.try_get(7).map_err(query_error(doing))?,
                    state: r.try_get(8).map_err(query_error(doing))?,
                    comment: r.try_get(9).map_err(query_error(doing))?,
                    policy_version: r.try_get(10).map_err(query_error(doing))?,
                    decided_by: r.try_get(11).map_err(query_error(doing))?,
                    decided_at_ms: r.try_get(12).map_err(query_error(doing))?,
                })
            })
            .collect()
    }

    /// A gate's row, by key.
    pub async fn gate(&self, id: &str) -> Result<Option<GateRow>, StoreError> {
        let doing = "reading a gate";
        let row = sqlx::query(
            "SELECT id, state, next_check_at_ms, failures, waiting_reason, last_error \
             FROM gates WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(query_error(doing))?;
        row.map(|r| {
            Ok(GateRow {
                id: r.try_get(0).map_err(query_error(doing))?,
                state: r.try_get(1).map_err(query_error(doing))?,
                next_check_at_ms: r.try_get(2).map_err(query_error(doing))?,
                failures: to_u32(r.try_get(3).map_err(query_error(doing))?),
                waiting_reason: r.try_get(4).map_err(query_error(doing))?,
                last_error: r.try_get(5).map_err(query_error(doing))?,
            })
        })
        .transpose()
    }

    /// How many gates are in each state (for metrics).
    pub async fn gate_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let doing = "counting gates";
        let rows = sqlx::query("SELECT state, COUNT(*) FROM gates GROUP BY state ORDER BY state")
            .fetch_all(&self.pool)
            .await
            .map_err(query_error(doing))?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get(0).map_err(query_error(doing))?,
                    r.try_get(1).map_err(query_error(doing))?,
                ))
            })
            .collect()
    }

    /// Forgets deliveries received before `before_ms` (GitHub redelivers within days, so
    /// old ids are no longer needed for dedupe). Returns how many were removed.
    pub async fn prune_deliveries(&self, before_ms: i64) -> Result<u64, StoreError> {
        Ok(
            sqlx::query("DELETE FROM deliveries WHERE received_at_ms < $1")
                .bind(before_ms)
                .execute(&self.pool)
                .await
                .map_err(query_error("pruning old deliveries"))?
                .rows_affected(),
        )
    }

    /// Closes the pool (waits for connections to be returned).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// How a claimed gate is given back; see [`Store::release`].
#[derive(Clone, Copy, Debug)]
pub enum Release<'a> {
    /// The policy is not yet satisfied.
    Waiting {
        /// Why, from the evaluation.
        reason: &'a str,
    },
    /// An attempt failed (no token, callback refused, ...).
    Failed {
        /// What failed.
        error: &'a str,
    },
}

/// A gate's key: GitHub asks once per environment of a workflow run, and the callback URL
/// names the run.
pub fn gate_id(request: &GateRequest) -> String {
    format!(
        "{}@{}",
        request.environment, request.deployment_callback_url
    )
}

async fn wake(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    repository: &str,
    now_ms: i64,
) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "UPDATE gates SET next_check_at_ms = $1 WHERE repository = $2 AND state = 'pending' \
         AND next_check_at_ms > $1",
    )
    .bind(now_ms)
    .bind(repository)
    .execute(&mut **tx)
    .await
    .map_err(query_error("waking the repository's gates"))?
    .rows_affected())
}

fn claimed_from_row(r: &AnyRow) -> Result<ClaimedGate, StoreError> {
    let doing = "claiming a gate";
    let repository: String = r.try_get(2).map_err(query_error(doing))?;
    let repository = RepoName::parse(&repository).map_err(|e| StoreError::Corrupt {
        table: "gates",
        reason: e.to_string(),
    })?;
    Ok(ClaimedGate {
        id: r.try_get(0).map_err(query_error(doing))?,
        request: GateRequest {
            installation_id: to_u64(r.try_get(1).map_err(query_error(doing))?),
            repository,
            environment: r.try_get(3).map_err(query_error(doing))?,
            sha: r.try_get(4).map_err(query_error(doing))?,
            git_ref: r.try_get(5).map_err(query_error(doing))?,
            deployment_id: to_u64(r.try_get(6).map_err(query_error(doing))?),
            deployment_callback_url: r.try_get(7).map_err(query_error(doing))?,
            requested_by: r.try_get(8).map_err(query_error(doing))?,
            requested_at: r.try_get(9).map_err(query_error(doing))?,
        },
        failures: to_u32(r.try_get(10).map_err(query_error(doing))?),
    })
}

// GitHub's ids fit in i64 (BIGINT); saturate rather than wrap if one ever does not.
fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn to_u32(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}
