//! `compare` on hand-written objects: pairing, normalization, masking, ignore rules,
//! renames and every risk rule (each with a case that fires and one that does not).

use std::collections::BTreeSet;

use helmpilot_diff::compare::{compare, CompareOptions, IgnoreRule};
use helmpilot_diff::model::{ChangeKind, EnvironmentDiff, Severity};
use helmpilot_diff::objects::{parse_manifests, Object};

fn objects(text: &str) -> Vec<Object> {
    parse_manifests(text, "prod")
        .expect("test manifests parse")
        .objects
}

fn diff(base: &str, head: &str) -> EnvironmentDiff {
    compare(&objects(base), &objects(head), &CompareOptions::default())
}

/// The risk rule ids raised between base and head, in report order.
fn rules(base: &str, head: &str) -> Vec<String> {
    diff(base, head).risks.into_iter().map(|r| r.rule).collect()
}

#[test]
fn key_order_quoting_and_number_forms_are_not_changes() {
    let base = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {app: web, tier: \"front\"}\nspec:\n  replicas: 2\n  paused: false\n";
    let head = "kind: Deployment\nspec:\n  paused: no\n  replicas: 2.0\nmetadata:\n  labels:\n    tier: front\n    app: 'web'\n  name: web\napiVersion: \"apps/v1\"\n";
    let d = diff(base, head);
    assert!(d.changes.is_empty(), "{:?}", d.changes);
    assert_eq!(d.unchanged, 1);
}

#[test]
fn added_removed_and_changed_objects() {
    let base = "# Source: c/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: one\n---\n# Source: c/templates/gone.yaml\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: gone\n";
    let head = "# Source: c/templates/a2.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: two\n---\n# Source: c/templates/new.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: new\n";
    let d = diff(base, head);
    let summary: Vec<(&str, &ChangeKind, &str)> = d
        .changes
        .iter()
        .map(|c| (c.key.name.as_str(), &c.change, c.source.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            ("a", &ChangeKind::Changed, "c/templates/a2.yaml"),
            ("new", &ChangeKind::Added, "c/templates/new.yaml"),
            ("gone", &ChangeKind::Removed, "c/templates/gone.yaml"),
        ]
    );
    assert_eq!(
        d.changes[1].diff,
        "@@ -0,0 +1,4 @@\n+apiVersion: v1\n+kind: Service\n+metadata:\n+  name: new\n"
    );
    assert_eq!(
        (d.changes[1].added_lines, d.changes[1].removed_lines),
        (4, 0)
    );
    assert_eq!(
        d.changes[2].diff,
        "@@ -1,4 +0,0 @@\n-apiVersion: v1\n-kind: ServiceAccount\n-metadata:\n-  name: gone\n"
    );
    assert_eq!(
        (d.changes[2].added_lines, d.changes[2].removed_lines),
        (0, 4)
    );
    assert_eq!(
        (d.changes[0].added_lines, d.changes[0].removed_lines),
        (1, 1)
    );
    assert_eq!(
        (d.added(), d.removed(), d.changed(), d.unchanged),
        (1, 1, 1, 0)
    );
    assert!(d.chart.is_empty() && d.name.is_empty() && d.error.is_none());
}

#[test]
fn context_option_sets_the_hunk_size() {
    let base = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  a: 1\n  b: 2\n  c: 3\n  d: 4\n  e: 5\n";
    let head = base.replace("c: 3", "c: 30");
    let options = CompareOptions {
        context: 0,
        ..CompareOptions::default()
    };
    let d = compare(&objects(base), &objects(&head), &options);
    assert_eq!(d.changes[0].diff, "@@ -5 +5 @@\n-  c: 3\n+  c: 30\n");
}

#[test]
fn renames_pair_equal_objects_deterministically() {
    let cm = |name: &str, v: &str| {
        format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  v: {v}\n"
        )
    };
    let base = [
        cm("old-a", "same"),
        cm("old-b", "same"),
        cm("old-c", "other"),
    ]
    .concat();
    let head = [
        cm("new-b", "same"),
        cm("new-a", "same"),
        cm("new-c", "different"),
    ]
    .concat();
    let d = diff(&base, &head);
    let summary: Vec<(String, String)> = d
        .changes
        .iter()
        .map(|c| {
            let what = match &c.change {
                ChangeKind::Renamed { from } => format!("renamed from {}", from.name),
                other => format!("{other:?}"),
            };
            (c.key.name.clone(), what)
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("new-a".to_string(), "renamed from old-a".to_string()),
            ("new-b".to_string(), "renamed from old-b".to_string()),
            ("new-c".to_string(), "Added".to_string()),
            ("old-c".to_string(), "Removed".to_string()),
        ]
    );
    assert!(d.changes[0].diff.is_empty());
    assert_eq!(d.changes[0].added_lines + d.changes[0].removed_lines, 0);
}

