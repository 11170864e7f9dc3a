//! The read-only REST calls the helmpilot App's gate makes: a file through the contents
//! API, the pull requests of a commit and their reviews, team membership, deployments
//! and their statuses. Same retry and pagination rules as [`crate::Client`]; errors say
//! which call failed and which App permission a 403 or 404 points to.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use octocrab::Octocrab;
use serde::Deserialize;

use crate::link::next_link;
use crate::retry::Outcome;
use crate::transport::{self, GiveUp, Method, SetupError};
use crate::{RepoName, RetryPolicy};

/// Pages followed at most per list (10,000 items at 100 a page).
const MAX_PAGES: usize = 100;

/// A failed call. The token is never part of a message.
#[derive(Debug, thiserror::Error)]
pub enum AppDataError {
    /// The API URL is not an http(s) URL.
    #[error("invalid GitHub API URL {url:?}: {reason}")]
    InvalidApiUrl {
        /// As given.
        url: String,
        /// Why.
        reason: String,
    },
    /// The token is empty or not printable ASCII.
    #[error("the GitHub token is {0}")]
    InvalidToken(&'static str),
    /// The HTTP client could not be built, or not outside a tokio runtime.
    #[error("cannot set up the GitHub API client: {0}")]
    ClientSetup(String),
    /// GitHub answered with an error status (after retries where they made sense).
    #[error("GitHub answered {status} to {what}{}{}", message.as_deref().map(|m| format!(" (GitHub says: {m})")).unwrap_or_default(), hint(*status, permission))]
    Status {
        /// The call, e.g. `GET /repos/o/r/pulls/3/reviews`.
        what: String,
        /// The HTTP status.
        status: u16,
        /// GitHub's `message`.
        message: Option<String>,
        /// The App permission the call needs, for the hint on 403/404.
        permission: &'static str,
    },
    /// No answer (connection refused, reset, timeout), after retries.
    #[error("cannot reach the GitHub API for {what}: {reason}")]
    Transport {
        /// The call.
        what: String,
        /// What went wrong.
        reason: String,
    },
    /// A rate limit longer than the retry budget.
    #[error(
        "GitHub rate-limited {what} and asks to wait {wait_secs}s, more than the retry budget"
    )]
    RateLimited {
        /// The call.
        what: String,
        /// The wait asked for.
        wait_secs: u64,
    },
    /// A success answer that is not what the API documents.
    #[error("unexpected answer from GitHub to {what}: {reason}")]
    Decode {
        /// The call.
        what: String,
        /// What did not fit.
        reason: String,
    },
    /// A pagination link to another origin (which must not receive the token).
    #[error("GitHub's next-page link for {what} points outside the API URL ({link}); refusing to follow it")]
    ForeignLink {
        /// The call.
        what: String,
        /// The link.
        link: String,
    },
}

fn hint(status: u16, permission: &str) -> String {
    match status {
        403 | 404 => format!(
            "; the App needs the `{permission}` permission on this repository (GitHub answers 404 for what a token may not see)"
        ),
        401 => "; the installation token is wrong or expired".to_string(),
        _ => String::new(),
    }
}

/// A client for the gate's reads. Cheap to clone.
///
/// ```no_run
/// use helmpilot_github::{app_data::AppData, RepoName};
/// # async fn run() -> Result<(), helmpilot_github::app_data::AppDataError> {
/// let data = AppData::new("https://api.github.com", "ghs_installation_token")?;
/// let repo = RepoName::parse("acme/app").expect("valid");
/// if let Some(text) = data.file_content(&repo, ".github/helmpilot.yml", "main").await? {
///     println!("{text}");
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AppData {
    inner: Arc<Inner>,
}

struct Inner {
    octocrab: Octocrab,
    api_url: url::Url,
    policy: RetryPolicy,
}

impl fmt::Debug for AppData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppData")
            .field("api_url", &self.inner.api_url.as_str())
            .field("policy", &self.inner.policy)
            .finish_non_exhaustive()
    }
}

/// A pull request associated with a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitPull {
    /// Its number.
    pub number: u64,
    /// The author's login (`ghost` for a deleted account).
    pub user_login: String,
    /// The head commit.
    pub head_sha: String,
    /// `open` or `closed`.
    pub state: String,
    /// When it was merged (`2024-01-02T03:04:05Z`), if it was.
    pub merged_at: Option<String>,
}

