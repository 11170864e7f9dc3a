//! Ignore rules: paths removed from objects before they are compared.

use std::collections::BTreeMap;

use serde_json::Value;

/// A path to leave out of the comparison, for some kinds.
///
/// The path is JSON-pointer-like: segments after `/`, `~1` for a `/` and `~0` for a `~`
/// inside a segment; `*` in a segment matches any text within that one segment (and any
/// index of a list).
///
/// ```
/// use helmpilot_diff::compare::IgnoreRule;
/// let rule = IgnoreRule::parse("Deployment,StatefulSet:/spec/replicas").unwrap();
/// assert_eq!(rule.kinds, ["Deployment", "StatefulSet"]);
/// assert_eq!(IgnoreRule::parse("/metadata/labels/helm.sh~1chart").unwrap().kinds, ["*"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgnoreRule {
    /// Kind globs (`*`, `Deployment`, `Cluster*`); the rule applies when one matches.
    pub kinds: Vec<String>,
    /// `/metadata/annotations/checksum~1*`.
    pub path: String,
}

/// Why an ignore rule's text cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IgnoreRuleError {
    /// The path does not start with `/`.
    #[error(
        "ignore rule {0:?}: the path must start with \"/\" (e.g. \"Deployment:/spec/replicas\")"
    )]
    PathNotAbsolute(String),
    /// A kind list like `Deployment,:/x`.
    #[error("ignore rule {0:?}: empty kind in the kind list")]
    EmptyKind(String),
    /// The path is just `/`.
    #[error("ignore rule {0:?}: the path names no field")]
    EmptyPath(String),
}

impl IgnoreRule {
    /// Reads `[KIND[,KIND...]:]PATH`; without kinds the rule applies to every kind.
    pub fn parse(text: &str) -> Result<IgnoreRule, IgnoreRuleError> {
        let text = text.trim();
        let (kinds, path) = match text.find(":/") {
            Some(i) if !text.starts_with('/') => (&text[..i], &text[i + 1..]),
            _ => ("*", text),
        };
        if !path.starts_with('/') {
            return Err(IgnoreRuleError::PathNotAbsolute(text.to_string()));
        }
        if path == "/" {
            return Err(IgnoreRuleError::EmptyPath(text.to_string()));
        }
        let kinds: Vec<String> = kinds.split(',').map(|k| k.trim().to_string()).collect();
        if kinds.iter().any(String::is_empty) {
            return Err(IgnoreRuleError::EmptyKind(text.to_string()));
        }
        Ok(IgnoreRule {
            kinds,
            path: path.to_string(),
        })
    }

    /// What Helm itself changes on every chart version bump or values edit, which says
    /// nothing about the objects: the `helm.sh/chart` label (chart name and version)
    /// and `checksum/*` annotations (hashes of other templates, usually on pod
    /// templates to force a rollout; the change that causes them shows up elsewhere).
    pub fn helm_noise() -> Vec<IgnoreRule> {
        [
            "/metadata/labels/helm.sh~1chart",
            "/spec/template/metadata/labels/helm.sh~1chart",
            "/spec/jobTemplate/spec/template/metadata/labels/helm.sh~1chart",
            "/metadata/annotations/checksum~1*",
            "/spec/template/metadata/annotations/checksum~1*",
            "/spec/jobTemplate/spec/template/metadata/annotations/checksum~1*",
        ]
        .into_iter()
        .map(|path| IgnoreRule {
            kinds: vec!["*".to_string()],
            path: path.to_string(),
        })
        .collect()
    }

    fn applies_to(&self, kind: &str) -> bool {
        self.kinds.iter().any(|k| glob(k, kind))
    }

    fn segments(&self) -> Vec<String> {
        self.path
            .split('/')
            .skip(1)
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect()
    }
}

/// Removes every path the rules name for `kind` from `value`, and returns what was
/// there, by concrete path (`/metadata/labels/helm.sh~1chart`).
pub fn strip(value: &mut Value, kind: &str, rules: &[IgnoreRule]) -> BTreeMap<String, Value> {
    let mut removed = BTreeMap::new();
    for rule in rules.iter().filter(|r| r.applies_to(kind)) {
        let segments = rule.segments();
        remove(value, &segments, String::new(), &mut removed);
    }
    removed
}

fn remove(value: &mut Value, segments: &[String], at: String, out: &mut BTreeMap<String, Value>) {
    let Some((first, rest)) = segments.split_first() else {
        return;
    };
    match value {
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().filter(|k| glob(first, k)).cloned().collect();
            for key in keys {
                let path = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                if rest.is_empty() {
                    if let Some(v) = map.remove(&key) {
                        out.insert(path, v);
                    }
                } else if let Some(child) = map.get_mut(&key) {
                    remove(child, rest, path, out);
                }
            }
        }
        Value::Array(items) => {
            // From the end, so removing an item does not shift the ones still to visit.
            for index in (0..items.len()).rev() {
                if !glob(first, &index.to_string()) {
                    continue;
                }
                let path = format!("{at}/{index}");
                if rest.is_empty() {
                    out.insert(path, items.remove(index));
                } else {
                    remove(&mut items[index], rest, path, out);
                }
            }
        }
        _ => {}
    }
}

