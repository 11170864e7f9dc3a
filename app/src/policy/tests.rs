use super::*;

fn err(text: &str) -> String {
    Policy::parse(text).unwrap_err().to_string()
}

/// The first ```yaml block of app/POLICY.md: the documented example must stay valid.
fn documented_example() -> String {
    let doc = include_str!("../../POLICY.md");
    let start = doc.find("```yaml\n").expect("a yaml block") + "```yaml\n".len();
    let end = start + doc[start..].find("```").expect("closed");
    doc[start..end].to_string()
}

#[test]
fn the_documented_example_parses_to_what_it_says() {
    let policy = Policy::parse(&documented_example()).unwrap();
    assert_eq!(policy.version, 1);
    let names: Vec<&str> = policy
        .environments
        .iter()
        .map(|e| e.pattern.as_str())
        .collect();
    assert_eq!(names, ["staging", "production", "prod-*", "*"]);
    let prod = policy.environment("production").unwrap();
    assert_eq!(prod.required_approvals(), 2);
    assert_eq!(
        prod.required_reviewers,
        [
            Reviewer::User("alice".into()),
            Reviewer::Team {
                org: "acme".into(),
                slug: "sre".into()
            }
        ]
    );
    assert_eq!(
        prod.manual_approvers,
        Some(vec![Reviewer::User("bob".into())])
    );
    assert!(!prod.allow_self_approval);
    assert_eq!(prod.require_prior_success, ["staging"]);
    assert_eq!(prod.timeout, Some(2 * 3600));
    assert_eq!(prod.freeze.len(), 2);
    assert_eq!(prod.freeze[0].action, FreezeAction::Wait);
    assert_eq!(prod.freeze[1].action, FreezeAction::Reject);
    assert_eq!(
        prod.freeze[0].to_string(),
        "every Fri 16:00 to Mon 08:00 (Europe/Berlin): no deploys over the weekend"
    );
    assert!(prod.ref_allowed("main"));
    assert!(prod.ref_allowed("refs/tags/v1.4.0"));
    assert!(!prod.ref_allowed("feature/login"));
    // Patterns, first match in file order; `*` last catches the rest.
    assert_eq!(policy.environment("prod-eu").unwrap().pattern, "prod-*");
    assert_eq!(policy.environment("preview-42").unwrap().pattern, "*");
    assert_eq!(policy.digest.len(), "sha256:".len() + 64);
    assert_eq!(policy.short_digest().len(), 12);
}

#[test]
fn empty_and_minimal_files() {
    assert_eq!(Policy::parse("").unwrap().environments, []);
    assert_eq!(Policy::parse("# nothing yet\n").unwrap().environments, []);
    assert_eq!(Policy::parse("environments:\n").unwrap().environments, []);
    let p = Policy::parse("environments:\n  staging:\n").unwrap();
    let staging = p.environment("STAGING").unwrap();
    assert_eq!(staging.required_approvals(), 0);
    assert!(staging.ref_allowed("anything"));
    // Same text, same digest; one byte more, another.
    assert_eq!(
        Policy::parse("environments:\n").unwrap().digest,
        Policy::parse("environments:\n").unwrap().digest
    );
    assert_ne!(
        Policy::parse("environments:\n").unwrap().digest,
        Policy::parse("environments: \n").unwrap().digest
    );
}

#[test]
fn reviewers_alone_mean_one_of_them() {
    let p =
        Policy::parse("environments:\n  prod:\n    required_reviewers: [\"@acme/sre\"]\n").unwrap();
    let prod = p.environment("prod").unwrap();
    assert_eq!(prod.required_approvals(), 1);
    assert_eq!(prod.command_users(), prod.required_reviewers.as_slice());
}

#[test]
fn refs_short_full_and_bare() {
    let p = Policy::parse(
        "environments:\n  prod:\n    allowed_refs: [main, \"release/*\", \"refs/tags/v*\"]\n",
    )
    .unwrap();
    let prod = p.environment("prod").unwrap();
    for (r, want) in [
        ("main", true),
        ("refs/heads/main", true),
        ("refs/heads/mainline", false),
        ("release/1.2", true),
        ("refs/heads/release/1.2", true),
        ("release/1.2/fix", false),
        ("refs/tags/v1.2.0", true),
        // GitHub's short form of a tag: matched as refs/tags/<name>.
        ("v1.2.0", true),
        ("refs/heads/v1.2.0", false),
        ("refs/tags/main", true),
        ("feature/x", false),
        ("", false),
    ] {
        assert_eq!(prod.ref_allowed(r), want, "{r}");
    }
    let none = Policy::parse("environments:\n  prod:\n    allowed_refs: []\n").unwrap();
    assert!(!none.environment("prod").unwrap().ref_allowed("main"));
}

