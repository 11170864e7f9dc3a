//! YAML as Helm reads and writes it.
//!
//! Helm goes through `sigs.k8s.io/yaml` (v1.6), which puts go-yaml v2
//! (`go.yaml.in/yaml/v2`) and Go's `encoding/json` together:
//!
//! * reading ([`unmarshal`], [`unmarshal_map`], [`unmarshal_seq`]; Helm's `fromYaml`,
//!   values files): go-yaml v2 decodes the first document with YAML 1.1 typing (`yes`
//!   is true, `0755` octal, `1e3` a float, timestamps stay strings), keys are turned
//!   into strings, and the tree makes a round trip through JSON, so every number comes
//!   out a float64 and NaN or infinity is an error;
//! * writing ([`json_to_yaml`], [`marshal`]; Helm's `toYaml`): the value is marshalled
//!   to JSON, that JSON read back by go-yaml v2 (which types `1` as an int and `1.5` as
//!   a float) and written by go-yaml v2's emitter: keys in go-yaml's natural order,
//!   sequences in mappings not indented, long lines folded at 80 columns;
//! * [`to_yaml_v3`] is go-yaml v3's encoder (Helm's `toYamlPretty`);
//! * lower level: [`decode`] / [`decode_documents`] give go-yaml v2's own tree
//!   ([`Yaml`]: ints, floats, non-string keys) before the JSON step (for reading into
//!   typed structures, where sigs.k8s.io/yaml turns numbers into strings), and
//!   [`to_yaml_string`] writes such a tree; [`json`] is Go's `encoding/json`.
//!
//! Errors carry the texts Go prints (`yaml: line 3: mapping values are not allowed in
//! this context`, `error converting YAML to JSON: ...`), because chart authors see them.
//!
//! # Why our own parser
//!
//! Fidelity decides here. go-yaml is a line-by-line port of libyaml, and what Helm
//! accepts, how it types scalars and which error (on which, famously off-by-one, line)
//! it reports all come from libyaml's scanner and parser plus go-yaml's quirks: lazy
//! simple-key checks, the 1024-character key limit, chunked input validation, the
//! YAML 1.1 resolver, merge keys, alias limits. The maintained Rust parsers
//! (yaml-rust2, saphyr) implement YAML 1.2 with their own structure and messages, and
//! `unsafe-libyaml` is C libyaml transliterated into unsafe Rust without go-yaml's
//! changes. So this crate implements the same algorithms itself, in safe Rust: the
//! scanner, parser, decoder and emitter follow libyaml's/go-yaml's state machines,
//! which is what makes the output byte-identical and the errors the same.
//!
//! ```
//! let values = helmpilot_yaml::unmarshal_map("replicas: 3\nenabled: yes\n").unwrap();
//! assert_eq!(values["replicas"], serde_json::json!(3.0));
//! assert_eq!(values["enabled"], serde_json::json!(true));
//! assert_eq!(helmpilot_yaml::json_to_yaml(r#"{"b":[1,2],"a":"yes"}"#).unwrap(),
//!            "a: \"yes\"\nb:\n- 1\n- 2\n");
//! ```

mod decode;
mod emitter;
mod fxhash;
mod gofloat;
mod gosort;
pub mod json;
mod parser;
mod resolve;
mod scanner;
mod value;

use std::fmt;

use serde_json::{Map, Value};

pub use gofloat::{format_float_g, format_float_json};
pub use value::{Yaml, YamlMap};

/// An error with the text Go's `err.Error()` gives for it.
///
/// ```
/// let err = helmpilot_yaml::decode("a: b: c").unwrap_err();
/// assert_eq!(err.to_string(), "yaml: mapping values are not allowed in this context");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error(String);

