//! The REST client: issue comments, with GitHub's pagination and retry rules.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use octocrab::Octocrab;
use serde::Deserialize;

use crate::error::{Operation, Target};
use crate::link::next_link;
use crate::retry::Outcome;
use crate::transport::{self, GiveUp, Method, Reply, SetupError};
use crate::{GitHubError, RepoName, RetryPolicy};

/// GitHub's limit on a comment body, in characters.
pub const MAX_COMMENT_CHARS: usize = 65_536;

/// Pages are followed at most this far (10,000 comments at 100 a page): a bound against a
/// server whose links never end.
const MAX_PAGES: usize = 100;

/// A GitHub REST API client for what helmpilot does on a pull request.
///
/// Cheap to clone (the connection pool and settings are shared). Needs a tokio runtime
/// with I/O and time enabled. The token is only ever sent as the `Authorization` header
/// to the API URL's origin; it is not in any error message or `Debug` output.
///
/// ```no_run
/// use helmpilot_github::{Client, RepoName, Upsert};
/// # async fn run() -> Result<(), helmpilot_github::GitHubError> {
/// let api_url = std::env::var("GITHUB_API_URL").unwrap_or("https://api.github.com".into());
/// let token = std::env::var("GITHUB_TOKEN").unwrap_or_default();
/// let client = Client::new(&api_url, &token)?;
/// let repo = RepoName::parse("helmpilot/helmpilot")?;
/// let marker = "<!-- helmpilot:diff -->";
/// let body = format!("{marker}\n### helmpilot diff\nNo changes.");
/// match client.upsert_comment(&repo, 12, marker, &body).await? {
///     Upsert::Created(c) => println!("posted {}", c.html_url),
///     Upsert::Updated(c) => println!("updated {}", c.html_url),
///     Upsert::Unchanged(c) => println!("{} is up to date", c.html_url),
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    octocrab: Octocrab,
    /// Without a trailing slash.
    api_url: String,
    origin: url::Origin,
    policy: RetryPolicy,
    comment_author: Option<String>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("api_url", &self.inner.api_url)
            .field("policy", &self.inner.policy)
            .field("comment_author", &self.inner.comment_author)
            .finish_non_exhaustive()
    }
}

/// An issue or pull request comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// The comment's id (what [`Client::update_issue_comment`] takes).
    pub id: u64,
    /// The Markdown body.
    pub body: String,
    /// The author's login (`github-actions[bot]` for the workflow token); `ghost` when the
    /// account was deleted.
    pub user_login: String,
    /// The comment on github.com (or the GHES host).
    pub html_url: String,
}

/// What [`Client::upsert_comment`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upsert {
    /// No comment had the marker: this one was posted.
    Created(Comment),
    /// The comment with the marker had another body: it was edited.
    Updated(Comment),
    /// The comment with the marker already had this body: nothing was sent.
    Unchanged(Comment),
}

impl Upsert {
    /// The comment as it is now, whatever was done.
    pub fn comment(&self) -> &Comment {
        match self {
            Upsert::Created(c) | Upsert::Updated(c) | Upsert::Unchanged(c) => c,
        }
    }
}

#[derive(Deserialize)]
struct RawComment {
    id: u64,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    user: Option<RawUser>,
    #[serde(default)]
    html_url: String,
}

#[derive(Deserialize)]
struct RawUser {
    login: String,
}

impl From<RawComment> for Comment {
    fn from(raw: RawComment) -> Self {
        Comment {
            id: raw.id,
            body: raw.body.unwrap_or_default(),
            user_login: raw.user.map_or_else(|| "ghost".to_string(), |u| u.login),
            html_url: raw.html_url,
        }
    }
}

/// The operation and place a request is for, for messages.
struct Ctx {
    op: Operation,
    target: Target,
}

impl Ctx {
    fn new(op: Operation, repo: &RepoName, number: Option<u64>, comment_id: Option<u64>) -> Ctx {
        Ctx {
            op,
            target: Target {
                repo: repo.to_string(),
                number,
                comment_id,
            },
        }
    }
}

