//! Sorting rendered templates into hooks and plain manifests, in install order, as
//! Helm's `releaseutil.SortManifests` does.

use std::collections::BTreeMap;

use super::head::{parse_head, SimpleHead};
use super::split::split_manifests;
use super::ManifestError;

/// The order Helm installs kinds in (`releaseutil.InstallOrder`); kinds not listed go
/// last, alphabetically.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// The order Helm uninstalls kinds in (`releaseutil.UninstallOrder`): not simply the
/// reverse of [`INSTALL_ORDER`] (webhooks go first, validating before mutating).
pub const UNINSTALL_ORDER: &[&str] = &[
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "APIService",
    "Ingress",
    "IngressClass",
    "Service",
    "CronJob",
    "Job",
    "StatefulSet",
    "HorizontalPodAutoscaler",
    "Deployment",
    "ReplicaSet",
    "ReplicationController",
    "Pod",
    "DaemonSet",
    "RoleBindingList",
    "RoleBinding",
    "RoleList",
    "Role",
    "ClusterRoleBindingList",
    "ClusterRoleBinding",
    "ClusterRoleList",
    "ClusterRole",
    "CustomResourceDefinition",
    "PersistentVolumeClaim",
    "PersistentVolume",
    "StorageClass",
    "ConfigMap",
    "SecretList",
    "Secret",
    "ServiceAccount",
    "PodDisruptionBudget",
    "PodSecurityPolicy",
    "LimitRange",
    "ResourceQuota",
    "NetworkPolicy",
    "Namespace",
    "PriorityClass",
];

/// The annotation that makes a document a hook.
pub const HOOK_ANNOTATION: &str = "helm.sh/hook";
/// The annotation giving a hook's weight.
pub const HOOK_WEIGHT_ANNOTATION: &str = "helm.sh/hook-weight";
/// The annotation listing a hook's delete policies.
pub const HOOK_DELETE_ANNOTATION: &str = "helm.sh/hook-delete-policy";
/// The annotation listing when a hook's logs are shown.
pub const HOOK_OUTPUT_LOG_ANNOTATION: &str = "helm.sh/hook-output-log-policy";

/// When a hook runs (Helm's `release.HookEvent`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HookEvent {
    PreInstall,
    PostInstall,
    PreDelete,
    PostDelete,
    PreUpgrade,
    PostUpgrade,
    PreRollback,
    PostRollback,
    /// `test`, also spelled `test-success` (Helm 2's name).
    Test,
}

impl HookEvent {
    /// The event's name in the `helm.sh/hook` annotation.
    pub fn as_str(self) -> &'static str {
        match self {
            HookEvent::PreInstall => "pre-install",
            HookEvent::PostInstall => "post-install",
            HookEvent::PreDelete => "pre-delete",
            HookEvent::PostDelete => "post-delete",
            HookEvent::PreUpgrade => "pre-upgrade",
            HookEvent::PostUpgrade => "post-upgrade",
            HookEvent::PreRollback => "pre-rollback",
            HookEvent::PostRollback => "post-rollback",
            HookEvent::Test => "test",
        }
    }

    /// The event an annotation entry names (already trimmed and lower-cased).
    pub fn parse(name: &str) -> Option<HookEvent> {
        Some(match name {
            "pre-install" => HookEvent::PreInstall,
            "post-install" => HookEvent::PostInstall,
            "pre-delete" => HookEvent::PreDelete,
            "post-delete" => HookEvent::PostDelete,
            "pre-upgrade" => HookEvent::PreUpgrade,
            "post-upgrade" => HookEvent::PostUpgrade,
            "pre-rollback" => HookEvent::PreRollback,
            "post-rollback" => HookEvent::PostRollback,
            "test" | "test-success" => HookEvent::Test,
            _ => return None,
        })
    }
}

/// A document that is not a hook: one YAML document of a rendered template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// The template it came from, as the engine names it (`mychart/templates/cm.yaml`).
    pub path: String,
    /// The document, left-trimmed (see [`split_manifests`]).
    pub content: String,
    /// What Helm read of it.
    pub head: SimpleHead,
}

/// A document annotated with `helm.sh/hook` (Helm's `release.Hook`, without the
/// run-time fields).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hook {
    /// `metadata.name`.
    pub name: String,
    /// `kind`.
    pub kind: String,
    /// The template it came from.
    pub path: String,
    /// The document, left-trimmed.
    pub manifest: String,
    /// The events it runs on, in annotation order.
    pub events: Vec<HookEvent>,
    /// `helm.sh/hook-weight` as an integer; 0 when absent or not an integer.
    pub weight: i64,
    /// `helm.sh/hook-delete-policy` entries, trimmed and lower-cased, unvalidated.
    pub delete_policies: Vec<String>,
    /// `helm.sh/hook-output-log-policy` entries, trimmed and lower-cased.
    pub output_log_policies: Vec<String>,
}

