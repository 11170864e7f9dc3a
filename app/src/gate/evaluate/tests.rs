use std::collections::HashMap;

use helmpilot_github::RepoName;

use super::*;
use crate::gate::{DeploymentRecord, PullRequest, Review};

const SHA: &str = "1111111111111111111111111111111111111111";
const OLD: &str = "0000000000000000000000000000000000000000";
/// 2024-05-08 (a Wednesday) 12:00:00 UTC.
const T0: i64 = 1_715_169_600;

/// GitHub's data for one case; `fail` makes every call but the policy's fail.
#[derive(Default, Clone)]
struct Data {
    policy: Option<String>,
    policy_error: bool,
    prs: Vec<PullRequest>,
    reviews: HashMap<u64, Vec<Review>>,
    members: Vec<(&'static str, &'static str, &'static str)>,
    deployments: Vec<DeploymentRecord>,
    fail: bool,
}

impl GitHubData for Data {
    async fn policy_file(&self, _: &RepoName, _: &str) -> Result<Option<String>, String> {
        if self.policy_error {
            return Err("GitHub answered 502".into());
        }
        Ok(self.policy.clone())
    }
    async fn pull_requests_for_commit(
        &self,
        _: &RepoName,
        sha: &str,
    ) -> Result<Vec<PullRequest>, String> {
        assert_eq!(sha, SHA);
        if self.fail {
            return Err("GitHub answered 502".into());
        }
        Ok(self.prs.clone())
    }
    async fn reviews(&self, _: &RepoName, number: u64) -> Result<Vec<Review>, String> {
        Ok(self.reviews.get(&number).cloned().unwrap_or_default())
    }
    async fn is_team_member(&self, org: &str, slug: &str, login: &str) -> Result<bool, String> {
        Ok(self
            .members
            .iter()
            .any(|(o, s, l)| *o == org && *s == slug && *l == login))
    }
    async fn deployments(
        &self,
        _: &RepoName,
        sha: &str,
        env: &str,
    ) -> Result<Vec<DeploymentRecord>, String> {
        if self.fail {
            return Err("GitHub answered 502".into());
        }
        Ok(self
            .deployments
            .iter()
            .filter(|d| d.sha == sha && d.environment == env)
            .cloned()
            .collect())
    }
}

fn data(policy: &str) -> Data {
    Data {
        policy: Some(policy.to_string()),
        prs: vec![PullRequest {
            number: 12,
            author: "paula".into(),
            head_sha: SHA.into(),
            merged: false,
        }],
        ..Data::default()
    }
}

fn review(author: &str, state: &str, commit: &str, at: i64) -> Review {
    Review {
        author: author.into(),
        state: state.into(),
        commit_id: commit.into(),
        submitted_at: at,
        author_association: "MEMBER".into(),
    }
}

fn with_reviews(mut d: Data, reviews: Vec<Review>) -> Data {
    d.reviews.insert(12, reviews);
    d
}

fn deployed(env: &str, state: Option<&str>) -> DeploymentRecord {
    DeploymentRecord {
        id: 99,
        environment: env.into(),
        sha: SHA.into(),
        latest_state: state.map(str::to_string),
    }
}

fn request(env: &str, git_ref: &str) -> GateRequest {
    GateRequest {
        installation_id: 1,
        repository: RepoName::parse("acme/app").unwrap(),
        environment: env.into(),
        sha: SHA.into(),
        git_ref: git_ref.into(),
        deployment_id: 7,
        deployment_callback_url:
            "https://api.github.com/repos/acme/app/actions/runs/1/deployment_protection_rule".into(),
        requested_by: "dora".into(),
        requested_at: T0,
    }
}

fn approve(author: &str, env: &str, at: i64) -> ManualCommand {
    ManualCommand {
        author: author.into(),
        environment: env.into(),
        approve: true,
        reason: String::new(),
        at,
    }
}

fn reject(author: &str, env: &str, reason: &str, at: i64) -> ManualCommand {
    ManualCommand {
        approve: false,
        reason: reason.into(),
        ..approve(author, env, at)
    }
}

#[derive(Debug, PartialEq)]
enum Want {
    Approve,
    Reject,
    Wait(Option<i64>),
}

struct Case {
    name: &'static str,
    data: Data,
    env: &'static str,
    git_ref: &'static str,
    commands: Vec<ManualCommand>,
    now: i64,
    want: Want,
    /// Texts the comment or reason must contain.
    says: &'static [&'static str],
}

