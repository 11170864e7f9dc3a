//! The pull-request comment, on hand-built models: layout, escaping and the size limit.

mod report_support;

use helmpilot_diff::model::{ChangeKind, DiffReport, Severity};
use helmpilot_diff::report::{markdown, MarkdownOptions};
use report_support::{big_env, change, diff_of, key, risk, sample};

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn with_max(max_chars: usize) -> MarkdownOptions {
    MarkdownOptions {
        max_chars,
        ..MarkdownOptions::default()
    }
}

const SAMPLE: &str = r#"### helmpilot diff

Comparing `main` → `feature`.

| Chart | Environment | Added | Changed | Removed | Risks |
| --- | --- | ---: | ---: | ---: | ---: |
| `charts/web` | `staging` | 1 | 3 | 1 | 3 |
| `charts/web` | `prod` | 0 | 0 | 0 | 0 |
| `charts/api` | `staging` **render error** | 0 | 0 | 0 | 0 |

#### Risks (3)

- **HIGH** `charts/web` · `staging` · `Deployment default/web`: spec.selector changed; Kubernetes rejects the update (`immutable-selector`)
- **HIGH** `charts/web` · `staging` · `PersistentVolumeClaim default/data`: PersistentVolumeClaim deleted: its volume may be lost (`pvc-deleted`)
- **MEDIUM** `charts/web` · `staging` · `Secret default/web-secret`: Secret data changed: pods need a restart to see it (`secret-changed`)

#### Image changes (1)

- `web` in `Deployment default/web` (`charts/web` · `staging`): `repo:1.2` → `repo:1.3`

#### `charts/web` · `staging`

<details><summary><code>+ ConfigMap default/extra</code> (templates/extra.yaml) +4 -0</summary>

```diff
@@ -0,0 +1,4 @@
+apiVersion: v1
+kind: ConfigMap
+metadata:
+  name: extra
```

</details>

<details><summary><code>- PersistentVolumeClaim default/data</code> (templates/pvc.yaml) +0 -2</summary>

```diff
@@ -1,2 +0,0 @@
-apiVersion: v1
-kind: PersistentVolumeClaim
```

</details>

<details><summary><code>~ Secret default/web-secret</code> (templates/secret.yaml) +2 -1</summary>

Secret keys: added `token`; changed `password`.

```diff
@@ -1,2 +1,3 @@
 data:
-  password: '*** (sha256:aaaa1111)'
+  password: '*** (sha256:bbbb2222)'
+  token: '*** (sha256:cccc3333)'
```

</details>

<details><summary><code>&gt; Service default/web-old -&gt; default/web-new</code> (templates/service.yaml)</summary>

Content unchanged.

</details>

<details><summary><code>~ apps/Deployment default/web</code> (templates/deployment.yaml) +1 -1</summary>

```diff
@@ -3,2 +3,2 @@
-  replicas: 1
+  replicas: 2
   template:
```

</details>

4 unchanged, 1 ignored change.

`charts/web` · `prod`: no changes (9 unchanged, 0 ignored changes).

#### `charts/api` · `staging`

**Render error:**

```text
template: api/templates/x.yaml:3:5: executing "x" at <.Values.a.b>: nil pointer
  3 | {{ .Values.a.b }}
```

"#;

#[test]
fn sample_report() {
    assert_eq!(markdown(&sample(), &MarkdownOptions::default()), SAMPLE);
}

#[test]
fn header_and_title_come_first() {
    let options = MarkdownOptions {
        header: Some("<!-- helmpilot-diff -->".into()),
        title: "Diff for PR #12".into(),
        ..MarkdownOptions::default()
    };
    let out = markdown(&sample(), &options);
    assert!(out.starts_with("<!-- helmpilot-diff -->\n### Diff for PR #12\n\nComparing"));
}

#[test]
fn no_environments() {
    let report = DiffReport {
        base: "a".into(),
        head: "b".into(),
        environments: vec![],
    };
    assert_eq!(
        markdown(&report, &MarkdownOptions::default()),
        "### helmpilot diff\n\nComparing `a` → `b`.\n\nNo environments were compared.\n"
    );
}

