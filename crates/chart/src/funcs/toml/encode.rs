//! BurntSushi/toml v1.6's `Encoder`, byte for byte, on template values.
//!
//! Its layout: in every table, keys with plain values first, then tables and arrays of
//! tables, each group sorted by key; a nested table header is indented by two spaces per
//! level (and so are its keys); top-level tables are preceded by a blank line; an array
//! whose elements are all tables becomes `[[key]]` sections, any other array is written
//! inline, with inline tables (`{k = v, ...}`) for the maps in it. Nil map values are
//! left out (in an inline table the separator Go writes after them stays); a nil in an
//! array is an error; floats always carry a decimal point or exponent (`1.0`).
//!
//! Host objects go by [`Marshal`]: a `time.Time` is a bare datetime (TOML's own local
//! datetimes without a zone), a `time.Duration` its quoted `String()`, a text marshaller
//! (`*semver.Version`) its quoted text, `time.Month` and `time.Weekday` integers, and a
//! struct (Sprig's `certificate`) a table of its exported fields in declaration order.

use helmpilot_template::{gofmt, Marshal, Object, Str, Value};

use super::datetime::TomlTime;

/// Why encoding failed.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum EncodeError {
    /// An encoder error: `toToml` returns its text, `mustToToml` fails with it.
    Toml(String),
    /// A Go runtime panic inside the encoder, which both functions report as an error.
    Panic(String),
}

/// How deeply maps and lists may nest. Go would recurse until its stack is exhausted
/// (a map that contains itself, made with `set`, kills Helm); we stop with an error.
const MAX_DEPTH: usize = 1000;

/// A bound on the output. Headers repeat the whole key path, so the output can grow with
/// the square of the nesting; Go would build it whatever the size.
const MAX_OUTPUT: usize = 64 << 20;

/// The TOML type the encoder assigns a value (`tomlTypeOfGo`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TomlType {
    Integer,
    Float,
    Datetime,
    String,
    Bool,
    Array,
    Hash,
    ArrayHash,
}

/// `toml.NewEncoder(w).Encode(v)`.
pub(super) fn encode(value: &Value) -> Result<String, EncodeError> {
    let mut enc = Encoder {
        out: String::new(),
        has_written: false,
    };
    enc.encode(&[], value, 0)?;
    Ok(enc.out)
}

struct Encoder {
    out: String,
    has_written: bool,
}

fn deeper(depth: usize) -> Result<usize, EncodeError> {
    if depth >= MAX_DEPTH {
        return Err(EncodeError::Toml(format!(
            "toml: value nested more than {MAX_DEPTH} levels deep"
        )));
    }
    Ok(depth + 1)
}

fn unsupported(value: &Value) -> String {
    value.kind_name().to_string()
}

/// `tomlTypeOfGo`: `None` for nil. Checks every element of a list, so a nil anywhere in
/// an array is found before anything is written.
fn toml_type(value: &Value, depth: usize) -> Result<Option<TomlType>, EncodeError> {
    Ok(Some(match value {
        Value::Nil => return Ok(None),
        Value::Bool(_) => TomlType::Bool,
        Value::Int(..) | Value::Uint(..) => TomlType::Integer,
        Value::Float(_) => TomlType::Float,
        Value::String(_) => TomlType::String,
        Value::Bytes(_) => TomlType::Array,
        Value::List(list) => {
            if is_table_array(list.items(), depth)? {
                TomlType::ArrayHash
            } else {
                TomlType::Array
            }
        }
        Value::Map(_) => TomlType::Hash,
        Value::Object(o) => match o.marshal() {
            Marshal::Time(_) => TomlType::Datetime,
            Marshal::Text(_) => TomlType::String,
            // A Duration is written as a string, but its kind is int64.
            Marshal::Duration { .. } | Marshal::Int(_) => TomlType::Integer,
            Marshal::Struct(_) => TomlType::Hash,
            Marshal::Unsupported => return Err(object_error(o.as_ref())),
        },
        Value::Complex(..) | Value::Func(_) => {
            return Err(EncodeError::Toml(format!(
                "unsupported type: {}",
                unsupported(value)
            )))
        }
    }))
}