impl Client {
    /// A client for `api_url`: `GITHUB_API_URL` in a workflow, that is
    /// `https://api.github.com`, or `https://HOST/api/v3` on GitHub Enterprise Server.
    /// Uses [`RetryPolicy::default`]. Must be called inside the tokio runtime that will
    /// run the requests (an error otherwise).
    pub fn new(api_url: &str, token: &str) -> Result<Client, GitHubError> {
        let connection =
            transport::connect(api_url, token, "Client::new").map_err(|e| match e {
                SetupError::ApiUrl(reason) => GitHubError::InvalidApiUrl {
                    url: api_url.to_string(),
                    reason,
                },
                SetupError::Token(why) => GitHubError::InvalidToken(why),
                SetupError::Client(why) => GitHubError::ClientSetup(why),
            })?;
        let (octocrab, trimmed, parsed) =
            (connection.octocrab, connection.trimmed, connection.parsed);
        Ok(Client {
            inner: Arc::new(Inner {
                octocrab,
                api_url: trimmed,
                origin: parsed.origin(),
                policy: RetryPolicy::default(),
                comment_author: None,
            }),
        })
    }

    /// The same client with another retry policy (tests use millisecond waits).
    pub fn with_retry_policy(self, policy: RetryPolicy) -> Client {
        self.rebuild(|inner| inner.policy = policy)
    }

    /// The same client, preferring comments by `login` when [`Client::upsert_comment`] finds
    /// several with the marker (e.g. `github-actions[bot]`, or the App's bot login).
    pub fn with_comment_author(self, login: &str) -> Client {
        let login = login.to_string();
        self.rebuild(|inner| inner.comment_author = Some(login))
    }

    fn rebuild(self, change: impl FnOnce(&mut Inner)) -> Client {
        let mut inner = Inner {
            octocrab: self.inner.octocrab.clone(),
            api_url: self.inner.api_url.clone(),
            origin: self.inner.origin.clone(),
            policy: self.inner.policy.clone(),
            comment_author: self.inner.comment_author.clone(),
        };
        change(&mut inner);
        Client {
            inner: Arc::new(inner),
        }
    }

    /// The API base URL, without a trailing slash.
    pub fn api_url(&self) -> &str {
        &self.inner.api_url
    }

    /// All comments of issue or pull request `number`, oldest first, following every page.
    pub async fn list_issue_comments(
        &self,
        repo: &RepoName,
        number: u64,
    ) -> Result<Vec<Comment>, GitHubError> {
        let ctx = Ctx::new(Operation::List, repo, Some(number), None);
        let mut url = format!(
            "{}/repos/{}/{}/issues/{}/comments?per_page=100",
            self.inner.api_url, repo.owner, repo.name, number
        );
        let mut all = Vec::new();
        for _ in 0..MAX_PAGES {
            let reply = self.send(&ctx, Method::Get, &url, None).await?;
            let page: Vec<RawComment> = decode(&ctx, &reply.body)?;
            all.extend(page.into_iter().map(Comment::from));
            match reply.link.as_deref().and_then(next_link) {
                Some(next) => {
                    self.check_same_origin(&ctx, &next)?;
                    url = next;
                }
                None => return Ok(all),
            }
        }
        tracing::warn!(
            target = %ctx.target,
            "stopped after {MAX_PAGES} pages of comments; later ones are not considered"
        );
        Ok(all)
    }

    /// Posts a comment on issue or pull request `number`.
    pub async fn create_issue_comment(
        &self,
        repo: &RepoName,
        number: u64,
        body: &str,
    ) -> Result<Comment, GitHubError> {
        let ctx = Ctx::new(Operation::Create, repo, Some(number), None);
        check_length(&ctx, body)?;
        let url = format!(
            "{}/repos/{}/{}/issues/{}/comments",
            self.inner.api_url, repo.owner, repo.name, number
        );
        let payload = serde_json::json!({ "body": body });
        let reply = self.send(&ctx, Method::Post, &url, Some(&payload)).await?;
        decode::<RawComment>(&ctx, &reply.body).map(Comment::from)
    }

    /// Replaces the body of comment `comment_id`.
    pub async fn update_issue_comment(
        &self,
        repo: &RepoName,
        comment_id: u64,
        body: &str,
    ) -> Result<Comment, GitHubError> {
        let ctx = Ctx::new(Operation::Edit, repo, None, Some(comment_id));
        self.update(ctx, repo, comment_id, body).await
    }

    async fn update(
        &self,
        ctx: Ctx,
        repo: &RepoName,
        comment_id: u64,
        body: &str,
    ) -> Result<Comment, GitHubError> {
        check_length(&ctx, body)?;
        let url = format!(
            "{}/repos/{}/{}/issues/comments/{}",
            self.inner.api_url, repo.owner, repo.name, comment_id
        );
        let payload = serde_json::json!({ "body": body });
        let reply = self.send(&ctx, Method::Patch, &url, Some(&payload)).await?;
        decode::<RawComment>(&ctx, &reply.body).map(Comment::from)
    }

