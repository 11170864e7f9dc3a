//! Errors of the GitHub glue. Each message says what failed and what to change.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::event::EventError;

/// What the client was doing when a request failed; the verb used in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Listing the comments of an issue or pull request.
    List,
    /// Creating a comment.
    Create,
    /// Editing an existing comment.
    Edit,
}

impl Operation {
    /// The verb as it appears in messages: `list`, `create` or `edit`.
    pub fn verb(self) -> &'static str {
        match self {
            Operation::List => "list",
            Operation::Create => "create",
            Operation::Edit => "edit",
        }
    }
}

/// Where the comments live: `owner/name#12`, or `owner/name (comment 123)` when only the
/// comment's id is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `owner/name`.
    pub repo: String,
    /// The issue or pull request number, when known.
    pub number: Option<u64>,
    /// The comment id, for edits.
    pub comment_id: Option<u64>,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.number, self.comment_id) {
            (Some(n), _) => write!(f, "{}#{}", self.repo, n),
            (None, Some(id)) => write!(f, "{} (comment {})", self.repo, id),
            (None, None) => f.write_str(&self.repo),
        }
    }
}

/// The permission hint shared by 403 and 404 answers on the comment endpoints.
const PERMISSION_HINT: &str = "the token needs `pull-requests: write` (add `permissions: \
pull-requests: write` to the workflow job; for pull requests from forks see pull_request_target)";

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
pub enum GitHubError {
    /// `GITHUB_API_URL` (or the configured API URL) is not an http(s) URL.
    #[error("invalid GitHub API URL {url:?}: {reason} (expected https://api.github.com or, for GitHub Enterprise Server, https://HOST/api/v3)")]
    InvalidApiUrl {
        /// The URL as given.
        url: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The token is empty or cannot be sent in an HTTP header.
    #[error("the GitHub token is {0}: pass the workflow's `secrets.GITHUB_TOKEN` (or a token with `pull-requests: write`) as the `github-token` input")]
    InvalidToken(&'static str),
    /// `owner/name` did not parse.
    #[error("invalid repository name {input:?}: {reason} (expected OWNER/NAME, e.g. helmpilot/helmpilot)")]
    InvalidRepoName {
        /// The text as given.
        input: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// The HTTP client could not be built (TLS roots, ...).
    #[error("cannot set up the GitHub API client: {0}")]
    ClientSetup(String),
    /// 403 or 404 on a comment endpoint: almost always a missing permission.
    #[error("GitHub refused to {verb} comments on {target} ({status}): {PERMISSION_HINT}{}{}", not_found_note(*.status), github_message(.message))]
    Permission {
        /// `list`, `create` or `edit`.
        verb: &'static str,
        /// Where.
        target: Target,
        /// 403 or 404.
        status: u16,
        /// GitHub's own `message`, when it sent one.
        message: Option<String>,
    },
    /// 401: the token is wrong or expired.
    #[error("GitHub rejected the token when trying to {verb} comments on {target} (401){}: check the `github-token` input; `secrets.GITHUB_TOKEN` expires when the job ends", github_message(.message))]
    Unauthorized {
        /// `list`, `create` or `edit`.
        verb: &'static str,
        /// Where.
        target: Target,
        /// GitHub's own `message`, when it sent one.
        message: Option<String>,
    },
    /// A rate limit that would take longer to wait out than the retry budget allows.
    #[error("GitHub rate-limited the request to {verb} comments on {target} ({status}) and asks to wait {}s, more than the {}s retry budget: re-run the job later, or spread out the workflows that share this token", .wait.as_secs(), .budget.as_secs())]
    RateLimited {
        /// `list`, `create` or `edit`.
        verb: &'static str,
        /// Where.
        target: Target,
        /// 403 or 429.
        status: u16,
        /// How long GitHub asked to wait.
        wait: Duration,
        /// The retry budget.
        budget: Duration,
    },
    /// Any other answer that is not a success, after retries where retrying made sense.
    #[error("GitHub answered {status} when trying to {verb} comments on {target}{}{}", github_message(.message), attempts_note(*.attempts))]
    Api {
        /// `list`, `create` or `edit`.
        verb: &'static str,
        /// Where.
        target: Target,
        /// The HTTP status.
        status: u16,
        /// GitHub's own `message`, when it sent one.
        message: Option<String>,
        /// How many requests were made.
        attempts: u32,
    },
    /// The request never got an answer (connection refused, reset, timeout), after retries.
    #[error("cannot reach the GitHub API at {api_url} to {verb} comments on {target}{}: {reason} (check GITHUB_API_URL and the runner's network)", attempts_note(*.attempts))]
    Transport {
        /// `list`, `create` or `edit`.
        verb: &'static str,
        /// Where.
        target: Target,
        /// The API base URL.
        api_url: String,
        /// What went wrong, without the token.
        reason: String,
        /// How many requests were made.
        attempts: u32,
    },
    /// A success answer whose body is not what the API documents.
    #[error("unexpected answer from GitHub when trying to {verb} comments on {target}: {reason}")]
    Decode {
        /// `list`, `create` or `edit`.
        verb: &'static str,
        /// Where.
        target: Target,
        /// What did not fit.
        reason: String,
    },
    /// A pagination link points to another host, which must not receive the token.
    #[error("GitHub's next-page link for {target} points to {link}, outside {api_url}; refusing to send the token there")]
    ForeignLink {
        /// Where.
        target: Target,
        /// The link.
        link: String,
        /// The API base URL.
        api_url: String,
    },
    /// The comment body exceeds GitHub's limit.
    #[error("the comment for {target} is {len} characters long; GitHub accepts at most {max}: shorten the report (e.g. fewer manifests in the comment, the rest in the job summary)")]
    BodyTooLong {
        /// Where.
        target: Target,
        /// The body's length in characters.
        len: usize,
        /// GitHub's limit.
        max: usize,
    },
    /// The workflow event payload could not be used.
    #[error(transparent)]
    Event(#[from] EventError),
    /// The sticky-comment marker cannot work.
    #[error("cannot use the comment marker {marker:?}: {reason}")]
    InvalidMarker {
        /// The marker as given.
        marker: String,
        /// Why.
        reason: &'static str,
    },
    /// A runner file (step summary, outputs) could not be written.
    #[error("cannot write the {what} file {}: {source}", .path.display())]
    RunnerFile {
        /// `step summary` or `outputs`.
        what: &'static str,
        /// The file (from `GITHUB_STEP_SUMMARY` / `GITHUB_OUTPUT`).
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// An output name the runner's file protocol cannot carry.
    #[error("invalid output name {0:?}: names must be non-empty and must not contain `<<`, `=` or line breaks")]
    InvalidOutputName(String),
}

fn github_message(message: &Option<String>) -> String {
    match message {
        Some(m) if !m.is_empty() => format!(" (GitHub says: {m})"),
        _ => String::new(),
    }
}

fn not_found_note(status: u16) -> &'static str {
    if status == 404 {
        "; GitHub also answers 404 when the pull request or comment does not exist"
    } else {
        ""
    }
}

fn attempts_note(attempts: u32) -> String {
    if attempts > 1 {
        format!(" after {attempts} attempts")
    } else {
        String::new()
    }
}