#[test]
fn renames_do_not_cross_namespaces_or_kinds() {
    let base = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: one\n";
    let head = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  namespace: two\n";
    let d = diff(base, head);
    assert_eq!((d.added(), d.removed(), d.changed()), (1, 1, 0));
    // Different namespace fields make the values differ too; across kinds, nothing pairs
    // even when the rest is equal.
    let base = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n";
    let head = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: b\n";
    let d = diff(base, head);
    assert_eq!((d.added(), d.removed(), d.changed()), (1, 1, 0));
}

#[test]
fn a_renamed_pvc_is_a_deleted_pvc() {
    let pvc = |name: &str| {
        format!("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {name}\nspec:\n  resources:\n    requests:\n      storage: 1Gi\n")
    };
    let d = diff(&pvc("data"), &pvc("data-v2"));
    assert!(matches!(d.changes[0].change, ChangeKind::Renamed { .. }));
    assert_eq!(d.risks.len(), 1);
    assert_eq!(d.risks[0].rule, "pvc-deleted");
    assert_eq!(d.risks[0].key.name, "data-v2");
    assert_eq!(
        d.risks[0].reason,
        "PersistentVolumeClaim prod/data is renamed to data-v2: Helm deletes the old one; its volume and data may be deleted with it"
    );
}

#[test]
fn ignore_rules_drop_and_count_changes() {
    let deploy = |chart: &str, sum: &str, other: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    helm.sh/chart: {chart}\n    app: web\nspec:\n  template:\n    metadata:\n      annotations:\n        checksum/config: {sum}\n        checksum/secret: {other}\n    spec:\n      containers:\n      - name: web\n        image: web:1\n"
        )
    };
    let options = CompareOptions {
        ignore: IgnoreRule::helm_noise(),
        ..CompareOptions::default()
    };
    let base = objects(&deploy("web-1.0.0", "aaa", "same"));
    let head = objects(&deploy("web-1.1.0", "bbb", "same"));
    let d = compare(&base, &head, &options);
    assert!(d.changes.is_empty());
    assert_eq!((d.unchanged, d.ignored_changes), (1, 2));
    // Without the rules, both are changes.
    let d = compare(&base, &head, &CompareOptions::default());
    assert_eq!((d.changed(), d.ignored_changes), (1, 0));
    assert_eq!(
        (d.changes[0].added_lines, d.changes[0].removed_lines),
        (2, 2)
    );
    // An ignored path that appears on one side only counts too; equal ones do not.
    let head = objects(&deploy("web-1.0.0", "aaa", "same").replace("    app: web\n", ""));
    let rule = IgnoreRule::parse("Deployment:/metadata/labels/app").unwrap();
    let options = CompareOptions {
        ignore: vec![rule.clone()],
        ..CompareOptions::default()
    };
    let d = compare(&base, &head, &options);
    assert_eq!((d.unchanged, d.ignored_changes), (1, 1));
    // Rules for another kind do not apply.
    let options = CompareOptions {
        ignore: vec![IgnoreRule::parse("StatefulSet:/metadata/labels/app").unwrap()],
        ..CompareOptions::default()
    };
    let d = compare(&base, &head, &options);
    assert_eq!((d.changed(), d.ignored_changes), (1, 0));
}