impl Error {
    /// The message, as Go prints it.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// go-yaml v2's `yaml.Unmarshal` into an `interface{}`: the first document's value
/// ([`Yaml::Null`] for an empty stream), typed by the YAML 1.1 resolver.
///
/// ```
/// use helmpilot_yaml::{decode, Yaml};
/// assert_eq!(decode("0755").unwrap(), Yaml::Int(493));
/// assert_eq!(decode("[a, 1.5]").unwrap(),
///            Yaml::Seq(vec![Yaml::from("a"), Yaml::Float(1.5)]));
/// ```
pub fn decode(text: &str) -> Result<Yaml, Error> {
    match decode::decode_first(text) {
        Ok(v) => Ok(v.unwrap_or(Yaml::Null)),
        Err(e) => Err(Error(format!("yaml: {}", e.message()))),
    }
}

/// Every document of a YAML stream, as go-yaml v2's `Decoder` reads them one after the
/// other (anchors are per document). An empty stream has no documents; an empty
/// document (`---` alone) is [`Yaml::Null`].
///
/// ```
/// use helmpilot_yaml::{decode_documents, Yaml};
/// let docs = decode_documents("a: 1\n---\n- x\n---\n").unwrap();
/// assert_eq!(docs.len(), 3);
/// assert_eq!(docs[2], Yaml::Null);
/// ```
pub fn decode_documents(text: &str) -> Result<Vec<Yaml>, Error> {
    decode::decode_all(text).map_err(|e| Error(format!("yaml: {}", e.message())))
}

/// [`unmarshal`] for every document of a YAML stream: each one typed as Helm types a
/// values file.
///
/// ```
/// let docs = helmpilot_yaml::unmarshal_documents("a: 1\n---\nb: [yes]").unwrap();
/// assert_eq!(docs, vec![serde_json::json!({"a": 1.0}), serde_json::json!({"b": [true]})]);
/// ```
pub fn unmarshal_documents(text: &str) -> Result<Vec<Value>, Error> {
    decode_documents(text)
        .map_err(|e| Error(format!("error converting YAML to JSON: {e}")))?
        .into_iter()
        .map(|doc| {
            into_json_checked(doc).map_err(|e| Error(format!("error converting YAML to JSON: {e}")))
        })
        .collect()
}

/// `sigs.k8s.io/yaml.Unmarshal` into an `interface{}`: what Helm ends up with for a YAML
/// document. Numbers are float64 (they went through JSON).
///
/// ```
/// let v = helmpilot_yaml::unmarshal("a: [1, ~]").unwrap();
/// assert_eq!(v, serde_json::json!({"a": [1.0, null]}));
/// ```
pub fn unmarshal(text: &str) -> Result<Value, Error> {
    let yaml = decode(text).map_err(|e| Error(format!("error converting YAML to JSON: {e}")))?;
    into_json_checked(yaml).map_err(|e| Error(format!("error converting YAML to JSON: {e}")))
}

fn target_error(found: &Value, target: &str) -> Error {
    Error(format!(
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type {target}",
        json::kind_name(found)
    ))
}

/// `sigs.k8s.io/yaml.Unmarshal` into a `map[string]interface{}` (Helm's `fromYaml` and
/// values files). A document that is not a mapping is an error; an empty one (or
/// `null`) leaves the map empty.
///
/// ```
/// let err = helmpilot_yaml::unmarshal_map("- a").unwrap_err();
/// assert_eq!(err.to_string(), "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}");
/// ```
pub fn unmarshal_map(text: &str) -> Result<Map<String, Value>, Error> {
    match unmarshal(text)? {
        Value::Object(map) => Ok(map),
        Value::Null => Ok(Map::new()),
        other => Err(target_error(&other, "map[string]interface {}")),
    }
}

/// `sigs.k8s.io/yaml.Unmarshal` into a `[]interface{}` (Helm's `fromYamlArray`).
///
/// ```
/// assert_eq!(helmpilot_yaml::unmarshal_seq("- 1\n- b").unwrap(),
///            vec![serde_json::json!(1.0), serde_json::json!("b")]);
/// ```
pub fn unmarshal_seq(text: &str) -> Result<Vec<Value>, Error> {
    match unmarshal(text)? {
        Value::Array(items) => Ok(items),
        Value::Null => Ok(Vec::new()),
        other => Err(target_error(&other, "[]interface {}")),
    }
}

/// `sigs.k8s.io/yaml.JSONToYAML`: reads JSON text as YAML (so `1` is an int, `1.5` a
/// float, `1e+21` a float) and writes it with go-yaml v2. Fails where go-yaml cannot
/// read the JSON back, e.g. on characters YAML forbids (`\u007f`) or an object key
/// longer than 1024 characters.
///
/// ```
/// assert_eq!(helmpilot_yaml::json_to_yaml(r#"{"a":1e+21,"b":{}}"#).unwrap(), "a: 1e+21\nb: {}\n");
/// ```
pub fn json_to_yaml(json: &str) -> Result<String, Error> {
    let yaml = decode(json)?;
    Ok(emitter::emit(&yaml, emitter::Flavor::V2))
}

/// `sigs.k8s.io/yaml.Marshal` of a JSON tree: [`json::marshal`], then [`json_to_yaml`].
///
/// ```
/// let v = serde_json::json!({"name": "web", "ports": [80.0, 443.0]});
/// assert_eq!(helmpilot_yaml::marshal(&v).unwrap(), "name: web\nports:\n- 80\n- 443\n");
/// ```
pub fn marshal(value: &Value) -> Result<String, Error> {
    json_to_yaml(&json::marshal(value))
}

/// go-yaml v2's `yaml.Marshal` of a [`Yaml`] value.
///
/// ```
/// use helmpilot_yaml::{to_yaml_string, Yaml};
/// assert_eq!(to_yaml_string(&Yaml::Seq(vec![Yaml::Int(1), Yaml::from("on")])), "- 1\n- \"on\"\n");
/// ```
pub fn to_yaml_string(value: &Yaml) -> String {
    emitter::emit(value, emitter::Flavor::V2)
}

/// go-yaml v3's `Encoder` with `SetIndent(indent)` encoding one value (Helm's
/// `toYamlPretty` uses an indent of 2): sequences inside mappings are indented, long
/// lines are not folded, NaN is `.nan`.
///
/// ```
/// use helmpilot_yaml::{to_yaml_v3, Yaml, YamlMap};
/// let map: YamlMap = [(Yaml::from("a"), Yaml::Seq(vec![Yaml::Float(1e6)]))].into_iter().collect();
/// assert_eq!(to_yaml_v3(&Yaml::Map(map), 2), "a:\n  - 1e+06\n");
/// ```
pub fn to_yaml_v3(value: &Yaml, indent: usize) -> String {
    emitter::emit(value, emitter::Flavor::V3 { indent })
}

/// The first map key of a go-yaml tree that `sigs.k8s.io/yaml` cannot turn into a JSON
/// key (null, a sequence, a mapping...), as its error (`unsupported map key of type:
/// ...`). For callers converting the tree themselves, for a typed target.
///
/// ```
/// let tree = helmpilot_yaml::decode("~: 1").unwrap();
/// assert_eq!(helmpilot_yaml::check_json_keys(&tree).unwrap_err().to_string(),
///            "unsupported map key of type: %!s(<nil>), key: <nil>, value: 1");
/// ```
pub fn check_json_keys(yaml: &Yaml) -> Result<(), Error> {
    check_keys(yaml).map_err(Error)
}

/// Converts go-yaml's tree the way `sigs.k8s.io/yaml` does for an `interface{}` target,
/// marshalling it to JSON and back: keys become strings ([`json_key`]), keys of other
/// types are errors, NaN or infinite numbers are JSON errors, and numbers are float64.
/// The errors are without the `error converting YAML to JSON: ` that [`unmarshal`] adds.
///
/// ```
/// let tree = helmpilot_yaml::decode("{1: [yes, 0x10]}").unwrap();
/// assert_eq!(helmpilot_yaml::to_json(&tree).unwrap(), serde_json::json!({"1": [true, 16.0]}));
/// ```
pub fn to_json(yaml: &Yaml) -> Result<Value, Error> {
    check_keys(yaml).map_err(Error)?;
    to_json_value(yaml).map_err(Error)
}

/// [`to_json`], consuming the tree: the common case (string keys, finite floats) moves
/// the text instead of copying it.
fn into_json_checked(yaml: Yaml) -> Result<Value, String> {
    if json_ready(&yaml) {
        return Ok(into_json(yaml));
    }
    check_keys(&yaml)?;
    to_json_value(&yaml)
}

/// Whether every map key is a string and every float finite: the usual case, where
/// the conversion cannot fail and no two keys turn into the same string (the map
/// already holds each string key once), so [`into_json`] gives what
/// [`check_keys`] and [`to_json_value`] give, without copying the text.
fn json_ready(yaml: &Yaml) -> bool {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || match yaml {
        Yaml::Float(f) => f.is_finite(),
        Yaml::Seq(items) => items.iter().all(json_ready),
        Yaml::Map(map) => map
            .iter()
            .all(|(k, v)| matches!(k, Yaml::Str(_)) && json_ready(v)),
        Yaml::Struct(fields) => fields.iter().all(|(_, v)| json_ready(v)),
        Yaml::Null
        | Yaml::Bool(_)
        | Yaml::Int(_)
        | Yaml::Uint(_)
        | Yaml::Str(_)
        | Yaml::Time(_) => true,
    })
}

