//! Hand-built diff models shared by the report tests.

#![allow(dead_code)]

use helmpilot_diff::model::{
    ChangeKind, DiffReport, EnvironmentDiff, ImageChange, ObjectChange, ObjectKey, Risk,
    SecretKeys, Severity,
};

pub fn key(group: &str, kind: &str, namespace: &str, name: &str) -> ObjectKey {
    ObjectKey {
        group: group.into(),
        kind: kind.into(),
        namespace: namespace.into(),
        name: name.into(),
    }
}

/// A change whose line counts are taken from its diff.
pub fn change(key: ObjectKey, kind: ChangeKind, source: &str, diff: &str) -> ObjectChange {
    ObjectChange {
        key,
        change: kind,
        source: source.into(),
        diff: diff.into(),
        added_lines: diff.lines().filter(|l| l.starts_with('+')).count(),
        removed_lines: diff.lines().filter(|l| l.starts_with('-')).count(),
        secret_keys: None,
    }
}

pub fn risk(key: ObjectKey, rule: &str, severity: Severity, reason: &str) -> Risk {
    Risk {
        key,
        rule: rule.into(),
        severity,
        reason: reason.into(),
    }
}

/// Three environments: one with every kind of change, one without changes, one whose
/// render failed.
pub fn sample() -> DiffReport {
    let deployment = key("apps", "Deployment", "default", "web");
    let secret = key("", "Secret", "default", "web-secret");
    let pvc = key("", "PersistentVolumeClaim", "default", "data");
    let mut secret_change = change(
        secret.clone(),
        ChangeKind::Changed,
        "templates/secret.yaml",
        "@@ -1,2 +1,3 @@\n data:\n-  password: '*** (sha256:aaaa1111)'\n+  password: '*** (sha256:bbbb2222)'\n+  token: '*** (sha256:cccc3333)'\n",
    );
    secret_change.secret_keys = Some(SecretKeys {
        added: vec!["token".into()],
        removed: vec![],
        changed: vec!["password".into()],
    });
    let staging = EnvironmentDiff {
        chart: "charts/web".into(),
        name: "staging".into(),
        changes: vec![
            change(
                key("", "ConfigMap", "default", "extra"),
                ChangeKind::Added,
                "templates/extra.yaml",
                "@@ -0,0 +1,4 @@\n+apiVersion: v1\n+kind: ConfigMap\n+metadata:\n+  name: extra\n",
            ),
            change(
                pvc.clone(),
                ChangeKind::Removed,
                "templates/pvc.yaml",
                "@@ -1,2 +0,0 @@\n-apiVersion: v1\n-kind: PersistentVolumeClaim\n",
            ),
            secret_change,
            change(
                key("", "Service", "default", "web-new"),
                ChangeKind::Renamed {
                    from: key("", "Service", "default", "web-old"),
                },
                "templates/service.yaml",
                "",
            ),
            change(
                deployment.clone(),
                ChangeKind::Changed,
                "templates/deployment.yaml",
                "@@ -3,2 +3,2 @@\n-  replicas: 1\n+  replicas: 2\n   template:\n",
            ),
        ],
        unchanged: 4,
        ignored_changes: 1,
        risks: vec![
            risk(
                deployment.clone(),
                "immutable-selector",
                Severity::High,
                "spec.selector changed; Kubernetes rejects the update",
            ),
            risk(
                secret,
                "secret-changed",
                Severity::Medium,
                "Secret data changed: pods need a restart to see it",
            ),
            risk(
                pvc,
                "pvc-deleted",
                Severity::High,
                "PersistentVolumeClaim deleted: its volume may be lost",
            ),
        ],
        images: vec![ImageChange {
            key: deployment,
            container: "web".into(),
            from: "repo:1.2".into(),
            to: "repo:1.3".into(),
        }],
        error: None,
    };
    let prod = EnvironmentDiff {
        chart: "charts/web".into(),
        name: "prod".into(),
        unchanged: 9,
        ..Default::default()
    };
    let broken = EnvironmentDiff {
        chart: "charts/api".into(),
        name: "staging".into(),
        error: Some(
            "template: api/templates/x.yaml:3:5: executing \"x\" at <.Values.a.b>: nil pointer\n  3 | {{ .Values.a.b }}"
                .into(),
        ),
        ..Default::default()
    };
    DiffReport {
        environments: vec![staging, prod, broken],
        base: "main".into(),
        head: "feature".into(),
    }
}

/// `n` lines of diff, each `width` chars plus the `+`.
pub fn diff_of(lines: usize, width: usize) -> String {
    let mut diff = format!("@@ -0,0 +1,{lines} @@\n");
    for i in 0..lines {
        let body = format!("line {i} ");
        let pad = width.saturating_sub(body.len());
        diff.push('+');
        diff.push_str(&body);
        diff.push_str(&"x".repeat(pad));
        diff.push('\n');
    }
    diff
}

/// An environment with `objects` changed ConfigMaps, each with a diff of `lines` lines.
pub fn big_env(chart: &str, name: &str, objects: usize, lines: usize) -> EnvironmentDiff {
    EnvironmentDiff {
        chart: chart.into(),
        name: name.into(),
        changes: (0..objects)
            .map(|i| {
                change(
                    key("", "ConfigMap", "default", &format!("config-{i:05}")),
                    ChangeKind::Changed,
                    "templates/configmap.yaml",
                    &diff_of(lines, 40),
                )
            })
            .collect(),
        unchanged: 1,
        ..Default::default()
    }
}