/// A host object with no encoding.
fn object_error(object: &dyn Object) -> EncodeError {
    EncodeError::Toml(format!(
        "toml: cannot encode a value of type {}",
        object.type_name()
    ))
}

/// The keys of a table, in the order the encoder visits them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keys {
    /// A map's, sorted.
    Map,
    /// A struct's fields, in declaration order.
    Struct,
}

/// A struct's fields as table entries.
fn struct_entries(fields: Vec<(String, Value)>) -> Vec<(Str, Value)> {
    fields
        .into_iter()
        .map(|(name, v)| (Str::from(name), v))
        .collect()
}

/// The entries of a map or struct value, if it is one (what `eMapOrStruct` takes).
fn table_entries(value: &Value) -> Option<(Vec<(Str, Value)>, Keys)> {
    match value {
        Value::Map(map) => Some((map.entries(), Keys::Map)),
        Value::Object(o) => match o.marshal() {
            Marshal::Struct(fields) => Some((struct_entries(fields), Keys::Struct)),
            _ => None,
        },
        _ => None,
    }
}

/// `isTableArray`: a non-empty list of tables only.
fn is_table_array(items: &[Value], depth: usize) -> Result<bool, EncodeError> {
    let depth = deeper(depth)?;
    let mut all_tables = !items.is_empty();
    for item in items {
        match toml_type(item, depth)? {
            None => {
                return Err(EncodeError::Toml(
                    "toml: cannot encode array with nil element".to_string(),
                ))
            }
            Some(t) => all_tables &= t == TomlType::Hash,
        }
    }
    Ok(all_tables)
}

/// `Key.String()`: the parts joined with dots, each quoted unless it is a bare key.
pub(super) fn key_string(key: &[String]) -> String {
    key.iter()
        .map(|part| maybe_quoted(part))
        .collect::<Vec<_>>()
        .join(".")
}

/// One key part, bare (`A-Za-z0-9_-`) or quoted.
pub(super) fn maybe_quoted(part: &str) -> String {
    let bare = !part.is_empty()
        && part
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare {
        part.to_string()
    } else {
        quoted(part)
    }
}

/// A basic string (`dblQuotedReplacer`): `"` and `\` escaped, control characters as
/// `\b \t \n \f \r` or `\uXXXX`, everything else as it is.
pub(super) fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\0'..='\u{1f}' | '\u{7f}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A float as TOML writes it: `nan`, `inf`, or Go's shortest `%g` with `.0` added when
/// it has neither a point nor an exponent.
fn float_text(f: f64) -> String {
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if f.is_nan() {
        return format!("{sign}nan");
    }
    if f.is_infinite() {
        return format!("{sign}inf");
    }
    let text = gofmt::format_float(f, b'g', -1, 64);
    if text.contains(['e', '.']) {
        text
    } else {
        text + ".0"
    }
}

fn with_key(key: &[String], part: &str) -> Vec<String> {
    let mut key = key.to_vec();
    key.push(part.to_string());
    key
}

impl Encoder {
    fn write(&mut self, s: &str) -> Result<(), EncodeError> {
        if self.out.len() + s.len() > MAX_OUTPUT {
            return Err(EncodeError::Toml(format!(
                "toml: encoded value exceeds {MAX_OUTPUT} bytes"
            )));
        }
        self.out.push_str(s);
        self.has_written = true;
        Ok(())
    }

    fn newline(&mut self) -> Result<(), EncodeError> {
        if self.has_written {
            self.write("\n")?;
        }
        Ok(())
    }

    fn indent(key: &[String]) -> String {
        "  ".repeat(key.len().saturating_sub(1))
    }

