//! YAML functions, Helm's own: `toYaml`, `mustToYaml`, `toYamlPretty`, `fromYaml`,
//! `fromYamlArray`.
//!
//! `toYaml` is `sigs.k8s.io/yaml.Marshal`: the value goes to JSON first (so its
//! errors are JSON's, and a float64 that is a whole number is written as an integer),
//! then through go-yaml v2 ([`helmpilot_yaml::json_to_yaml`]); Helm trims the final line
//! break. `toYamlPretty` encodes the value directly with go-yaml v3 (floats stay floats:
//! `1e+06`, NaN is `.nan`, byte slices are lists of numbers, sequences in mappings are
//! indented). `fromYaml`/`fromYamlArray` are `sigs.k8s.io/yaml.Unmarshal`: YAML 1.1
//! typing, then JSON, so all numbers are float64; errors land in the result under
//! `Error` (or as the only list item).
//!
//! Go quirks reproduced: `toYaml` of a value go-yaml cannot read back from JSON (a string
//! with DEL or U+FFFE, an object key over 1024 characters) is `""`; a map that contains
//! itself fails (in Go, `toYamlPretty` would crash the process on it).
//!
//! Host objects ([`Marshal`]): `toYaml` sees them as JSON does (a `time.Time` is a
//! quoted RFC 3339 string, a year past 9999 makes `toYaml` give `""`). go-yaml v3 has its
//! own rules: a `time.Time` is an unquoted RFC 3339 timestamp (any year), a
//! `time.Duration` its `String()` (`1h0m0s`), a text marshaller (`*semver.Version`) its
//! text, a struct its exported fields under lowercased names (`cert`, `key`). Objects
//! with no encoding fail.

use std::sync::Arc;

use helmpilot_template::{
    Error, Function, Functions, GoType, List, Map, Marshal, Signature, Value,
};
use helmpilot_yaml::{Yaml, YamlMap};

use super::json::{go_json, json_to_value};
use super::FunctionEnv;

/// `sigs.k8s.io/yaml.Marshal` of a template value, with Helm's trailing line break
/// trimmed.
fn to_yaml(value: &Value) -> Result<String, String> {
    let json = go_json(value, true).map_err(|e| format!("error marshaling into JSON: {e}"))?;
    let yaml = helmpilot_yaml::json_to_yaml(&json).map_err(|e| e.to_string())?;
    Ok(yaml.strip_suffix('\n').unwrap_or(&yaml).to_string())
}

/// A template value as go-yaml v3 sees the Go value: numbers keep their type, byte
/// slices are sequences of numbers.
fn to_go_yaml(value: &Value, path: &mut Vec<Map>) -> Result<Yaml, String> {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
        Ok(match value {
            Value::Nil => Yaml::Null,
            Value::Bool(b) => Yaml::Bool(*b),
            Value::Int(n, _) => Yaml::Int(*n),
            Value::Uint(n, _) => Yaml::Uint(*n),
            Value::Float(f) => Yaml::Float(*f),
            Value::String(s) => Yaml::Str(s.to_string()),
            Value::Bytes(b) => Yaml::Seq(b.iter().map(|&x| Yaml::Uint(u64::from(x))).collect()),
            Value::List(list) => Yaml::Seq(
                list.items()
                    .iter()
                    .map(|v| to_go_yaml(v, path))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Map(map) => {
                if path.iter().any(|m| m.ptr_eq(map)) {
                    return Err(format!(
                        "cannot marshal a {} that contains itself",
                        map.type_name()
                    ));
                }
                path.push(map.clone());
                let mut out = YamlMap::new();
                for (k, v) in map.entries() {
                    out.insert(Yaml::Str(k.to_string()), to_go_yaml(&v, path)?);
                }
                path.pop();
                Yaml::Map(out)
            }
            Value::Object(object) => match object.marshal() {
                Marshal::Time(text) => Yaml::Time(text),
                Marshal::Duration { text, .. } | Marshal::Text(text) => Yaml::Str(text),
                Marshal::Int(n) => Yaml::Int(n),
                Marshal::Struct(fields) => Yaml::Struct(
                    fields
                        .iter()
                        .map(|(name, v)| Ok((name.to_lowercase(), to_go_yaml(v, path)?)))
                        .collect::<Result<_, String>>()?,
                ),
                Marshal::Unsupported => {
                    return Err(format!("cannot marshal type: {}", object.type_name()))
                }
            },
            // go-yaml v3 panics on these kinds; the template then fails with the panic.
            other => return Err(format!("cannot marshal type: {}", other.type_name())),
        })
    })
}