#[test]
fn chart_content_cannot_escape_its_place() {
    let mut report = sample();
    let env = &mut report.environments[0];
    env.chart = "charts/a|b".into();
    env.changes[0].key.name = "x</code></summary><script>alert(1)</script>".into();
    env.changes[0].source = "templates/<b>.yaml\n\nhi".into();
    env.changes[0].diff = "@@ -0,0 +1,2 @@\n+a: ````\n+</details>\n".into();
    env.changes[2].secret_keys.as_mut().unwrap().added = vec!["to`ken".into()];
    env.risks[0].reason = "<img src=x> *bold* [link](http://x) | pipe".into();
    let out = markdown(&report, &MarkdownOptions::default());
    // Table cell: the pipe is escaped inside the code span.
    assert!(out.contains("| `charts/a\\|b` | `staging` | 1 | 3 | 1 | 3 |\n"));
    // Summary: HTML escaped, on one line.
    assert!(out.contains(
        "<details><summary><code>+ ConfigMap default/x&lt;/code&gt;&lt;/summary&gt;&lt;script&gt;alert(1)&lt;/script&gt;</code> (templates/&lt;b&gt;.yaml  hi) +4 -0</summary>\n"
    ));
    assert!(!out.contains("<script>"));
    // The fence outgrows the four backticks inside; `</details>` stays inside the block.
    assert!(out.contains("`````diff\n@@ -0,0 +1,2 @@\n+a: ````\n+</details>\n`````\n"));
    assert!(out.contains("Secret keys: added ``to`ken``; changed `password`."));
    assert!(out.contains(
        ": &lt;img src=x&gt; \\*bold\\* \\[link\\](http://x) \\| pipe (`immutable-selector`)\n"
    ));
}

#[test]
fn output_is_deterministic() {
    let mut report = sample();
    report
        .environments
        .extend((0..5).map(|i| big_env("charts/big", &format!("env{i}"), 400, 20)));
    let options = MarkdownOptions::default();
    assert_eq!(markdown(&report, &options), markdown(&report, &options));
}

#[test]
fn just_over_the_limit_omits_the_largest_diff() {
    let mut report = sample();
    report.environments[0].changes[0] = change(
        key("", "ConfigMap", "default", "extra"),
        ChangeKind::Added,
        "templates/extra.yaml",
        &diff_of(50, 40),
    );
    let full = markdown(&report, &MarkdownOptions::default());
    let out = markdown(&report, &with_max(chars(&full) - 1));
    assert!(chars(&out) < chars(&full));
    assert!(out.contains(
        "<details><summary><code>+ ConfigMap default/extra</code> (templates/extra.yaml) +50 -0</summary>\n\n\
         _diff of 51 lines omitted: too large for a comment; see the job summary._\n\n</details>\n"
    ));
    // The other diffs stay.
    assert_eq!(out.matches("```diff\n").count(), 3);
    assert_eq!(out.matches("omitted: too large").count(), 1);
    assert!(out.ends_with(
        "**Shortened to fit a comment:** 1 diff (51 lines) was left out; the full diff is in the job summary.\n"
    ));
    // Everything but that diff is as in the full comment.
    let (before, _) = full.split_once("```diff\n@@ -0,0 +1,50").unwrap();
    assert!(out.starts_with(before));
}

#[test]
fn small_diffs_that_cannot_make_room_give_way_to_a_collapsed_environment() {
    // One char over: replacing the sample's small diffs by notes saves less than the
    // closing note costs, so the environment's list collapses into one line.
    let full = markdown(&sample(), &MarkdownOptions::default());
    let out = markdown(&sample(), &with_max(chars(&full) - 1));
    assert!(out.contains(
        "\n`charts/web` · `staging`: 5 changed objects not shown (too large for a comment); see the job summary.\n\n"
    ));
    assert!(!out.contains("<details>"));
    assert!(out.contains("**Render error:**"));
    assert!(out.ends_with(
        "**Shortened to fit a comment:** 1 environment's object list was left out; the full diff is in the job summary.\n"
    ));
}