/// No secret value may appear anywhere in the diff, in any form it was written in.
#[test]
fn secrets_never_appear_in_the_diff() {
    let base = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: aHVudGVyMg==\n  user: YWRtaW4=\n  old: c3RhbGVzZWNyZXQ=\nstringData:\n  dsn: postgres://admin:hunter2@db/app\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  DB_PASSWORD: hunter2\n  apiKey: AKIAOLDKEY\n  level: info\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: web:1\n        env:\n        - name: DB_PASSWORD\n          value: hunter2\n        - name: X_AUTH_TOKEN\n          value: tok-old-123\n        - name: LEVEL\n          value: info\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: removed\nstringData:\n  token: removed-token-value\n";
    let head = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: czNjcjN0\n  user: YWRtaW4=\n  new: bmV3c2VjcmV0\nstringData:\n  dsn: postgres://admin:s3cr3t@db/app\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  DB_PASSWORD: s3cr3t\n  apiKey: AKIANEWKEY\n  level: debug\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: web:1\n        env:\n        - name: DB_PASSWORD\n          value: s3cr3t\n        - name: X_AUTH_TOKEN\n          value: tok-new-456\n        - name: LEVEL\n          value: debug\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: added\ndata:\n  private_key: LS0tLS1CRUdJTiBLRVkt\n";
    let d = diff(base, head);
    let text = serde_json::to_string(&d).unwrap();
    for secret in [
        "aHVudGVyMg==",
        "hunter2",
        "YWRtaW4=",
        "admin",
        "c3RhbGVzZWNyZXQ=",
        "czNjcjN0",
        "s3cr3t",
        "bmV3c2VjcmV0",
        "AKIAOLDKEY",
        "AKIANEWKEY",
        "tok-old-123",
        "tok-new-456",
        "removed-token-value",
        "LS0tLS1CRUdJTiBLRVkt",
        "postgres://",
    ] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    // Changes stay visible: every object but the unchanged ones is listed.
    assert_eq!((d.added(), d.removed(), d.changed()), (1, 1, 3));
    let db = d.changes.iter().find(|c| c.key.name == "db").unwrap();
    let keys = db.secret_keys.as_ref().unwrap();
    assert_eq!(
        (&keys.added, &keys.removed, &keys.changed),
        (
            &vec!["new".to_string()],
            &vec!["old".to_string()],
            &vec!["dsn".to_string(), "password".to_string()]
        )
    );
    assert!(db.diff.contains("-  password: <redacted sha256:"));
    let cfg = d.changes.iter().find(|c| c.key.name == "cfg").unwrap();
    assert!(cfg.diff.contains("+  level: debug"));
    assert!(cfg.secret_keys.is_none());
    let added = d.changes.iter().find(|c| c.key.name == "added").unwrap();
    assert_eq!(added.secret_keys.as_ref().unwrap().added, ["private_key"]);
    let reasons: Vec<&str> = d.risks.iter().map(|r| r.reason.as_str()).collect();
    assert_eq!(
        reasons,
        ["Secret data changes: added new; changed dsn, password; removed old"]
    );
}

#[test]
fn custom_sensitive_keys_replace_the_defaults() {
    let base = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  password: one\n  pin: \"1234\"\n";
    let head = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  password: two\n  pin: \"9876\"\n";
    let options = CompareOptions {
        sensitive_keys: vec!["PIN".to_string()],
        ..CompareOptions::default()
    };
    let d = compare(&objects(base), &objects(head), &options);
    let text = &d.changes[0].diff;
    assert!(text.contains("+  password: two"));
    assert!(!text.contains("9876") && !text.contains("1234"));
}

const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      initContainers:\n      - name: migrate\n        image: registry.example.com/migrate:1.0\n      containers:\n      - name: web\n        image: registry.example.com/web:1.2.3@sha256:0123456789abcdef\n        readinessProbe:\n          httpGet:\n            path: /ready\n            port: 8080\n        livenessProbe:\n          httpGet:\n            path: /live\n            port: 8080\n        resources:\n          requests:\n            cpu: 100m\n            memory: 128Mi\n          limits:\n            memory: 256Mi\n";

#[test]
fn an_unrelated_change_raises_no_risk() {
    let head = DEPLOY.replace(
        "      labels:\n        app: web\n    spec:",
        "      labels:\n        app: web\n        team: a\n    spec:",
    );
    let d = diff(DEPLOY, &head);
    assert_eq!(d.changed(), 1);
    assert!(d.risks.is_empty(), "{:?}", d.risks);
    assert!(d.images.is_empty());
}