    fn encode(&mut self, key: &[String], value: &Value, depth: usize) -> Result<(), EncodeError> {
        let depth = deeper(depth)?;
        match value {
            // `Encode(nil)`: Go's reflection panics on the missing value.
            Value::Nil => Err(EncodeError::Panic(
                "reflect: call of reflect.Value.Type on zero Value".to_string(),
            )),
            Value::Bool(_)
            | Value::Int(..)
            | Value::Uint(..)
            | Value::Float(_)
            | Value::String(_) => self.write_key_value(key, value, false, depth),
            Value::Bytes(_) => self.write_key_value(key, value, false, depth),
            Value::List(list) => {
                if toml_type(value, depth)? == Some(TomlType::ArrayHash) {
                    self.array_of_tables(key, list.items(), depth)
                } else {
                    self.write_key_value(key, value, false, depth)
                }
            }
            Value::Map(map) => self.table(key, &map.entries(), Keys::Map, depth),
            Value::Object(o) => match o.marshal() {
                Marshal::Struct(fields) => {
                    self.table(key, &struct_entries(fields), Keys::Struct, depth)
                }
                Marshal::Unsupported => Err(object_error(o.as_ref())),
                _ => self.write_key_value(key, value, false, depth),
            },
            Value::Complex(..) | Value::Func(_) => Err(EncodeError::Toml(format!(
                "unsupported type for key '{}': {}",
                key_string(key),
                unsupported(value)
            ))),
        }
    }

    /// `eElement`: a value where a value goes (after `=`, in an array).
    fn element(&mut self, value: &Value, depth: usize) -> Result<(), EncodeError> {
        let depth = deeper(depth)?;
        match value {
            Value::String(s) => self.write(&quoted(s)),
            Value::Bool(b) => self.write(if *b { "true" } else { "false" }),
            Value::Int(n, _) => self.write(&n.to_string()),
            Value::Uint(n, _) => self.write(&n.to_string()),
            Value::Float(f) => self.write(&float_text(*f)),
            Value::Bytes(bytes) => {
                let items: Vec<String> = bytes.iter().map(u8::to_string).collect();
                self.write(&format!("[{}]", items.join(", ")))
            }
            Value::List(list) => {
                self.write("[")?;
                for (i, item) in list.items().iter().enumerate() {
                    self.element(item, depth)?;
                    if i + 1 != list.len() {
                        self.write(", ")?;
                    }
                }
                self.write("]")
            }
            Value::Map(map) => self.map(&[], &map.entries(), Keys::Map, true, depth),
            Value::Object(o) => match o.marshal() {
                Marshal::Time(text) => match TomlTime::of(value) {
                    // Local datetimes, dates and times are written without a zone.
                    Some(time) => self.write(&time.toml_text()),
                    None => self.write(&text),
                },
                Marshal::Duration { text, .. } | Marshal::Text(text) => self.write(&quoted(&text)),
                Marshal::Int(n) => self.write(&n.to_string()),
                Marshal::Struct(fields) => {
                    self.map(&[], &struct_entries(fields), Keys::Struct, true, depth)
                }
                Marshal::Unsupported => Err(object_error(o.as_ref())),
            },
            // Never reached: arrays with nil are refused and nil map values skipped
            // before; Go would panic on the missing value.
            Value::Nil => Err(EncodeError::Panic(
                "reflect: call of reflect.Value.Interface on zero Value".to_string(),
            )),
            Value::Complex(..) | Value::Func(_) => Err(EncodeError::Toml(format!(
                "unexpected type: {}",
                value.type_name()
            ))),
        }
    }

    fn array_of_tables(
        &mut self,
        key: &[String],
        items: &[Value],
        depth: usize,
    ) -> Result<(), EncodeError> {
        if key.is_empty() {
            return Err(EncodeError::Toml(
                "toml: top-level values must be Go maps or structs".to_string(),
            ));
        }
        for item in items {
            if let Some((entries, keys)) = table_entries(item) {
                self.newline()?;
                let header = format!("{}[[{}]]", Self::indent(key), key_string(key));
                self.write(&header)?;
                self.newline()?;
                self.map(key, &entries, keys, false, depth)?;
            }
        }
        Ok(())
    }

