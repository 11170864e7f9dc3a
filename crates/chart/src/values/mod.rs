//! Values: Helm's coalescing of chart defaults, parent values and user values, the
//! `--set` family (strvals), the user-supplied values options, and JSON Schema validation.
//!
//! Values trees are `serde_json` maps, as Helm's are `map[string]interface{}` built by
//! JSON decoding: numbers read from YAML or JSON are float64 (`Number::from_f64`), while
//! `--set x=1` makes an int64 (`Number::from(i64)`); rendering keeps that difference.
//! Why not a YAML library's own tree: Helm never sees YAML types, only what
//! `sigs.k8s.io/yaml` turned into JSON (YAML 1.1 booleans, octals and merge keys resolved
//! by go-yaml v2 first), and `helmpilot_yaml::unmarshal` reproduces exactly that.

pub mod coalesce;
pub mod options;
pub mod schema;
pub mod strvals;

use helmpilot_template::{IntType, Map as TemplateMap, Value as TemplateValue};

/// A values tree as templates see it: floats stay float64, `--set` integers int64, and
/// nested tables `map[string]interface {}`.
///
/// ```
/// use helmpilot_chart::values::to_template_value;
/// use helmpilot_template::{gofmt::sprintf, Value};
/// let Value::Map(v) = to_template_value(&serde_json::json!({"a": 1.0, "b": 2})) else { panic!() };
/// let (a, b) = (v.get("a").unwrap(), v.get("b").unwrap());
/// assert_eq!(sprintf("%T %T", &[a, b]), "float64 int64");
/// ```
pub fn to_template_value(value: &serde_json::Value) -> TemplateValue {
    match value {
        serde_json::Value::Null => TemplateValue::Nil,
        serde_json::Value::Bool(b) => TemplateValue::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) if !n.is_f64() => TemplateValue::Int(i, IntType::Int64),
            _ => TemplateValue::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => TemplateValue::from(s.as_str()),
        serde_json::Value::Array(items) => {
            TemplateValue::from(items.iter().map(to_template_value).collect::<Vec<_>>())
        }
        serde_json::Value::Object(entries) => TemplateValue::Map(to_template_map(entries)),
    }
}

/// A values table as templates see it (`map[string]interface {}`).
pub fn to_template_map(entries: &serde_json::Map<String, serde_json::Value>) -> TemplateMap {
    let map = TemplateMap::new();
    for (key, value) in entries {
        map.insert(key.as_str(), to_template_value(value));
    }
    map
}