fn case(name: &'static str, data: Data, want: Want, says: &'static [&'static str]) -> Case {
    Case {
        name,
        data,
        env: "production",
        git_ref: "main",
        commands: Vec::new(),
        now: T0 + 60,
        want,
        says,
    }
}

fn run(c: Case) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let decision = rt.block_on(evaluate(
        &request(c.env, c.git_ref),
        &c.data,
        &c.commands,
        c.now,
    ));
    let (got, text) = match &decision {
        Decision::Approve { comment } => (Want::Approve, comment),
        Decision::Reject { comment } => (Want::Reject, comment),
        Decision::Wait { reason, recheck_at } => (Want::Wait(*recheck_at), reason),
    };
    assert_eq!(got, c.want, "{}: {text}", c.name);
    for s in c.says {
        assert!(
            text.contains(s),
            "{}: {text:?} does not contain {s:?}",
            c.name
        );
    }
}

const TWO: &str = "environments:\n  production:\n    required_approvals: 2\n";

#[test]
fn no_policy_unlisted_and_invalid() {
    let cases = vec![
        case(
            "no policy file",
            Data::default(),
            Want::Approve,
            &["there is no .github/helmpilot.yml at `main`"],
        ),
        case(
            "environment not listed",
            data("environments:\n  staging:\n    required_approvals: 3\n"),
            Want::Approve,
            &[
                "environment `production` is not listed",
                "Policy: .github/helmpilot.yml sha256:",
            ],
        ),
        case(
            "invalid policy",
            data("environments:\n  production:\n    required_approvals: lots\n"),
            Want::Reject,
            &[
                "invalid",
                "environments.production.required_approvals: expected a whole number",
            ],
        ),
        case(
            "policy unreadable",
            Data {
                policy_error: true,
                ..Data::default()
            },
            Want::Wait(Some(T0 + 120)),
            &["Cannot read .github/helmpilot.yml", "502"],
        ),
        case(
            "listed without rules",
            data("environments:\n  production:\n"),
            Want::Approve,
            &["Approved for `production`", "rule `production`"],
        ),
    ];
    cases.into_iter().for_each(run);
}

#[test]
fn allowed_refs() {
    let policy = "environments:\n  production:\n    allowed_refs: [main, \"refs/tags/v*\"]\n";
    let mut cases = vec![
        case("main", data(policy), Want::Approve, &[]),
        case(
            "feature branch",
            data(policy),
            Want::Reject,
            &["ref `feature/x` is not allowed (allowed_refs: `main`, `refs/tags/v*`)"],
        ),
        case("tag", data(policy), Want::Approve, &[]),
    ];
    cases[1].git_ref = "feature/x";
    cases[2].git_ref = "refs/tags/v1.0.0";
    cases.into_iter().for_each(run);
}

