//! GitHub glue shared by `helmpilot action` and, later, the helmpilot App.
//!
//! - [`Client`]: the REST calls a pull request run makes (issue comments), with GitHub's
//!   pagination (`Link` headers) and retry rules (server errors, connection errors, and
//!   secondary rate limits with `Retry-After` / `x-ratelimit-reset`), and errors that say
//!   which permission a 403 or 404 means is missing.
//! - [`Client::upsert_comment`]: one sticky comment per pull request, found by a marker.
//! - [`event`]: the `pull_request` / `pull_request_target` event payload.
//! - [`actions`]: the runner's protocols (annotations, groups, masks, step summary,
//!   outputs, inputs).
//!
//! ```no_run
//! use helmpilot_github::{actions, event::PullRequestEvent, Client};
//! # async fn run() -> Result<(), helmpilot_github::GitHubError> {
//! let event = PullRequestEvent::from_env()?;
//! let token = actions::input("github-token").unwrap_or_default();
//! println!("{}", actions::mask(&token));
//! let client = Client::new("https://api.github.com", &token)?;
//! let marker = "<!-- helmpilot:diff -->";
//! let body = format!("{marker}\nNo changes to the rendered manifests.");
//! let done = client.upsert_comment(&event.repository, event.number, marker, &body).await?;
//! println!("{}", done.comment().html_url);
//! # Ok(()) }
//! ```

pub mod actions;
pub mod app_data;
mod client;
mod error;
pub mod event;
mod link;
mod repo;
mod retry;
mod transport;

pub use client::{Client, Comment, Upsert, MAX_COMMENT_CHARS};
pub use error::{GitHubError, Operation, Target};
pub use repo::RepoName;
pub use retry::RetryPolicy;
