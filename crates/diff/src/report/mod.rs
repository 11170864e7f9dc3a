//! Reports written from a [`DiffReport`](crate::model::DiffReport): terminal text, Markdown for a pull-request
//! comment, and versioned JSON for machines.
//!
//! All three are pure functions of the model and their options: the same report gives the
//! same bytes, so a sticky PR comment only changes when the diff does.
//!
//! Everything in the model that comes from a chart (object names, diffs, secret key
//! names, render errors) is untrusted pull-request content: the text report escapes
//! control characters so a chart cannot drive the reader's terminal, and the Markdown
//! report escapes HTML and Markdown so a chart cannot change the comment's layout.

mod json;
mod markdown;
mod text;

pub use json::{json, SCHEMA_VERSION};
pub use markdown::{markdown, MarkdownOptions};
pub use text::{text, TextOptions};

use crate::model::{ChangeKind, EnvironmentDiff, ObjectKey};

/// `apps/Deployment`, or just `Service` for the core group.
fn kind_label(key: &ObjectKey) -> String {
    if key.group.is_empty() {
        key.kind.clone()
    } else {
        format!("{}/{}", key.group, key.kind)
    }
}

/// `default/web`, or just `web` for a cluster-scoped object.
fn object_name(key: &ObjectKey) -> String {
    if key.namespace.is_empty() {
        key.name.clone()
    } else {
        format!("{}/{}", key.namespace, key.name)
    }
}

/// `Deployment default/web`: the short form used in risk and image lines, where the kind
/// alone is what a reviewer recognises.
fn short_label(key: &ObjectKey) -> String {
    format!("{} {}", key.kind, object_name(key))
}

/// `apps/Deployment default/web`: the full form used in object headers.
fn full_label(key: &ObjectKey) -> String {
    format!("{} {}", kind_label(key), object_name(key))
}

/// The marker and label of an object header: `+`, `-`, `~`, or `>` with `from -> to` for
/// a rename (the full base key only when the kind changed too, which a rename by content
/// normally rules out).
fn change_header(change: &ChangeKind, key: &ObjectKey) -> (char, String) {
    match change {
        ChangeKind::Added => ('+', full_label(key)),
        ChangeKind::Removed => ('-', full_label(key)),
        ChangeKind::Changed => ('~', full_label(key)),
        ChangeKind::Renamed { from } => {
            let label = if from.group == key.group && from.kind == key.kind {
                format!(
                    "{} {} -> {}",
                    kind_label(key),
                    object_name(from),
                    object_name(key)
                )
            } else {
                format!("{} -> {}", full_label(from), full_label(key))
            };
            ('>', label)
        }
    }
}

/// `1 risk`, `3 risks`.
fn plural(count: usize, singular: &str, plural: &str) -> String {
    format!(
        "{} {}",
        thousands(count),
        if count == 1 { singular } else { plural }
    )
}

/// `1204` as `1,204`: counts in prose are read by people.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The counts part of an environment's heading: `2 added, 1 changed, 1 removed, 3 risks`,
/// `no changes`, `render error`.
fn counts_line(env: &EnvironmentDiff) -> String {
    let mut line = if env.changes.is_empty() {
        if env.error.is_some() {
            String::new()
        } else {
            "no changes".to_string()
        }
    } else {
        format!(
            "{} added, {} changed, {} removed, {}",
            thousands(env.added()),
            thousands(env.changed()),
            thousands(env.removed()),
            plural(env.risks.len(), "risk", "risks")
        )
    };
    if env.error.is_some() {
        if !line.is_empty() {
            line.push_str(", ");
        }
        line.push_str("render error");
    }
    line
}

/// `4 unchanged, 1 ignored change`: what an environment's object list leaves out.
fn rest_line(env: &EnvironmentDiff) -> String {
    format!(
        "{} unchanged, {}",
        thousands(env.unchanged),
        plural(env.ignored_changes, "ignored change", "ignored changes")
    )
}

/// `added a, b; removed c; changed d`: names only, never values.
fn secret_keys_line(keys: &crate::model::SecretKeys, name: impl Fn(&str) -> String) -> String {
    let mut parts = Vec::new();
    for (verb, list) in [
        ("added", &keys.added),
        ("removed", &keys.removed),
        ("changed", &keys.changed),
    ] {
        if !list.is_empty() {
            let names: Vec<String> = list.iter().map(|k| name(k)).collect();
            parts.push(format!("{verb} {}", names.join(", ")));
        }
    }
    if parts.is_empty() {
        "no key changes".to_string()
    } else {
        parts.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(65_536), "65,536");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn labels_drop_empty_group_and_namespace() {
        let key = ObjectKey {
            group: String::new(),
            kind: "ClusterRole".into(),
            namespace: String::new(),
            name: "reader".into(),
        };
        assert_eq!(full_label(&key), "ClusterRole reader");
        let key = ObjectKey {
            group: "apps".into(),
            kind: "Deployment".into(),
            namespace: "default".into(),
            name: "web".into(),
        };
        assert_eq!(full_label(&key), "apps/Deployment default/web");
        assert_eq!(short_label(&key), "Deployment default/web");
    }
}