#[test]
fn approvals_latest_stale_dismissed_and_self() {
    let cases = vec![
        case(
            "two current approvals",
            with_reviews(
                data(TWO),
                vec![review("alice", "APPROVED", SHA, T0), review("bob", "APPROVED", SHA, T0)],
            ),
            Want::Approve,
            &["Approvals: 2 of 2: @alice (approved #12 at 1111111), @bob (approved #12 at 1111111)"],
        ),
        case(
            "one approval missing, no recheck time",
            with_reviews(data(TWO), vec![review("alice", "APPROVED", SHA, T0)]),
            Want::Wait(None),
            &["Missing: 1 more approval (have 1 of 2: @alice (approved #12 at 1111111))"],
        ),
        case(
            "stale approval on an older head",
            with_reviews(
                data(TWO),
                vec![review("alice", "APPROVED", SHA, T0), review("bob", "APPROVED", OLD, T0)],
            ),
            Want::Wait(None),
            &["@bob (stale: approved 0000000 but the head of #12 is now 1111111)"],
        ),
        case(
            "dismissed approval",
            with_reviews(
                data(TWO),
                vec![review("alice", "APPROVED", SHA, T0), review("bob", "DISMISSED", SHA, T0)],
            ),
            Want::Wait(None),
            &["@bob (review dismissed on #12)"],
        ),
        case(
            "latest review per reviewer: changes requested after approval",
            with_reviews(
                data(TWO),
                vec![
                    review("alice", "APPROVED", SHA, T0),
                    review("bob", "APPROVED", SHA, T0),
                    review("bob", "CHANGES_REQUESTED", SHA, T0 + 5),
                ],
            ),
            Want::Wait(None),
            &["have 1 of 2", "@bob requested changes on #12."],
        ),
        case(
            "latest review per reviewer: a comment does not undo an approval",
            with_reviews(
                data(TWO),
                vec![
                    review("alice", "APPROVED", SHA, T0),
                    review("bob", "CHANGES_REQUESTED", SHA, T0),
                    review("bob", "APPROVED", SHA, T0 + 5),
                    review("bob", "COMMENTED", SHA, T0 + 9),
                ],
            ),
            Want::Approve,
            &["Approvals: 2 of 2"],
        ),
        case(
            "the same person twice counts once",
            with_reviews(
                data(TWO),
                vec![review("alice", "APPROVED", SHA, T0), review("Alice", "APPROVED", SHA, T0 + 1)],
            ),
            Want::Wait(None),
            &["have 1 of 2"],
        ),
        case(
            "self-approval by the requester and the PR author are excluded",
            with_reviews(
                data(TWO),
                vec![
                    review("alice", "APPROVED", SHA, T0),
                    review("dora", "APPROVED", SHA, T0),
                    review("paula", "APPROVED", SHA, T0),
                ],
            ),
            Want::Wait(None),
            &[
                "@dora (self-approval: requested the deployment)",
                "@paula (self-approval: author of #12)",
            ],
        ),
        case(
            "self-approval allowed",
            with_reviews(
                data("environments:\n  production:\n    required_approvals: 2\n    allow_self_approval: true\n"),
                vec![review("alice", "APPROVED", SHA, T0), review("dora", "APPROVED", SHA, T0)],
            ),
            Want::Approve,
            &["@dora (approved #12"],
        ),
        case(
            "no write access without named reviewers",
            with_reviews(
                data("environments:\n  production:\n    required_approvals: 1\n"),
                vec![Review {
                    author_association: "CONTRIBUTOR".into(),
                    ..review("passer", "APPROVED", SHA, T0)
                }],
            ),
            Want::Wait(None),
            &["@passer (no write access: author association CONTRIBUTOR)"],
        ),
        case(
            "open pull requests that only contain the commit do not count",
            Data {
                prs: vec![PullRequest {
                    number: 12,
                    author: "paula".into(),
                    head_sha: OLD.into(),
                    merged: false,
                }],
                ..with_reviews(
                    data("environments:\n  production:\n    required_approvals: 1\n"),
                    vec![review("alice", "APPROVED", OLD, T0)],
                )
            },
            Want::Wait(None),
            &["No pull request is associated with 1111111"],
        ),
        case(
            "a merged pull request counts, approvals on its last head",
            Data {
                prs: vec![PullRequest {
                    number: 12,
                    author: "paula".into(),
                    head_sha: OLD.into(),
                    merged: true,
                }],
                ..with_reviews(
                    data("environments:\n  production:\n    required_approvals: 1\n"),
                    vec![review("alice", "APPROVED", OLD, T0)],
                )
            },
            Want::Approve,
            &["@alice (approved #12 at 0000000)"],
        ),
    ];
    cases.into_iter().for_each(run);
}

#[test]
fn required_reviewers_and_teams() {
    let policy = "environments:\n  production:\n    required_reviewers: [alice, \"@acme/sre\"]\n";
    let team = |mut d: Data| {
        d.members.push(("acme", "sre", "sam"));
        d
    };
    let cases = vec![
        case(
            "a listed user",
            with_reviews(data(policy), vec![review("alice", "APPROVED", SHA, T0)]),
            Want::Approve,
            &["Approvals: 1 of 1: @alice"],
        ),
        case(
            "a team member",
            team(with_reviews(
                data(policy),
                vec![review("sam", "APPROVED", SHA, T0)],
            )),
            Want::Approve,
            &["Approvals: 1 of 1: @sam"],
        ),
        case(
            "someone else",
            team(with_reviews(
                data(policy),
                vec![review("bob", "APPROVED", SHA, T0)],
            )),
            Want::Wait(None),
            &[
                "@bob (not a required reviewer)",
                "1 more approval from @alice or a member of @acme/sre (have 0 of 1: none)",
            ],
        ),
    ];
    cases.into_iter().for_each(run);
}