/// [`to_json_value`] of a tree [`json_ready`] accepted, consuming it.
fn into_json(yaml: Yaml) -> Value {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || match yaml {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Int(n) => Value::from(n as f64),
        Yaml::Uint(n) => Value::from(n as f64),
        Yaml::Float(f) => Value::from(f),
        Yaml::Str(s) | Yaml::Time(s) => Value::String(s),
        Yaml::Seq(items) => Value::Array(items.into_iter().map(into_json).collect()),
        Yaml::Struct(fields) => {
            let mut out = Map::new();
            for (k, v) in fields {
                out.insert(k, into_json(v));
            }
            Value::Object(out)
        }
        Yaml::Map(map) => {
            // The keys are distinct, and serde_json's map (a B-tree: the crate is built
            // without `preserve_order`, which a test below holds to) orders them
            // itself, as `to_json_value` gets them.
            Value::Object(
                map.into_entries()
                    .into_iter()
                    .map(|(k, v)| match k {
                        Yaml::Str(k) => (k, into_json(v)),
                        _ => (String::new(), into_json(v)),
                    })
                    .collect(),
            )
        }
    })
}

/// The JSON object key `sigs.k8s.io/yaml` makes of a go-yaml map key: strings as they
/// are, ints and booleans in decimal/`true`, floats formatted as float32 (`.inf`,
/// `-.inf`, `.nan` for the special values); `None` for a key it refuses (null,
/// uint64, sequences, mappings), which [`check_json_keys`] reports.
///
/// ```
/// use helmpilot_yaml::{json_key, Yaml};
/// assert_eq!(json_key(&Yaml::Float(0.1)).as_deref(), Some("0.1"));
/// assert_eq!(json_key(&Yaml::Float(f64::INFINITY)).as_deref(), Some(".inf"));
/// assert_eq!(json_key(&Yaml::Null), None);
/// ```
pub fn json_key(key: &Yaml) -> Option<String> {
    Some(match key {
        Yaml::Str(s) => s.clone(),
        Yaml::Int(n) => n.to_string(),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Float(f) => match format_float_g(*f, true).as_str() {
            "+Inf" => ".inf".to_string(),
            "-Inf" => "-.inf".to_string(),
            "NaN" => ".nan".to_string(),
            s => s.to_string(),
        },
        _ => return None,
    })
}

