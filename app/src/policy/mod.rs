//! The policy file, `.github/helmpilot.yml`: per environment, who must approve a
//! deployment and when it may happen. The format is documented with a full example in
//! `app/POLICY.md`.
//!
//! Parsing is strict: an unknown key, a wrong type or an impossible value is an error
//! that names the key (`environments.production.required_aprovals: unknown key`), since a
//! typo in a security policy must not silently weaken it. The file is read with go-yaml
//! v2's rules (`helmpilot_yaml::decode`), like every other YAML file helmpilot reads, and
//! walked by hand rather than through serde so each message carries the key's path and
//! environments keep their order in the file (the first matching pattern wins).
//!
//! ```
//! use helmpilot_app::policy::Policy;
//! let policy = Policy::parse(
//!     "environments:\n  production:\n    required_approvals: 2\n    allowed_refs: [main]\n",
//! )?;
//! let prod = policy.environment("Production").expect("listed");
//! assert_eq!(prod.required_approvals(), 2);
//! assert!(prod.ref_allowed("refs/heads/main"));
//! assert!(!prod.ref_allowed("feature/x"));
//! assert!(policy.environment("staging").is_none());
//! # Ok::<(), helmpilot_app::policy::PolicyError>(())
//! ```

mod freeze;
mod glob;

use std::fmt;

use helmpilot_yaml::{Yaml, YamlMap};
use sha2::{Digest, Sha256};

pub use freeze::{FreezeAction, FreezeSchedule, FreezeWindow};

/// Where the policy lives in the repository.
pub const POLICY_PATH: &str = ".github/helmpilot.yml";

/// The only format version this build reads.
pub const FORMAT_VERSION: u32 = 1;

/// Longest pattern, name or reason accepted; keeps matching and comments bounded.
const MAX_TEXT: usize = 256;

/// A parsed policy file.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// The format version (`version:`, 1 when absent).
    pub version: u32,
    /// The rules, in the order of the file.
    pub environments: Vec<EnvironmentRule>,
    /// `sha256:` and the hex SHA-256 of the file's bytes: identifies the exact policy a
    /// decision was taken under.
    pub digest: String,
}

/// The rules for the environments a name or pattern selects.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvironmentRule {
    /// The key in `environments:` (a name, or a glob such as `prod-*` or `*`).
    pub pattern: String,
    /// `required_approvals` as written (0 when absent); see
    /// [`EnvironmentRule::required_approvals`] for the effective count.
    pub approvals: u32,
    /// Who counts as an approver; empty means anyone with write access (an `OWNER`,
    /// `MEMBER` or `COLLABORATOR` of the repository).
    pub required_reviewers: Vec<Reviewer>,
    /// Who may use `/helmpilot approve|reject`; `None` means the required reviewers.
    pub manual_approvers: Option<Vec<Reviewer>>,
    /// Whether the pull request's author and the deployment's requester count as
    /// approvers.
    pub allow_self_approval: bool,
    /// Environments that must have a successful deployment of the same commit first.
    pub require_prior_success: Vec<String>,
    /// Branch and tag patterns that may deploy; `None` means any ref.
    pub allowed_refs: Option<Vec<String>>,
    /// Freeze windows.
    pub freeze: Vec<FreezeWindow>,
    /// How long (seconds) a gate may wait before it is rejected.
    pub timeout: Option<i64>,
}

/// An entry of `required_reviewers` or `manual_approvers`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reviewer {
    /// A user login (compared case-insensitively, as GitHub does).
    User(String),
    /// `@org/team-slug`: the team's members.
    Team {
        /// The organization.
        org: String,
        /// The team's slug.
        slug: String,
    },
}

impl fmt::Display for Reviewer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reviewer::User(login) => write!(f, "@{login}"),
            Reviewer::Team { org, slug } => write!(f, "@{org}/{slug}"),
        }
    }
}

/// Why a policy file was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// Not YAML (go-yaml's message).
    #[error("{POLICY_PATH}: {0}")]
    Yaml(String),
    /// YAML, but not a policy.
    #[error("{POLICY_PATH}: {path}: {message}")]
    Invalid {
        /// The key's path, `environments.production.timeout`.
        path: String,
        /// What is wrong.
        message: String,
    },
}

fn invalid(path: &str, message: impl Into<String>) -> PolicyError {
    PolicyError::Invalid {
        path: if path.is_empty() {
            "(top level)".to_string()
        } else {
            path.to_string()
        },
        message: message.into(),
    }
}