#[test]
fn prior_success_staging_before_production() {
    let policy = "environments:\n  production:\n    require_prior_success: [staging]\n";
    let with = |records: Vec<DeploymentRecord>| Data {
        deployments: records,
        ..data(policy)
    };
    let cases = vec![
        case(
            "staging succeeded",
            with(vec![deployed("staging", Some("success"))]),
            Want::Approve,
            &["`staging` has a successful deployment of 1111111 (deployment 99)"],
        ),
        case(
            "staging failed",
            with(vec![deployed("staging", Some("failure"))]),
            Want::Wait(None),
            &["Missing: a successful deployment of 1111111 to `staging` (deployment 99: failure)"],
        ),
        case(
            "never deployed",
            with(vec![deployed("qa", Some("success"))]),
            Want::Wait(None),
            &["to `staging` (none yet)"],
        ),
        case(
            "API failure waits a minute",
            Data {
                fail: true,
                ..with(vec![])
            },
            Want::Wait(Some(T0 + 120)),
            &[
                "could not check the policy against GitHub",
                "deployments to staging: GitHub answered 502",
            ],
        ),
    ];
    cases.into_iter().for_each(run);
}

#[test]
fn freeze_windows() {
    // T0 is Wednesday 12:00 UTC, 14:00 in Berlin.
    let policy = |action: &str| {
        format!(
            "environments:\n  production:\n    freeze:\n    - weekly: Wed 13:00 - Wed 15:30 Europe/Berlin\n      action: {action}\n      reason: release train\n"
        )
    };
    let end = T0 + 5400; // 15:30 Berlin (CEST) is 13:30 UTC.
    let mut cases = vec![
        case(
            "reject window",
            data(&policy("reject")),
            Want::Reject,
            &["deployments are frozen (every Wed 13:00 to Wed 15:30 (Europe/Berlin): release train) until 2024-05-08 15:30 CEST."],
        ),
        case(
            "wait window waits until its end",
            data(&policy("wait")),
            Want::Wait(Some(end)),
            &["Missing: the freeze every Wed 13:00 to Wed 15:30 (Europe/Berlin): release train to end at 2024-05-08 15:30 CEST."],
        ),
        case("after the window", data(&policy("reject")), Want::Approve, &[]),
        case(
            "date range",
            data("environments:\n  production:\n    freeze:\n    - from: 2024-05-01\n      to: 2024-05-10\n      timezone: America/New_York\n"),
            Want::Reject,
            &["until 2024-05-11 00:00 EDT"],
        ),
        case(
            "a timeout before the window's end is the recheck time",
            data(&(policy("wait") + "    timeout: 30m\n")),
            Want::Wait(Some(T0 + 1800)),
            &["Times out at 2024-05-08 12:30:00 UTC."],
        ),
    ];
    cases[2].now = end;
    cases[3].now = T0 + 60;
    cases.into_iter().for_each(run);
}

#[test]
fn timeout_rejects_and_says_what_was_missing() {
    let policy = "environments:\n  production:\n    required_approvals: 1\n    timeout: 2h\n";
    let mut cases = vec![
        case(
            "before the deadline: wait until it",
            data(policy),
            Want::Wait(Some(T0 + 7200)),
            &["Times out at 2024-05-08 14:00:00 UTC."],
        ),
        case(
            "at the deadline",
            data(policy),
            Want::Reject,
            &[
                "still waiting when the 2h timeout ran out (at 2024-05-08 14:00:00 UTC)",
                "Missing: 1 more approval",
            ],
        ),
        case(
            "after the deadline, even with an API failure",
            Data {
                fail: true,
                ..data(policy)
            },
            Want::Reject,
            &["timeout ran out", "Could not check the rest"],
        ),
    ];
    cases[1].now = T0 + 7200;
    cases[2].now = T0 + 9000;
    cases.into_iter().for_each(run);
}