#[test]
fn immutable_selector() {
    let head = DEPLOY.replace(
        "    matchLabels:\n      app: web\n",
        "    matchLabels:\n      app: web2\n",
    );
    let d = diff(DEPLOY, &head);
    assert_eq!(d.risks.len(), 1);
    let risk = &d.risks[0];
    assert_eq!(
        (risk.rule.as_str(), risk.severity),
        ("immutable-selector", Severity::High)
    );
    assert_eq!(
        risk.reason,
        r#"spec.selector is immutable ({"matchLabels":{"app":"web"}} -> {"matchLabels":{"app":"web2"}}); the upgrade fails unless the Deployment is deleted and recreated"#
    );
    // The same change on a kind without the rule raises nothing.
    let cm = |v: &str| {
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\nspec:\n  selector: {v}\n")
    };
    assert!(rules(&cm("a"), &cm("b")).is_empty());
}

#[test]
fn disabled_rules_are_skipped() {
    let head = DEPLOY.replace("app: web\n  template", "app: web2\n  template");
    let options = CompareOptions {
        disabled_risks: BTreeSet::from(["immutable-selector".to_string()]),
        ..CompareOptions::default()
    };
    let d = compare(&objects(DEPLOY), &objects(&head), &options);
    assert_eq!(d.changed(), 1);
    assert!(d.risks.is_empty());
}

#[test]
fn statefulset_immutable_fields() {
    let sts = |service: &str, policy: &str, size: &str| {
        format!("apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  serviceName: {service}\n  podManagementPolicy: {policy}\n  selector:\n    matchLabels:\n      app: db\n  volumeClaimTemplates:\n  - metadata:\n      name: data\n    spec:\n      resources:\n        requests:\n          storage: {size}\n")
    };
    let base = sts("db", "OrderedReady", "10Gi");
    assert_eq!(
        rules(&base, &sts("db-headless", "Parallel", "20Gi")),
        ["immutable-statefulset-field"; 3]
    );
    assert_eq!(
        rules(&base, &sts("db", "OrderedReady", "20Gi")),
        ["immutable-statefulset-field"]
    );
    assert!(rules(
        &base,
        &base.replace("name: db\nspec", "name: db\n  labels: {a: b}\nspec")
    )
    .is_empty());
}

#[test]
fn job_template_and_selector() {
    let job = |image: &str| {
        format!("apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: m\n        image: {image}\n")
    };
    assert_eq!(
        rules(&job("m:1"), &job("m:2")),
        ["immutable-job-template", "image-changed"],
        "High risks come first"
    );
    assert!(rules(
        &job("m:1"),
        &job("m:1").replace("name: migrate\n", "name: migrate\n  labels: {a: b}\n")
    )
    .is_empty());
}

#[test]
fn service_cluster_ip_and_external_name() {
    let svc =
        |spec: &str| format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n{spec}");
    assert_eq!(
        rules(
            &svc("  clusterIP: 10.0.0.10\n"),
            &svc("  clusterIP: 10.0.0.11\n")
        ),
        ["immutable-cluster-ip"]
    );
    assert_eq!(
        rules(&svc("  type: ClusterIP\n"), &svc("  clusterIP: None\n")),
        ["immutable-cluster-ip"]
    );
    assert!(rules(
        &svc("  clusterIP: \"\"\n  type: ClusterIP\n"),
        &svc("  type: ClusterIP\n")
    )
    .is_empty());
    assert!(rules(&svc("  type: ClusterIP\n"), &svc("  type: NodePort\n")).is_empty());
    let risks = diff(
        &svc("  type: ClusterIP\n"),
        &svc("  type: ExternalName\n  externalName: db.example.com\n"),
    )
    .risks;
    assert_eq!(risks.len(), 1);
    assert_eq!(risks[0].rule, "service-type-external-name");
    assert!(risks[0]
        .reason
        .starts_with("spec.type changes ClusterIP -> ExternalName"));
    assert_eq!(
        rules(
            &svc("  type: ExternalName\n"),
            &svc("  ports: [{port: 80}]\n")
        ),
        ["service-type-external-name"]
    );
}