impl Policy {
    /// Parses the text of `.github/helmpilot.yml`. An empty file is a policy with no
    /// environments.
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        let digest = format!("sha256:{:x}", Sha256::digest(text.as_bytes()));
        let doc = helmpilot_yaml::decode(text).map_err(|e| PolicyError::Yaml(e.to_string()))?;
        let mut policy = Policy {
            version: FORMAT_VERSION,
            environments: Vec::new(),
            digest,
        };
        let top = match &doc {
            Yaml::Null => return Ok(policy),
            Yaml::Map(m) => m,
            other => {
                return Err(invalid(
                    "",
                    format!("expected a mapping, got {}", kind(other)),
                ))
            }
        };
        for (key, value) in entries(top, "", &["version", "environments"])? {
            match key {
                "version" => {
                    let v = uint(value, "version")?;
                    if v != FORMAT_VERSION {
                        return Err(invalid(
                            "version",
                            format!("unsupported version {v}; this helmpilot-app reads version {FORMAT_VERSION}"),
                        ));
                    }
                    policy.version = v;
                }
                _ => policy.environments = environments(value)?,
            }
        }
        Ok(policy)
    }

    /// The rule for environment `name`: the entry with that name (compared
    /// case-insensitively, as GitHub compares environment names), else the first entry in
    /// the file whose pattern matches, else none (the environment is not governed).
    pub fn environment(&self, name: &str) -> Option<&EnvironmentRule> {
        let lower = name.to_lowercase();
        self.environments
            .iter()
            .find(|e| !glob::is_glob(&e.pattern) && e.pattern.to_lowercase() == lower)
            .or_else(|| {
                self.environments.iter().find(|e| {
                    glob::is_glob(&e.pattern) && glob::matches(&e.pattern.to_lowercase(), &lower)
                })
            })
    }

    /// The first 12 hex digits of the digest, for comments.
    pub fn short_digest(&self) -> &str {
        let hex = self.digest.trim_start_matches("sha256:");
        &hex[..hex.len().min(12)]
    }
}

impl EnvironmentRule {
    /// Approvals needed: `required_approvals`, and at least one when `required_reviewers`
    /// is set (naming reviewers means one of them must approve).
    pub fn required_approvals(&self) -> u32 {
        if self.required_reviewers.is_empty() {
            self.approvals
        } else {
            self.approvals.max(1)
        }
    }

    /// Who may use `/helmpilot approve|reject` for this environment.
    pub fn command_users(&self) -> &[Reviewer] {
        self.manual_approvers
            .as_deref()
            .unwrap_or(&self.required_reviewers)
    }

    /// Whether `git_ref` may deploy. A pattern starting with `refs/` is matched against
    /// the full ref; any other pattern against the branch or tag name. GitHub often sends
    /// the short name (`main`, `v1.2.0`): it is matched as itself, as `refs/heads/<name>`
    /// and as `refs/tags/<name>`, since a bare name does not say which it is.
    pub fn ref_allowed(&self, git_ref: &str) -> bool {
        let Some(patterns) = &self.allowed_refs else {
            return true;
        };
        let (short, full): (&str, Vec<String>) = if let Some(rest) = git_ref.strip_prefix("refs/") {
            let short = rest
                .strip_prefix("heads/")
                .or_else(|| rest.strip_prefix("tags/"))
                .unwrap_or(git_ref);
            (short, vec![git_ref.to_string()])
        } else {
            (
                git_ref,
                vec![
                    format!("refs/heads/{git_ref}"),
                    format!("refs/tags/{git_ref}"),
                ],
            )
        };
        patterns.iter().any(|p| {
            if p.starts_with("refs/") {
                full.iter().any(|f| glob::matches(p, f))
            } else {
                glob::matches(p, short)
            }
        })
    }
}

const ENV_KEYS: &[&str] = &[
    "required_approvals",
    "required_reviewers",
    "manual_approvers",
    "allow_self_approval",
    "require_prior_success",
    "allowed_refs",
    "freeze",
    "timeout",
];

