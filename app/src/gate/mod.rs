//! Deciding one deployment protection request. The evaluation is a pure function of the
//! request, the policy, the data GitHub holds (behind [`GitHubData`], so tests and the
//! server supply it differently) and the time; the server turns a [`Decision`] into the
//! callback to GitHub and an audit record.

use std::future::Future;

use helmpilot_github::RepoName;

mod command;
mod evaluate;
pub mod github;

pub use command::parse_command;
pub use evaluate::evaluate;

/// What GitHub asked (a `deployment_protection_rule` event with action `requested`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GateRequest {
    pub installation_id: u64,
    pub repository: RepoName,
    pub environment: String,
    /// The commit being deployed.
    pub sha: String,
    /// The deployment's ref (`refs/heads/main`, `main`, a tag).
    pub git_ref: String,
    pub deployment_id: u64,
    /// Where the answer goes (POST with environment_name, state, comment).
    pub deployment_callback_url: String,
    /// Who triggered the deployment (the pusher / workflow actor).
    pub requested_by: String,
    /// When GitHub asked, Unix seconds (timeouts count from here).
    pub requested_at: i64,
}

/// A `/helmpilot approve <env>` or `/helmpilot reject <env> <reason>` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManualCommand {
    pub author: String,
    pub environment: String,
    pub approve: bool,
    pub reason: String,
    pub at: i64,
}

/// The answer, or why there is none yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve {
        comment: String,
    },
    Reject {
        comment: String,
    },
    /// Not satisfied and not violated: keep the gate pending; look again on the next
    /// relevant event, or at `recheck_at` (Unix seconds) at the latest.
    Wait {
        reason: String,
        recheck_at: Option<i64>,
    },
}

/// A pull request review, as the evaluation needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Review {
    pub author: String,
    /// `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED`, `PENDING`.
    pub state: String,
    /// The head commit the review was given on.
    pub commit_id: String,
    pub submitted_at: i64,
    /// The reviewer's relation to the repository (`OWNER`, `MEMBER`, `COLLABORATOR`,
    /// `CONTRIBUTOR`, `NONE`, ...). Without `required_reviewers` only the first three
    /// count, so a passer-by's approval on a public repository does not.
    pub author_association: String,
}

/// A pull request associated with the deployed commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullRequest {
    pub number: u64,
    pub author: String,
    pub head_sha: String,
    pub merged: bool,
}

/// A deployment of a commit to an environment and its latest status state
/// (`success`, `failure`, `in_progress`, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeploymentRecord {
    pub id: u64,
    pub environment: String,
    pub sha: String,
    pub latest_state: Option<String>,
}

/// What the evaluation reads from GitHub. Errors are texts for the audit log.
pub trait GitHubData: Sync {
    /// `.github/helmpilot.yml` at `git_ref`, `None` when the file does not exist.
    fn policy_file(
        &self,
        repo: &RepoName,
        git_ref: &str,
    ) -> impl Future<Output = Result<Option<String>, String>> + Send;
    fn pull_requests_for_commit(
        &self,
        repo: &RepoName,
        sha: &str,
    ) -> impl Future<Output = Result<Vec<PullRequest>, String>> + Send;
    fn reviews(
        &self,
        repo: &RepoName,
        number: u64,
    ) -> impl Future<Output = Result<Vec<Review>, String>> + Send;
    /// Whether `login` is a member of `org/team-slug`.
    fn is_team_member(
        &self,
        org: &str,
        team_slug: &str,
        login: &str,
    ) -> impl Future<Output = Result<bool, String>> + Send;
    fn deployments(
        &self,
        repo: &RepoName,
        sha: &str,
        environment: &str,
    ) -> impl Future<Output = Result<Vec<DeploymentRecord>, String>> + Send;
}
