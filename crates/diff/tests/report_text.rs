//! The terminal report, on hand-built models.

mod report_support;

use helmpilot_diff::model::{ChangeKind, DiffReport, EnvironmentDiff};
use helmpilot_diff::report::{text, TextOptions};
use report_support::{change, key, sample};

const PLAIN: TextOptions = TextOptions { color: false };
const COLOR: TextOptions = TextOptions { color: true };

#[test]
fn sample_report_without_color() {
    let expected = "\
helmpilot diff: main -> feature

== charts/web/staging: 1 added, 3 changed, 1 removed, 3 risks
! HIGH Deployment default/web: spec.selector changed; Kubernetes rejects the update [immutable-selector]
! MEDIUM Secret default/web-secret: Secret data changed: pods need a restart to see it [secret-changed]
! HIGH PersistentVolumeClaim default/data: PersistentVolumeClaim deleted: its volume may be lost [pvc-deleted]
image web: repo:1.2 -> repo:1.3 (Deployment default/web)
+ ConfigMap default/extra (templates/extra.yaml)
  @@ -0,0 +1,4 @@
  +apiVersion: v1
  +kind: ConfigMap
  +metadata:
  +  name: extra
- PersistentVolumeClaim default/data (templates/pvc.yaml)
  @@ -1,2 +0,0 @@
  -apiVersion: v1
  -kind: PersistentVolumeClaim
~ Secret default/web-secret (templates/secret.yaml)
  secret keys: added token; changed password
  @@ -1,2 +1,3 @@
   data:
  -  password: '*** (sha256:aaaa1111)'
  +  password: '*** (sha256:bbbb2222)'
  +  token: '*** (sha256:cccc3333)'
> Service default/web-old -> default/web-new (templates/service.yaml)
~ apps/Deployment default/web (templates/deployment.yaml)
  @@ -3,2 +3,2 @@
  -  replicas: 1
  +  replicas: 2
     template:
4 unchanged, 1 ignored change

== charts/web/prod: no changes
9 unchanged, 0 ignored changes

== charts/api/staging: render error
error: template: api/templates/x.yaml:3:5: executing \"x\" at <.Values.a.b>: nil pointer
    3 | {{ .Values.a.b }}
";
    assert_eq!(text(&sample(), &PLAIN), expected);
}

#[test]
fn colors_mark_diff_lines_headers_and_risks() {
    let report = DiffReport {
        base: "a".into(),
        head: "b".into(),
        environments: vec![EnvironmentDiff {
            chart: "c".into(),
            name: "e".into(),
            changes: vec![change(
                key("", "ConfigMap", "ns", "x"),
                ChangeKind::Changed,
                "t.yaml",
                "@@ -1 +1 @@\n-a: 1\n+a: 2\n b: 3\n",
            )],
            ..Default::default()
        }],
    };
    let expected = "\
helmpilot diff: a -> b

\x1b[1m== c/e: 0 added, 1 changed, 0 removed, 0 risks\x1b[0m
\x1b[33m~ ConfigMap ns/x\x1b[0m (t.yaml)
\x1b[36m  @@ -1 +1 @@\x1b[0m
\x1b[31m  -a: 1\x1b[0m
\x1b[32m  +a: 2\x1b[0m
   b: 3
0 unchanged, 0 ignored changes
";
    assert_eq!(text(&report, &COLOR), expected);
}

#[test]
fn sample_with_color_differs_only_by_escape_sequences() {
    let colored = text(&sample(), &COLOR);
    assert!(colored.contains("\x1b[1;31m! HIGH Deployment default/web"));
    assert!(colored.contains("\x1b[33m! MEDIUM Secret default/web-secret"));
    assert!(colored.contains("\x1b[32m+ ConfigMap default/extra\x1b[0m"));
    assert!(colored.contains("\x1b[31m- PersistentVolumeClaim default/data\x1b[0m"));
    assert!(colored.contains("\x1b[35m> Service default/web-old -> default/web-new\x1b[0m"));
    assert!(colored.contains("\x1b[31merror: template:"));
    let stripped = strip_ansi(&colored);
    assert_eq!(stripped, text(&sample(), &PLAIN));
}

#[test]
fn no_escape_sequence_without_color_even_from_the_chart() {
    let mut report = sample();
    let env = &mut report.environments[0];
    env.changes[0].diff = "@@ -1 +1 @@\n-a: \x1b[31mred\n+a: \x1b]0;title\x07\rX\n".into();
    env.changes[0].key.name = "evil\x1b[2J".into();
    env.risks[0].reason = "bad\x1b[1m".into();
    env.error = Some("boom\x1b[0m".into());
    let out = text(&report, &PLAIN);
    assert!(!out.contains('\x1b'), "{out}");
    assert!(!out.contains('\x07'));
    assert!(!out.contains('\r'));
    assert!(out.contains("+ ConfigMap default/evil\\x1b[2J (templates/extra.yaml)\n"));
    assert!(out.contains("  -a: \\x1b[31mred\n  +a: \\x1b]0;title\\x07\\x0dX\n"));
    // With color on, the chart's escapes are still neutralised: every ESC is ours.
    let colored = text(&report, &COLOR);
    assert_eq!(
        strip_ansi(&colored),
        out,
        "only our own color codes may appear"
    );
}

#[test]
fn cluster_scoped_objects_and_empty_report() {
    let report = DiffReport {
        base: "v1".into(),
        head: "working tree".into(),
        environments: vec![EnvironmentDiff {
            chart: "charts/rbac".into(),
            name: "default".into(),
            changes: vec![change(
                key("rbac.authorization.k8s.io", "ClusterRole", "", "reader"),
                ChangeKind::Removed,
                "",
                "@@ -1 +0,0 @@\n-kind: ClusterRole\n",
            )],
            ignored_changes: 2,
            ..Default::default()
        }],
    };
    assert_eq!(
        text(&report, &PLAIN),
        "\
helmpilot diff: v1 -> working tree

== charts/rbac/default: 0 added, 0 changed, 1 removed, 0 risks
- rbac.authorization.k8s.io/ClusterRole reader
  @@ -1 +0,0 @@
  -kind: ClusterRole
0 unchanged, 2 ignored changes
"
    );
    let empty = DiffReport {
        base: "a".into(),
        head: "b".into(),
        environments: vec![],
    };
    assert_eq!(
        text(&empty, &PLAIN),
        "helmpilot diff: a -> b\n\nno environments\n"
    );
}

/// Removes `ESC [ ... m` sequences (the only ones the report writes).
fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