    /// Keeps one comment carrying `marker` (e.g. an HTML comment `<!-- helmpilot:diff -->`,
    /// which `body` must contain) up to date on issue or pull request `number`.
    ///
    /// The comment is the one with the marker and the lowest id; when several carry it,
    /// those by the [`Client::with_comment_author`] login come first, else those by a bot
    /// (`…[bot]`, as every earlier run's token is), so a person's pasted copy of the report
    /// is not overwritten. Edits only when the body differs; creates when there is none.
    pub async fn upsert_comment(
        &self,
        repo: &RepoName,
        number: u64,
        marker: &str,
        body: &str,
    ) -> Result<Upsert, GitHubError> {
        if marker.trim().is_empty() {
            return Err(GitHubError::InvalidMarker {
                marker: marker.to_string(),
                reason: "it is empty, so every comment would match",
            });
        }
        if !body.contains(marker) {
            return Err(GitHubError::InvalidMarker {
                marker: marker.to_string(),
                reason: "the body does not contain it, so the next run could not find this comment and would post another",
            });
        }
        let comments = self.list_issue_comments(repo, number).await?;
        match pick(&comments, marker, self.inner.comment_author.as_deref()) {
            None => {
                let c = self.create_issue_comment(repo, number, body).await?;
                tracing::info!(url = %c.html_url, "created the pull request comment");
                Ok(Upsert::Created(c))
            }
            Some(existing) if existing.body == body => Ok(Upsert::Unchanged(existing.clone())),
            Some(existing) => {
                let ctx = Ctx::new(Operation::Edit, repo, Some(number), Some(existing.id));
                let c = self.update(ctx, repo, existing.id, body).await?;
                tracing::info!(url = %c.html_url, "updated the pull request comment");
                Ok(Upsert::Updated(c))
            }
        }
    }

    fn check_same_origin(&self, ctx: &Ctx, link: &str) -> Result<(), GitHubError> {
        let same = url::Url::parse(link).is_ok_and(|u| u.origin() == self.inner.origin);
        if same {
            Ok(())
        } else {
            Err(GitHubError::ForeignLink {
                target: ctx.target.clone(),
                link: link.to_string(),
                api_url: self.inner.api_url.clone(),
            })
        }
    }

    /// One call: attempts, waits and the final error.
    async fn send(
        &self,
        ctx: &Ctx,
        method: Method,
        url: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Reply, GitHubError> {
        let policy = &self.inner.policy;
        let on_retry = |attempt: u32, wait: Duration, outcome: &Outcome, reason: Option<&str>| {
            tracing::warn!(
                target = %ctx.target,
                attempt,
                wait_ms = wait.as_millis() as u64,
                "GitHub request to {} comments failed ({}); retrying",
                ctx.op.verb(),
                describe(outcome, reason),
            );
        };
        transport::send(&self.inner.octocrab, policy, method, url, body, on_retry)
            .await
            .map_err(|give_up| match give_up {
                GiveUp::RateLimitTooLong { outcome, wait } => GitHubError::RateLimited {
                    verb: ctx.op.verb(),
                    target: ctx.target.clone(),
                    status: match &outcome {
                        Outcome::Answer(a) => a.status,
                        Outcome::Transport => 0,
                    },
                    wait,
                    budget: policy.budget,
                },
                GiveUp::Stopped {
                    outcome,
                    transport_reason,
                    attempts,
                } => self.final_error(ctx, outcome, transport_reason, attempts),
            })
    }

    fn final_error(
        &self,
        ctx: &Ctx,
        outcome: Outcome,
        transport_reason: Option<String>,
        attempts: u32,
    ) -> GitHubError {
        let verb = ctx.op.verb();
        let target = ctx.target.clone();
        let answer = match outcome {
            Outcome::Transport => {
                return GitHubError::Transport {
                    verb,
                    target,
                    api_url: self.inner.api_url.clone(),
                    reason: transport_reason.unwrap_or_else(|| "no answer".to_string()),
                    attempts,
                }
            }
            Outcome::Answer(a) => a,
        };
        let rate_limited = answer.retry_after.is_some()
            || answer.ratelimit_remaining.as_deref() == Some("0")
            || answer
                .message
                .as_deref()
                .is_some_and(|m| m.to_ascii_lowercase().contains("rate limit"));
        match answer.status {
            401 => GitHubError::Unauthorized {
                verb,
                target,
                message: answer.message,
            },
            403 | 404 if !rate_limited => GitHubError::Permission {
                verb,
                target,
                status: answer.status,
                message: answer.message,
            },
            status => GitHubError::Api {
                verb,
                target,
                status,
                message: answer.message,
                attempts,
            },
        }
    }
}

/// The comment `upsert_comment` edits; see there for the order of preference.
fn pick<'a>(comments: &'a [Comment], marker: &str, author: Option<&str>) -> Option<&'a Comment> {
    let mut with_marker: Vec<&Comment> = comments
        .iter()
        .filter(|c| c.body.contains(marker))
        .collect();
    with_marker.sort_by_key(|c| c.id);
    if let Some(login) = author {
        if let Some(c) = with_marker.iter().find(|c| c.user_login == login) {
            return Some(c);
        }
    }
    with_marker
        .iter()
        .find(|c| c.user_login.ends_with("[bot]"))
        .or_else(|| with_marker.first())
        .copied()
}

