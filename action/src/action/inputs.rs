//! The action's inputs, as the runner passes them (`INPUT_<NAME>` environment variables),
//! checked once with messages that name the input.

use anyhow::{bail, Result};
use helmpilot_github::actions;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentMode {
    /// One comment, edited in place on later pushes.
    Update,
    /// A new comment on every run with changes.
    New,
    Off,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOnRisk {
    None,
    High,
    Any,
}

#[derive(Clone, Debug)]
pub struct Inputs {
    pub token: Option<String>,
    pub config: String,
    pub charts: Vec<String>,
    pub environments: Vec<String>,
    pub comment: CommentMode,
    pub fail_on_risk: FailOnRisk,
    pub kube_version: Option<String>,
    pub context_lines: usize,
    /// Fetch dependencies that Chart.lock names and charts/ lacks.
    pub dependency_build: bool,
}

/// Newline- or comma-separated values, trimmed, empty ones dropped.
fn list(text: &str) -> Vec<String> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

impl Inputs {
    pub fn from_env() -> Result<Inputs> {
        let input = |name: &str| {
            actions::input(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let token = input("github-token")
            .or_else(|| std::env::var("GITHUB_TOKEN").ok().filter(|t| !t.is_empty()));
        if let Some(token) = &token {
            // Keep it out of the log even if something echoes it.
            println!("{}", actions::mask(token));
        }
        let comment = match input("comment").as_deref() {
            None | Some("update") => CommentMode::Update,
            Some("new") => CommentMode::New,
            Some("off") => CommentMode::Off,
            Some(other) => bail!("input `comment` is {other:?}; use `update`, `new` or `off`"),
        };
        let fail_on_risk = match input("fail-on-risk").as_deref() {
            None | Some("none") => FailOnRisk::None,
            Some("high") => FailOnRisk::High,
            Some("any") => FailOnRisk::Any,
            Some(other) => bail!("input `fail-on-risk` is {other:?}; use `none`, `high` or `any`"),
        };
        let context_lines = match input("context-lines") {
            None => 3,
            Some(text) => match text.parse::<usize>() {
                Ok(n) if n <= 1000 => n,
                _ => bail!("input `context-lines` is {text:?}; use a number of lines (0 to 1000)"),
            },
        };
        let dependency_build = match input("dependency-build").as_deref() {
            None | Some("true") => true,
            Some("false") => false,
            Some(other) => bail!("input `dependency-build` is {other:?}; use `true` or `false`"),
        };
        Ok(Inputs {
            dependency_build,
            token,
            config: input("config").unwrap_or_else(|| ".helmpilot.yaml".into()),
            charts: input("charts").map(|t| list(&t)).unwrap_or_default(),
            environments: input("environments").map(|t| list(&t)).unwrap_or_default(),
            comment,
            fail_on_risk,
            kube_version: input("kube-version"),
            context_lines,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_accept_commas_and_newlines() {
        assert_eq!(
            list("charts/a, charts/b\ncharts/c\n\n"),
            ["charts/a", "charts/b", "charts/c"]
        );
        assert!(list(" \n ").is_empty());
    }
}
