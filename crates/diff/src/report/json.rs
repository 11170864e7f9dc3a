//! The machine-readable report, documented by `docs/diff-report.schema.json`.
//!
//! The wire types here are separate from the model on purpose: the JSON is a contract
//! with other programs, so a change to the model does not silently change the output.

use serde::Serialize;

use crate::model::{ChangeKind, DiffReport, ObjectKey, Severity};

/// The `schema_version` of [`json`]'s output. Within a version fields are only added; a
/// removal or a change of meaning bumps it.
pub const SCHEMA_VERSION: u32 = 1;

/// Writes `report` as pretty-printed JSON (two-space indent, fields in a fixed order,
/// ending with a newline), as described by `docs/diff-report.schema.json`.
///
/// ```
/// use helmpilot_diff::model::{DiffReport, EnvironmentDiff};
/// use helmpilot_diff::report::json;
///
/// let report = DiffReport {
///     base: "main".into(),
///     head: "feature".into(),
///     environments: vec![EnvironmentDiff {
///         chart: "charts/web".into(),
///         name: "staging".into(),
///         unchanged: 4,
///         ..Default::default()
///     }],
/// };
/// let value: serde_json::Value = serde_json::from_str(&json(&report)).unwrap();
/// assert_eq!(value["schema_version"], 1);
/// assert_eq!(value["environments"][0]["unchanged"], 4);
/// assert_eq!(value["summary"]["environments"], 1);
/// ```
pub fn json(report: &DiffReport) -> String {
    let document = Document::from(report);
    // Only strings, integers, options, sequences and derived structs are serialized, into
    // memory: serde_json has no way to fail on those.
    match serde_json::to_string_pretty(&document) {
        Ok(mut text) => {
            text.push('\n');
            text
        }
        Err(_) => String::new(),
    }
}

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    base: &'a str,
    head: &'a str,
    summary: Summary,
    environments: Vec<Environment<'a>>,
}

#[derive(Serialize)]
struct Summary {
    environments: usize,
    environments_with_changes: usize,
    errors: usize,
    added: usize,
    changed: usize,
    removed: usize,
    risks: usize,
    high_risks: usize,
    images: usize,
    unchanged: usize,
    ignored_changes: usize,
}

#[derive(Serialize)]
struct Environment<'a> {
    chart: &'a str,
    name: &'a str,
    counts: Counts,
    changes: Vec<Change<'a>>,
    risks: Vec<Risk<'a>>,
    images: Vec<Image<'a>>,
    ignored_changes: usize,
    unchanged: usize,
    error: Option<&'a str>,
}

#[derive(Serialize)]
struct Counts {
    added: usize,
    changed: usize,
    removed: usize,
    risks: usize,
}

#[derive(Serialize)]
struct Key<'a> {
    group: &'a str,
    kind: &'a str,
    namespace: &'a str,
    name: &'a str,
}

impl<'a> From<&'a ObjectKey> for Key<'a> {
    fn from(key: &'a ObjectKey) -> Self {
        Key {
            group: &key.group,
            kind: &key.kind,
            namespace: &key.namespace,
            name: &key.name,
        }
    }
}

#[derive(Serialize)]
struct Change<'a> {
    key: Key<'a>,
    change: &'static str,
    renamed_from: Option<Key<'a>>,
    source: &'a str,
    diff: &'a str,
    lines: Lines,
    secret_keys: Option<SecretKeys<'a>>,
}

#[derive(Serialize)]
struct Lines {
    added: usize,
    removed: usize,
}

#[derive(Serialize)]
struct SecretKeys<'a> {
    added: &'a [String],
    removed: &'a [String],
    changed: &'a [String],
}

#[derive(Serialize)]
struct Risk<'a> {
    key: Key<'a>,
    rule: &'a str,
    severity: &'static str,
    reason: &'a str,
}

#[derive(Serialize)]
struct Image<'a> {
    key: Key<'a>,
    container: &'a str,
    from: &'a str,
    to: &'a str,
}

impl<'a> From<&'a DiffReport> for Document<'a> {
    fn from(report: &'a DiffReport) -> Self {
        let envs = &report.environments;
        let summary = Summary {
            environments: envs.len(),
            environments_with_changes: envs.iter().filter(|e| !e.changes.is_empty()).count(),
            errors: envs.iter().filter(|e| e.error.is_some()).count(),
            added: envs.iter().map(|e| e.added()).sum(),
            changed: envs.iter().map(|e| e.changed()).sum(),
            removed: envs.iter().map(|e| e.removed()).sum(),
            risks: envs.iter().map(|e| e.risks.len()).sum(),
            high_risks: envs
                .iter()
                .flat_map(|e| &e.risks)
                .filter(|r| r.severity == Severity::High)
                .count(),
            images: envs.iter().map(|e| e.images.len()).sum(),
            unchanged: envs.iter().map(|e| e.unchanged).sum(),
            ignored_changes: envs.iter().map(|e| e.ignored_changes).sum(),
        };
        let environments = envs
            .iter()
            .map(|env| Environment {
                chart: &env.chart,
                name: &env.name,
                counts: Counts {
                    added: env.added(),
                    changed: env.changed(),
                    removed: env.removed(),
                    risks: env.risks.len(),
                },
                changes: env
                    .changes
                    .iter()
                    .map(|c| {
                        let (change, renamed_from) = match &c.change {
                            ChangeKind::Added => ("added", None),
                            ChangeKind::Removed => ("removed", None),
                            ChangeKind::Changed => ("changed", None),
                            ChangeKind::Renamed { from } => ("renamed", Some(Key::from(from))),
                        };
                        Change {
                            key: Key::from(&c.key),
                            change,
                            renamed_from,
                            source: &c.source,
                            diff: &c.diff,
                            lines: Lines {
                                added: c.added_lines,
                                removed: c.removed_lines,
                            },
                            secret_keys: c.secret_keys.as_ref().map(|k| SecretKeys {
                                added: &k.added,
                                removed: &k.removed,
                                changed: &k.changed,
                            }),
                        }
                    })
                    .collect(),
                risks: env
                    .risks
                    .iter()
                    .map(|r| Risk {
                        key: Key::from(&r.key),
                        rule: &r.rule,
                        severity: match r.severity {
                            Severity::High => "high",
                            Severity::Medium => "medium",
                        },
                        reason: &r.reason,
                    })
                    .collect(),
                images: env
                    .images
                    .iter()
                    .map(|i| Image {
                        key: Key::from(&i.key),
                        container: &i.container,
                        from: &i.from,
                        to: &i.to,
                    })
                    .collect(),
                ignored_changes: env.ignored_changes,
                unchanged: env.unchanged,
                error: env.error.as_deref(),
            })
            .collect();
        Document {
            schema_version: SCHEMA_VERSION,
            base: &report.base,
            head: &report.head,
            summary,
            environments,
        }
    }
}