#[test]
fn pvc_rules() {
    let pvc = |class: &str, mode: &str, size: &str| {
        format!("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n  storageClassName: {class}\n  accessModes: [{mode}]\n  resources:\n    requests:\n      storage: {size}\n")
    };
    let base = pvc("fast", "ReadWriteOnce", "1Gi");
    assert_eq!(
        rules(&base, &pvc("slow", "ReadWriteOnce", "1Gi")),
        ["immutable-pvc-field"]
    );
    assert_eq!(
        rules(&base, &pvc("fast", "ReadWriteMany", "1Gi")),
        ["immutable-pvc-field"]
    );
    let risks = diff(&base, &pvc("fast", "ReadWriteOnce", "1000Mi")).risks;
    assert_eq!(risks.len(), 1);
    assert_eq!(
        risks[0].reason,
        "spec.resources.requests.storage shrinks (1Gi -> 1000Mi): volumes cannot shrink, the upgrade fails"
    );
    assert!(rules(&base, &pvc("fast", "ReadWriteOnce", "2Gi")).is_empty());
    assert!(rules(&base, &pvc("fast", "ReadWriteOnce", "1073741824")).is_empty());
}

#[test]
fn deletions() {
    let obj = |api: &str, kind: &str, extra: &str| {
        format!("apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: x\n{extra}")
    };
    for (api, kind, rule, severity) in [
        ("v1", "PersistentVolumeClaim", "pvc-deleted", Severity::High),
        ("v1", "Namespace", "namespace-deleted", Severity::High),
        (
            "apiextensions.k8s.io/v1",
            "CustomResourceDefinition",
            "crd-deleted",
            Severity::High,
        ),
        (
            "apps/v1",
            "StatefulSet",
            "statefulset-deleted",
            Severity::High,
        ),
        (
            "policy/v1",
            "PodDisruptionBudget",
            "pdb-removed",
            Severity::Medium,
        ),
    ] {
        let d = diff(&obj(api, kind, ""), "");
        assert_eq!(d.risks.len(), 1, "{kind}");
        assert_eq!(
            (d.risks[0].rule.as_str(), d.risks[0].severity),
            (rule, severity)
        );
        // Helm keeps objects with the keep resource policy.
        let kept = obj(api, kind, "").replace(
            "  name: x\n",
            "  name: x\n  annotations:\n    helm.sh/resource-policy: keep\n",
        );
        assert!(rules(&kept, "").is_empty(), "{kind}");
        // Adding one is not a risk.
        assert!(rules("", &obj(api, kind, "")).is_empty(), "{kind}");
    }
    assert_eq!(
        diff(&obj("v1", "PersistentVolumeClaim", ""), "").risks[0].reason,
        "PersistentVolumeClaim prod/x is deleted: its volume and data may be deleted with it"
    );
    assert!(rules(&obj("v1", "ConfigMap", ""), "").is_empty());
    assert!(rules(&obj("apps/v1", "Deployment", ""), "").is_empty());
}

#[test]
fn replicas_to_zero() {
    assert_eq!(
        rules(DEPLOY, &DEPLOY.replace("replicas: 3", "replicas: 0")),
        ["replicas-zero"]
    );
    assert_eq!(
        diff(DEPLOY, &DEPLOY.replace("replicas: 3", "replicas: 0")).risks[0].reason,
        "spec.replicas goes from 3 to 0: the workload stops serving"
    );
    // A missing replicas field means 1.
    assert_eq!(
        rules(
            &DEPLOY.replace("  replicas: 3\n", ""),
            &DEPLOY.replace("replicas: 3", "replicas: 0")
        ),
        ["replicas-zero"]
    );
    assert!(rules(DEPLOY, &DEPLOY.replace("replicas: 3", "replicas: 1")).is_empty());
    let zero = DEPLOY.replace("replicas: 3", "replicas: 0");
    assert!(rules(
        &zero,
        &zero.replace("app: web\n    spec", "app: web\n        x: y\n    spec")
    )
    .is_empty());
}

#[test]
fn hpa_min_replicas() {
    let hpa = |min: &str| {
        format!("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\nspec:\n  {min}maxReplicas: 10\n")
    };
    assert_eq!(
        rules(&hpa("minReplicas: 4\n  "), &hpa("minReplicas: 2\n  ")),
        ["hpa-min-replicas-lowered"]
    );
    assert_eq!(
        diff(&hpa("minReplicas: 4\n  "), &hpa("")).risks[0].reason,
        "spec.minReplicas lowered from 4 to 1"
    );
    assert!(rules(&hpa("minReplicas: 2\n  "), &hpa("minReplicas: 4\n  ")).is_empty());
}

