//! The diff model every report is written from.

use serde::Serialize;

/// Identity of a Kubernetes object in a release: API group (`""` for the core group,
/// `apps`, ...), kind, namespace (`""` for cluster-scoped kinds) and name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ObjectKey {
    pub group: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

/// What happened to one object between base and head.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
    /// Same content (after ignore rules) under another name; `from` is the base key.
    Renamed {
        from: ObjectKey,
    },
}

/// How bad a risk is: `High` blocks or breaks an upgrade or loses data; `Medium` needs a
/// reviewer's eye.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Medium,
    High,
}

/// One risk, with a one-line reason a reviewer understands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Risk {
    pub key: ObjectKey,
    /// Stable identifier of the rule (`immutable-selector`, `pvc-deleted`, ...), usable to
    /// turn it off in `.helmpilot.yaml`.
    pub rule: String,
    pub severity: Severity,
    pub reason: String,
}

/// A container image that changed (shown in summaries).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageChange {
    pub key: ObjectKey,
    pub container: String,
    pub from: String,
    pub to: String,
}

/// A Secret's keys that changed: names and short fingerprints only, never values.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SecretKeys {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<String>,
}

/// One object that is not unchanged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ObjectChange {
    pub key: ObjectKey,
    pub change: ChangeKind,
    /// `# Source:` template path (head's; base's for removed objects).
    pub source: String,
    /// Unified diff of the normalized, masked YAML (`--- base` / `+++ head` headers
    /// omitted; hunks start with `@@`). Empty for a pure rename.
    pub diff: String,
    /// Lines added and removed in `diff`.
    pub added_lines: usize,
    pub removed_lines: usize,
    /// For `kind: Secret`: which data/stringData keys changed.
    pub secret_keys: Option<SecretKeys>,
}

/// The diff of one environment (one render at base against one at head).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EnvironmentDiff {
    /// The chart's path in the repository (`charts/web`).
    pub chart: String,
    /// The environment (`staging`, or `default` when the chart has a single values file).
    pub name: String,
    /// Objects that are not unchanged, sorted by key.
    pub changes: Vec<ObjectChange>,
    pub unchanged: usize,
    /// Changes dropped by ignore rules (counted, never silently dropped).
    pub ignored_changes: usize,
    pub risks: Vec<Risk>,
    pub images: Vec<ImageChange>,
    /// Render errors at base or head; the environment is still listed.
    pub error: Option<String>,
}

impl EnvironmentDiff {
    pub fn count(&self, kind: fn(&ChangeKind) -> bool) -> usize {
        self.changes.iter().filter(|c| kind(&c.change)).count()
    }
    pub fn added(&self) -> usize {
        self.count(|k| matches!(k, ChangeKind::Added))
    }
    pub fn removed(&self) -> usize {
        self.count(|k| matches!(k, ChangeKind::Removed))
    }
    /// Changed and renamed objects.
    pub fn changed(&self) -> usize {
        self.count(|k| matches!(k, ChangeKind::Changed | ChangeKind::Renamed { .. }))
    }
}

/// A whole diff run: one entry per chart x environment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DiffReport {
    /// One entry per chart x environment, in the order they were configured.
    pub environments: Vec<EnvironmentDiff>,
    /// The revisions compared, as the user named them (`main`, a SHA, `working tree`).
    pub base: String,
    pub head: String,
}
