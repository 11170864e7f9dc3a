//! Pairs the objects of two renders (base and head) into an [`EnvironmentDiff`].
//!
//! Each object is first normalized: paths named by [ignore rules](IgnoreRule) are
//! removed (a removed path whose value differs between base and head counts as one
//! ignored change), secrets are masked, and the object is written as YAML with sorted
//! keys (`sigs.k8s.io/yaml` output), so key order and formatting are never changes.
//! Objects are paired by [`ObjectKey`]: added, removed, changed or unchanged; a removed
//! and an added object of the same group, kind and namespace that are equal but for
//! `metadata.name` are one rename. Changed objects carry a unified diff of their YAML.
//!
//! # Masking
//!
//! Nothing secret reaches the diff: values are replaced by `<redacted sha256:XXXXXXXX>`
//! (the first 8 hex digits of the value's SHA-256, so a change stays visible) before
//! anything is compared. Masked are the `data` and `stringData` values of Secrets, the
//! value under any key matching a [sensitive pattern](CompareOptions::sensitive_keys)
//! (a map or list under such a key as a whole; `secretName`, `secretKeyRef`,
//! `imagePullSecrets` and other references to secrets stay readable), and the `value` of
//! `{name, value}` entries (container `env`) whose name matches. Nulls, empty strings
//! and booleans are left as they are: they hide nothing.
//!
//! # Risks
//!
//! | rule id | severity | when |
//! |---|---|---|
//! | `immutable-selector` | High | `spec.selector` of a Deployment, ReplicaSet, DaemonSet, StatefulSet or Job changes |
//! | `immutable-statefulset-field` | High | a StatefulSet's `volumeClaimTemplates`, `serviceName` or `podManagementPolicy` changes |
//! | `immutable-job-template` | High | a Job's `spec.template` changes |
//! | `immutable-cluster-ip` | High | a Service's `spec.clusterIP` changes and one side sets it |
//! | `service-type-external-name` | High | a Service's `spec.type` changes to or from `ExternalName` |
//! | `immutable-pvc-field` | High | a PersistentVolumeClaim's `storageClassName` or `accessModes` changes |
//! | `pvc-storage-shrink` | High | a PersistentVolumeClaim's storage request gets smaller |
//! | `pvc-deleted` | High | a PersistentVolumeClaim is removed or renamed |
//! | `namespace-deleted` | High | a Namespace is removed or renamed |
//! | `crd-deleted` | High | a CustomResourceDefinition is removed or renamed |
//! | `statefulset-deleted` | High | a StatefulSet is removed or renamed |
//! | `pdb-removed` | Medium | a PodDisruptionBudget is removed or renamed |
//! | `replicas-zero` | Medium | `spec.replicas` becomes 0 |
//! | `hpa-min-replicas-lowered` | Medium | a HorizontalPodAutoscaler's `minReplicas` is lowered |
//! | `image-changed` | Medium | a container's image changes (also listed in [`EnvironmentDiff::images`] for summaries) |
//! | `image-latest` | Medium | a container's image becomes `:latest` or untagged (no digest) |
//! | `image-digest-dropped` | Medium | a container's image loses its `@sha256:` digest |
//! | `resources-changed` | Medium | a container's resource requests or limits change |
//! | `probe-removed` | Medium | a container's readiness or liveness probe is removed |
//! | `privileged` | Medium | a container becomes `privileged: true` |
//! | `host-path` | Medium | a `hostPath` volume is added |
//! | `host-network` | Medium | `hostNetwork: true` is added |
//! | `secret-changed` | Medium | a Secret's data keys are added, changed or removed |
//!
//! High means the upgrade fails or data is lost; Medium means a reviewer should look.
//! Deletion rules skip objects annotated `helm.sh/resource-policy: keep` (Helm leaves
//! them in place). Rules run on normalized objects, so ignored paths raise no risk.
//! Pod templates are found in Pods, CronJobs (`spec.jobTemplate`) and every kind with
//! `spec.template.spec.containers`; containers and init containers are matched by
//! name. An image change is a Medium risk (a new build runs) and is also listed in
//! [`EnvironmentDiff::images`] for summaries.

mod ignore;
mod mask;
mod quantity;
mod risks;
mod unified;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

pub use ignore::{IgnoreRule, IgnoreRuleError};
pub use unified::{unified, Unified};

use crate::model::{ChangeKind, EnvironmentDiff, ObjectChange, ObjectKey, SecretKeys};
use crate::objects::Object;
use mask::Patterns;
use risks::{Assessor, Side};

