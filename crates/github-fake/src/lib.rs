//! A fake of the GitHub REST API for tests, since GitHub itself cannot be reached from
//! here (nor should tests post comments on real pull requests).
//!
//! It serves only the endpoints helmpilot calls, kept to the shapes of the real API
//! (response fields, status codes, error bodies, `Link` pagination, rate-limit headers):
//!
//! - `GET  /repos/{owner}/{repo}/issues/{issue_number}/comments` (`per_page`, `page`)
//! - `POST /repos/{owner}/{repo}/issues/{issue_number}/comments`
//! - `PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}`
//! - for the App's gate: `GET` contents, a commit's pull requests, reviews, team
//!   memberships, deployments and their statuses (seeded with [`FakeGitHub::add_file`],
//!   [`FakeGitHub::add_pull_request`], [`FakeGitHub::add_review`], ...)
//!
//! Every request is recorded, and [`openapi::Spec`] checks recorded requests against
//! GitHub's published OpenAPI description, so the fake and the client cannot drift apart
//! from the real API unnoticed. [`examples`] gives GitHub's own webhook example payloads.
//!
//! ```
//! use helmpilot_github_fake::{FakeGitHub, Failure};
//! let github = FakeGitHub::start();
//! github.add_comment("octo", "charts", 7, "alice", "LGTM");
//! github.fail_next(1, Failure::Status(502));
//! // ... point the code under test at github.url() ...
//! assert_eq!(github.comments("octo", "charts", 7).len(), 1);
//! assert!(github.requests().is_empty());
//! ```

pub mod app;
pub mod examples;
mod npm;
pub mod openapi;
mod server;

pub use server::{Failure, FakeGitHub, RecordedRequest, StoredComment};
