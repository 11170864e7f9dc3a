//! Masking: secret values are replaced by a short fingerprint before anything is diffed,
//! so no diff, risk or report can contain one, while a change stays visible.

use std::collections::BTreeMap;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::model::SecretKeys;

/// Keys that match the default patterns but hold references to secrets, not secret
/// material; masking them would only hide useful review information. A name under
/// these is kept as is.
const NAME_KEYS: &[&str] = &["secretname"];

/// Keys whose map or list value is a reference structure (`secretKeyRef: {name, key}`,
/// a `secret:` volume source, `imagePullSecrets: [{name}]`): searched for sensitive
/// keys instead of masked whole. A scalar under them is still masked.
const STRUCTURE_KEYS: &[&str] = &[
    "secret",
    "secretkeyref",
    "secretref",
    "imagepullsecrets",
    "serviceaccounttoken",
];

/// `<redacted sha256:0123abcd>`: the first 8 hex digits of the SHA-256 of the value's
/// text (a string as is, anything else as its JSON).
pub fn fingerprint(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => helmpilot_yaml::json::marshal(other),
    };
    let digest = Sha256::digest(text.as_bytes());
    let hex: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("<redacted sha256:{hex}>")
}

/// Sensitive-key patterns, lower-cased with `-` and `_` taken out.
pub struct Patterns(Vec<String>);

impl Patterns {
    pub fn new(keys: &[String]) -> Patterns {
        Patterns(
            keys.iter()
                .map(|k| fold(k))
                .filter(|k| !k.is_empty())
                .collect(),
        )
    }

    fn matches(&self, key: &str) -> bool {
        let key = fold(key);
        self.0.iter().any(|p| key.contains(p.as_str()))
    }
}