#[test]
fn manual_commands() {
    let policy = "environments:\n  production:\n    required_approvals: 2\n    required_reviewers: [alice, \"@acme/sre\"]\n    manual_approvers: [bob, \"@acme/oncall\"]\n";
    let oncall = |mut d: Data| {
        d.members.push(("acme", "oncall", "olga"));
        d.members.push(("acme", "sre", "bob"));
        d
    };
    let base = || {
        oncall(with_reviews(
            data(policy),
            vec![review("alice", "APPROVED", SHA, T0)],
        ))
    };
    let mut cases = vec![
        case(
            "approve command by a manual approver counts",
            base(),
            Want::Approve,
            &["Approvals: 2 of 2: @alice (approved #12 at 1111111), @bob (/helmpilot approve)"],
        ),
        case(
            "approve command by someone else does not",
            base(),
            Want::Wait(None),
            &["@mallory (/helmpilot approve from someone not among the manual approvers)"],
        ),
        case(
            "reject command by a team member of the manual approvers",
            base(),
            Want::Reject,
            &["rejected by @olga with /helmpilot reject: the migration is not reviewed."],
        ),
        case(
            "reject command by someone else is ignored",
            base(),
            Want::Wait(None),
            &["have 1 of 2"],
        ),
        case(
            "commands for another environment or from before the request are ignored",
            base(),
            Want::Wait(None),
            &["have 1 of 2"],
        ),
        case(
            "environment names in commands are case-insensitive",
            base(),
            Want::Approve,
            &["@bob (/helmpilot approve)"],
        ),
        case(
            "the requester cannot approve their own deployment by command",
            base(),
            Want::Wait(None),
            &["@dora (self-approval: requested the deployment)"],
        ),
    ];
    cases[0].commands = vec![approve("bob", "production", T0 + 10)];
    cases[1].commands = vec![approve("mallory", "production", T0 + 10)];
    cases[2].commands = vec![
        approve("bob", "production", T0 + 10),
        reject(
            "olga",
            "production",
            "the migration is not reviewed",
            T0 + 20,
        ),
    ];
    cases[3].commands = vec![reject("mallory", "production", "no", T0 + 10)];
    cases[4].commands = vec![
        approve("bob", "staging", T0 + 10),
        approve("bob", "production", T0 - 10),
        reject("olga", "production", "old", T0 - 5),
    ];
    cases[5].commands = vec![approve("bob", "PRODUCTION", T0 + 10)];
    let mut d = base();
    d.policy = Some(policy.replace("[bob, ", "[bob, dora, "));
    cases[6].data = d;
    cases[6].commands = vec![approve("dora", "production", T0 + 10)];
    cases.into_iter().for_each(run);
}

#[test]
fn everything_together() {
    let policy = "environments:\n  production:\n    required_approvals: 2\n    required_reviewers: [\"@acme/sre\"]\n    require_prior_success: [staging]\n    allowed_refs: [main]\n    freeze:\n    - weekly: Sat 00:00 - Mon 00:00\n    timeout: 1d\n";
    let full = || {
        let mut d = with_reviews(
            data(policy),
            vec![
                review("sam", "APPROVED", SHA, T0),
                review("sue", "APPROVED", SHA, T0),
                review("dora", "APPROVED", SHA, T0),
            ],
        );
        d.members = vec![
            ("acme", "sre", "sam"),
            ("acme", "sre", "sue"),
            ("acme", "sre", "dora"),
        ];
        d.deployments = vec![deployed("staging", Some("success"))];
        d
    };
    let mut cases = vec![
        case(
            "all met",
            full(),
            Want::Approve,
            &[
                "`staging` has a successful deployment",
                "Approvals: 2 of 2: @sam (approved #12 at 1111111), @sue (approved #12 at 1111111)",
                "Not counted: @dora (self-approval: requested the deployment).",
            ],
        ),
        case(
            "all met but on Saturday",
            full(),
            Want::Reject,
            &["deployments are frozen (every Sat 00:00 to Mon 00:00 (UTC))"],
        ),
        case(
            "ref checked first",
            full(),
            Want::Reject,
            &["ref `dev` is not allowed"],
        ),
        case(
            "two things missing at once",
            Data {
                deployments: vec![],
                ..with_reviews(full(), vec![review("sam", "APPROVED", SHA, T0)])
            },
            Want::Wait(Some(T0 + 86_400)),
            &[
                "Missing: a successful deployment of 1111111 to `staging`",
                "Missing: 1 more approval",
            ],
        ),
    ];
    cases[1].now = T0 + 3 * 86_400;
    cases[2].git_ref = "dev";
    cases.into_iter().for_each(run);
}