#[test]
fn image_changes_are_listed_and_risky_ones_flagged() {
    let head = DEPLOY
        .replace("migrate:1.0", "migrate:1.1")
        .replace("web:1.2.3@sha256:0123456789abcdef", "web:latest");
    let d = diff(DEPLOY, &head);
    let images: Vec<(&str, &str, &str)> = d
        .images
        .iter()
        .map(|i| (i.container.as_str(), i.from.as_str(), i.to.as_str()))
        .collect();
    assert_eq!(
        images,
        [
            (
                "migrate",
                "registry.example.com/migrate:1.0",
                "registry.example.com/migrate:1.1"
            ),
            (
                "web",
                "registry.example.com/web:1.2.3@sha256:0123456789abcdef",
                "registry.example.com/web:latest"
            ),
        ]
    );
    let mut found: Vec<&str> = d.risks.iter().map(|r| r.rule.as_str()).collect();
    found.sort();
    assert_eq!(
        found,
        [
            "image-changed",
            "image-changed",
            "image-digest-dropped",
            "image-latest"
        ]
    );
    // A pinned bump is a plain image change; an untagged image is as floating as :latest.
    assert_eq!(
        rules(DEPLOY, &DEPLOY.replace("migrate:1.0", "migrate:2.0")),
        ["image-changed"]
    );
    assert_eq!(
        rules(DEPLOY, &DEPLOY.replace("migrate:1.0", "migrate")),
        ["image-changed", "image-latest"]
    );
    assert_eq!(
        rules(DEPLOY, &DEPLOY.replace("@sha256:0123456789abcdef", "")),
        ["image-changed", "image-digest-dropped"]
    );
}

#[test]
fn images_in_every_pod_template() {
    let cron = |image: &str| {
        format!("apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  schedule: '@daily'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - name: job\n            image: {image}\n")
    };
    let d = diff(&cron("a:1"), &cron("a:2"));
    assert_eq!((d.images.len(), d.images[0].container.as_str()), (1, "job"));
    let pod = |image: &str| {
        format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: {image}\n")
    };
    assert_eq!(diff(&pod("a:1"), &pod("a:2")).images[0].to, "a:2");
    for (api, kind) in [
        ("apps/v1", "StatefulSet"),
        ("apps/v1", "DaemonSet"),
        ("apps/v1", "ReplicaSet"),
        ("argoproj.io/v1alpha1", "Rollout"),
    ] {
        let w = |image: &str| {
            format!("apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: w\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: {image}\n")
        };
        assert_eq!(diff(&w("a:1"), &w("a:2")).images.len(), 1, "{kind}");
    }
}

#[test]
fn resources_probes_and_security() {
    let d = diff(
        DEPLOY,
        &DEPLOY
            .replace("cpu: 100m", "cpu: 250m")
            .replace("memory: 256Mi", "memory: 512Mi"),
    );
    assert_eq!(d.risks.len(), 1);
    assert_eq!(
        d.risks[0].reason,
        "container web: requests.cpu 100m -> 250m, limits.memory 256Mi -> 512Mi"
    );
    let no_probe = DEPLOY.replace("        readinessProbe:\n          httpGet:\n            path: /ready\n            port: 8080\n", "");
    assert_eq!(rules(DEPLOY, &no_probe), ["probe-removed"]);
    assert!(rules(&no_probe, DEPLOY).is_empty());
    let privileged = DEPLOY.replace("        image: registry.example.com/migrate:1.0\n", "        image: registry.example.com/migrate:1.0\n        securityContext:\n          privileged: true\n");
    assert_eq!(rules(DEPLOY, &privileged), ["privileged"]);
    assert!(rules(&privileged, DEPLOY).is_empty());
    let host = DEPLOY.replace("      initContainers:", "      hostNetwork: true\n      volumes:\n      - name: logs\n        hostPath:\n          path: /var/log\n      initContainers:");
    let mut found = rules(DEPLOY, &host);
    found.sort();
    assert_eq!(found, ["host-network", "host-path"]);
    assert!(rules(
        &host,
        &host.replace("app: web\n    spec", "app: web\n        x: y\n    spec")
    )
    .is_empty());
    // Added workloads are checked for what they add.
    let mut found = rules("", &host.replace("privileged", "x"));
    found.sort();
    assert_eq!(found, ["host-network", "host-path"]);
}

