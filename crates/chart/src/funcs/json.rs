//! JSON functions: Helm's `toJson`, `mustToJson`, `fromJson`, `fromJsonArray` and
//! Sprig's `toPrettyJson`, `mustToPrettyJson`, `toRawJson`, `mustToRawJson`,
//! `mustFromJson`.
//!
//! All of them are Go's `encoding/json`: maps with sorted keys, float64 numbers in Go's
//! format (`1e+21`, `0.000001`), `<`, `>` and `&` escaped as `\u003c`... except in the
//! raw variants, byte slices as base64, NaN and infinities rejected
//! (`json: unsupported value: NaN`). Go quirks reproduced:
//! - `toJson` and `toPrettyJson` swallow errors and give `""`, but Sprig's `toRawJson`
//!   panics, so it fails the template just like `mustToRawJson`;
//! - `fromJson` and `fromJsonArray` put the error text into the result (under `Error`,
//!   or as the only item), keeping what Go decoded before a number that overflows
//!   float64 (`{"a": 1e400}` gives `a` as nil plus the error);
//! - `fromJsonArray "null"` is a nil list and `fromJson "null"` a nil map (printed `[]`
//!   and `map[]`, encoded `null`).
//!
//! Host objects encode as their Go types do ([`Marshal`]): a `time.Time` through its
//! `MarshalJSON` (RFC 3339 with nanoseconds; a year outside 0..=9999 or an offset of 24
//! hours or more is an error), a `*semver.Version` as its text, `time.Duration`,
//! `time.Month` and `time.Weekday` as integers, Sprig's `certificate` and other structs
//! as objects of their exported fields in declaration order. Objects with no encoding
//! fail with `json: unsupported type` (`toJson` gives `""`).

use std::sync::Arc;

use helmpilot_template::{
    Error, Function, Functions, GoType, List, ListType, Map, Marshal, Object, Signature, Value,
};
use helmpilot_yaml::json as gojson;

use super::FunctionEnv;

/// Go's `json.Marshal` (or an `Encoder` with HTML escaping off when `escape_html` is
/// false) of a template value: the JSON text (`"<"` gives `"\u003c"`), or Go's error
/// message.
pub(super) fn go_json(value: &Value, escape_html: bool) -> Result<String, String> {
    let mut out = String::new();
    let mut path = Vec::new();
    write_json(&mut out, value, escape_html, &mut path)?;
    Ok(out)
}

/// Go stops at a cycle once it is this deep (its `startDetectingCyclesAfter`).
const CYCLE_DEPTH: usize = 1000;

fn write_json(
    out: &mut String,
    value: &Value,
    escape_html: bool,
    path: &mut Vec<Map>,
) -> Result<(), String> {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || match value {
        Value::Nil => {
            out.push_str("null");
            Ok(())
        }
        Value::Bool(b) => {
            out.push_str(if *b { "true" } else { "false" });
            Ok(())
        }
        Value::Int(n, _) => {
            out.push_str(&n.to_string());
            Ok(())
        }
        Value::Uint(n, _) => {
            out.push_str(&n.to_string());
            Ok(())
        }
        Value::Float(f) => {
            if !f.is_finite() {
                return Err(format!(
                    "json: unsupported value: {}",
                    helmpilot_yaml::format_float_g(*f, false)
                ));
            }
            out.push_str(&helmpilot_yaml::format_float_json(*f));
            Ok(())
        }
        Value::String(s) => {
            gojson::write_string(out, s, escape_html);
            Ok(())
        }
        Value::Bytes(b) => {
            out.push('"');
            out.push_str(&base64(b));
            out.push('"');
            Ok(())
        }
        // A nil slice or map is `null` in Go's JSON.
        Value::List(list) if list.is_nil() => {
            out.push_str("null");
            Ok(())
        }
        Value::Map(map) if map.is_nil() => {
            out.push_str("null");
            Ok(())
        }
        Value::List(list) => {
            out.push('[');
            for (i, item) in list.items().iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, item, escape_html, path)?;
            }
            out.push(']');
            Ok(())
        }
        Value::Map(map) => {
            // A map that contains itself (possible through `set`): Go reports the cycle
            // once it is deep enough to start checking; any depth is an error either way.
            if path.len() >= CYCLE_DEPTH || path.iter().any(|m| m.ptr_eq(map)) {
                return Err(format!(
                    "json: unsupported value: encountered a cycle via {}",
                    map.type_name()
                ));
            }
            path.push(map.clone());
            let entries = map.entries();
            let members = entries.iter().map(|(key, item)| (&**key, item));
            write_members(out, members, escape_html, path)?;
            path.pop();
            Ok(())
        }
        Value::Object(object) => write_object(out, object.as_ref(), escape_html, path),
        other => Err(format!("json: unsupported type: {}", other.type_name())),
    })
}