fn environments(value: &Yaml) -> Result<Vec<EnvironmentRule>, PolicyError> {
    let map = match value {
        Yaml::Null => return Ok(Vec::new()),
        Yaml::Map(m) => m,
        other => {
            return Err(invalid(
                "environments",
                format!(
                    "expected a mapping of environment names to rules, got {}",
                    kind(other)
                ),
            ))
        }
    };
    let mut out: Vec<EnvironmentRule> = Vec::new();
    for (key, value) in map.iter() {
        let name = scalar_key(key, "environments")?;
        let path = format!("environments.{name}");
        if name.trim().is_empty() || name.chars().count() > MAX_TEXT {
            return Err(invalid(
                &path,
                "an environment name must be 1 to 256 characters",
            ));
        }
        if out
            .iter()
            .any(|e| e.pattern.to_lowercase() == name.to_lowercase())
        {
            return Err(invalid(
                &path,
                "listed twice (environment names are case-insensitive)",
            ));
        }
        out.push(environment(&path, &name, value)?);
    }
    Ok(out)
}

fn environment(path: &str, name: &str, value: &Yaml) -> Result<EnvironmentRule, PolicyError> {
    let mut rule = EnvironmentRule {
        pattern: name.to_string(),
        approvals: 0,
        required_reviewers: Vec::new(),
        manual_approvers: None,
        allow_self_approval: false,
        require_prior_success: Vec::new(),
        allowed_refs: None,
        freeze: Vec::new(),
        timeout: None,
    };
    let map = match value {
        // `staging:` alone governs the environment with no requirement (approve), which
        // documents it as known without a rule.
        Yaml::Null => return Ok(rule),
        Yaml::Map(m) => m,
        other => {
            return Err(invalid(
                path,
                format!("expected a mapping of rules, got {}", kind(other)),
            ))
        }
    };
    for (key, value) in entries(map, path, ENV_KEYS)? {
        let at = format!("{path}.{key}");
        match key {
            "required_approvals" => rule.approvals = uint(value, &at)?,
            "required_reviewers" => rule.required_reviewers = reviewers(value, &at)?,
            "manual_approvers" => rule.manual_approvers = Some(reviewers(value, &at)?),
            "allow_self_approval" => rule.allow_self_approval = boolean(value, &at)?,
            "require_prior_success" => {
                let names = strings(value, &at)?;
                if names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                    return Err(invalid(&at, "an environment cannot require itself"));
                }
                rule.require_prior_success = names;
            }
            "allowed_refs" => {
                let refs = strings(value, &at)?;
                if let Some(bad) = refs.iter().find(|r| r.trim() != r.as_str() || r.is_empty()) {
                    return Err(invalid(&at, format!("{bad:?} is not a ref pattern")));
                }
                rule.allowed_refs = Some(refs);
            }
            "freeze" => rule.freeze = freezes(value, &at)?,
            _ => rule.timeout = Some(duration(value, &at)?),
        }
    }
    Ok(rule)
}

fn reviewers(value: &Yaml, path: &str) -> Result<Vec<Reviewer>, PolicyError> {
    strings(value, path)?
        .into_iter()
        .map(|s| {
            let login_ok = |l: &str| {
                !l.is_empty()
                    && l.len() <= 39
                    && l.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            };
            if let Some(team) = s.strip_prefix('@').filter(|t| t.contains('/')) {
                let (org, slug) = team.split_once('/').unwrap_or((team, ""));
                let slug_ok = !slug.is_empty()
                    && slug.len() <= 100
                    && slug
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
                if login_ok(org) && slug_ok {
                    return Ok(Reviewer::Team {
                        org: org.to_string(),
                        slug: slug.to_string(),
                    });
                }
            } else {
                let login = s.strip_prefix('@').unwrap_or(&s);
                if login_ok(login) {
                    return Ok(Reviewer::User(login.to_string()));
                }
            }
            Err(invalid(
                path,
                format!("{s:?} is neither a user login (alice) nor a team (@org/team-slug)"),
            ))
        })
        .collect()
}

fn freezes(value: &Yaml, path: &str) -> Result<Vec<FreezeWindow>, PolicyError> {
    let Yaml::Seq(items) = value else {
        return Err(invalid(
            path,
            format!("expected a list of windows, got {}", kind(value)),
        ));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| freeze_window(item, &format!("{path}[{i}]")))
        .collect()
}

const FREEZE_KEYS: &[&str] = &["weekly", "from", "to", "timezone", "action", "reason"];