impl Hook {
    /// Whether this is a test hook (`helm template --skip-tests` leaves these out).
    pub fn is_test(&self) -> bool {
        self.events.contains(&HookEvent::Test)
    }
}

/// Rendered templates sorted as Helm sorts them: each list in kind order, documents
/// of the same rank in file-path order and then in their order within the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sorted {
    pub hooks: Vec<Hook>,
    pub manifests: Vec<Manifest>,
}

/// Splits and sorts rendered templates (path -> text, NOTES.txt already removed) into
/// hooks and manifests by `order` ([`INSTALL_ORDER`] for install and template).
///
/// Partials (a base name starting with `_`) and blank files are skipped; a document
/// whose head does not parse stops everything with Helm's `YAML parse error on ...`.
/// Hooks whose `helm.sh/hook` names an unknown event are dropped, as Helm drops them.
pub fn sort_manifests(
    files: &BTreeMap<String, String>,
    order: &[&str],
) -> Result<Sorted, ManifestError> {
    let mut sorted = Sorted::default();
    // A BTreeMap iterates in byte order, like Go's sort.Strings over the paths.
    for (path, content) in files {
        if base_name(path).starts_with('_') || content.trim().is_empty() {
            continue;
        }
        for doc in split_manifests(content) {
            let head = parse_head(doc).map_err(|message| ManifestError::YamlParse {
                path: path.clone(),
                message,
            })?;
            match classify(&head) {
                Class::Manifest => sorted.manifests.push(Manifest {
                    path: path.clone(),
                    content: doc.to_string(),
                    head,
                }),
                Class::Hook(events) => sorted.hooks.push(make_hook(&head, path, doc, events)),
                Class::UnknownHook => {}
            }
        }
    }
    sort_by_kind(&mut sorted.manifests, order, |m| &m.head.kind);
    sort_by_kind(&mut sorted.hooks, order, |h| &h.kind);
    Ok(sorted)
}

/// Go's `path.Base` for the paths the engine produces (never ending in `/`).
fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

enum Class {
    Manifest,
    Hook(Vec<HookEvent>),
    UnknownHook,
}

fn classify(head: &SimpleHead) -> Class {
    let Some(hook_types) = head.annotations().and_then(|a| a.get(HOOK_ANNOTATION)) else {
        return Class::Manifest;
    };
    let mut events = Vec::new();
    for entry in hook_types.split(',') {
        match HookEvent::parse(&go_to_lower(entry.trim())) {
            Some(event) => events.push(event),
            None => return Class::UnknownHook,
        }
    }
    Class::Hook(events)
}

fn make_hook(head: &SimpleHead, path: &str, doc: &str, events: Vec<HookEvent>) -> Hook {
    let annotations = head.annotations();
    let list = |name: &str| -> Vec<String> {
        annotations
            .and_then(|a| a.get(name))
            .map(|value| value.split(',').map(|p| go_to_lower(p.trim())).collect())
            .unwrap_or_default()
    };
    Hook {
        name: head
            .metadata
            .as_ref()
            .map(|m| m.name.clone())
            .unwrap_or_default(),
        kind: head.kind.clone(),
        path: path.to_string(),
        manifest: doc.to_string(),
        events,
        // Go's strconv.Atoi: an optional sign and decimal digits that fit in an int.
        weight: annotations
            .and_then(|a| a.get(HOOK_WEIGHT_ANNOTATION))
            .and_then(|w| w.parse::<i64>().ok())
            .unwrap_or(0),
        delete_policies: list(HOOK_DELETE_ANNOTATION),
        output_log_policies: list(HOOK_OUTPUT_LOG_ANNOTATION),
    }
}

/// Go's `strings.ToLower`: per-character simple lower-casing, so `İ` becomes `i` rather
/// than Rust's two-character full mapping.
fn go_to_lower(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{130}' => 'i',
            c => c.to_lowercase().next().unwrap_or(c),
        })
        .collect()
}

/// Helm's `lessByKind` under a stable sort: listed kinds by their rank, then unlisted
/// kinds alphabetically; equal ranks keep their order.
fn sort_by_kind<T>(items: &mut [T], order: &[&str], kind: impl Fn(&T) -> &String) {
    items.sort_by_cached_key(|item| {
        let kind = kind(item);
        match order.iter().position(|k| k == kind) {
            Some(rank) => (0, rank, String::new()),
            None => (1, 0, kind.clone()),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_lower_uses_simple_mapping() {
        assert_eq!(go_to_lower("PRE-İNSTALL"), "pre-install");
        assert_eq!(go_to_lower("Test-Success"), "test-success");
    }

    #[test]
    fn unknown_kinds_go_last_alphabetically() {
        let mut kinds: Vec<String> = ["Zed", "Service", "Alpha", "Namespace", "Zed"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        sort_by_kind(&mut kinds, INSTALL_ORDER, |k| k);
        assert_eq!(kinds, ["Namespace", "Service", "Alpha", "Zed", "Zed"]);
    }
}