#[test]
fn two_thousand_objects_fit_with_an_exact_note() {
    let report = DiffReport {
        base: "main".into(),
        head: "feature".into(),
        environments: (0..5)
            .map(|i| big_env("charts/platform", &format!("env-{i}"), 400, 12))
            .collect(),
    };
    let options = MarkdownOptions {
        full_report_hint: "the `helmpilot-diff` artifact".into(),
        ..MarkdownOptions::default()
    };
    let out = markdown(&report, &options);
    assert!(chars(&out) <= 65_536, "{}", chars(&out));
    for i in 0..5 {
        assert!(out.contains(&format!(
            "| `charts/platform` | `env-{i}` | 0 | 400 | 0 | 0 |\n"
        )));
    }
    // 400 objects x ~600 chars per environment: some environments must collapse; the
    // note counts exactly the collapsed lists and the diffs replaced in the others.
    let collapsed = out.matches("400 changed objects not shown").count();
    let omitted = out.matches("_diff of 13 lines omitted").count();
    assert!(collapsed > 0);
    let note = out.lines().last().unwrap();
    let mut expected = Vec::new();
    if omitted > 0 {
        expected.push(format!(
            "{} diff{} ({} lines)",
            omitted,
            if omitted == 1 { "" } else { "s" },
            fmt_thousands(omitted * 13)
        ));
    }
    expected.push(if collapsed == 1 {
        "1 environment's object list".to_string()
    } else {
        format!("{collapsed} environments' object lists")
    });
    assert_eq!(
        note,
        format!(
            "**Shortened to fit a comment:** {} were left out; the full diff is in the `helmpilot-diff` artifact.",
            expected.join(" and ")
        )
    );
    // Nothing else was cut: every environment is either shown or named in one line.
    assert_eq!(out.matches("#### `charts/platform`").count() + collapsed, 5);
}

#[test]
fn one_pathological_huge_diff() {
    let mut report = sample();
    // 200,000 lines in a single object.
    report.environments[0].changes[4].diff = diff_of(200_000, 30);
    let out = markdown(&report, &MarkdownOptions::default());
    assert!(chars(&out) <= 65_536);
    assert!(out.contains(
        "_diff of 200,001 lines omitted: too large for a comment; see the job summary._"
    ));
    // Everything else survives untouched.
    assert!(out.contains("```diff\n@@ -1,2 +1,3 @@\n data:\n"));
    assert!(out.ends_with(
        "**Shortened to fit a comment:** 1 diff (200,001 lines) was left out; the full diff is in the job summary.\n"
    ));
}

#[test]
fn one_huge_single_line_diff_full_of_backticks() {
    let mut report = sample();
    report.environments[0].changes[4].diff = format!("@@ -1 +1 @@\n+{}\n", "`".repeat(100_000));
    let out = markdown(&report, &MarkdownOptions::default());
    assert!(chars(&out) <= 65_536);
    assert!(out.contains("_diff of 2 lines omitted"));
}

#[test]
fn a_huge_object_name_collapses_its_environment() {
    let mut report = sample();
    // Names are capped in summaries, so many huge names are needed to overflow.
    report.environments[0].changes = (0..2_000)
        .map(|i| {
            change(
                key(
                    "",
                    "ConfigMap",
                    "default",
                    &format!("{i}{}", "n".repeat(10_000)),
                ),
                ChangeKind::Added,
                &"s".repeat(10_000),
                "",
            )
        })
        .collect();
    let out = markdown(&report, &MarkdownOptions::default());
    assert!(chars(&out) <= 65_536);
    assert!(out.contains(
        "`charts/web` · `staging`: 2,000 changed objects not shown (too large for a comment); see the job summary.\n"
    ));
    assert!(out.ends_with(
        "**Shortened to fit a comment:** 1 environment's object list was left out; the full diff is in the job summary.\n"
    ));
}

#[test]
fn three_hundred_environments_keep_every_table_row() {
    let report = DiffReport {
        base: "main".into(),
        head: "feature".into(),
        environments: (0..300)
            .map(|i| {
                big_env(
                    &format!("charts/service-{:03}", i / 3),
                    &format!("env-{i:03}"),
                    10,
                    20,
                )
            })
            .collect(),
    };
    let out = markdown(&report, &MarkdownOptions::default());
    assert!(chars(&out) <= 65_536);
    for i in 0..300 {
        let row = format!(
            "| `charts/service-{:03}` | `env-{i:03}` | 0 | 10 | 0 | 0 |\n",
            i / 3
        );
        assert!(out.contains(&row), "row {i} missing");
    }
    assert!(!out.contains("more environments left out"));
}