fn freeze_window(item: &Yaml, path: &str) -> Result<FreezeWindow, PolicyError> {
    // The short form: a weekly window as a plain string, rejecting.
    if let Yaml::Str(text) = item {
        let (schedule, zone_name) = freeze::parse_weekly(text).map_err(|e| invalid(path, e))?;
        let zone =
            freeze::zone(zone_name.as_deref().unwrap_or("UTC")).map_err(|e| invalid(path, e))?;
        return Ok(FreezeWindow {
            schedule,
            zone,
            action: FreezeAction::Reject,
            reason: None,
        });
    }
    let Yaml::Map(map) = item else {
        return Err(invalid(
            path,
            format!(
                "expected a window (a mapping, or a weekly window as a string), got {}",
                kind(item)
            ),
        ));
    };
    let mut weekly = None;
    let (mut from, mut to, mut zone_name, mut reason) = (None, None, None, None);
    let mut action = FreezeAction::Reject;
    for (key, value) in entries(map, path, FREEZE_KEYS)? {
        let at = format!("{path}.{key}");
        match key {
            "weekly" => weekly = Some(string(value, &at)?),
            "from" => from = Some(string(value, &at)?),
            "to" => to = Some(string(value, &at)?),
            "timezone" => zone_name = Some(string(value, &at)?),
            "action" => {
                action = match string(value, &at)?.as_str() {
                    "reject" => FreezeAction::Reject,
                    "wait" => FreezeAction::Wait,
                    other => return Err(invalid(&at, format!("{other:?} is not reject or wait"))),
                }
            }
            _ => {
                let r = string(value, &at)?;
                if r.chars().count() > MAX_TEXT {
                    return Err(invalid(&at, "at most 256 characters"));
                }
                reason = Some(r);
            }
        }
    }
    let schedule_and_zone = match (weekly, from, to) {
        (Some(text), None, None) => {
            let (schedule, inline_zone) =
                freeze::parse_weekly(&text).map_err(|e| invalid(&format!("{path}.weekly"), e))?;
            if inline_zone.is_some() && zone_name.is_some() {
                return Err(invalid(
                    path,
                    "the time zone is given twice (in `weekly` and in `timezone`); keep one",
                ));
            }
            let zone = freeze::zone(inline_zone.or(zone_name).as_deref().unwrap_or("UTC"))
                .map_err(|e| invalid(path, e))?;
            (schedule, zone)
        }
        (None, Some(from), Some(to)) => {
            let zone = freeze::zone(zone_name.as_deref().unwrap_or("UTC"))
                .map_err(|e| invalid(&format!("{path}.timezone"), e))?;
            let f = freeze::parse_bound(&from, &zone, false)
                .map_err(|e| invalid(&format!("{path}.from"), e))?;
            let t = freeze::parse_bound(&to, &zone, true)
                .map_err(|e| invalid(&format!("{path}.to"), e))?;
            if t <= f {
                return Err(invalid(path, "`to` must be later than `from`"));
            }
            (FreezeSchedule::Range { from: f, to: t }, zone)
        }
        (None, _, _) => {
            return Err(invalid(
                path,
                "a window needs either `weekly` or both `from` and `to`",
            ))
        }
        (Some(_), _, _) => {
            return Err(invalid(
                path,
                "a window is either `weekly` or `from`/`to`, not both",
            ))
        }
    };
    Ok(FreezeWindow {
        schedule: schedule_and_zone.0,
        zone: schedule_and_zone.1,
        action,
        reason,
    })
}

/// `2h`, `90m`, `1h30m`, `1d`, `45s` (units d, h, m, s, in any combination, each once).
fn duration(value: &Yaml, path: &str) -> Result<i64, PolicyError> {
    let text = match value {
        Yaml::Str(s) => s.trim().to_string(),
        Yaml::Int(_) | Yaml::Uint(_) | Yaml::Float(_) => {
            return Err(invalid(
                path,
                "a duration needs a unit: write e.g. \"2h\", \"90m\" or \"1d\"",
            ))
        }
        other => {
            return Err(invalid(
                path,
                format!("expected a duration such as \"2h\", got {}", kind(other)),
            ))
        }
    };
    let bad = || {
        invalid(
            path,
            format!(
                "{text:?} is not a duration; expected e.g. \"2h\", \"1h30m\", \"90m\" or \"1d\""
            ),
        )
    };
    let mut total: i64 = 0;
    let mut digits = String::new();
    let mut seen = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            's' => 1,
            _ => return Err(bad()),
        };
        if digits.is_empty() || seen.contains(c) {
            return Err(bad());
        }
        seen.push(c);
        let n: i64 = digits.parse().map_err(|_| bad())?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
        digits.clear();
    }
    if !digits.is_empty() || seen.is_empty() {
        return Err(bad());
    }
    if total <= 0 {
        return Err(invalid(path, "the timeout must be longer than zero"));
    }
    // GitHub itself gives up on a protection rule after 30 days.
    if total > 30 * 86_400 {
        return Err(invalid(
            path,
            "at most 30d (GitHub's own limit for a waiting deployment)",
        ));
    }
    Ok(total)
}