/// How two renders are compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompareOptions {
    /// Unchanged lines around each change in a diff (3, as `diff -u`).
    pub context: usize,
    /// Paths left out of the comparison; none by default ([`IgnoreRule::helm_noise`] is
    /// a set the caller may add).
    pub ignore: Vec<IgnoreRule>,
    /// Key patterns whose values are masked: matched case-insensitively as substrings of
    /// a key, with `-` and `_` ignored on both sides (`api_key` matches `X-Api-Key`).
    pub sensitive_keys: Vec<String>,
    /// Risk rule ids not to report.
    pub disabled_risks: BTreeSet<String>,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            context: 3,
            ignore: Vec::new(),
            sensitive_keys: [
                "password",
                "passwd",
                "secret",
                "token",
                "apikey",
                "api_key",
                "private_key",
                "credentials",
            ]
            .into_iter()
            .map(str::to_string)
            .collect(),
            disabled_risks: BTreeSet::new(),
        }
    }
}

/// An object after ignore rules and masking.
struct Normalized<'a> {
    object: &'a Object,
    value: Value,
    /// What the ignore rules removed, by path.
    ignored: BTreeMap<String, Value>,
}

impl Normalized<'_> {
    fn yaml(&self) -> String {
        to_yaml(&self.value)
    }
}

/// YAML with sorted keys, as `sigs.k8s.io/yaml` writes it. A value go-yaml cannot write
/// (a key longer than 1024 characters) falls back to indented JSON, which is still
/// deterministic and line-oriented.
fn to_yaml(value: &Value) -> String {
    helmpilot_yaml::marshal(value).unwrap_or_else(|_| {
        let mut text = helmpilot_yaml::json::indent(&helmpilot_yaml::json::marshal(value), "  ");
        text.push('\n');
        text
    })
}

fn normalize<'a>(
    object: &'a Object,
    options: &CompareOptions,
    patterns: &Patterns,
) -> Normalized<'a> {
    let mut value = object.value.clone();
    let ignored = ignore::strip(&mut value, &object.key.kind, &options.ignore);
    mask::mask(&mut value, is_secret(&object.key), patterns);
    Normalized {
        object,
        value,
        ignored,
    }
}

fn is_secret(key: &ObjectKey) -> bool {
    key.group.is_empty() && key.kind == "Secret"
}

