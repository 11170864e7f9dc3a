//! `owner/name` repository names.

use std::fmt;
use std::str::FromStr;

use crate::GitHubError;

/// A repository, `owner/name`, as in `GITHUB_REPOSITORY` or an event's `repository.full_name`.
///
/// Both parts are checked against GitHub's character sets, so they can be put in an API
/// path without escaping (and a crafted name cannot reach another endpoint).
///
/// ```
/// use helmpilot_github::RepoName;
/// let repo = RepoName::parse("helmpilot/charts.io")?;
/// assert_eq!(repo.owner, "helmpilot");
/// assert_eq!(repo.name, "charts.io");
/// assert_eq!(repo.to_string(), "helmpilot/charts.io");
/// # Ok::<(), helmpilot_github::GitHubError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RepoName {
    /// The user or organization.
    pub owner: String,
    /// The repository's name.
    pub name: String,
}

impl RepoName {
    /// Parses `owner/name`.
    pub fn parse(input: &str) -> Result<RepoName, GitHubError> {
        let invalid = |reason| GitHubError::InvalidRepoName {
            input: input.to_string(),
            reason,
        };
        let (owner, name) = input.split_once('/').ok_or_else(|| invalid("no `/`"))?;
        if owner.is_empty() {
            return Err(invalid("the owner is empty"));
        }
        if name.is_empty() {
            return Err(invalid("the name is empty"));
        }
        // Logins: letters, digits and single hyphens; enterprise-managed users add `_`.
        if !owner
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(invalid(
                "the owner may contain only letters, digits, `-` and `_`",
            ));
        }
        if !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        {
            return Err(invalid(
                "the name may contain only letters, digits, `-`, `_` and `.`",
            ));
        }
        if name == "." || name == ".." {
            return Err(invalid("the name cannot be `.` or `..`"));
        }
        Ok(RepoName {
            owner: owner.to_string(),
            name: name.to_string(),
        })
    }
}

impl FromStr for RepoName {
    type Err = GitHubError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RepoName::parse(s)
    }
}

impl fmt::Display for RepoName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_owner_and_name() {
        let r = RepoName::parse("octo-org/hello_world.rs").unwrap();
        assert_eq!(
            (r.owner.as_str(), r.name.as_str()),
            ("octo-org", "hello_world.rs")
        );
    }

    #[test]
    fn rejects_what_could_escape_the_path() {
        for bad in [
            "", "owner", "/name", "owner/", "a/b/c", "a/..", "a/.", "a b/c", "a/c?x=1", "a/c#x",
            "o%2F/x",
        ] {
            let err = RepoName::parse(bad).unwrap_err();
            assert!(
                err.to_string().starts_with("invalid repository name"),
                "{bad}: {err}"
            );
        }
    }
}