/// The string-keyed entries of a mapping, refusing unknown keys.
fn entries<'a>(
    map: &'a YamlMap,
    path: &str,
    known: &[&str],
) -> Result<Vec<(&'a str, &'a Yaml)>, PolicyError> {
    let mut out = Vec::new();
    for (key, value) in map.iter() {
        let name = key
            .as_str()
            .ok_or_else(|| invalid(path, format!("keys must be strings, got {}", kind(key))))?;
        if !known.contains(&name) {
            let at = if path.is_empty() {
                name.to_string()
            } else {
                format!("{path}.{name}")
            };
            return Err(invalid(
                &at,
                format!("unknown key (known keys: {})", known.join(", ")),
            ));
        }
        out.push((name, value));
    }
    Ok(out)
}

/// An environment name: YAML may type `1` or `true` as non-strings; names are text.
fn scalar_key(key: &Yaml, path: &str) -> Result<String, PolicyError> {
    match key {
        Yaml::Str(s) => Ok(s.clone()),
        Yaml::Int(n) => Ok(n.to_string()),
        Yaml::Uint(n) => Ok(n.to_string()),
        other => Err(invalid(
            path,
            format!("environment names must be strings, got {}", kind(other)),
        )),
    }
}

fn uint(value: &Yaml, path: &str) -> Result<u32, PolicyError> {
    match value {
        Yaml::Int(n) => u32::try_from(*n).ok().filter(|n| *n <= 100).ok_or_else(|| {
            invalid(
                path,
                format!("expected a whole number from 0 to 100, got {n}"),
            )
        }),
        other => Err(invalid(
            path,
            format!("expected a whole number, got {}", kind(other)),
        )),
    }
}

fn boolean(value: &Yaml, path: &str) -> Result<bool, PolicyError> {
    match value {
        Yaml::Bool(b) => Ok(*b),
        other => Err(invalid(
            path,
            format!("expected true or false, got {}", kind(other)),
        )),
    }
}

fn string(value: &Yaml, path: &str) -> Result<String, PolicyError> {
    match value {
        Yaml::Str(s) => Ok(s.clone()),
        other => Err(invalid(
            path,
            format!("expected a string, got {}", kind(other)),
        )),
    }
}

/// A list of strings; a single string is a list of one.
fn strings(value: &Yaml, path: &str) -> Result<Vec<String>, PolicyError> {
    let items: Vec<&Yaml> = match value {
        Yaml::Str(_) => vec![value],
        Yaml::Seq(items) => items.iter().collect(),
        other => {
            return Err(invalid(
                path,
                format!("expected a list of strings, got {}", kind(other)),
            ))
        }
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| match item {
            Yaml::Str(s) if s.chars().count() <= MAX_TEXT => Ok(s.clone()),
            Yaml::Str(_) => Err(invalid(&format!("{path}[{i}]"), "at most 256 characters")),
            other => Err(invalid(
                &format!("{path}[{i}]"),
                format!("expected a string, got {}", kind(other)),
            )),
        })
        .collect()
}

fn kind(value: &Yaml) -> String {
    match value {
        Yaml::Null => "nothing (null)".to_string(),
        Yaml::Bool(b) => format!("the boolean {b}"),
        Yaml::Int(n) => format!("the number {n}"),
        Yaml::Uint(n) => format!("the number {n}"),
        Yaml::Float(f) => format!("the number {f}"),
        Yaml::Str(s) => format!("the string {s:?}"),
        Yaml::Seq(_) => "a list".to_string(),
        Yaml::Map(_) | Yaml::Struct(_) => "a mapping".to_string(),
        Yaml::Time(t) => format!("the time {t}"),
    }
}

#[cfg(test)]
mod tests;