fn check_length(ctx: &Ctx, body: &str) -> Result<(), GitHubError> {
    let len = body.chars().count();
    if len > MAX_COMMENT_CHARS {
        return Err(GitHubError::BodyTooLong {
            target: ctx.target.clone(),
            len,
            max: MAX_COMMENT_CHARS,
        });
    }
    Ok(())
}

fn decode<T: serde::de::DeserializeOwned>(ctx: &Ctx, body: &str) -> Result<T, GitHubError> {
    serde_json::from_str(body).map_err(|e| GitHubError::Decode {
        verb: ctx.op.verb(),
        target: ctx.target.clone(),
        reason: e.to_string(),
    })
}

fn describe(outcome: &Outcome, transport_reason: Option<&str>) -> String {
    match outcome {
        Outcome::Transport => transport_reason.unwrap_or("no answer").to_string(),
        Outcome::Answer(a) => match &a.message {
            Some(m) => format!("{}: {m}", a.status),
            None => a.status.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(id: u64, login: &str, body: &str) -> Comment {
        Comment {
            id,
            body: body.to_string(),
            user_login: login.to_string(),
            html_url: format!("https://github.com/o/r/pull/1#issuecomment-{id}"),
        }
    }

    const M: &str = "<!-- helmpilot:diff -->";

    #[test]
    fn picks_the_lowest_id_with_the_marker() {
        let cs = [
            comment(30, "github-actions[bot]", &format!("{M} b")),
            comment(10, "alice", "no marker"),
            comment(20, "github-actions[bot]", &format!("{M} a")),
        ];
        assert_eq!(pick(&cs, M, None).map(|c| c.id), Some(20));
        assert_eq!(pick(&cs[1..2], M, None), None);
    }

    #[test]
    fn prefers_the_configured_author_then_bots() {
        let cs = [
            comment(5, "alice", &format!("quoting {M}")),
            comment(6, "helmpilot[bot]", &format!("{M} app")),
            comment(7, "github-actions[bot]", &format!("{M} action")),
        ];
        assert_eq!(pick(&cs, M, None).map(|c| c.id), Some(6));
        assert_eq!(
            pick(&cs, M, Some("github-actions[bot]")).map(|c| c.id),
            Some(7)
        );
        // An author with no marked comment falls back to the other rules.
        assert_eq!(pick(&cs, M, Some("bob")).map(|c| c.id), Some(6));
        // Only people: the first by id.
        assert_eq!(pick(&cs[..1], M, None).map(|c| c.id), Some(5));
    }

    #[test]
    fn rejects_bad_api_urls_and_tokens() {
        for url in [
            "",
            "api.github.com",
            "ftp://h/",
            "https://u:p@h/api/v3",
            "https://h/?x=1",
        ] {
            let err = Client::new(url, "t").unwrap_err();
            assert!(
                matches!(err, GitHubError::InvalidApiUrl { .. }),
                "{url}: {err}"
            );
        }
        let err = Client::new("https://api.github.com", " ").unwrap_err();
        assert!(err.to_string().contains("token is empty"), "{err}");
        let err = Client::new("https://api.github.com", "ghs_abc\ndef").unwrap_err();
        assert!(err.to_string().contains("line breaks"), "{err}");
        assert!(!err.to_string().contains("ghs_abc"));
    }

    #[test]
    fn outside_a_runtime_is_an_error_not_a_panic() {
        let err = Client::new("https://api.github.com", "t").unwrap_err();
        assert!(err.to_string().contains("inside a tokio runtime"), "{err}");
    }

    #[tokio::test]
    async fn debug_output_has_no_token() {
        let c = Client::new("https://ghe.example.com/api/v3/", "ghs_secret").unwrap();
        let debug = format!("{c:?}");
        assert!(
            debug.contains("https://ghe.example.com/api/v3\""),
            "{debug}"
        );
        assert!(!debug.contains("ghs_secret"), "{debug}");
    }
}
