//! The production evaluator: `gate::evaluate` over `gate::GitHubBacked` (GitHub's API
//! with the gate's installation token).

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
        match crate::gate::github::GitHubBacked::new(&self.api_url, token) {
            Ok(data) => crate::gate::evaluate(request, &data, commands, now).await,
            // A client that cannot even be built (a malformed API URL) will not get better
            // by waiting: say so, and look again later in case the configuration changes.
            Err(error) => Decision::Wait {
                reason: format!("cannot reach GitHub's API at {}: {error}", self.api_url),
                recheck_at: Some(now + 300),
            },
        }
    }
}
