//! Values from JSON, typed the way Helm types them.

use std::collections::BTreeMap;

use crate::value::{Str, Value};

/// Converts decoded JSON to a [`Value`]. Every number becomes a `float64`, because that is
/// what Go's `encoding/json` (and so Helm, which reads values files through JSON) produces.
///
/// ```
/// use helmpilot_template::Value;
/// let json: serde_json::Value = serde_json::from_str(r#"{"replicas": 3}"#).unwrap();
/// let values = Value::from(&json);
/// assert_eq!(values.to_string(), "map[replicas:3]");
/// ```
impl From<&serde_json::Value> for Value {
    fn from(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Nil,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(s) => Value::from(s.as_str()),
            serde_json::Value::Array(items) => {
                Value::from(items.iter().map(Value::from).collect::<Vec<_>>())
            }
            serde_json::Value::Object(entries) => {
                let map: BTreeMap<Str, Value> = entries
                    .iter()
                    .map(|(k, v)| (Str::from(k.as_str()), Value::from(v)))
                    .collect();
                Value::from(map)
            }
        }
    }
}