    fn table(
        &mut self,
        key: &[String],
        entries: &[(Str, Value)],
        keys: Keys,
        depth: usize,
    ) -> Result<(), EncodeError> {
        if key.len() == 1 {
            // A blank line between top-level tables (none before the first output).
            self.newline()?;
        }
        if !key.is_empty() {
            let header = format!("{}[{}]", Self::indent(key), key_string(key));
            self.write(&header)?;
            self.newline()?;
        }
        self.map(key, entries, keys, false, depth)
    }

    /// `eMap` and `eStruct`: plain values first, then tables, each group in key order
    /// (sorted for a map, declaration order for a struct).
    fn map(
        &mut self,
        key: &[String],
        entries: &[(Str, Value)],
        keys: Keys,
        inline: bool,
        depth: usize,
    ) -> Result<(), EncodeError> {
        let depth = deeper(depth)?;
        let mut direct = Vec::new();
        let mut sub = Vec::new();
        for (i, (k, v)) in entries.iter().enumerate() {
            // In an inline struct, Go writes a separator after every field but the last
            // declared one.
            let last = i + 1 == entries.len();
            match toml_type(v, depth)? {
                Some(TomlType::Hash | TomlType::ArrayHash) => sub.push((k, v, last)),
                _ => direct.push((k, v, last)),
            }
        }
        if inline {
            self.write("{")?;
        }
        let trailing_comma = !sub.is_empty();
        self.map_keys(key, &direct, keys, inline, trailing_comma, depth)?;
        self.map_keys(key, &sub, keys, inline, false, depth)?;
        if inline {
            self.write("}")?;
        }
        Ok(())
    }

    /// One group of a table's entries; `last` marks a struct's last declared field.
    fn map_keys(
        &mut self,
        key: &[String],
        entries: &[(&Str, &Value, bool)],
        keys: Keys,
        inline: bool,
        trailing_comma: bool,
        depth: usize,
    ) -> Result<(), EncodeError> {
        for (i, &(k, v, last)) in entries.iter().enumerate() {
            if v.is_nil() {
                continue;
            }
            if inline {
                self.write_key_value(&[k.to_string()], v, true, depth)?;
                // Go decides on the separator by position, so a skipped nil that comes
                // last leaves a trailing ", ".
                let separator = match keys {
                    Keys::Map => trailing_comma || i + 1 != entries.len(),
                    Keys::Struct => !last,
                };
                if separator {
                    self.write(", ")?;
                }
            } else {
                self.encode(&with_key(key, k), v, depth)?;
            }
        }
        Ok(())
    }

    fn write_key_value(
        &mut self,
        key: &[String],
        value: &Value,
        inline: bool,
        depth: usize,
    ) -> Result<(), EncodeError> {
        let Some(last) = key.last() else {
            return self.element(value, depth);
        };
        let prefix = format!("{}{} = ", Self::indent(key), maybe_quoted(last));
        self.write(&prefix)?;
        self.element(value, depth)?;
        if !inline {
            self.newline()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use helmpilot_template::Map;

    #[test]
    fn floats_keep_a_decimal() {
        assert_eq!(float_text(1.0), "1.0");
        assert_eq!(float_text(1e20), "1e+20");
        assert_eq!(float_text(-0.0), "-0.0");
        assert_eq!(float_text(f64::NEG_INFINITY), "-inf");
        assert_eq!(float_text(123456789.0), "1.23456789e+08");
    }

    #[test]
    fn keys_are_quoted_unless_bare() {
        let key = vec![
            "a".to_string(),
            "b.c".to_string(),
            String::new(),
            "é".to_string(),
        ];
        assert_eq!(key_string(&key), r#"a."b.c".""."é""#);
        assert_eq!(quoted("\u{1}\"\u{7f}"), r#""\u0001\"\u007f""#);
    }

    #[test]
    fn self_containing_maps_are_refused() {
        let m = Map::new();
        m.insert("m", Value::Map(m.clone()));
        assert!(matches!(encode(&Value::Map(m)), Err(EncodeError::Toml(_))));
    }
}