/// Helm's `toYamlPretty`: go-yaml v3's encoder with an indent of 2.
fn to_yaml_pretty(value: &Value) -> Result<String, String> {
    let yaml = to_go_yaml(value, &mut Vec::new())?;
    let text = helmpilot_yaml::to_yaml_v3(&yaml, 2);
    Ok(text.strip_suffix('\n').unwrap_or(&text).to_string())
}

pub(super) fn register(funcs: &mut Functions, _env: &Arc<FunctionEnv>) {
    let any = || Signature::fixed(&[GoType::Any]);
    let string = || Signature::fixed(&[GoType::String]);
    let text = |args: &[Value]| args[0].as_str().unwrap_or_default().to_string();

    // toYaml swallows errors inside templates: "".
    funcs.insert(
        "toYaml",
        Function::new(any(), |_, args| {
            Ok(Value::from(to_yaml(&args[0]).unwrap_or_default()))
        }),
    );
    // mustToYaml panics with the error, which fails the template.
    funcs.insert(
        "mustToYaml",
        Function::new(any(), |_, args| {
            to_yaml(&args[0]).map(Value::from).map_err(Error::function)
        }),
    );
    funcs.insert(
        "toYamlPretty",
        Function::new(any(), |_, args| {
            to_yaml_pretty(&args[0])
                .map(Value::from)
                .map_err(Error::function)
        }),
    );
    funcs.insert(
        "fromYaml",
        Function::new(string(), move |_, args| {
            let map = Map::new();
            match helmpilot_yaml::unmarshal_map(&text(args)) {
                Ok(entries) => {
                    for (k, v) in &entries {
                        map.insert(k.as_str(), json_to_value(v));
                    }
                }
                Err(e) => map.insert("Error", Value::from(e.to_string())),
            }
            Ok(Value::Map(map))
        }),
    );
    funcs.insert(
        "fromYamlArray",
        Function::new(string(), move |_, args| {
            let items = match helmpilot_yaml::unmarshal_seq(&text(args)) {
                Ok(items) => items.iter().map(json_to_value).collect(),
                Err(e) => vec![Value::from(e.to_string())],
            };
            Ok(Value::List(List::new(items)))
        }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_yaml_types_numbers_through_json() {
        let map = Map::new();
        map.insert("whole", Value::Float(3.0));
        map.insert("big", Value::Float(1e21));
        map.insert("list", Value::from(vec![Value::int(1), Value::from("yes")]));
        let v = Value::Map(map);
        assert_eq!(
            to_yaml(&v).unwrap(),
            "big: 1e+21\nlist:\n- 1\n- \"yes\"\nwhole: 3"
        );
        assert_eq!(
            to_yaml_pretty(&v).unwrap(),
            "big: 1e+21\nlist:\n  - 1\n  - \"yes\"\nwhole: 3"
        );
        assert_eq!(
            to_yaml(&Value::Float(f64::NAN)).unwrap_err(),
            "error marshaling into JSON: json: unsupported value: NaN"
        );
        assert_eq!(
            to_yaml(&Value::from("\u{7f}")).unwrap_err(),
            "yaml: control characters are not allowed"
        );
    }
}