/// The first key `sigs.k8s.io/yaml` cannot turn into a string, as its error.
fn check_keys(yaml: &Yaml) -> Result<(), String> {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || match yaml {
        Yaml::Map(map) => {
            for (k, v) in map.iter() {
                if json_key(k).is_none() {
                    let type_name = match k {
                        Yaml::Null => "%!s(<nil>)",
                        Yaml::Uint(_) => "uint64",
                        Yaml::Seq(_) => "[]interface {}",
                        _ => "map[interface {}]interface {}",
                    };
                    return Err(format!(
                        "unsupported map key of type: {type_name}, key: {}, value: {}",
                        go_sharp_v(k),
                        go_sharp_v(v)
                    ));
                }
                check_keys(v)?;
            }
            Ok(())
        }
        Yaml::Seq(items) => items.iter().try_for_each(check_keys),
        _ => Ok(()),
    })
}

fn to_json_value(yaml: &Yaml) -> Result<Value, String> {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
        Ok(match yaml {
            Yaml::Null => Value::Null,
            Yaml::Bool(b) => Value::Bool(*b),
            Yaml::Int(n) => Value::from(*n as f64),
            Yaml::Uint(n) => Value::from(*n as f64),
            Yaml::Float(f) => match serde_json::Number::from_f64(*f) {
                Some(n) => Value::Number(n),
                None => {
                    return Err(format!(
                        "json: unsupported value: {}",
                        format_float_g(*f, false)
                    ))
                }
            },
            Yaml::Str(s) | Yaml::Time(s) => Value::String(s.clone()),
            Yaml::Seq(items) => {
                Value::Array(items.iter().map(to_json_value).collect::<Result<_, _>>()?)
            }
            Yaml::Struct(fields) => {
                let mut out = Map::new();
                for (k, v) in fields {
                    out.insert(k.clone(), to_json_value(v)?);
                }
                Value::Object(out)
            }
            Yaml::Map(map) => {
                // Keys that stringify alike: the later one wins. Go's json.Marshal
                // visits keys in sorted order, which decides which bad number it
                // reports first.
                let mut entries: Vec<(String, &Yaml)> = Vec::new();
                let mut index = std::collections::HashMap::new();
                for (k, v) in map.iter() {
                    let key = json_key(k).unwrap_or_default();
                    match index.get(&key) {
                        Some(&i) => entries[i] = (key, v),
                        None => {
                            index.insert(key.clone(), entries.len());
                            entries.push((key, v));
                        }
                    }
                }
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                let mut out = Map::new();
                for (k, v) in entries {
                    out.insert(k, to_json_value(v)?);
                }
                Value::Object(out)
            }
        })
    })
}

