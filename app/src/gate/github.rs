//! [`GitHubData`] over GitHub's REST API, with an installation token.

use helmpilot_github::app_data::AppData;
use helmpilot_github::{RepoName, RetryPolicy};

use super::{DeploymentRecord, GitHubData, PullRequest, Review};
use crate::policy::POLICY_PATH;

/// The gate's data read from GitHub (or GitHub Enterprise Server).
///
/// ```no_run
/// use helmpilot_app::gate::{evaluate, github::GitHubBacked, GateRequest};
/// # async fn run(request: GateRequest, token: &str) -> Result<(), String> {
/// let data = GitHubBacked::new("https://api.github.com", token)?;
/// let decision = evaluate(&request, &data, &[], 1_700_000_000).await;
/// println!("{decision:?}");
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct GitHubBacked {
    api: AppData,
}

impl GitHubBacked {
    /// A reader for `api_url` with an installation access token. Must be called inside
    /// the tokio runtime that will run the requests.
    pub fn new(api_url: &str, token: &str) -> Result<Self, String> {
        AppData::new(api_url, token)
            .map(|api| GitHubBacked { api })
            .map_err(|e| e.to_string())
    }

    /// The same reader with another retry policy (tests use millisecond waits).
    pub fn with_retry_policy(self, policy: RetryPolicy) -> Self {
        GitHubBacked {
            api: self.api.with_retry_policy(policy),
        }
    }
}

/// GitHub's timestamps (`2024-01-02T03:04:05Z`) as Unix seconds; 0 when absent or odd
/// (a pending review has none, and sorts first).
fn seconds(text: Option<&str>) -> i64 {
    text.and_then(|t| t.parse::<jiff::Timestamp>().ok())
        .map_or(0, |t| t.as_second())
}

impl GitHubData for GitHubBacked {
    async fn policy_file(&self, repo: &RepoName, git_ref: &str) -> Result<Option<String>, String> {
        self.api
            .file_content(repo, POLICY_PATH, git_ref)
            .await
            .map_err(|e| e.to_string())
    }

    async fn pull_requests_for_commit(
        &self,
        repo: &RepoName,
        sha: &str,
    ) -> Result<Vec<PullRequest>, String> {
        let pulls = self
            .api
            .commit_pulls(repo, sha)
            .await
            .map_err(|e| e.to_string())?;
        Ok(pulls
            .into_iter()
            .map(|p| PullRequest {
                number: p.number,
                author: p.user_login,
                head_sha: p.head_sha,
                merged: p.merged_at.is_some(),
            })
            .collect())
    }

    async fn reviews(&self, repo: &RepoName, number: u64) -> Result<Vec<Review>, String> {
        let reviews = self
            .api
            .pull_reviews(repo, number)
            .await
            .map_err(|e| e.to_string())?;
        Ok(reviews
            .into_iter()
            .map(|r| Review {
                submitted_at: seconds(r.submitted_at.as_deref()),
                author: r.user_login,
                state: r.state,
                commit_id: r.commit_id.unwrap_or_default(),
                author_association: r.author_association,
            })
            .collect())
    }

    async fn is_team_member(
        &self,
        org: &str,
        team_slug: &str,
        login: &str,
    ) -> Result<bool, String> {
        let membership = self
            .api
            .team_membership(org, team_slug, login)
            .await
            .map_err(|e| e.to_string())?;
        // An invitation not yet accepted is not membership.
        Ok(membership.is_some_and(|m| m.state == "active"))
    }

    async fn deployments(
        &self,
        repo: &RepoName,
        sha: &str,
        environment: &str,
    ) -> Result<Vec<DeploymentRecord>, String> {
        let deployments = self
            .api
            .deployments(repo, sha, environment)
            .await
            .map_err(|e| e.to_string())?;
        let mut out = Vec::with_capacity(deployments.len());
        for d in deployments {
            let statuses = self
                .api
                .deployment_statuses(repo, d.id)
                .await
                .map_err(|e| e.to_string())?;
            // The latest by id: ids grow with time, whatever order the page is in.
            let latest = statuses.into_iter().max_by_key(|s| s.id).map(|s| s.state);
            out.push(DeploymentRecord {
                id: d.id,
                environment: d.environment,
                sha: d.sha,
                latest_state: latest,
            });
        }
        Ok(out)
    }
}