/// Whether `text` matches `pattern`, where `*` stands for any run of characters.
fn glob(pattern: &str, text: &str) -> bool {
    let Some((head, tail)) = pattern.split_once('*') else {
        return pattern == text;
    };
    let Some(mut rest) = text.strip_prefix(head) else {
        return false;
    };
    let parts: Vec<&str> = tail.split('*').collect();
    let (last, middle) = match parts.split_last() {
        Some(split) => split,
        None => return true,
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// How many paths differ between what was stripped from base and from head.
pub fn count_differences(base: &BTreeMap<String, Value>, head: &BTreeMap<String, Value>) -> usize {
    let mut count = base
        .iter()
        .filter(|(path, v)| head.get(*path) != Some(v))
        .count();
    count += head.keys().filter(|path| !base.contains_key(*path)).count();
    count
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn globs() {
        assert!(glob("*", "anything"));
        assert!(glob("checksum/*", "checksum/config"));
        assert!(!glob("checksum/*", "other/config"));
        assert!(glob("a*b*c", "a-x-b-y-c"));
        assert!(!glob("a*b*c", "a-x-c"));
        assert!(glob("Deployment", "Deployment"));
        assert!(!glob("Deploy", "Deployment"));
        assert!(glob("*ab", "ab"));
        assert!(!glob("a*a", "a"));
    }

    #[test]
    fn parse_rules() {
        assert_eq!(
            IgnoreRule::parse("/metadata/annotations/checksum~1*").unwrap(),
            IgnoreRule {
                kinds: vec!["*".into()],
                path: "/metadata/annotations/checksum~1*".into()
            }
        );
        assert_eq!(
            IgnoreRule::parse("spec/replicas").unwrap_err().to_string(),
            "ignore rule \"spec/replicas\": the path must start with \"/\" (e.g. \"Deployment:/spec/replicas\")"
        );
        assert!(matches!(
            IgnoreRule::parse("A,:/x"),
            Err(IgnoreRuleError::EmptyKind(_))
        ));
        assert!(matches!(
            IgnoreRule::parse("/"),
            Err(IgnoreRuleError::EmptyPath(_))
        ));
    }

    #[test]
    fn strips_escaped_and_globbed_paths() {
        let mut v = json!({"metadata": {"labels": {"helm.sh/chart": "web-1.0", "app": "web"},
            "annotations": {"checksum/config": "abc", "checksum/secret": "def", "note": "x"}}});
        let removed = strip(&mut v, "Deployment", &IgnoreRule::helm_noise());
        assert_eq!(
            v,
            json!({"metadata": {"labels": {"app": "web"}, "annotations": {"note": "x"}}})
        );
        let paths: Vec<&str> = removed.keys().map(String::as_str).collect();
        assert_eq!(
            paths,
            [
                "/metadata/annotations/checksum~1config",
                "/metadata/annotations/checksum~1secret",
                "/metadata/labels/helm.sh~1chart"
            ]
        );
    }

    #[test]
    fn rules_for_other_kinds_do_not_apply_and_lists_match_indexes() {
        let rule = IgnoreRule::parse("Deployment:/spec/containers/*/image").unwrap();
        let original = json!({"spec": {"containers": [{"image": "a"}, {"image": "b"}]}});
        let mut v = original.clone();
        assert!(strip(&mut v, "StatefulSet", std::slice::from_ref(&rule)).is_empty());
        assert_eq!(v, original);
        let removed = strip(&mut v, "Deployment", &[rule]);
        assert_eq!(removed.len(), 2);
        assert_eq!(removed["/spec/containers/1/image"], "b");
        assert_eq!(v, json!({"spec": {"containers": [{}, {}]}}));
    }

    #[test]
    fn counts_paths_that_differ() {
        let base: BTreeMap<String, Value> = [
            ("/a".to_string(), json!(1)),
            ("/b".to_string(), json!(2)),
            ("/c".to_string(), json!(3)),
        ]
        .into();
        let head: BTreeMap<String, Value> = [
            ("/a".to_string(), json!(1)),
            ("/b".to_string(), json!(5)),
            ("/d".to_string(), json!(4)),
        ]
        .into();
        assert_eq!(count_differences(&base, &head), 3);
        assert_eq!(count_differences(&base, &base), 0);
    }
}
