//! helmpilot-app: a GitHub App answering deployment protection rules. GitHub asks it
//! whether a job may deploy to a protected environment; it answers from a policy kept in
//! the repository (`.github/helmpilot.yml`), records every decision, and waits (persisting
//! the pending gate) when the policy is not yet satisfied.
//!
//! `policy` parses the policy file; `gate` evaluates a deployment request against it with
//! data from GitHub behind a trait; the server side (webhook verification, store, worker,
//! GitHub App authentication, metrics) sits around them:
//!
//! - [`config`]: settings from the environment;
//! - [`server`]: the axum router (`/webhook`, `/healthz`, `/readyz`, `/metrics`, `/audit`);
//! - [`webhook`]: signature verification and event routing;
//! - [`store`]: deliveries, pending gates, commands and decisions (SQLite or PostgreSQL);
//! - [`worker`]: background decisions, retries, rechecks and the callback;
//! - [`auth`] and [`api`]: the App's JWT, installation tokens, the callback request;
//! - [`metrics`] and [`audit`]: what operators read.

pub mod api;
pub mod audit;
pub mod auth;
pub mod config;
pub mod engine;
pub mod gate;
pub mod metrics;
pub mod policy;
pub mod server;
pub mod store;
pub mod webhook;
pub mod worker;
