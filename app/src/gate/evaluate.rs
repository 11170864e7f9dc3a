//! The decision for one deployment protection request; the rules and their order are
//! documented in `app/POLICY.md` ("How a decision is made").

use std::collections::HashMap;

use crate::policy::{EnvironmentRule, FreezeAction, Policy, Reviewer, POLICY_PATH};

use super::{Decision, GateRequest, GitHubData, ManualCommand};

/// How soon to look again after GitHub's API failed (the server also retries with
/// backoff; this bounds how long a gate sits on a transient error).
const RETRY_AFTER_ERROR: i64 = 60;

/// Review authors' associations that mean write access, when no reviewers are named.
const WRITE_ASSOCIATIONS: [&str; 3] = ["OWNER", "MEMBER", "COLLABORATOR"];

/// Decides `request` from the policy at its ref, GitHub's data, the `/helmpilot`
/// commands seen so far (any environment; those for others are skipped) and the time
/// `now` (Unix seconds).
///
/// Never fails: when GitHub's API does, the answer is [`Decision::Wait`] with a
/// `recheck_at` a minute later (or a rejection, once the timeout has passed). The
/// comment or reason says which rule decided, who approved, what was ignored and why,
/// and what is missing, and ends with the policy's digest.
///
/// ```
/// use helmpilot_app::gate::{evaluate, Decision, DeploymentRecord, GateRequest, GitHubData,
///     PullRequest, Review};
/// use helmpilot_github::RepoName;
///
/// struct OnlyPolicy(&'static str);
/// impl GitHubData for OnlyPolicy {
///     async fn policy_file(&self, _: &RepoName, _: &str) -> Result<Option<String>, String> {
///         Ok(Some(self.0.to_string()))
///     }
///     async fn pull_requests_for_commit(&self, _: &RepoName, _: &str)
///         -> Result<Vec<PullRequest>, String> { Ok(vec![]) }
///     async fn reviews(&self, _: &RepoName, _: u64) -> Result<Vec<Review>, String> {
///         Ok(vec![])
///     }
///     async fn is_team_member(&self, _: &str, _: &str, _: &str) -> Result<bool, String> {
///         Ok(false)
///     }
///     async fn deployments(&self, _: &RepoName, _: &str, _: &str)
///         -> Result<Vec<DeploymentRecord>, String> { Ok(vec![]) }
/// }
///
/// let request = GateRequest {
///     installation_id: 1,
///     repository: RepoName::parse("acme/app").unwrap(),
///     environment: "production".into(),
///     sha: "0123456789abcdef0123456789abcdef01234567".into(),
///     git_ref: "feature/x".into(),
///     deployment_id: 7,
///     deployment_callback_url: "https://api.github.com/repos/acme/app/actions/runs/1/deployment_protection_rule".into(),
///     requested_by: "dora".into(),
///     requested_at: 1_700_000_000,
/// };
/// let data = OnlyPolicy("environments:\n  production:\n    allowed_refs: [main]\n");
/// let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// match rt.block_on(evaluate(&request, &data, &[], 1_700_000_060)) {
///     Decision::Reject { comment } => assert!(comment.contains("ref `feature/x` is not allowed")),
///     other => panic!("{other:?}"),
/// }
/// ```
pub async fn evaluate<D: GitHubData>(
    request: &GateRequest,
    data: &D,
    commands: &[ManualCommand],
    now: i64,
) -> Decision {
    let text = match data
        .policy_file(&request.repository, &request.git_ref)
        .await
    {
        Ok(Some(text)) => text,
        Ok(None) => {
            return Decision::Approve {
                comment: format!(
                "Approved: there is no {POLICY_PATH} at `{}`, so helmpilot governs no environment.",
                request.git_ref
            ),
            }
        }
        Err(e) => {
            return Decision::Wait {
                reason: format!(
                    "Cannot read {POLICY_PATH} at `{}` ({e}); trying again.",
                    request.git_ref
                ),
                recheck_at: Some(now + RETRY_AFTER_ERROR),
            }
        }
    };
    let policy = match Policy::parse(&text) {
        Ok(p) => p,
        Err(e) => {
            return Decision::Reject {
                comment: format!(
                    "Rejected: the policy at `{}` is invalid, and an invalid policy approves nothing. {e}",
                    request.git_ref
                ),
            }
        }
    };
    let Some(rule) = policy.environment(&request.environment) else {
        return Decision::Approve {
            comment: format!(
                "Approved: environment `{}` is not listed in {POLICY_PATH}.\n{}",
                request.environment,
                footer(&policy, None)
            ),
        };
    };
    let mut gate = Gate {
        request,
        data,
        rule,
        commands,
        now,
        teams: HashMap::new(),
    };
    gate.decide(&policy).await
}