/// Compares the objects of a base and a head render.
///
/// `chart` and `name` of the result are left empty for the caller; changes are sorted by
/// key, risks by severity (High first) then key, images by key.
///
/// ```
/// use helmpilot_diff::compare::{compare, CompareOptions};
/// use helmpilot_diff::objects::parse_manifests;
///
/// let base = parse_manifests("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  level: info\n", "prod").unwrap();
/// let head = parse_manifests("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  level: debug\n", "prod").unwrap();
/// let diff = compare(&base.objects, &head.objects, &CompareOptions::default());
/// assert_eq!(diff.changed(), 1);
/// assert_eq!(
///     diff.changes[0].diff,
///     "@@ -1,6 +1,6 @@\n apiVersion: v1\n data:\n-  level: info\n+  level: debug\n kind: ConfigMap\n metadata:\n   name: cfg\n"
/// );
/// ```
pub fn compare(base: &[Object], head: &[Object], options: &CompareOptions) -> EnvironmentDiff {
    let patterns = Patterns::new(&options.sensitive_keys);
    // Later objects with the same key replace earlier ones, as in `parse_manifests`.
    let index = |objects: &'_ [Object]| -> BTreeMap<ObjectKey, usize> {
        objects
            .iter()
            .enumerate()
            .map(|(i, o)| (o.key.clone(), i))
            .collect()
    };
    let (base_index, head_index) = (index(base), index(head));

    let mut diff = EnvironmentDiff::default();
    let mut assessor = Assessor {
        disabled: &options.disabled_risks,
        risks: Vec::new(),
        images: Vec::new(),
    };
    let mut removed = Vec::new();
    let mut added = Vec::new();

    for (key, &b) in &base_index {
        let old = normalize(&base[b], options, &patterns);
        let Some(&h) = head_index.get(key) else {
            removed.push(old);
            continue;
        };
        let new = normalize(&head[h], options, &patterns);
        diff.ignored_changes += ignore::count_differences(&old.ignored, &new.ignored);
        let secret = is_secret(key).then(|| mask::secret_keys(Some(&old.value), Some(&new.value)));
        // Equal trees write equal YAML; only changed objects are written out.
        if old.value == new.value {
            diff.unchanged += 1;
            continue;
        }
        let text = unified(&old.yaml(), &new.yaml(), options.context);
        assessor.assess(
            Some(Side {
                key,
                value: &old.value,
            }),
            Some(Side {
                key,
                value: &new.value,
            }),
            secret.as_ref(),
        );
        diff.changes
            .push(change(key.clone(), ChangeKind::Changed, &new, text, secret));
    }
    for (key, &h) in &head_index {
        if !base_index.contains_key(key) {
            added.push(normalize(&head[h], options, &patterns));
        }
    }

    let renames = pair_renames(&removed, &added);
    let mut renamed_base = vec![false; removed.len()];
    let mut renamed_head = vec![false; added.len()];
    for &(r, a) in &renames {
        renamed_base[r] = true;
        renamed_head[a] = true;
        let (old, new) = (&removed[r], &added[a]);
        assessor.assess(
            Some(Side {
                key: &old.object.key,
                value: &old.value,
            }),
            Some(Side {
                key: &new.object.key,
                value: &new.value,
            }),
            None,
        );
        let secret = is_secret(&new.object.key).then(SecretKeys::default);
        let kind = ChangeKind::Renamed {
            from: old.object.key.clone(),
        };
        diff.changes.push(change(
            new.object.key.clone(),
            kind,
            new,
            Unified::default(),
            secret,
        ));
    }
    for (old, _) in removed.iter().zip(&renamed_base).filter(|(_, r)| !**r) {
        let key = &old.object.key;
        assessor.assess(
            Some(Side {
                key,
                value: &old.value,
            }),
            None,
            None,
        );
        let secret = is_secret(key).then(|| mask::secret_keys(Some(&old.value), None));
        let text = unified(&old.yaml(), "", options.context);
        diff.changes
            .push(change(key.clone(), ChangeKind::Removed, old, text, secret));
    }
    for (new, _) in added.iter().zip(&renamed_head).filter(|(_, r)| !**r) {
        let key = &new.object.key;
        assessor.assess(
            None,
            Some(Side {
                key,
                value: &new.value,
            }),
            None,
        );
        let secret = is_secret(key).then(|| mask::secret_keys(None, Some(&new.value)));
        let text = unified("", &new.yaml(), options.context);
        diff.changes
            .push(change(key.clone(), ChangeKind::Added, new, text, secret));
    }

    diff.changes.sort_by(|a, b| a.key.cmp(&b.key));
    diff.risks = assessor.risks;
    diff.risks
        .sort_by(|a, b| (b.severity, &a.key, &a.rule).cmp(&(a.severity, &b.key, &b.rule)));
    diff.images = assessor.images;
    diff.images.sort_by(|a, b| a.key.cmp(&b.key));
    diff
}

fn change(
    key: ObjectKey,
    change: ChangeKind,
    side: &Normalized,
    text: Unified,
    secret_keys: Option<SecretKeys>,
) -> ObjectChange {
    ObjectChange {
        key,
        change,
        source: side.object.source.clone(),
        diff: text.text,
        added_lines: text.added,
        removed_lines: text.removed,
        secret_keys,
    }
}

/// Pairs removed and added objects that are the same object under another name: same
/// group, kind and namespace, equal once `metadata.name` is left out. Both lists are in
/// key order, and each removed object takes the first unpaired match, so the pairing is
/// deterministic.
fn pair_renames(removed: &[Normalized], added: &[Normalized]) -> Vec<(usize, usize)> {
    let identity = |n: &Normalized| {
        let mut value = n.value.clone();
        if let Some(Value::Object(meta)) = value.get_mut("metadata") {
            meta.remove("name");
        }
        let key = &n.object.key;
        (
            key.group.clone(),
            key.kind.clone(),
            key.namespace.clone(),
            helmpilot_yaml::json::marshal(&value),
        )
    };
    let mut candidates: HashMap<_, Vec<usize>> = HashMap::new();
    for (i, n) in added.iter().enumerate().rev() {
        candidates.entry(identity(n)).or_default().push(i);
    }
    let mut pairs = Vec::new();
    for (r, n) in removed.iter().enumerate() {
        if let Some(a) = candidates.get_mut(&identity(n)).and_then(Vec::pop) {
            pairs.push((r, a));
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_options() {
        let options = CompareOptions::default();
        assert_eq!(options.context, 3);
        assert!(options.ignore.is_empty());
        assert_eq!(options.sensitive_keys.len(), 8);
        assert!(options.disabled_risks.is_empty());
    }
}
