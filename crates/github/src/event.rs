//! The workflow event payload (`GITHUB_EVENT_PATH`) of a pull request run.
//!
//! `pull_request` and `pull_request_target` carry the same payload; they differ in what the
//! token may do (the latter runs in the base repository's context, with a write token even
//! for pull requests from forks), which is why the event's name is kept.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::RepoName;

/// The events the action runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventName {
    /// `pull_request`: the token is read-only for pull requests from forks.
    PullRequest,
    /// `pull_request_target`: runs with the base repository's token and workflow.
    PullRequestTarget,
}

impl EventName {
    /// Parses `GITHUB_EVENT_NAME`; `None` for any other event.
    pub fn parse(name: &str) -> Option<EventName> {
        match name {
            "pull_request" => Some(EventName::PullRequest),
            "pull_request_target" => Some(EventName::PullRequestTarget),
            _ => None,
        }
    }

    /// The name as GitHub spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            EventName::PullRequest => "pull_request",
            EventName::PullRequestTarget => "pull_request_target",
        }
    }
}

impl fmt::Display for EventName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the action needs from a `pull_request` / `pull_request_target` payload.
///
/// ```
/// use helmpilot_github::event::{EventName, PullRequestEvent};
/// let payload = r#"{
///   "action": "synchronize", "number": 12,
///   "repository": {"full_name": "octo/charts"},
///   "pull_request": {
///     "number": 12,
///     "base": {"ref": "main", "sha": "1111111111111111111111111111111111111111",
///              "repo": {"full_name": "octo/charts"}},
///     "head": {"ref": "bump", "sha": "2222222222222222222222222222222222222222",
///              "repo": {"full_name": "someone/charts"}}
///   }
/// }"#;
/// let event = PullRequestEvent::parse("pull_request", payload)?;
/// assert_eq!(event.event_name, EventName::PullRequest);
/// assert_eq!((event.number, event.head_ref.as_str()), (12, "bump"));
/// assert!(event.is_fork);
/// # Ok::<(), helmpilot_github::event::EventError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequestEvent {
    /// Which of the two events.
    pub event_name: EventName,
    /// `opened`, `synchronize`, `reopened`, `edited`, `closed`, ...
    pub action: String,
    /// The pull request's number.
    pub number: u64,
    /// The repository the workflow runs in (`repository.full_name`).
    pub repository: RepoName,
    /// The branch the pull request merges into (`pull_request.base.ref`).
    pub base_ref: String,
    /// The base commit (`pull_request.base.sha`).
    pub base_sha: String,
    /// The pull request's branch (`pull_request.head.ref`).
    pub head_ref: String,
    /// The head commit (`pull_request.head.sha`).
    pub head_sha: String,
    /// The repository the head branch lives in; `None` when that fork was deleted.
    pub head_repository: Option<RepoName>,
    /// Whether the head branch lives in another repository than the base (a fork), or in a
    /// deleted one. Such runs get a read-only token under `pull_request`.
    pub is_fork: bool,
}