/// A JSON object of `members` in the given order (maps come sorted by key, structs in
/// field order).
fn write_members<'v>(
    out: &mut String,
    members: impl Iterator<Item = (&'v str, &'v Value)>,
    escape_html: bool,
    path: &mut Vec<Map>,
) -> Result<(), String> {
    out.push('{');
    for (i, (name, value)) in members.enumerate() {
        if i > 0 {
            out.push(',');
        }
        gojson::write_string(out, name, escape_html);
        out.push(':');
        write_json(out, value, escape_html, path)?;
    }
    out.push('}');
    Ok(())
}

/// A host object as `encoding/json` writes its Go value.
fn write_object(
    out: &mut String,
    object: &dyn Object,
    escape_html: bool,
    path: &mut Vec<Map>,
) -> Result<(), String> {
    match object.marshal_json() {
        Marshal::Time(text) => {
            strict_rfc3339(&text).map_err(|reason| {
                format!(
                    "json: error calling MarshalJSON for type {}: Time.MarshalJSON: {reason}",
                    object.type_name()
                )
            })?;
            gojson::write_string(out, &text, escape_html);
        }
        Marshal::Text(text) => gojson::write_string(out, &text, escape_html),
        Marshal::Duration { nanos: n, .. } | Marshal::Int(n) => out.push_str(&n.to_string()),
        Marshal::Struct(fields) => {
            let members = fields.iter().map(|(name, value)| (name.as_str(), value));
            write_members(out, members, escape_html, path)?;
        }
        Marshal::Unsupported => {
            return Err(format!("json: unsupported type: {}", object.type_name()))
        }
    }
    Ok(())
}

/// Go's check that `time.Time.MarshalJSON` writes strict RFC 3339, made on the
/// formatted text as Go makes it: the year must be exactly four digits, and the zone
/// hour (which `Format` writes with as many digits as it needs) below 24.
fn strict_rfc3339(text: &str) -> Result<(), &'static str> {
    let b = text.as_bytes();
    if b.get(4) != Some(&b'-') {
        return Err("year outside of range [0,9999]");
    }
    if b.last() != Some(&b'Z') && b.len() >= 6 {
        // `+hh:mm` at the end; a digit where the sign belongs means a longer hour.
        let sign = b[b.len() - 6];
        let (h1, h2) = (b[b.len() - 5], b[b.len() - 4]);
        let hour = 10 * u32::from(h1.saturating_sub(b'0')) + u32::from(h2.saturating_sub(b'0'));
        if sign.is_ascii_digit() || hour >= 24 {
            return Err("timezone hour outside of range [0,23]");
        }
    }
    Ok(())
}

/// Standard base64 with padding, as Go's JSON encoder writes a `[]byte`.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decoded JSON as template values: objects are maps, arrays `[]interface {}`, numbers
/// float64. Go accepts nesting 10000 deep, so this grows the stack as it goes.
pub(super) fn json_to_value(json: &serde_json::Value) -> Value {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || match json {
        serde_json::Value::Array(items) => {
            Value::List(List::new(items.iter().map(json_to_value).collect()))
        }
        serde_json::Value::Object(entries) => {
            let map = Map::new();
            for (k, v) in entries {
                map.insert(k.as_str(), json_to_value(v));
            }
            Value::Map(map)
        }
        scalar => Value::from(scalar),
    })
}

/// Helm's `fromJson`: `json.Unmarshal` into a `map[string]interface{}`, the error (if
/// any) stored under `Error`.
fn from_json(text: &str) -> Value {
    let map = Map::new();
    match gojson::unmarshal(text) {
        Err(syntax) => map.insert("Error", Value::from(syntax)),
        Ok(decoded) => match (decoded.kind, decoded.value) {
            (_, serde_json::Value::Object(entries)) => {
                for (k, v) in &entries {
                    map.insert(k.as_str(), json_to_value(v));
                }
                if let Some(err) = decoded.type_error {
                    map.insert("Error", Value::from(err));
                }
            }
            // Go sets the map to nil.
            ("null", _) => return Value::Map(Map::nil()),
            (kind, _) => map.insert(
                "Error",
                Value::from(format!(
                    "json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"
                )),
            ),
        },
    }
    Value::Map(map)
}

