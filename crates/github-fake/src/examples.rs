//! GitHub's own example webhook payloads (`@octokit/webhooks-examples`), so tests use what
//! GitHub sends rather than hand-written JSON.
//!
//! A workflow's event file (`GITHUB_EVENT_PATH`) holds the same payload as the webhook of
//! that event; `pull_request_target` carries the `pull_request` payload.

use std::sync::OnceLock;

use serde_json::Value;

pub use crate::npm::DataError;

const PACKAGE: &str = "@octokit/webhooks-examples";
const INDEX: &str = "api.github.com/index.json";

fn index() -> Result<&'static Value, DataError> {
    static INDEX_JSON: OnceLock<Result<Value, DataError>> = OnceLock::new();
    INDEX_JSON
        .get_or_init(|| crate::npm::read_json(PACKAGE, INDEX))
        .as_ref()
        .map_err(Clone::clone)
}

/// Every example payload of `event` (`pull_request`, `push`, ...), in the package's order.
pub fn try_payloads(event: &str) -> Result<Vec<Value>, DataError> {
    let webhook = match event {
        "pull_request_target" => "pull_request",
        other => other,
    };
    let format = |reason: String| DataError::Format {
        path: INDEX.into(),
        reason,
    };
    let entries = index()?
        .as_array()
        .ok_or_else(|| format("not a list of events".to_string()))?;
    let entry = entries
        .iter()
        .find(|e| e.get("name").and_then(Value::as_str) == Some(webhook))
        .ok_or_else(|| format(format!("no examples for the {webhook} event")))?;
    let examples = entry
        .get("examples")
        .and_then(Value::as_array)
        .ok_or_else(|| format(format!("the {webhook} event has no `examples` list")))?;
    Ok(examples.clone())
}

/// [`try_payloads`].
///
/// # Panics
/// When the package cannot be installed or read (a test helper has no better answer).
pub fn payloads(event: &str) -> Vec<Value> {
    try_payloads(event).unwrap_or_else(|e| panic!("GitHub's example payloads: {e}"))
}

/// The first example of `event` whose `action` is `action` (any, when `None`).
///
/// # Panics
/// When there is no such example, or the package cannot be installed or read.
///
/// ```
/// let p = helmpilot_github_fake::examples::payload("pull_request", Some("synchronize"));
/// assert_eq!(p["action"], "synchronize");
/// assert!(p["pull_request"]["head"]["sha"].is_string());
/// ```
pub fn payload(event: &str, action: Option<&str>) -> Value {
    let all = payloads(event);
    let found = all
        .into_iter()
        .find(|p| action.is_none() || p.get("action").and_then(Value::as_str) == action);
    match found {
        Some(p) => p,
        None => panic!("GitHub's example payloads have no {event} event with action {action:?}"),
    }
}

/// The names and commits a test puts into a pull request payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequestPatch {
    /// `owner/name` of the base repository (the one the workflow runs in).
    pub repository: String,
    /// `owner/name` of the head branch's repository (another one for a fork).
    pub head_repository: String,
    /// The pull request number.
    pub number: u64,
    /// Base branch.
    pub base_ref: String,
    /// Base commit.
    pub base_sha: String,
    /// Head branch.
    pub head_ref: String,
    /// Head commit.
    pub head_sha: String,
}

/// Rewrites the names and commits of a `pull_request` payload consistently (top-level
/// `number` and `repository`, and the pull request's `number`, `base` and `head`: refs,
/// SHAs, labels and repositories), leaving everything else as GitHub sent it.
pub fn patch_pull_request(payload: &mut Value, patch: &PullRequestPatch) {
    let fork = patch.head_repository != patch.repository;
    payload["number"] = patch.number.into();
    set_repo(&mut payload["repository"], &patch.repository, false);
    let pr = &mut payload["pull_request"];
    pr["number"] = patch.number.into();
    for (side, repo, git_ref, sha, is_fork) in [
        (
            "base",
            &patch.repository,
            &patch.base_ref,
            &patch.base_sha,
            false,
        ),
        (
            "head",
            &patch.head_repository,
            &patch.head_ref,
            &patch.head_sha,
            fork,
        ),
    ] {
        let owner = repo.split('/').next().unwrap_or_default();
        pr[side]["ref"] = git_ref.as_str().into();
        pr[side]["sha"] = sha.as_str().into();
        pr[side]["label"] = format!("{owner}:{git_ref}").into();
        pr[side]["user"]["login"] = owner.into();
        set_repo(&mut pr[side]["repo"], repo, is_fork);
    }
}

fn set_repo(repo: &mut Value, full_name: &str, fork: bool) {
    let (owner, name) = full_name.split_once('/').unwrap_or((full_name, ""));
    repo["full_name"] = full_name.into();
    repo["name"] = name.into();
    repo["owner"]["login"] = owner.into();
    repo["fork"] = fork.into();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_request_target_uses_the_pull_request_examples() {
        let a = payloads("pull_request_target");
        assert_eq!(a, payloads("pull_request"));
        assert!(a.iter().any(|p| p["action"] == "opened"));
    }

    #[test]
    fn unknown_events_and_actions_are_reported() {
        let err = try_payloads("no_such_event").unwrap_err();
        assert!(
            err.to_string()
                .contains("no examples for the no_such_event event"),
            "{err}"
        );
        let result = std::panic::catch_unwind(|| payload("pull_request", Some("exploded")));
        assert!(result.is_err());
    }

    #[test]
    fn patching_keeps_the_payload_consistent() {
        let mut p = payload("pull_request", Some("synchronize"));
        let before_keys: Vec<String> = p.as_object().unwrap().keys().cloned().collect();
        patch_pull_request(
            &mut p,
            &PullRequestPatch {
                repository: "acme/charts".into(),
                head_repository: "dev/charts".into(),
                number: 42,
                base_ref: "main".into(),
                base_sha: "a".repeat(40),
                head_ref: "bump-nginx".into(),
                head_sha: "b".repeat(40),
            },
        );
        assert_eq!(
            p.as_object().unwrap().keys().cloned().collect::<Vec<_>>(),
            before_keys
        );
        assert_eq!(p["number"], 42);
        assert_eq!(p["repository"]["full_name"], "acme/charts");
        assert_eq!(p["repository"]["owner"]["login"], "acme");
        assert_eq!(p["pull_request"]["number"], 42);
        assert_eq!(p["pull_request"]["base"]["label"], "acme:main");
        assert_eq!(p["pull_request"]["head"]["label"], "dev:bump-nginx");
        assert_eq!(p["pull_request"]["head"]["repo"]["full_name"], "dev/charts");
        assert_eq!(p["pull_request"]["head"]["repo"]["fork"], true);
        assert_eq!(p["pull_request"]["base"]["repo"]["fork"], false);
        assert_eq!(p["pull_request"]["head"]["sha"], "b".repeat(40));
        // Untouched fields stay GitHub's.
        assert_eq!(p["action"], "synchronize");
        assert!(p["sender"]["login"].is_string());
    }
}