/// Why a payload could not be used.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// The workflow was triggered by another event.
    #[error("helmpilot action runs on pull_request and pull_request_target events, not on `{0}`: trigger the workflow with `on: pull_request`")]
    Unsupported(String),
    /// A variable the runner always sets is missing.
    #[error("{0} is not set: helmpilot action must run inside a GitHub Actions job")]
    MissingEnv(&'static str),
    /// The payload file could not be read.
    #[error("cannot read the event payload {}: {source}", .path.display())]
    Read {
        /// `GITHUB_EVENT_PATH`.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The payload is not JSON.
    #[error("the {event} event payload is not valid JSON: {reason}")]
    Json {
        /// The event's name.
        event: String,
        /// serde_json's message.
        reason: String,
    },
    /// A field the action needs is absent or null.
    #[error("the {event} event payload has no `{field}`")]
    MissingField {
        /// The event's name.
        event: String,
        /// The field's path, e.g. `pull_request.head.sha`.
        field: &'static str,
    },
    /// A field has the wrong JSON type or an invalid value.
    #[error("the {event} event payload's `{field}` is {found}, expected {expected}")]
    Invalid {
        /// The event's name.
        event: String,
        /// The field's path.
        field: &'static str,
        /// What was expected.
        expected: &'static str,
        /// What was found (a short description, not the whole value).
        found: String,
    },
}

impl PullRequestEvent {
    /// Reads the event the runner describes: `GITHUB_EVENT_NAME` and the payload file at
    /// `GITHUB_EVENT_PATH`.
    pub fn from_env() -> Result<PullRequestEvent, EventError> {
        let name = std::env::var("GITHUB_EVENT_NAME")
            .map_err(|_| EventError::MissingEnv("GITHUB_EVENT_NAME"))?;
        let path = std::env::var_os("GITHUB_EVENT_PATH")
            .ok_or(EventError::MissingEnv("GITHUB_EVENT_PATH"))?;
        PullRequestEvent::load(&name, Path::new(&path))
    }

    /// Reads a payload file.
    pub fn load(event_name: &str, path: &Path) -> Result<PullRequestEvent, EventError> {
        // Checked first so a push run says "wrong event" rather than "missing field".
        if EventName::parse(event_name).is_none() {
            return Err(EventError::Unsupported(event_name.to_string()));
        }
        let text = std::fs::read_to_string(path).map_err(|source| EventError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        PullRequestEvent::parse(event_name, &text)
    }

    /// Parses a payload's text.
    pub fn parse(event_name: &str, payload: &str) -> Result<PullRequestEvent, EventError> {
        if EventName::parse(event_name).is_none() {
            return Err(EventError::Unsupported(event_name.to_string()));
        }
        let value: Value = serde_json::from_str(payload).map_err(|e| EventError::Json {
            event: event_name.to_string(),
            reason: e.to_string(),
        })?;
        PullRequestEvent::from_value(event_name, &value)
    }

    /// Reads an already parsed payload.
    pub fn from_value(event_name: &str, payload: &Value) -> Result<PullRequestEvent, EventError> {
        let name = EventName::parse(event_name)
            .ok_or_else(|| EventError::Unsupported(event_name.to_string()))?;
        let f = Fields {
            event: event_name,
            root: payload,
        };
        if !payload.is_object() {
            return Err(f.invalid("(payload)", "an object", payload));
        }
        let number = match f.get("number") {
            Some(_) => f.number("number")?,
            None => f.number("pull_request.number")?,
        };
        let repository = f.repo("repository.full_name")?;
        let head_repository = match f.get("pull_request.head.repo") {
            None => None,
            Some(_) => Some(f.repo("pull_request.head.repo.full_name")?),
        };
        let base_repository = match f.get("pull_request.base.repo") {
            Some(_) => f.repo("pull_request.base.repo.full_name")?,
            None => repository.clone(),
        };
        // GitHub compares owner and repository names without regard to case.
        let is_fork = head_repository.as_ref().map_or(true, |head| {
            !head
                .to_string()
                .eq_ignore_ascii_case(&base_repository.to_string())
        });
        Ok(PullRequestEvent {
            event_name: name,
            action: f.string("action")?,
            number,
            repository,
            base_ref: f.string("pull_request.base.ref")?,
            base_sha: f.sha("pull_request.base.sha")?,
            head_ref: f.string("pull_request.head.ref")?,
            head_sha: f.sha("pull_request.head.sha")?,
            head_repository,
            is_fork,
        })
    }
}

/// Field access with the path in every error.
struct Fields<'a> {
    event: &'a str,
    root: &'a Value,
}

impl Fields<'_> {
    /// The value at a dotted path; `None` when absent or null.
    fn get(&self, path: &str) -> Option<&Value> {
        let mut v = self.root;
        for key in path.split('.') {
            v = v.get(key)?;
        }
        (!v.is_null()).then_some(v)
    }

    fn require(&self, field: &'static str) -> Result<&Value, EventError> {
        self.get(field).ok_or_else(|| EventError::MissingField {
            event: self.event.to_string(),
            field,
        })
    }

    fn invalid(&self, field: &'static str, expected: &'static str, found: &Value) -> EventError {
        EventError::Invalid {
            event: self.event.to_string(),
            field,
            expected,
            found: describe(found),
        }
    }

    fn string(&self, field: &'static str) -> Result<String, EventError> {
        let v = self.require(field)?;
        match v.as_str() {
            Some(s) if !s.is_empty() => Ok(s.to_string()),
            _ => Err(self.invalid(field, "a non-empty string", v)),
        }
    }

    fn number(&self, field: &'static str) -> Result<u64, EventError> {
        let v = self.require(field)?;
        v.as_u64()
            .filter(|n| *n > 0)
            .ok_or_else(|| self.invalid(field, "a positive integer", v))
    }

    fn sha(&self, field: &'static str) -> Result<String, EventError> {
        let v = self.require(field)?;
        match v.as_str() {
            // SHA-1 or SHA-256 object names.
            Some(s) if matches!(s.len(), 40 | 64) && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
                Ok(s.to_string())
            }
            _ => Err(self.invalid(field, "a commit SHA (40 hex digits)", v)),
        }
    }

    fn repo(&self, field: &'static str) -> Result<RepoName, EventError> {
        let v = self.require(field)?;
        v.as_str()
            .and_then(|s| RepoName::parse(s).ok())
            .ok_or_else(|| self.invalid(field, "OWNER/NAME", v))
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if s.chars().count() > 60 => {
            format!("{:?}…", s.chars().take(60).collect::<String>())
        }
        Value::String(s) => format!("{s:?}"),
        Value::Array(_) => "an array".to_string(),
        Value::Object(_) => "an object".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use helmpilot_github_fake::examples::payload;
    use serde_json::json;

    #[test]
    fn every_real_pull_request_example_parses() {
        let all = helmpilot_github_fake::examples::payloads("pull_request");
        assert!(all.len() >= 20, "{}", all.len());
        for p in &all {
            let e = PullRequestEvent::from_value("pull_request", p).unwrap();
            assert_eq!(e.action, p["action"].as_str().unwrap());
            assert_eq!(e.number, p["number"].as_u64().unwrap());
            assert_eq!(
                e.head_sha,
                p["pull_request"]["head"]["sha"].as_str().unwrap()
            );
        }
    }

    #[test]
    fn synchronize_example_gives_refs_and_shas() {
        let p = payload("pull_request", Some("synchronize"));
        let e = PullRequestEvent::from_value("pull_request_target", &p).unwrap();
        assert_eq!(e.event_name, EventName::PullRequestTarget);
        assert_eq!(e.action, "synchronize");
        assert_eq!(e.number, p["number"].as_u64().unwrap());
        assert_eq!(
            e.repository.to_string(),
            p["repository"]["full_name"].as_str().unwrap()
        );
        assert_eq!(
            e.base_ref,
            p["pull_request"]["base"]["ref"].as_str().unwrap()
        );
        assert_eq!(
            e.base_sha,
            p["pull_request"]["base"]["sha"].as_str().unwrap()
        );
        assert_eq!(
            e.head_ref,
            p["pull_request"]["head"]["ref"].as_str().unwrap()
        );
        assert!(!e.is_fork);
        assert_eq!(e.head_repository.as_ref(), Some(&e.repository));
    }

    #[test]
    fn head_in_another_repository_is_a_fork() {
        let mut p = payload("pull_request", Some("opened"));
        p["pull_request"]["head"]["repo"]["full_name"] = json!("someone/Hello-World");
        let e = PullRequestEvent::from_value("pull_request", &p).unwrap();
        assert!(e.is_fork);
        assert_eq!(e.head_repository.unwrap().owner, "someone");
        // A deleted fork leaves `head.repo` null.
        p["pull_request"]["head"]["repo"] = Value::Null;
        let e = PullRequestEvent::from_value("pull_request", &p).unwrap();
        assert!(e.is_fork);
        assert_eq!(e.head_repository, None);
    }

    #[test]
    fn same_repository_in_other_case_is_not_a_fork() {
        let mut p = payload("pull_request", Some("opened"));
        let upper = p["repository"]["full_name"]
            .as_str()
            .unwrap()
            .to_uppercase();
        p["pull_request"]["head"]["repo"]["full_name"] = json!(upper);
        assert!(
            !PullRequestEvent::from_value("pull_request", &p)
                .unwrap()
                .is_fork
        );
    }

    #[test]
    fn other_events_are_refused_with_the_fix() {
        let p = payload("push", None);
        let err = PullRequestEvent::from_value("push", &p).unwrap_err();
        assert_eq!(
            err.to_string(),
            "helmpilot action runs on pull_request and pull_request_target events, not on `push`: trigger the workflow with `on: pull_request`"
        );
    }

    #[test]
    fn missing_and_wrong_fields_are_named() {
        let mut p = payload("pull_request", Some("opened"));
        p["pull_request"]["head"]
            .as_object_mut()
            .unwrap()
            .remove("sha");
        let err = PullRequestEvent::from_value("pull_request", &p).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the pull_request event payload has no `pull_request.head.sha`"
        );

        let mut p = payload("pull_request", Some("opened"));
        p["pull_request"]["base"]["sha"] = json!("main");
        let err = PullRequestEvent::from_value("pull_request", &p).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the pull_request event payload's `pull_request.base.sha` is \"main\", expected a commit SHA (40 hex digits)"
        );

        let mut p = payload("pull_request", Some("opened"));
        p["number"] = json!("2");
        let err = PullRequestEvent::from_value("pull_request", &p).unwrap_err();
        assert!(
            err.to_string()
                .contains("`number` is \"2\", expected a positive integer"),
            "{err}"
        );

        let mut p = payload("pull_request", Some("opened"));
        p["repository"]["full_name"] = json!("no-slash");
        let err = PullRequestEvent::from_value("pull_request", &p).unwrap_err();
        assert!(
            err.to_string()
                .contains("`repository.full_name` is \"no-slash\", expected OWNER/NAME"),
            "{err}"
        );
    }

    #[test]
    fn number_falls_back_to_the_pull_request() {
        let mut p = payload("pull_request", Some("opened"));
        p.as_object_mut().unwrap().remove("number");
        p["pull_request"]["number"] = json!(77);
        assert_eq!(
            PullRequestEvent::from_value("pull_request", &p)
                .unwrap()
                .number,
            77
        );
    }

    #[test]
    fn text_and_files() {
        let err = PullRequestEvent::parse("pull_request", "{").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("the pull_request event payload is not valid JSON"),
            "{err}"
        );
        let err = PullRequestEvent::load("pull_request", Path::new("/nonexistent/event.json"))
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cannot read the event payload /nonexistent/event.json"),
            "{err}"
        );
        let dir = std::env::temp_dir().join(format!("helmpilot-event-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("event.json");
        let p = payload("pull_request", Some("reopened"));
        std::fs::write(&file, serde_json::to_string(&p).unwrap()).unwrap();
        let e = PullRequestEvent::load("pull_request", &file).unwrap();
        assert_eq!(e.action, "reopened");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
