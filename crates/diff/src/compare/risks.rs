//! Risk rules (the table is in the `compare` module's documentation). They read the
//! normalized objects (ignored paths removed, secrets masked), so a reason can quote
//! values without ever quoting a secret.

use std::collections::BTreeSet;

use serde_json::Value;

use super::quantity;
use crate::model::{ImageChange, ObjectKey, Risk, SecretKeys, Severity};
use crate::objects::display_name;

/// One side of a comparison.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub key: &'a ObjectKey,
    pub value: &'a Value,
}

/// Collects risks and image changes, skipping disabled rules.
pub struct Assessor<'a> {
    pub disabled: &'a BTreeSet<String>,
    pub risks: Vec<Risk>,
    pub images: Vec<ImageChange>,
}

/// Values longer than this are not quoted in a reason.
const SHORT: usize = 60;

impl Assessor<'_> {
    fn risk(&mut self, key: &ObjectKey, rule: &str, severity: Severity, reason: String) {
        if !self.disabled.contains(rule) {
            self.risks.push(Risk {
                key: key.clone(),
                rule: rule.to_string(),
                severity,
                reason,
            });
        }
    }

    /// Assesses one object: `base` only (removed), `head` only (added), both with the
    /// same key (changed) or with different keys (renamed: Helm deletes the base object
    /// and creates the head one).
    pub fn assess(&mut self, base: Option<Side>, head: Option<Side>, secret: Option<&SecretKeys>) {
        match (base, head) {
            (Some(b), None) => self.deleted(b, None),
            (None, Some(h)) => self.pods(None, h),
            (Some(b), Some(h)) if b.key != h.key => {
                self.deleted(b, Some(h.key));
                self.pods(Some(b), h);
            }
            (Some(b), Some(h)) => {
                self.immutable(b, h);
                self.scaling(b, h);
                self.pods(Some(b), h);
                if let Some(keys) = secret {
                    self.secret(h.key, keys);
                }
            }
            (None, None) => {}
        }
    }

    fn deleted(&mut self, base: Side, renamed_to: Option<&ObjectKey>) {
        let key = base.key;
        let annotations = base.value.pointer("/metadata/annotations");
        // Helm leaves objects annotated `helm.sh/resource-policy: keep` in the cluster.
        if annotations
            .and_then(|a| a.get("helm.sh/resource-policy"))
            .and_then(Value::as_str)
            == Some("keep")
        {
            return;
        }
        let (rule, severity, what) = match (key.group.as_str(), key.kind.as_str()) {
            ("", "PersistentVolumeClaim") => (
                "pvc-deleted",
                Severity::High,
                "its volume and data may be deleted with it",
            ),
            ("", "Namespace") => (
                "namespace-deleted",
                Severity::High,
                "every object in it is deleted",
            ),
            ("apiextensions.k8s.io", "CustomResourceDefinition") => (
                "crd-deleted",
                Severity::High,
                "every custom resource of this type is deleted",
            ),
            ("apps", "StatefulSet") => (
                "statefulset-deleted",
                Severity::High,
                "its pods are deleted and its volumes are left behind",
            ),
            ("policy", "PodDisruptionBudget") => (
                "pdb-removed",
                Severity::Medium,
                "its pods lose their disruption protection",
            ),
            _ => return,
        };
        let target = renamed_to.unwrap_or(key);
        let reason = match renamed_to {
            Some(to) => format!(
                "{} {} is renamed to {}: Helm deletes the old one; {what}",
                key.kind,
                display_name(key),
                to.name
            ),
            None => format!("{} {} is deleted: {what}", key.kind, display_name(key)),
        };
        self.risk(target, rule, severity, reason);
    }

    fn immutable(&mut self, base: Side, head: Side) {
        let key = head.key;
        let kind = (key.group.as_str(), key.kind.as_str());
        let changed = |path: &str| base.value.pointer(path) != head.value.pointer(path);
        let immutable = |this: &mut Self, rule: &str, path: &str| {
            if changed(path) {
                let reason = format!(
                    "{} is immutable ({}); the upgrade fails unless the {} is deleted and recreated",
                    field(path),
                    transition(base.value.pointer(path), head.value.pointer(path)),
                    key.kind
                );
                this.risk(key, rule, Severity::High, reason);
            }
        };
        match kind {
            ("apps", "Deployment" | "ReplicaSet" | "DaemonSet") => {
                immutable(self, "immutable-selector", "/spec/selector");
            }
            ("apps", "StatefulSet") => {
                immutable(self, "immutable-selector", "/spec/selector");
                for path in [
                    "/spec/volumeClaimTemplates",
                    "/spec/serviceName",
                    "/spec/podManagementPolicy",
                ] {
                    immutable(self, "immutable-statefulset-field", path);
                }
            }
            ("batch", "Job") => {
                immutable(self, "immutable-selector", "/spec/selector");
                immutable(self, "immutable-job-template", "/spec/template");
            }
            ("", "Service") => {
                let set =
                    |v: Option<&Value>| v.and_then(Value::as_str).is_some_and(|s| !s.is_empty());
                let (b, h) = (
                    base.value.pointer("/spec/clusterIP"),
                    head.value.pointer("/spec/clusterIP"),
                );
                if b != h && (set(b) || set(h)) {
                    immutable(self, "immutable-cluster-ip", "/spec/clusterIP");
                }
                let ty = |v: &Value| {
                    v.pointer("/spec/type")
                        .and_then(Value::as_str)
                        .unwrap_or("ClusterIP")
                        .to_string()
                };
                let (b, h) = (ty(base.value), ty(head.value));
                if b != h && (b == "ExternalName" || h == "ExternalName") {
                    self.risk(
                        key,
                        "service-type-external-name",
                        Severity::High,
                        format!("spec.type changes {b} -> {h}: switching to or from ExternalName needs the cluster IP and ports reconciled and often fails the upgrade"),
                    );
                }
            }
            ("", "PersistentVolumeClaim") => {
                immutable(self, "immutable-pvc-field", "/spec/storageClassName");
                immutable(self, "immutable-pvc-field", "/spec/accessModes");
                let storage = |v: &Value| {
                    v.pointer("/spec/resources/requests/storage")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                };
                if let (Some(b), Some(h)) = (storage(base.value), storage(head.value)) {
                    if let (Some(bq), Some(hq)) = (quantity::parse(&b), quantity::parse(&h)) {
                        if hq < bq {
                            self.risk(
                                key,
                                "pvc-storage-shrink",
                                Severity::High,
                                format!("spec.resources.requests.storage shrinks ({b} -> {h}): volumes cannot shrink, the upgrade fails"),
                            );
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn scaling(&mut self, base: Side, head: Side) {
        let key = head.key;
        let number = |v: &Value, path: &str, default: f64| match v.pointer(path) {
            Some(Value::Number(n)) => n.as_f64(),
            None | Some(Value::Null) => Some(default),
            Some(_) => None,
        };
        if let (Some(b), Some(0.0)) = (
            number(base.value, "/spec/replicas", 1.0),
            number(head.value, "/spec/replicas", 1.0),
        ) {
            if b != 0.0 {
                self.risk(
                    key,
                    "replicas-zero",
                    Severity::Medium,
                    format!("spec.replicas goes from {b} to 0: the workload stops serving"),
                );
            }
        }
        if (key.group.as_str(), key.kind.as_str()) == ("autoscaling", "HorizontalPodAutoscaler") {
            if let (Some(b), Some(h)) = (
                number(base.value, "/spec/minReplicas", 1.0),
                number(head.value, "/spec/minReplicas", 1.0),
            ) {
                if h < b {
                    self.risk(
                        key,
                        "hpa-min-replicas-lowered",
                        Severity::Medium,
                        format!("spec.minReplicas lowered from {b} to {h}"),
                    );
                }
            }
        }
    }

    fn secret(&mut self, key: &ObjectKey, keys: &SecretKeys) {
        let mut parts = Vec::new();
        for (label, names) in [
            ("added", &keys.added),
            ("changed", &keys.changed),
            ("removed", &keys.removed),
        ] {
            if !names.is_empty() {
                parts.push(format!("{label} {}", names.join(", ")));
            }
        }
        if !parts.is_empty() {
            self.risk(
                key,
                "secret-changed",
                Severity::Medium,
                format!("Secret data changes: {}", parts.join("; ")),
            );
        }
    }

    fn pods(&mut self, base: Option<Side>, head: Side) {
        let key = head.key;
        let Some(head_spec) = pod_spec(key, head.value) else {
            return;
        };
        let base_spec = base.and_then(|b| pod_spec(b.key, b.value));
        let base_containers = base_spec.map(containers).unwrap_or_default();

        for container in containers(head_spec) {
            let name = container
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let old = base_containers
                .iter()
                .find(|c| c.get("name").and_then(Value::as_str) == Some(name));
            self.container(key, name, old.copied(), container);
        }
        for old in &base_containers {
            let name = old.get("name").and_then(Value::as_str).unwrap_or_default();
            let still_there = containers(head_spec)
                .iter()
                .any(|c| c.get("name").and_then(Value::as_str) == Some(name));
            if !still_there {
                for probe in ["readinessProbe", "livenessProbe"] {
                    if old.get(probe).is_some() {
                        self.risk(
                            key,
                            "probe-removed",
                            Severity::Medium,
                            format!("container {name} and its {probe} are removed"),
                        );
                    }
                }
            }
        }

        let flag = |spec: Option<&Value>, field: &str| {
            spec.and_then(|s| s.get(field)) == Some(&Value::Bool(true))
        };
        if flag(Some(head_spec), "hostNetwork") && !flag(base_spec, "hostNetwork") {
            self.risk(
                key,
                "host-network",
                Severity::Medium,
                "hostNetwork: true: pods share the node's network namespace".to_string(),
            );
        }
        let host_paths = |spec: Option<&Value>| -> Vec<(String, Value)> {
            spec.and_then(|s| s.get("volumes"))
                .and_then(Value::as_array)
                .map(|volumes| {
                    volumes
                        .iter()
                        .filter_map(|v| {
                            let path = v.get("hostPath")?;
                            let name = v.get("name").and_then(Value::as_str).unwrap_or_default();
                            Some((name.to_string(), path.clone()))
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let before = host_paths(base_spec);
        for (name, path) in host_paths(Some(head_spec)) {
            if !before.iter().any(|(n, p)| *n == name && *p == path) {
                let shown = path.get("path").and_then(Value::as_str).unwrap_or("?");
                self.risk(
                    key,
                    "host-path",
                    Severity::Medium,
                    format!("volume {name} mounts host path {shown} from the node"),
                );
            }
        }
    }

    fn container(&mut self, key: &ObjectKey, name: &str, old: Option<&Value>, new: &Value) {
        let image = |c: Option<&Value>| {
            c.and_then(|c| c.get("image"))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let (old_image, new_image) = (image(old), image(Some(new)));
        if let Some(to) = &new_image {
            if old.is_some() && old_image.as_ref() != Some(to) {
                let from = old_image.clone().unwrap_or_default();
                self.risk(
                    key,
                    "image-changed",
                    Severity::Medium,
                    format!("container {name} image {from} -> {to}"),
                );
                self.images.push(ImageChange {
                    key: key.clone(),
                    container: name.to_string(),
                    from,
                    to: to.clone(),
                });
            }
            if is_floating(to) && !old_image.as_deref().is_some_and(is_floating) {
                self.risk(
                    key,
                    "image-latest",
                    Severity::Medium,
                    format!("container {name} uses {to}: a moving tag, so what runs can change without a diff"),
                );
            }
            if let Some(from) = &old_image {
                if has_digest(from) && !has_digest(to) {
                    self.risk(
                        key,
                        "image-digest-dropped",
                        Severity::Medium,
                        format!("container {name} loses its digest pin ({from} -> {to})"),
                    );
                }
            }
        }

        let privileged = |c: Option<&Value>| {
            c.and_then(|c| c.pointer("/securityContext/privileged")) == Some(&Value::Bool(true))
        };
        if privileged(Some(new)) && !privileged(old) {
            self.risk(
                key,
                "privileged",
                Severity::Medium,
                format!("container {name} runs privileged (full access to the node)"),
            );
        }

        let Some(old) = old else {
            return;
        };
        for probe in ["readinessProbe", "livenessProbe"] {
            if old.get(probe).is_some() && new.get(probe).is_none() {
                self.risk(
                    key,
                    "probe-removed",
                    Severity::Medium,
                    format!("container {name}: {probe} removed"),
                );
            }
        }
        let changes = resource_changes(old.get("resources"), new.get("resources"));
        if !changes.is_empty() {
            self.risk(
                key,
                "resources-changed",
                Severity::Medium,
                format!("container {name}: {}", changes.join(", ")),
            );
        }
    }
}

/// `limits.memory 512Mi -> 1Gi` for every request or limit that differs.
fn resource_changes(old: Option<&Value>, new: Option<&Value>) -> Vec<String> {
    fn get<'a>(r: Option<&'a Value>, section: &str) -> Option<&'a serde_json::Map<String, Value>> {
        r.and_then(|r| r.get(section)).and_then(Value::as_object)
    }
    let mut out = Vec::new();
    for section in ["requests", "limits"] {
        let (o, n) = (get(old, section), get(new, section));
        let names: BTreeSet<&String> = o.iter().chain(n.iter()).flat_map(|m| m.keys()).collect();
        for name in names {
            let (a, b) = (o.and_then(|m| m.get(name)), n.and_then(|m| m.get(name)));
            if a != b {
                out.push(format!("{section}.{name} {}", transition(a, b)));
            }
        }
    }
    out
}

/// The pod spec of a workload, wherever its kind keeps it.
fn pod_spec<'a>(key: &ObjectKey, value: &'a Value) -> Option<&'a Value> {
    let spec = match (key.group.as_str(), key.kind.as_str()) {
        ("", "Pod") => value.get("spec"),
        ("batch", "CronJob") => value.pointer("/spec/jobTemplate/spec/template/spec"),
        // Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, ReplicationController and
        // custom workloads built the same way (Argo Rollouts, ...).
        _ => value.pointer("/spec/template/spec"),
    }?;
    spec.get("containers")
        .is_some_and(Value::is_array)
        .then_some(spec)
}

fn containers(spec: &Value) -> Vec<&Value> {
    ["initContainers", "containers"]
        .iter()
        .filter_map(|list| spec.get(*list).and_then(Value::as_array))
        .flatten()
        .filter(|c| c.is_object())
        .collect()
}

/// The tag of an image reference (after the last `/`), if any.
fn tag(image: &str) -> Option<&str> {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    last.split_once(':').map(|(_, tag)| tag)
}

fn has_digest(image: &str) -> bool {
    image.contains('@')
}

/// `:latest` or no tag, and no digest: the image can change under the same name.
fn is_floating(image: &str) -> bool {
    !has_digest(image) && matches!(tag(image), None | Some("latest"))
}

/// `spec.selector` from `/spec/selector`.
fn field(path: &str) -> String {
    path.trim_start_matches('/').replace('/', ".")
}

/// `a -> b` with short values quoted, `(none)` for a missing one, `changed` when either
/// is too long to quote.
fn transition(old: Option<&Value>, new: Option<&Value>) -> String {
    match (short(old), short(new)) {
        (Some(a), Some(b)) => format!("{a} -> {b}"),
        _ => "changed".to_string(),
    }
}

fn short(value: Option<&Value>) -> Option<String> {
    let text = match value {
        None => return Some("(none)".to_string()),
        Some(Value::String(s)) => s.clone(),
        Some(other) => helmpilot_yaml::json::marshal(other),
    };
    (text.chars().count() <= SHORT && !text.contains('\n')).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_tags() {
        assert!(is_floating("nginx"));
        assert!(is_floating("nginx:latest"));
        assert!(is_floating("registry:5000/team/app"));
        assert!(!is_floating("registry:5000/team/app:1.2"));
        assert!(!is_floating("nginx@sha256:abcd"));
        assert!(!is_floating("nginx:1.25"));
        assert!(has_digest("nginx:1.25@sha256:abcd"));
    }

    #[test]
    fn transitions_quote_short_values_only() {
        let long = Value::String("x".repeat(61));
        assert_eq!(transition(Some(&"a".into()), None), "a -> (none)");
        assert_eq!(transition(Some(&long), None), "changed");
        assert_eq!(
            transition(
                Some(&serde_json::json!({"app": "web"})),
                Some(&serde_json::json!(3.0))
            ),
            r#"{"app":"web"} -> 3"#
        );
    }
}