/// A pull request review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullReview {
    /// Its id.
    pub id: u64,
    /// The reviewer's login (`ghost` for a deleted account).
    pub user_login: String,
    /// `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED`, `PENDING`.
    pub state: String,
    /// The head commit it was given on (GitHub may leave it out for old reviews).
    pub commit_id: Option<String>,
    /// When it was submitted (absent while pending).
    pub submitted_at: Option<String>,
    /// `OWNER`, `MEMBER`, `COLLABORATOR`, `CONTRIBUTOR`, `NONE`, ...
    pub author_association: String,
}

/// A user's membership of a team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamMembership {
    /// `member` or `maintainer`.
    pub role: String,
    /// `active`, or `pending` for an invitation not yet accepted.
    pub state: String,
}

/// A deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentInfo {
    /// Its id.
    pub id: u64,
    /// The commit.
    pub sha: String,
    /// The ref as given when it was created.
    pub git_ref: String,
    /// The environment.
    pub environment: String,
    /// Creation time.
    pub created_at: String,
}

/// A deployment status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentStatusInfo {
    /// Its id (later statuses have larger ids).
    pub id: u64,
    /// `success`, `failure`, `error`, `inactive`, `pending`, `queued`, `in_progress`.
    pub state: String,
    /// Creation time.
    pub created_at: String,
}

#[derive(Deserialize)]
struct RawUser {
    login: String,
}

#[derive(Deserialize)]
struct RawContent {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    encoding: Option<String>,
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    size: u64,
}

#[derive(Deserialize)]
struct RawPull {
    number: u64,
    user: Option<RawUser>,
    head: RawHead,
    state: String,
    #[serde(default)]
    merged_at: Option<String>,
}

#[derive(Deserialize)]
struct RawHead {
    sha: String,
}

#[derive(Deserialize)]
struct RawReview {
    id: u64,
    user: Option<RawUser>,
    state: String,
    #[serde(default)]
    commit_id: Option<String>,
    #[serde(default)]
    submitted_at: Option<String>,
    author_association: String,
}

#[derive(Deserialize)]
struct RawMembership {
    role: String,
    state: String,
}

#[derive(Deserialize)]
struct RawDeployment {
    id: u64,
    sha: String,
    #[serde(rename = "ref")]
    git_ref: String,
    environment: String,
    created_at: String,
}

#[derive(Deserialize)]
struct RawStatus {
    id: u64,
    state: String,
    created_at: String,
}

fn login(user: Option<RawUser>) -> String {
    user.map_or_else(|| "ghost".to_string(), |u| u.login)
}

/// One call's description and the permission it needs.
struct Call {
    what: String,
    permission: &'static str,
}

impl AppData {
    /// A client for `api_url` (`https://api.github.com`, or `https://HOST/api/v3` on
    /// GitHub Enterprise Server) with an installation token. Must be called inside the
    /// tokio runtime that will run the requests.
    pub fn new(api_url: &str, token: &str) -> Result<AppData, AppDataError> {
        let connection =
            transport::connect(api_url, token, "AppData::new").map_err(|e| match e {
                SetupError::ApiUrl(reason) => AppDataError::InvalidApiUrl {
                    url: api_url.to_string(),
                    reason,
                },
                SetupError::Token(why) => AppDataError::InvalidToken(why),
                SetupError::Client(why) => AppDataError::ClientSetup(why),
            })?;
        let (octocrab, parsed) = (connection.octocrab, connection.parsed);
        Ok(AppData {
            inner: Arc::new(Inner {
                octocrab,
                api_url: parsed,
                policy: RetryPolicy::default(),
            }),
        })
    }

    /// The same client with another retry policy (tests use millisecond waits).
    pub fn with_retry_policy(self, policy: RetryPolicy) -> AppData {
        AppData {
            inner: Arc::new(Inner {
                octocrab: self.inner.octocrab.clone(),
                api_url: self.inner.api_url.clone(),
                policy,
            }),
        }
    }