struct Gate<'a, D> {
    request: &'a GateRequest,
    data: &'a D,
    rule: &'a EnvironmentRule,
    commands: &'a [ManualCommand],
    now: i64,
    /// (org, slug, login lower-cased) -> member, so a login is looked up once per team.
    teams: HashMap<(String, String, String), bool>,
}

/// What the checks found that can wait or be approved.
#[derive(Default)]
struct Findings {
    met: Vec<String>,
    missing: Vec<String>,
    ignored: Vec<String>,
    notes: Vec<String>,
    /// When something will have changed without an event (a freeze ending).
    recheck_at: Option<i64>,
}

impl<D: GitHubData> Gate<'_, D> {
    async fn decide(&mut self, policy: &Policy) -> Decision {
        let env = &self.request.environment;
        let footer = footer(policy, Some(self.rule));
        let reject = |why: String| Decision::Reject {
            comment: format!("Rejected for `{env}`: {why}\n{footer}"),
        };

        if !self.rule.ref_allowed(&self.request.git_ref) {
            let allowed = self.rule.allowed_refs.as_deref().unwrap_or_default();
            return reject(format!(
                "ref `{}` is not allowed (allowed_refs: {}).",
                self.request.git_ref,
                if allowed.is_empty() {
                    "none".to_string()
                } else {
                    allowed
                        .iter()
                        .map(|r| format!("`{r}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ));
        }

        let mut error = None;
        match self.manual_rejection().await {
            Ok(Some(c)) => {
                let reason = if c.reason.is_empty() {
                    "no reason given".to_string()
                } else {
                    c.reason.clone()
                };
                return reject(format!(
                    "rejected by @{} with /helmpilot reject: {reason}.",
                    c.author
                ));
            }
            Ok(None) => {}
            Err(e) => error = Some(e),
        }

        for w in &self.rule.freeze {
            if w.action == FreezeAction::Reject {
                if let Some(end) = w.active_until(self.now) {
                    return reject(format!(
                        "deployments are frozen ({w}) until {}.",
                        w.local_time(end)
                    ));
                }
            }
        }

        let findings = match error {
            Some(e) => Err(e),
            None => self.check().await,
        };

        let deadline = self
            .rule
            .timeout
            .map(|t| self.request.requested_at.saturating_add(t));
        if let (Some(deadline), Some(timeout)) = (deadline, self.rule.timeout) {
            if self.now >= deadline {
                let detail = match &findings {
                    Ok(f) => lines(f),
                    Err(e) => format!("\n- Could not check the rest: {e}"),
                };
                return reject(format!(
                    "still waiting when the {} timeout ran out (at {}).{detail}",
                    human_duration(timeout),
                    utc(deadline)
                ));
            }
        }
        let until_deadline = |at: Option<i64>| match (at, deadline) {
            (Some(a), Some(d)) => Some(a.min(d)),
            (a, d) => a.or(d),
        };
        let timeout_line = match deadline {
            Some(d) => format!("\n- Times out at {}.", utc(d)),
            None => String::new(),
        };
        match findings {
            Err(e) => Decision::Wait {
                reason: format!(
                    "Waiting for `{env}`: could not check the policy against GitHub ({e}); trying again.{timeout_line}\n{footer}"
                ),
                recheck_at: until_deadline(Some(self.now + RETRY_AFTER_ERROR)),
            },
            Ok(f) if f.missing.is_empty() => Decision::Approve {
                comment: format!("Approved for `{env}`.{}\n{footer}", lines(&f)),
            },
            Ok(f) => Decision::Wait {
                reason: format!("Waiting for `{env}`.{}{timeout_line}\n{footer}", lines(&f)),
                recheck_at: until_deadline(f.recheck_at),
            },
        }
    }

    /// The commands for this environment written since GitHub asked, oldest first.
    fn commands(&self, approve: bool) -> Vec<&ManualCommand> {
        let mut out: Vec<&ManualCommand> = self
            .commands
            .iter()
            .filter(|c| {
                c.approve == approve
                    && c.at >= self.request.requested_at
                    && c.environment.to_lowercase() == self.request.environment.to_lowercase()
            })
            .collect();
        out.sort_by_key(|c| c.at);
        out
    }

    async fn manual_rejection(&mut self) -> Result<Option<ManualCommand>, String> {
        let rejections: Vec<ManualCommand> = self.commands(false).into_iter().cloned().collect();
        for c in rejections {
            if self.may_command(&c.author).await? {
                return Ok(Some(c));
            }
        }
        Ok(None)
    }

    async fn may_command(&mut self, login: &str) -> Result<bool, String> {
        let users = self.rule.command_users();
        self.listed(login, users).await
    }

    /// Whether `login` is one of `reviewers`, directly or through a team.
    async fn listed(&mut self, login: &str, reviewers: &[Reviewer]) -> Result<bool, String> {
        for r in reviewers {
            if let Reviewer::User(user) = r {
                if user.eq_ignore_ascii_case(login) {
                    return Ok(true);
                }
            }
        }
        for r in reviewers {
            if let Reviewer::Team { org, slug } = r {
                let key = (org.clone(), slug.clone(), login.to_lowercase());
                let member = match self.teams.get(&key) {
                    Some(m) => *m,
                    None => {
                        let m = self
                            .data
                            .is_team_member(org, slug, login)
                            .await
                            .map_err(|e| format!("team @{org}/{slug}: {e}"))?;
                        self.teams.insert(key, m);
                        m
                    }
                };
                if member {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    async fn check(&mut self) -> Result<Findings, String> {
        let mut f = Findings::default();
        let sha7 = short_sha(&self.request.sha);

        for w in &self.rule.freeze {
            if w.action == FreezeAction::Wait {
                if let Some(end) = w.active_until(self.now) {
                    f.missing
                        .push(format!("the freeze {w} to end at {}", w.local_time(end)));
                    f.recheck_at = Some(f.recheck_at.map_or(end, |r: i64| r.max(end)));
                }
            }
        }

        for prior in &self.rule.require_prior_success {
            let records = self
                .data
                .deployments(&self.request.repository, &self.request.sha, prior)
                .await
                .map_err(|e| format!("deployments to {prior}: {e}"))?;
            match records
                .iter()
                .find(|d| d.latest_state.as_deref() == Some("success"))
            {
                Some(d) => f.met.push(format!(
                    "`{prior}` has a successful deployment of {sha7} (deployment {}).",
                    d.id
                )),
                None => {
                    let seen: Vec<String> = records
                        .iter()
                        .map(|d| {
                            format!(
                                "deployment {}: {}",
                                d.id,
                                d.latest_state.as_deref().unwrap_or("no status")
                            )
                        })
                        .collect();
                    f.missing.push(format!(
                        "a successful deployment of {sha7} to `{prior}` ({})",
                        if seen.is_empty() {
                            "none yet".to_string()
                        } else {
                            seen.join(", ")
                        }
                    ));
                }
            }
        }

        let needed = self.rule.required_approvals();
        if needed > 0 {
            self.approvals(needed, &mut f).await?;
        }
        Ok(f)
    }

    async fn approvals(&mut self, needed: u32, f: &mut Findings) -> Result<(), String> {
        let repo = &self.request.repository;
        let sha = &self.request.sha;
        let prs: Vec<_> = self
            .data
            .pull_requests_for_commit(repo, sha)
            .await
            .map_err(|e| format!("pull requests of {}: {e}", short_sha(sha)))?
            .into_iter()
            .filter(|pr| pr.head_sha == *sha || pr.merged)
            .collect();

        // Who may not approve, and why (lower-cased login -> reason).
        let mut selves: HashMap<String, String> = HashMap::new();
        if !self.rule.allow_self_approval {
            selves.insert(
                self.request.requested_by.to_lowercase(),
                "self-approval: requested the deployment".to_string(),
            );
            for pr in &prs {
                selves
                    .entry(pr.author.to_lowercase())
                    .or_insert_with(|| format!("self-approval: author of #{}", pr.number));
            }
        }

        // Candidates in a stable order: reviews (by pull request), then commands.
        struct Candidate {
            login: String,
            via: String,
            association: Option<String>,
        }
        let mut candidates: Vec<Candidate> = Vec::new();
        for pr in &prs {
            let mut reviews = self
                .data
                .reviews(repo, pr.number)
                .await
                .map_err(|e| format!("reviews of #{}: {e}", pr.number))?;
            // GitHub lists reviews oldest first; a stable sort keeps that order for equal
            // times, so the later of two same-second reviews wins.
            reviews.sort_by_key(|r| r.submitted_at);
            let mut latest: Vec<&super::Review> = Vec::new();
            for r in reviews.iter().filter(|r| {
                matches!(
                    r.state.as_str(),
                    "APPROVED" | "CHANGES_REQUESTED" | "DISMISSED"
                )
            }) {
                match latest
                    .iter_mut()
                    .find(|l| l.author.eq_ignore_ascii_case(&r.author))
                {
                    Some(slot) => *slot = r,
                    None => latest.push(r),
                }
            }
            for r in latest {
                match r.state.as_str() {
                    "APPROVED" if r.commit_id == pr.head_sha => candidates.push(Candidate {
                        login: r.author.clone(),
                        via: format!("approved #{} at {}", pr.number, short_sha(&r.commit_id)),
                        association: Some(r.author_association.clone()),
                    }),
                    "APPROVED" => f.ignored.push(format!(
                        "@{} (stale: approved {} but the head of #{} is now {})",
                        r.author,
                        short_sha(&r.commit_id),
                        pr.number,
                        short_sha(&pr.head_sha)
                    )),
                    "DISMISSED" => f.ignored.push(format!(
                        "@{} (review dismissed on #{})",
                        r.author, pr.number
                    )),
                    _ => f.notes.push(format!(
                        "@{} requested changes on #{}.",
                        r.author, pr.number
                    )),
                }
            }
        }
        let manual: Vec<ManualCommand> = self.commands(true).into_iter().cloned().collect();
        for c in manual {
            if self.may_command(&c.author).await? {
                candidates.push(Candidate {
                    login: c.author.clone(),
                    via: "/helmpilot approve".to_string(),
                    association: None,
                });
            } else {
                f.ignored.push(format!(
                    "@{} (/helmpilot approve from someone not among the manual approvers)",
                    c.author
                ));
            }
        }

        let mut counted: Vec<String> = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        for c in candidates {
            let key = c.login.to_lowercase();
            if seen.contains(&key) {
                continue;
            }
            seen.push(key.clone());
            if let Some(why) = selves.get(&key) {
                f.ignored.push(format!("@{} ({why})", c.login));
                continue;
            }
            let reviewers = &self.rule.required_reviewers;
            let counts = if !reviewers.is_empty() {
                let ok = self.listed(&c.login, reviewers).await?;
                if !ok {
                    f.ignored
                        .push(format!("@{} (not a required reviewer)", c.login));
                }
                ok
            } else {
                match &c.association {
                    Some(a) if !WRITE_ASSOCIATIONS.contains(&a.as_str()) => {
                        f.ignored.push(format!(
                            "@{} (no write access: author association {a})",
                            c.login
                        ));
                        false
                    }
                    _ => true,
                }
            };
            if counts {
                counted.push(format!("@{} ({})", c.login, c.via));
            }
        }

        let have = counted.len();
        let list = if counted.is_empty() {
            "none".to_string()
        } else {
            counted.join(", ")
        };
        if have >= needed as usize {
            f.met
                .push(format!("Approvals: {have} of {needed}: {list}."));
        } else {
            let from = if self.rule.required_reviewers.is_empty() {
                String::new()
            } else {
                let names: Vec<String> = self
                    .rule
                    .required_reviewers
                    .iter()
                    .map(|r| match r {
                        Reviewer::User(_) => r.to_string(),
                        Reviewer::Team { .. } => format!("a member of {r}"),
                    })
                    .collect();
                format!(" from {}", names.join(" or "))
            };
            let more = needed as usize - have;
            f.missing.push(format!(
                "{more} more approval{}{from} (have {have} of {needed}: {list})",
                if more == 1 { "" } else { "s" }
            ));
            if prs.is_empty() {
                f.notes.push(format!(
                    "No pull request is associated with {}: approvals can only come from /helmpilot approve.",
                    short_sha(sha)
                ));
            }
        }
        Ok(())
    }
}

/// The findings as a bulleted list (each line starting with a newline).
fn lines(f: &Findings) -> String {
    let mut out = String::new();
    for m in &f.met {
        out.push_str(&format!("\n- {m}"));
    }
    for m in &f.missing {
        out.push_str(&format!("\n- Missing: {m}."));
    }
    if !f.ignored.is_empty() {
        out.push_str(&format!("\n- Not counted: {}.", f.ignored.join(", ")));
    }
    for n in &f.notes {
        out.push_str(&format!("\n- {n}"));
    }
    out
}

fn footer(policy: &Policy, rule: Option<&EnvironmentRule>) -> String {
    let rule = match rule {
        Some(r) => format!(", rule `{}`", r.pattern),
        None => String::new(),
    };
    format!(
        "Policy: {POLICY_PATH} sha256:{}{rule}.",
        policy.short_digest()
    )
}

fn short_sha(sha: &str) -> &str {
    &sha[..sha.len().min(7)]
}

fn utc(at: i64) -> String {
    match jiff::Timestamp::from_second(at) {
        Ok(t) => t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string(),
        Err(_) => at.to_string(),
    }
}

/// `2h`, `1h30m`, `45s`, `1d`: the policy's own notation.
fn human_duration(secs: i64) -> String {
    let mut out = String::new();
    let mut rest = secs;
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if rest >= size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    if out.is_empty() {
        out.push_str("0s");
    }
    out
}

#[cfg(test)]
mod tests;