#[test]
fn errors_name_the_key() {
    let cases = [
        (
            "environments:\n  production:\n    required_aprovals: 2\n",
            ".github/helmpilot.yml: environments.production.required_aprovals: unknown key (known keys: required_approvals, required_reviewers, manual_approvers, allow_self_approval, require_prior_success, allowed_refs, freeze, timeout)",
        ),
        (
            "environment:\n  prod: {}\n",
            ".github/helmpilot.yml: environment: unknown key (known keys: version, environments)",
        ),
        (
            "version: 2\n",
            ".github/helmpilot.yml: version: unsupported version 2; this helmpilot-app reads version 1",
        ),
        (
            "environments:\n  prod:\n    required_approvals: two\n",
            ".github/helmpilot.yml: environments.prod.required_approvals: expected a whole number, got the string \"two\"",
        ),
        (
            "environments:\n  prod:\n    required_approvals: -1\n",
            ".github/helmpilot.yml: environments.prod.required_approvals: expected a whole number from 0 to 100, got -1",
        ),
        (
            "environments:\n  prod:\n    allow_self_approval: maybe\n",
            ".github/helmpilot.yml: environments.prod.allow_self_approval: expected true or false, got the string \"maybe\"",
        ),
        (
            "environments:\n  prod:\n    required_reviewers: [alice, \"@acme/\"]\n",
            ".github/helmpilot.yml: environments.prod.required_reviewers: \"@acme/\" is neither a user login (alice) nor a team (@org/team-slug)",
        ),
        (
            "environments:\n  prod:\n    timeout: 120\n",
            ".github/helmpilot.yml: environments.prod.timeout: a duration needs a unit: write e.g. \"2h\", \"90m\" or \"1d\"",
        ),
        (
            "environments:\n  prod:\n    timeout: 2 hours\n",
            ".github/helmpilot.yml: environments.prod.timeout: \"2 hours\" is not a duration; expected e.g. \"2h\", \"1h30m\", \"90m\" or \"1d\"",
        ),
        (
            "environments:\n  prod:\n    timeout: 31d\n",
            ".github/helmpilot.yml: environments.prod.timeout: at most 30d (GitHub's own limit for a waiting deployment)",
        ),
        (
            "environments:\n  prod:\n    require_prior_success: [prod]\n",
            ".github/helmpilot.yml: environments.prod.require_prior_success: an environment cannot require itself",
        ),
        (
            "environments:\n  prod:\n    freeze:\n    - weekly: Fri 16:00 - Mon 08:00\n      action: pause\n",
            ".github/helmpilot.yml: environments.prod.freeze[0].action: \"pause\" is not reject or wait",
        ),
        (
            "environments:\n  prod:\n    freeze:\n    - from: 2024-12-20\n",
            ".github/helmpilot.yml: environments.prod.freeze[0]: a window needs either `weekly` or both `from` and `to`",
        ),
        (
            "environments:\n  prod:\n    freeze:\n    - from: 2024-12-20\n      to: 2024-12-19\n",
            ".github/helmpilot.yml: environments.prod.freeze[0]: `to` must be later than `from`",
        ),
        (
            "environments:\n  prod:\n    freeze:\n    - weekly: Fri 16:00 - Mon 08:00 Europe/Berlin\n      timezone: UTC\n",
            ".github/helmpilot.yml: environments.prod.freeze[0]: the time zone is given twice (in `weekly` and in `timezone`); keep one",
        ),
        (
            "environments:\n  prod:\n    freeze:\n    - from: 2024-12-20\n      to: 2024-12-29\n      timezone: Europe/Berln\n",
            ".github/helmpilot.yml: environments.prod.freeze[0].timezone: unknown time zone \"Europe/Berln\"; use an IANA name such as Europe/Berlin or UTC",
        ),
        (
            "environments:\n  prod: {}\n  PROD: {}\n",
            ".github/helmpilot.yml: environments.PROD: listed twice (environment names are case-insensitive)",
        ),
        (
            "- prod\n",
            ".github/helmpilot.yml: (top level): expected a mapping, got a list",
        ),
        (
            "environments: [prod]\n",
            ".github/helmpilot.yml: environments: expected a mapping of environment names to rules, got a list",
        ),
        (
            "environments:\n  prod: yes\n",
            ".github/helmpilot.yml: environments.prod: expected a mapping of rules, got the boolean true",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(err(text), want, "{text}");
    }
    // Broken YAML: go-yaml's own message (helmpilot_yaml's business), after the path.
    let e = err("environments:\n  prod: {\n");
    assert!(e.starts_with(".github/helmpilot.yml: yaml: "), "{e}");
}

#[test]
fn durations() {
    for (text, secs) in [
        ("2h", 7200),
        ("90m", 5400),
        ("1h30m", 5400),
        ("1d", 86_400),
        ("45s", 45),
        ("1d2h3m4s", 93_784),
    ] {
        let p = Policy::parse(&format!("environments:\n  prod:\n    timeout: {text}\n")).unwrap();
        assert_eq!(p.environment("prod").unwrap().timeout, Some(secs), "{text}");
    }
    for bad in ["h", "2hh", "2h2h", "0s", "2x", "1.5h", "-1h"] {
        let text = format!("environments:\n  prod:\n    timeout: \"{bad}\"\n");
        assert!(Policy::parse(&text).is_err(), "{bad}");
    }
}

#[test]
fn freeze_short_form_rejects_in_its_zone() {
    let p = Policy::parse(
        "environments:\n  prod:\n    freeze:\n    - Sat 00:00 - Mon 00:00 America/New_York\n",
    )
    .unwrap();
    let w = &p.environment("prod").unwrap().freeze[0];
    assert_eq!(w.action, FreezeAction::Reject);
    assert_eq!(w.zone.iana_name(), Some("America/New_York"));
    // Saturday 2024-06-08 04:00 UTC is 00:00 EDT.
    let sat = "2024-06-08T04:00:00Z"
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_second();
    let mon = "2024-06-10T04:00:00Z"
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_second();
    assert_eq!(w.active_until(sat), Some(mon));
    assert_eq!(w.active_until(sat - 1), None);
}
