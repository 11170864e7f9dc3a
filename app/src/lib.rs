//! helmpilot-app: a GitHub App answering deployment protection rules. GitHub asks it
//! whether a job may deploy to a protected environment; it answers from a policy kept in
//! the repository (`.github/helmpilot.yml`), records every decision, and waits (persisting
//! the pending gate) when the policy is not yet satisfied.
//!
//! `policy` parses the policy file; `gate` evaluates a deployment request against it with
//! data from GitHub behind a trait; the server side (webhook verification, store, worker,
//! GitHub App authentication, metrics) sits around them.

pub mod gate;
pub mod policy;
