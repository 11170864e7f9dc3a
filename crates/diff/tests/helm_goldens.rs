//! Renders recorded from real Helm v4.2.3 (`helm template` of the fraud-detector chart,
//! fixtures/chart-conformance at the repository root) read and compared.

use helmpilot_diff::compare::{compare, CompareOptions, IgnoreRule};
use helmpilot_diff::model::{ChangeKind, EnvironmentDiff};
use helmpilot_diff::objects::{parse_manifests, Parsed};

fn golden(case: &str) -> String {
    let path = format!(
        "{}/../../fixtures/chart-conformance/goldens/{case}.out",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parsed(case: &str, namespace: &str) -> Parsed {
    parse_manifests(&golden(case), namespace).expect("Helm's output parses")
}

fn diff(base: &str, head: &str) -> EnvironmentDiff {
    let options = CompareOptions {
        ignore: IgnoreRule::helm_noise(),
        ..CompareOptions::default()
    };
    compare(
        &parsed(base, "default").objects,
        &parsed(head, "default").objects,
        &options,
    )
}

#[test]
fn every_document_helm_printed_is_an_object_with_its_source() {
    for (case, namespace) in [
        ("fd-defaults", "default"),
        ("fd-prod", "fraud-prod"),
        ("fd-dev", "fraud-dev"),
    ] {
        let text = golden(case);
        let parsed = parsed(case, namespace);
        let sources: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# Source: "))
            .collect();
        let ours: Vec<&str> = parsed.objects.iter().map(|o| o.source.as_str()).collect();
        assert_eq!(ours, sources, "{case}");
        assert!(parsed.warnings.is_empty());
        for object in &parsed.objects {
            assert_eq!(object.key.namespace, namespace, "{case}: {:?}", object.key);
            assert_eq!(object.value["kind"], object.key.kind.as_str());
        }
    }
    let kinds: Vec<String> = parsed("fd-prod", "fraud-prod")
        .objects
        .iter()
        .map(|o| format!("{}/{} {}", o.key.group, o.key.kind, o.key.name))
        .collect();
    assert_eq!(
        kinds,
        [
            "/ServiceAccount prod-fraud-detector",
            "/ConfigMap prod-fraud-detector-model",
            "/Service prod-fraud-detector",
            "apps/Deployment prod-fraud-detector",
            "autoscaling/HorizontalPodAutoscaler prod-fraud-detector",
            "networking.k8s.io/Ingress prod-fraud-detector",
            "/Pod prod-fraud-detector-test-connection",
            "batch/Job prod-fraud-detector-validate-model",
        ]
    );
}

#[test]
fn set_resources_changes_one_deployment() {
    let d = diff("fd-defaults", "fd-set-json-resources");
    assert_eq!(
        (d.changed(), d.added(), d.removed(), d.unchanged),
        (1, 0, 0, 5)
    );
    assert_eq!(d.changes[0].key.kind, "Deployment");
    let reasons: Vec<&str> = d.risks.iter().map(|r| r.reason.as_str()).collect();
    assert_eq!(
        reasons,
        ["container fraud-detector: requests.cpu 250m -> 500m, limits.cpu (none) -> 1, limits.memory 1Gi -> 2Gi"]
    );
}

#[test]
fn chart_version_noise_is_counted_not_shown() {
    // --set-string changes the image tag (and with it the app version label), a
    // ConfigMap value, a pod label and the config checksum.
    let d = diff("fd-defaults", "fd-set-string");
    let changed: Vec<(&str, &ChangeKind)> = d
        .changes
        .iter()
        .map(|c| (c.key.kind.as_str(), &c.change))
        .collect();
    assert!(changed.iter().all(|(_, k)| **k == ChangeKind::Changed));
    assert_eq!(d.ignored_changes, 1, "the checksum/config annotation");
    let images: Vec<(&str, &str)> = d
        .images
        .iter()
        .map(|i| (i.from.as_str(), i.to.as_str()))
        .collect();
    assert_eq!(images.len(), 1);
    assert!(images[0].1.ends_with(":3.0"), "{images:?}");
    let deploy = d
        .changes
        .iter()
        .find(|c| c.key.kind == "Deployment")
        .unwrap();
    assert!(
        deploy.diff.contains("+        build: \"1234\"\n"),
        "{}",
        deploy.diff
    );
    assert!(!deploy.diff.contains("checksum/config"));
}

#[test]
fn staging_to_prod_values() {
    let d = diff("fd-defaults", "fd-staging-then-prod");
    let added: Vec<&str> = d
        .changes
        .iter()
        .filter(|c| c.change == ChangeKind::Added)
        .map(|c| c.key.kind.as_str())
        .collect();
    assert_eq!(added, ["HorizontalPodAutoscaler", "Ingress"]);
    let deploy = d
        .changes
        .iter()
        .find(|c| c.key.kind == "Deployment")
        .unwrap();
    // The secret reference stays readable; no value is masked in this render.
    assert!(deploy.diff.contains("secretKeyRef:"), "{}", deploy.diff);
    assert!(deploy.diff.contains("name: fraud-redis-auth"));
    assert!(!deploy.diff.contains("<redacted"));
    assert!(deploy.diff.contains("-  replicas: 1\n"));
    let rules: Vec<&str> = d.risks.iter().map(|r| r.rule.as_str()).collect();
    assert_eq!(rules, ["resources-changed"]);
}

#[test]
fn another_namespace_is_another_object() {
    let base = parsed("fd-defaults", "default");
    let head = parsed("fd-namespace-long-flag", "risk-scoring");
    let d = compare(&base.objects, &head.objects, &CompareOptions::default());
    // Same content in another namespace: every object is added and removed (Helm would
    // install a second copy), never paired as a rename.
    assert_eq!((d.added(), d.removed(), d.changed()), (6, 6, 0));
}