/// Helm's `fromJsonArray`: `json.Unmarshal` into a `[]interface{}`; on error the list
/// holds only the error text.
fn from_json_array(text: &str) -> Value {
    let error_list = |e: String| Value::List(List::new(vec![Value::from(e)]));
    match gojson::unmarshal(text) {
        Err(syntax) => error_list(syntax),
        Ok(decoded) => match (decoded.kind, decoded.value, decoded.type_error) {
            (_, serde_json::Value::Array(items), None) => {
                Value::List(List::new(items.iter().map(json_to_value).collect()))
            }
            (_, serde_json::Value::Array(_), Some(err)) => error_list(err),
            // Go leaves the slice nil.
            ("null", _, _) => Value::List(List::nil(ListType::Interface)),
            (kind, _, _) => error_list(format!(
                "json: cannot unmarshal {kind} into Go value of type []interface {{}}"
            )),
        },
    }
}

pub(super) fn register(funcs: &mut Functions, _env: &Arc<FunctionEnv>) {
    let any = || Signature::fixed(&[GoType::Any]);
    let string = || Signature::fixed(&[GoType::String]);
    let text = |args: &[Value]| args[0].as_str().unwrap_or_default().to_string();

    // Helm's toJSON: errors become "".
    funcs.insert(
        "toJson",
        Function::new(any(), |_, args| {
            Ok(Value::from(go_json(&args[0], true).unwrap_or_default()))
        }),
    );
    // Helm's mustToJSON panics with the error, which fails the template.
    funcs.insert(
        "mustToJson",
        Function::new(any(), |_, args| {
            go_json(&args[0], true)
                .map(Value::from)
                .map_err(Error::function)
        }),
    );
    funcs.insert(
        "toPrettyJson",
        Function::new(any(), |_, args| {
            let pretty = go_json(&args[0], true).map(|j| gojson::indent(&j, "  "));
            Ok(Value::from(pretty.unwrap_or_default()))
        }),
    );
    funcs.insert(
        "mustToPrettyJson",
        Function::new(any(), |_, args| {
            go_json(&args[0], true)
                .map(|j| Value::from(gojson::indent(&j, "  ")))
                .map_err(Error::function)
        }),
    );
    // Sprig's toRawJson panics on error, so it fails like mustToRawJson.
    for name in ["toRawJson", "mustToRawJson"] {
        funcs.insert(
            name,
            Function::new(any(), |_, args| {
                go_json(&args[0], false)
                    .map(Value::from)
                    .map_err(Error::function)
            }),
        );
    }
    funcs.insert(
        "fromJson",
        Function::new(string(), move |_, args| Ok(from_json(&text(args)))),
    );
    funcs.insert(
        "fromJsonArray",
        Function::new(string(), move |_, args| Ok(from_json_array(&text(args)))),
    );
    // Sprig's mustFromJson: json.Unmarshal into an interface{}, errors fail the template.
    funcs.insert(
        "mustFromJson",
        Function::new(string(), move |_, args| {
            let decoded = gojson::unmarshal(&text(args)).map_err(Error::function)?;
            match decoded.type_error {
                Some(err) => Err(Error::function(err)),
                None => Ok(json_to_value(&decoded.value)),
            }
        }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_like_go() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
        assert_eq!(base64(&[0xff, 0xfe, 0xfd, 0x00]), "//79AA==");
    }

    #[test]
    fn times_must_be_strict_rfc3339() {
        assert_eq!(strict_rfc3339("0000-01-01T00:00:00Z"), Ok(()));
        assert_eq!(strict_rfc3339("2024-01-01T00:00:00.5-23:59"), Ok(()));
        let year = Err("year outside of range [0,9999]");
        assert_eq!(strict_rfc3339("10000-01-01T00:00:00Z"), year);
        assert_eq!(strict_rfc3339("-0001-01-01T00:00:00Z"), year);
        let zone = Err("timezone hour outside of range [0,23]");
        assert_eq!(strict_rfc3339("2024-01-01T00:00:00+24:00"), zone);
        assert_eq!(strict_rfc3339("2024-01-01T00:00:00-24:00"), zone);
        assert_eq!(strict_rfc3339("2024-01-01T00:00:00+100:00"), zone);
    }

    #[test]
    fn marshals_template_values() {
        let map = Map::new();
        map.insert("b", Value::from(vec![Value::int(1), Value::Float(0.5)]));
        map.insert("a", Value::from("<&>"));
        let v = Value::Map(map.clone());
        assert_eq!(
            go_json(&v, true).unwrap(),
            r#"{"a":"\u003c\u0026\u003e","b":[1,0.5]}"#
        );
        assert_eq!(go_json(&v, false).unwrap(), r#"{"a":"<&>","b":[1,0.5]}"#);
        map.insert("self", v.clone());
        assert_eq!(
            go_json(&v, true).unwrap_err(),
            "json: unsupported value: encountered a cycle via map[string]interface {}"
        );
        assert_eq!(
            go_json(&Value::Float(f64::NEG_INFINITY), true).unwrap_err(),
            "json: unsupported value: -Inf"
        );
    }
}