/// Go's `%#v` of a go-yaml value, for error messages.
pub(crate) fn go_sharp_v(v: &Yaml) -> String {
    fn inner(v: &Yaml, top: bool) -> String {
        match v {
            Yaml::Null if top => "<nil>".to_string(),
            Yaml::Null => "interface {}(nil)".to_string(),
            Yaml::Bool(b) => b.to_string(),
            Yaml::Int(n) => n.to_string(),
            Yaml::Uint(n) => format!("0x{n:x}"),
            Yaml::Float(f) => format_float_g(*f, false),
            Yaml::Str(s) | Yaml::Time(s) => go_quote(s),
            Yaml::Struct(fields) => format!(
                "{{{}}}",
                fields
                    .iter()
                    .map(|(k, v)| format!("{k}:{}", inner(v, false)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Yaml::Seq(items) => format!(
                "[]interface {{}}{{{}}}",
                items
                    .iter()
                    .map(|i| inner(i, false))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Yaml::Map(map) => {
                let mut pairs: Vec<(String, String)> = map
                    .iter()
                    .map(|(k, v)| (inner(k, false), inner(v, false)))
                    .collect();
                pairs.sort();
                format!(
                    "map[interface {{}}]interface {{}}{{{}}}",
                    pairs
                        .into_iter()
                        .map(|(k, v)| format!("{k}:{v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        }
    }
    inner(v, true)
}

/// Go's `strconv.Quote`.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0C' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0B' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7F => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() || c == '\u{FEFF}' => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Bytes to a string the way Go's JSON encoder treats invalid UTF-8: each byte that does
/// not start a valid sequence becomes U+FFFD.
pub(crate) fn lossy_utf8(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                break;
            }
            Err(e) => {
                let valid = e.valid_up_to();
                out.push_str(std::str::from_utf8(&rest[..valid]).unwrap_or(""));
                out.push('\u{FFFD}');
                rest = &rest[valid + 1..];
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `into_json` leaves key order to serde_json's map, which must sort (Go's
    /// `encoding/json` and so sigs.k8s.io/yaml give objects in key order).
    #[test]
    fn json_objects_come_out_in_key_order() {
        let mut direct = Map::new();
        direct.insert("b".to_string(), Value::Null);
        direct.insert("a".to_string(), Value::Null);
        assert_eq!(direct.keys().collect::<Vec<_>>(), ["a", "b"]);
        let map = unmarshal_map("z: 1\nb: 2\nm: {x: 1, c: 2}\n").unwrap();
        assert_eq!(map.keys().collect::<Vec<_>>(), ["b", "m", "z"]);
        let inner = map["m"].as_object().unwrap();
        assert_eq!(inner.keys().collect::<Vec<_>>(), ["c", "x"]);
    }

    #[test]
    fn lossy_like_go() {
        assert_eq!(lossy_utf8(b"a\xE2\x82b\xFF"), "a\u{FFFD}\u{FFFD}b\u{FFFD}");
    }

    #[test]
    fn unmarshal_errors() {
        let err = |s: &str| unmarshal(s).unwrap_err().to_string();
        assert_eq!(
            err("a: .nan"),
            "error converting YAML to JSON: json: unsupported value: NaN"
        );
        assert_eq!(
            err("~: 1"),
            "error converting YAML to JSON: unsupported map key of type: %!s(<nil>), key: <nil>, value: 1"
        );
        assert_eq!(
            err("[1,2]: 1"),
            "error converting YAML to JSON: yaml: invalid map key: []interface {}{1, 2}"
        );
        assert_eq!(
            err("a: 1\n- b"),
            "error converting YAML to JSON: yaml: line 1: did not find expected key"
        );
    }

    #[test]
    fn nesting_as_deep_as_go_allows_fits_the_stack() {
        let d = 10000;
        let json = format!("{}{}", "[".repeat(d), "]".repeat(d));
        assert!(json::unmarshal(&json).is_ok());
        assert!(json_to_yaml(&json).unwrap().starts_with("- - - "));
        let yaml = format!("a: {}{}", "[".repeat(d - 1), "]".repeat(d - 1));
        assert!(unmarshal(&yaml).is_ok());
        let too_deep = format!("a: {}{}", "[".repeat(d + 1), "]".repeat(d + 1));
        assert_eq!(
            decode(&too_deep).unwrap_err().to_string(),
            "yaml: exceeded max depth of 10000"
        );
    }

    #[test]
    fn keys_become_strings() {
        let v = unmarshal("1: a\n1.5: b\ntrue: c\n0.1234567891: d").unwrap();
        assert_eq!(
            v,
            serde_json::json!({"1": "a", "1.5": "b", "true": "c", "0.12345679": "d"})
        );
    }
}
