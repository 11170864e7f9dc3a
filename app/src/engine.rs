//! The production evaluator: the policy helper's `gate::evaluate` over `gate::GitHubBacked`
//! (GitHub's API with the gate's installation token). Compiled with the `policy` feature,
//! which turns on once `gate::evaluate` exists (see the crate's Cargo.toml).

use crate::gate::{Decision, GateRequest, ManualCommand};
use crate::worker::Evaluate;

/// Evaluates gates against the repository's policy, reading GitHub at `api_url`.
#[derive(Clone, Debug)]
pub struct PolicyEngine {
    api_url: String,
}

impl PolicyEngine {
    /// An engine for `GITHUB_API_URL`.
    pub fn new(api_url: &str) -> PolicyEngine {
        PolicyEngine {
            api_url: api_url.to_string(),
        }
    }
}

impl Evaluate for PolicyEngine {
    async fn evaluate(
        &self,
        request: &GateRequest,
        token: &str,
        commands: &[ManualCommand],
        now: i64,
    ) -> Decision {
        let data = crate::gate::GitHubBacked::new(&self.api_url, token);
        crate::gate::evaluate(request, &data, commands, now).await
    }
}