#[test]
fn risks_are_ordered_high_first() {
    let base = [
        DEPLOY,
        "---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: z\n",
    ]
    .concat();
    let head = DEPLOY.replace("replicas: 3", "replicas: 0");
    assert_eq!(rules(&base, &head), ["pvc-deleted", "replicas-zero"]);
}

/// A tiny deterministic generator (no randomness crate needed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
    fn value(&mut self, depth: u32) -> serde_json::Value {
        use serde_json::Value;
        match self.next(if depth > 3 { 4 } else { 6 }) {
            0 => Value::from(format!("v{}", self.next(1000))),
            1 => Value::from(self.next(100_000) as f64 / 8.0),
            2 => Value::Bool(self.next(2) == 0),
            3 => Value::from(
                [
                    "",
                    "yes",
                    "0755",
                    "1e3",
                    "~",
                    "a: b",
                    "-x",
                    "null",
                    "line\nbreak",
                ][self.next(9) as usize],
            ),
            4 => Value::Array((0..self.next(4)).map(|_| self.value(depth + 1)).collect()),
            _ => {
                let mut map = serde_json::Map::new();
                for _ in 0..self.next(5) {
                    let key = [
                        "name", "image", "password", "data", "env", "b/c", "Z", "a.b", "value",
                    ][self.next(9) as usize];
                    map.insert(format!("{key}{}", self.next(3)), self.value(depth + 1));
                }
                Value::Object(map)
            }
        }
    }
}

/// JSON with every map's keys in reverse order: valid YAML, laid out nothing like the
/// YAML writer's output.
fn reversed_json(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Object(map) => {
            let items: Vec<String> = map
                .iter()
                .rev()
                .map(|(k, v)| {
                    format!(
                        "{}: {}",
                        serde_json::Value::from(k.as_str()),
                        reversed_json(v)
                    )
                })
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        serde_json::Value::Array(items) => {
            format!(
                "[{}]",
                items
                    .iter()
                    .map(reversed_json)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        other => other.to_string(),
    }
}

#[test]
fn property_diff_of_a_render_with_itself_is_empty() {
    let mut rng = Lcg(42);
    let kinds = [
        ("v1", "Secret"),
        ("v1", "ConfigMap"),
        ("apps/v1", "Deployment"),
        ("batch/v1", "CronJob"),
        ("example.com/v1", "Widget"),
    ];
    let mut block = String::new();
    let mut flow = String::new();
    for i in 0..300 {
        let (api, kind) = kinds[rng.next(kinds.len() as u64) as usize];
        let mut object = serde_json::json!({
            "apiVersion": api,
            "kind": kind,
            "metadata": {"name": format!("obj-{i}"), "labels": {"app": "x"}},
            "spec": rng.value(0),
            "data": rng.value(1),
        });
        if i % 7 == 0 {
            object["metadata"]["namespace"] = serde_json::Value::from("other");
        }
        block.push_str(&format!(
            "---\n# Source: gen/templates/{i}.yaml\n{}",
            helmpilot_yaml::marshal(&object).unwrap()
        ));
        flow.push_str(&format!("---\n{}\n", reversed_json(&object)));
    }
    let a = objects(&block);
    let b = objects(&flow);
    assert_eq!((a.len(), b.len()), (300, 300));
    for (x, y) in [(&a, &a), (&a, &b), (&b, &a)] {
        let d = compare(x, y, &CompareOptions::default());
        assert!(d.changes.is_empty(), "{:?}", d.changes.first());
        assert!(d.risks.is_empty() && d.images.is_empty());
        assert_eq!((d.unchanged, d.ignored_changes), (300, 0));
    }
    let d = compare(
        &a,
        &b,
        &CompareOptions {
            ignore: IgnoreRule::helm_noise(),
            ..CompareOptions::default()
        },
    );
    assert_eq!((d.changes.len(), d.unchanged), (0, 300));
}