#[test]
fn environments_collapse_before_risks_are_trimmed() {
    let mut report = DiffReport {
        base: "main".into(),
        head: "feature".into(),
        environments: (0..3)
            .map(|i| big_env("charts/web", &format!("e{i}"), 300, 10))
            .collect(),
    };
    // 3,000 risks, alternating high and medium.
    for (i, change) in report.environments[0].changes.clone().iter().enumerate() {
        for j in 0..10 {
            report.environments[0].risks.push(risk(
                change.key.clone(),
                "configmap-changed",
                if (i + j) % 2 == 0 {
                    Severity::High
                } else {
                    Severity::Medium
                },
                "data changed: pods that read it at startup keep the old value until restarted",
            ));
        }
    }
    let out = markdown(&report, &MarkdownOptions::default());
    assert!(chars(&out) <= 65_536);
    assert!(out.contains("| `charts/web` | `e0` | 0 | 300 | 0 | 3,000 |\n"));
    assert_eq!(out.matches("300 changed objects not shown").count(), 3);
    let shown = out.matches("(`configmap-changed`)").count();
    assert!(shown > 0 && shown < 3_000);
    let dropped = 3_000 - shown;
    // High risks come first.
    let shown_high = out.matches("- **HIGH** ").count();
    assert_eq!(shown_high, shown.min(1_500));
    assert!(out.contains(&format!(
        "- …and {} more risks ({} high); see the job summary.\n",
        fmt_thousands(dropped),
        fmt_thousands(1_500 - shown_high)
    )));
    assert!(out.ends_with(&format!(
        "**Shortened to fit a comment:** 3 environments' object lists and {} risks were left out; the full diff is in the job summary.\n",
        fmt_thousands(dropped)
    )));
}

#[test]
fn collapsing_a_big_environment_gives_back_small_diffs_elsewhere() {
    let report = DiffReport {
        base: "main".into(),
        head: "feature".into(),
        environments: vec![
            big_env("charts/web", "small", 3, 5),
            big_env("charts/web", "huge", 3_000, 5),
        ],
    };
    let out = markdown(&report, &MarkdownOptions::default());
    assert!(chars(&out) <= 65_536);
    assert!(out.contains("`charts/web` · `huge`: 3,000 changed objects not shown"));
    // The small environment's diffs were cut first (largest diffs first, all the same
    // size), then restored once the huge one collapsed.
    assert_eq!(out.matches("```diff\n").count(), 3);
    assert!(out.ends_with(
        "**Shortened to fit a comment:** 1 environment's object list was left out; the full diff is in the job summary.\n"
    ));
}

#[test]
fn tiny_limits_are_still_respected() {
    let mut report = sample();
    report
        .environments
        .extend((0..50).map(|i| big_env("charts/x", &format!("e{i}"), 20, 10)));
    for max in [0, 1, 10, 100, 500, 1_000, 3_000, 10_000] {
        let out = markdown(&report, &with_max(max));
        assert!(chars(&out) <= max, "max {max}: {}", chars(&out));
    }
    // With room for the table but little else, the table is whole.
    let out = markdown(&report, &with_max(10_000));
    assert_eq!(out.matches("| `charts/x` |").count(), 50);
    // Without room for the whole table, the last rows go, and the note says how many.
    let out = markdown(&report, &with_max(1_500));
    let rows = out.matches("| `charts/x` |").count();
    assert!(rows < 50);
    assert!(out.contains(&format!(
        "| … | {} more environments left out | | | | |\n",
        50 - rows
    )));
    assert!(out.contains("The object lists of 53 environments were left out"));
    assert!(out.ends_with(&format!(
        "**Shortened to fit a comment:** all 53 environments' object lists, 1 image change, 3 risks and {} summary table rows were left out; the full diff is in the job summary.\n",
        50 - rows
    )));
}

fn fmt_thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
fn fifty_thousand_objects_and_risks() {
    // Cutting is incremental: this would take minutes if each trial cut re-counted
    // everything.
    let mut env = big_env("charts/huge", "prod", 50_000, 2);
    env.risks = env
        .changes
        .iter()
        .map(|c| risk(c.key.clone(), "r", Severity::Medium, "changed"))
        .collect();
    let report = DiffReport {
        base: "main".into(),
        head: "feature".into(),
        environments: vec![env, big_env("charts/small", "prod", 2, 2)],
    };
    let out = markdown(&report, &MarkdownOptions::default());
    assert!(chars(&out) <= 65_536);
    assert!(out.contains("| `charts/huge` | `prod` | 0 | 50,000 | 0 | 50,000 |\n"));
    assert!(out.contains("| `charts/small` | `prod` | 0 | 2 | 0 | 0 |\n"));
    // Risks rank above object lists: both environments are one line each, and the
    // risk list takes the rest.
    assert_eq!(out.matches("```diff\n").count(), 0);
    assert!(out.contains("`charts/huge` · `prod`: 50,000 changed objects not shown"));
    assert!(out.contains("`charts/small` · `prod`: 2 changed objects not shown"));
    let shown = out.matches("(`r`)").count();
    assert!(shown > 100);
    assert!(out.ends_with(&format!(
        "**Shortened to fit a comment:** 2 environments' object lists and {} risks were left out; the full diff is in the job summary.\n",
        fmt_thousands(50_000 - shown)
    )));
}