    /// The text of file `path` at `git_ref` (branch, tag or SHA), `None` when GitHub
    /// answers 404 (no such file at that ref). A directory, symlink or submodule there,
    /// or a file too large for the contents API (over 1 MB), is an error.
    pub async fn file_content(
        &self,
        repo: &RepoName,
        path: &str,
        git_ref: &str,
    ) -> Result<Option<String>, AppDataError> {
        let mut segments = vec!["repos", &repo.owner, &repo.name, "contents"];
        segments.extend(path.split('/').filter(|s| !s.is_empty()));
        let url = self.url(&segments, &[("ref", git_ref)]);
        let call = Call {
            what: format!("GET {path} at {git_ref} in {repo}"),
            permission: "contents: read",
        };
        let Some(body) = self.get_optional(&call, url).await? else {
            return Ok(None);
        };
        // A directory answers with a list.
        let raw: RawContent = serde_json::from_str(&body).map_err(|_| AppDataError::Decode {
            what: call.what.clone(),
            reason: "not a file (a directory?)".to_string(),
        })?;
        if raw.kind != "file" {
            return Err(AppDataError::Decode {
                what: call.what,
                reason: format!("it is a {}, not a file", raw.kind),
            });
        }
        let content = match (raw.encoding.as_deref(), raw.content) {
            (Some("base64"), Some(c)) => c,
            _ => {
                return Err(AppDataError::Decode {
                    what: call.what,
                    reason: format!(
                        "the contents API does not return this file's content ({} bytes; it returns files up to 1 MB)",
                        raw.size
                    ),
                })
            }
        };
        // GitHub wraps the base64 text at 60 columns.
        let compact: String = content
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(compact)
            .map_err(|e| AppDataError::Decode {
                what: call.what.clone(),
                reason: format!("invalid base64 content: {e}"),
            })?;
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| AppDataError::Decode {
                what: call.what,
                reason: "the file is not UTF-8 text".to_string(),
            })
    }

    /// The pull requests associated with commit `sha` (merged ones that contain it, and
    /// open ones whose head it is), every page.
    pub async fn commit_pulls(
        &self,
        repo: &RepoName,
        sha: &str,
    ) -> Result<Vec<CommitPull>, AppDataError> {
        let url = self.url(
            &["repos", &repo.owner, &repo.name, "commits", sha, "pulls"],
            &[("per_page", "100")],
        );
        let call = Call {
            what: format!("GET the pull requests of commit {sha} in {repo}"),
            permission: "pull requests: read",
        };
        let raw: Vec<RawPull> = self.get_all(&call, url).await?;
        Ok(raw
            .into_iter()
            .map(|p| CommitPull {
                number: p.number,
                user_login: login(p.user),
                head_sha: p.head.sha,
                state: p.state,
                merged_at: p.merged_at,
            })
            .collect())
    }

    /// The reviews of pull request `number`, oldest first, every page.
    pub async fn pull_reviews(
        &self,
        repo: &RepoName,
        number: u64,
    ) -> Result<Vec<PullReview>, AppDataError> {
        let n = number.to_string();
        let url = self.url(
            &["repos", &repo.owner, &repo.name, "pulls", &n, "reviews"],
            &[("per_page", "100")],
        );
        let call = Call {
            what: format!("GET the reviews of {repo}#{number}"),
            permission: "pull requests: read",
        };
        let raw: Vec<RawReview> = self.get_all(&call, url).await?;
        Ok(raw
            .into_iter()
            .map(|r| PullReview {
                id: r.id,
                user_login: login(r.user),
                state: r.state,
                commit_id: r.commit_id,
                submitted_at: r.submitted_at,
                author_association: r.author_association,
            })
            .collect())
    }

    /// `login`'s membership of team `org/team_slug`, `None` when GitHub answers 404
    /// (not a member, or the team is not visible to the App).
    pub async fn team_membership(
        &self,
        org: &str,
        team_slug: &str,
        login: &str,
    ) -> Result<Option<TeamMembership>, AppDataError> {
        let url = self.url(
            &["orgs", org, "teams", team_slug, "memberships", login],
            &[],
        );
        let call = Call {
            what: format!("GET the membership of {login} in @{org}/{team_slug}"),
            permission: "members: read (organization)",
        };
        let Some(body) = self.get_optional(&call, url).await? else {
            return Ok(None);
        };
        let raw: RawMembership = decode(&call, &body)?;
        Ok(Some(TeamMembership {
            role: raw.role,
            state: raw.state,
        }))
    }

    /// The deployments of commit `sha` to `environment`, newest first, every page.
    pub async fn deployments(
        &self,
        repo: &RepoName,
        sha: &str,
        environment: &str,
    ) -> Result<Vec<DeploymentInfo>, AppDataError> {
        let url = self.url(
            &["repos", &repo.owner, &repo.name, "deployments"],
            &[
                ("sha", sha),
                ("environment", environment),
                ("per_page", "100"),
            ],
        );
        let call = Call {
            what: format!("GET the deployments of {sha} to {environment} in {repo}"),
            permission: "deployments: read",
        };
        let raw: Vec<RawDeployment> = self.get_all(&call, url).await?;
        Ok(raw
            .into_iter()
            .map(|d| DeploymentInfo {
                id: d.id,
                sha: d.sha,
                git_ref: d.git_ref,
                environment: d.environment,
                created_at: d.created_at,
            })
            .collect())
    }

    /// The statuses of deployment `id` (one page of up to 100: GitHub lists the newest
    /// first, and the latest is what matters).
    pub async fn deployment_statuses(
        &self,
        repo: &RepoName,
        id: u64,
    ) -> Result<Vec<DeploymentStatusInfo>, AppDataError> {
        let n = id.to_string();
        let url = self.url(
            &[
                "repos",
                &repo.owner,
                &repo.name,
                "deployments",
                &n,
                "statuses",
            ],
            &[("per_page", "100")],
        );
        let call = Call {
            what: format!("GET the statuses of deployment {id} in {repo}"),
            permission: "deployments: read",
        };
        let body = self.get(&call, url.as_str()).await?.1;
        let raw: Vec<RawStatus> = decode(&call, &body)?;
        Ok(raw
            .into_iter()
            .map(|s| DeploymentStatusInfo {
                id: s.id,
                state: s.state,
                created_at: s.created_at,
            })
            .collect())
    }

    /// The API URL with path segments appended (each percent-encoded, so a name cannot
    /// reach another endpoint) and a query.
    fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> url::Url {
        let mut url = self.inner.api_url.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    async fn get_optional(
        &self,
        call: &Call,
        url: url::Url,
    ) -> Result<Option<String>, AppDataError> {
        match self.get(call, url.as_str()).await {
            Ok((_, body)) => Ok(Some(body)),
            Err(AppDataError::Status { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn get_all<T: serde::de::DeserializeOwned>(
        &self,
        call: &Call,
        url: url::Url,
    ) -> Result<Vec<T>, AppDataError> {
        let mut all = Vec::new();
        let mut next = url.to_string();
        for _ in 0..MAX_PAGES {
            let (link, body) = self.get(call, &next).await?;
            let page: Vec<T> = decode(call, &body)?;
            all.extend(page);
            match link.as_deref().and_then(next_link) {
                Some(link) => {
                    let same = url::Url::parse(&link)
                        .is_ok_and(|u| u.origin() == self.inner.api_url.origin());
                    if !same {
                        return Err(AppDataError::ForeignLink {
                            what: call.what.clone(),
                            link,
                        });
                    }
                    next = link;
                }
                None => return Ok(all),
            }
        }
        tracing::warn!(what = %call.what, "stopped after {MAX_PAGES} pages");
        Ok(all)
    }

    /// One GET with retries: the `Link` header and the body of the success answer.
    async fn get(&self, call: &Call, url: &str) -> Result<(Option<String>, String), AppDataError> {
        let on_retry = |attempt: u32, wait: Duration, _: &Outcome, _: Option<&str>| {
            tracing::warn!(what = %call.what, attempt, wait_ms = wait.as_millis() as u64, "GitHub request failed; retrying");
        };
        let inner = &self.inner;
        match transport::send(
            &inner.octocrab,
            &inner.policy,
            Method::Get,
            url,
            None,
            on_retry,
        )
        .await
        {
            Ok(reply) => Ok((reply.link, reply.body)),
            Err(GiveUp::RateLimitTooLong { wait, .. }) => Err(AppDataError::RateLimited {
                what: call.what.clone(),
                wait_secs: wait.as_secs(),
            }),
            Err(GiveUp::Stopped {
                outcome: Outcome::Answer(a),
                ..
            }) => Err(AppDataError::Status {
                what: call.what.clone(),
                status: a.status,
                message: a.message,
                permission: call.permission,
            }),
            Err(GiveUp::Stopped {
                outcome: Outcome::Transport,
                transport_reason,
                ..
            }) => Err(AppDataError::Transport {
                what: call.what.clone(),
                reason: transport_reason.unwrap_or_else(|| "no answer".to_string()),
            }),
        }
    }
}

fn decode<T: serde::de::DeserializeOwned>(call: &Call, body: &str) -> Result<T, AppDataError> {
    serde_json::from_str(body).map_err(|e| AppDataError::Decode {
        what: call.what.clone(),
        reason: e.to_string(),
    })
}