fn fold(key: &str) -> String {
    key.chars()
        .filter(|c| *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Masks `value` in place: Secret data, values under sensitive keys, and `value` of
/// `{name, value}` entries whose name is sensitive.
pub fn mask(value: &mut Value, is_secret: bool, patterns: &Patterns) {
    if is_secret {
        if let Value::Object(map) = value {
            for section in ["data", "stringData"] {
                if let Some(Value::Object(data)) = map.get_mut(section) {
                    for v in data.values_mut() {
                        *v = Value::String(fingerprint(v));
                    }
                }
            }
        }
    }
    walk(value, patterns);
}

fn walk(value: &mut Value, patterns: &Patterns) {
    match value {
        Value::Object(map) => {
            if let (Some(Value::String(name)), true) = (map.get("name"), map.contains_key("value"))
            {
                if patterns.matches(name) {
                    if let Some(v) = map.get_mut("value") {
                        mask_whole(v);
                    }
                }
            }
            for (key, v) in map.iter_mut() {
                if !patterns.matches(key) {
                    walk(v, patterns);
                    continue;
                }
                let folded = fold(key);
                let structure = matches!(v, Value::Object(_) | Value::Array(_));
                if structure && STRUCTURE_KEYS.contains(&folded.as_str()) {
                    walk(v, patterns);
                } else if !(NAME_KEYS.contains(&folded.as_str()) && v.is_string()) {
                    mask_whole(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| walk(v, patterns)),
        _ => {}
    }
}

/// Nothing is hidden by masking a null, an empty string or a boolean, and showing them
/// keeps "the password became empty" visible.
fn mask_whole(value: &mut Value) {
    let hides_nothing = match value {
        Value::Null | Value::Bool(_) => true,
        Value::String(s) => s.is_empty() || s.starts_with("<redacted sha256:"),
        _ => false,
    };
    if !hides_nothing {
        *value = Value::String(fingerprint(value));
    }
}

/// The data keys of a masked Secret, with their fingerprints (`stringData` keys are
/// told apart so that moving a key between the two shows as a change).
fn secret_entries(value: Option<&Value>) -> BTreeMap<String, Vec<String>> {
    let mut entries: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for section in ["data", "stringData"] {
        if let Some(Value::Object(data)) = value.and_then(|v| v.get(section)) {
            for (key, v) in data {
                let print = format!("{section}:{}", v.as_str().unwrap_or_default());
                entries.entry(key.clone()).or_default().push(print);
            }
        }
    }
    entries
}

/// Which data keys of a Secret were added, removed or changed between two masked
/// versions.
pub fn secret_keys(base: Option<&Value>, head: Option<&Value>) -> SecretKeys {
    let base = secret_entries(base);
    let head = secret_entries(head);
    let mut keys = SecretKeys::default();
    for (key, print) in &head {
        match base.get(key) {
            None => keys.added.push(key.clone()),
            Some(old) if old != print => keys.changed.push(key.clone()),
            Some(_) => {}
        }
    }
    keys.removed = base
        .keys()
        .filter(|k| !head.contains_key(*k))
        .cloned()
        .collect();
    keys
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn defaults() -> Patterns {
        Patterns::new(&crate::compare::CompareOptions::default().sensitive_keys)
    }

    #[test]
    fn fingerprints_are_short_sha256() {
        // sha256("hunter2") = f52fbd32b2b3b86ff88ef6c490628285f482af15ddcb29541f94bcf526a3f6c7
        assert_eq!(fingerprint(&json!("hunter2")), "<redacted sha256:f52fbd32>");
    }

    #[test]
    fn secret_data_and_sensitive_keys_are_masked() {
        let mut v = json!({
            "kind": "Secret",
            "data": {"tls.crt": "QUJD", "n": 5.0},
            "stringData": {"config": "user=a"},
            "spec": {"dbPassword": "hunter2", "API-Key": {"nested": "x"}, "tokens": ["a", "b"],
                     "Private_Key": "k", "enabled": true, "empty": "", "plain": "visible"},
        });
        mask(&mut v, true, &defaults());
        let text = v.to_string();
        for secret in ["QUJD", "user=a", "hunter2", "nested", "\"a\"", "\"k\""] {
            assert!(!text.contains(secret), "{secret} leaked in {text}");
        }
        assert_eq!(v["data"]["tls.crt"], fingerprint(&json!("QUJD")));
        assert_eq!(v["data"]["n"], fingerprint(&json!(5.0)));
        assert_eq!(v["spec"]["plain"], "visible");
        assert_eq!(v["spec"]["empty"], "");
        assert_eq!(v["spec"]["enabled"], true);
    }

    #[test]
    fn env_entries_with_sensitive_names_are_masked() {
        let mut v = json!({"env": [
            {"name": "DB_PASSWORD", "value": "hunter2"},
            {"name": "LOG_LEVEL", "value": "debug"},
            {"name": "AUTH_TOKEN", "valueFrom": {"secretKeyRef": {"name": "s", "key": "token"}}}
        ]});
        mask(&mut v, false, &defaults());
        assert_eq!(v["env"][0]["value"], fingerprint(&json!("hunter2")));
        assert_eq!(v["env"][1]["value"], "debug");
        assert_eq!(
            v["env"][2]["valueFrom"]["secretKeyRef"],
            json!({"name": "s", "key": "token"})
        );
    }

    #[test]
    fn references_to_secrets_stay_readable() {
        let mut v = json!({"volumes": [{"name": "tls", "secret": {"secretName": "web-tls"}}],
            "imagePullSecrets": [{"name": "regcred"}], "automountServiceAccountToken": false});
        let before = v.clone();
        mask(&mut v, false, &defaults());
        assert_eq!(v, before);
        // The same keys with a scalar are not references: masked.
        let mut v = json!({"secret": "hunter2", "secretRef": "hunter2"});
        mask(&mut v, false, &defaults());
        assert_eq!(
            v,
            json!({"secret": fingerprint(&json!("hunter2")), "secretRef": fingerprint(&json!("hunter2"))})
        );
    }

    #[test]
    fn no_patterns_mask_only_secrets() {
        let mut v = json!({"password": "x", "data": {"password": "y"}});
        mask(&mut v, false, &Patterns::new(&[]));
        assert_eq!(v, json!({"password": "x", "data": {"password": "y"}}));
    }

    #[test]
    fn secret_key_changes() {
        let mut base = json!({"data": {"a": "MQ==", "b": "Mg==", "c": "Mw=="}});
        let mut head = json!({"data": {"a": "MQ==", "b": "NA==", "d": "NQ=="}});
        mask(&mut base, true, &defaults());
        mask(&mut head, true, &defaults());
        let keys = secret_keys(Some(&base), Some(&head));
        assert_eq!(keys.added, ["d"]);
        assert_eq!(keys.removed, ["c"]);
        assert_eq!(keys.changed, ["b"]);
    }
}
