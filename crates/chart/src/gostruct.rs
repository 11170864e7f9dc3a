//! `sigs.k8s.io/yaml.Unmarshal` into a Go struct, the Go type described as data.
//!
//! Helm reads Chart.yaml, Chart.lock, requirements.yaml and the head of every manifest
//! this way, and what it ends up with is shaped by three layers:
//!
//! 1. go-yaml v2 decodes the document ([`helmpilot_yaml::decode`]);
//! 2. sigs.k8s.io/yaml turns that tree into JSON *knowing the target type*: map keys
//!    become strings ([`helmpilot_yaml::json_key`]), a number or boolean bound for a
//!    `string` (a field, or a slice or map element) becomes its string form
//!    (`version: 1.10` is `"1.1"`: floats are formatted as float32), and `json.Marshal`
//!    fails on the first NaN or infinity left anywhere else, in sorted key order;
//! 3. Go's `encoding/json` decodes the JSON into the value: object members in sorted key
//!    order, a key naming the field whose JSON name it equals, else the first that it
//!    equals case-insensitively (the Kelvin sign folding to `k`, the long s to `s`), so
//!    a later key for the same field overwrites an earlier one; `null` leaves a string,
//!    bool or struct as it was and makes a pointer, slice or map nil. A value of the
//!    wrong kind is skipped and the first such mismatch reported when decoding is done
//!    (`json: cannot unmarshal array into Go struct field Metadata.name of type
//!    string`), unless a `json.Unmarshaler` (`time.Time`) fails, which stops decoding
//!    and is the error reported.
//!
//! The target is a [`Shape`] (the Go type) and a [`GoValue`] of it, which callers map
//! to and from their own types. Steps 2 and 3 walk the go-yaml tree with the shape
//! rather than building the JSON: the result and the errors are the same.

use std::collections::BTreeMap;

use helmpilot_yaml::{format_float_g, Yaml, YamlMap};

/// A Go type: as much of it as the conversion and `encoding/json`'s errors need.
#[derive(Debug)]
pub(crate) enum Shape {
    /// `string`: numbers and booleans arrive in their string form.
    String,
    /// `bool`.
    Bool,
    /// `interface {}`: any JSON value, numbers as float64.
    Any,
    /// `time.Time`, a `json.Unmarshaler` of RFC 3339 text; sigs.k8s.io/yaml converts
    /// nothing for it.
    Time,
    /// `[]T`.
    Slice(&'static Shape),
    /// `map[string]T`.
    Map(&'static Shape),
    /// `*T`: `null` makes it nil, anything else decodes into the `T` it points to (a
    /// new one if it was nil).
    Pointer(&'static Shape),
    /// A struct.
    Struct(&'static Struct),
}

/// A Go struct type.
#[derive(Debug)]
pub(crate) struct Struct {
    /// `reflect.Type.Name()`, which `encoding/json`'s errors name: `Metadata`, or `""`
    /// for an anonymous struct.
    pub(crate) name: &'static str,
    /// `reflect.Type.String()`: `v2.Metadata`, or an anonymous struct's literal.
    pub(crate) go_type: &'static str,
    /// The fields by JSON name (the `json` tag), in declaration order.
    pub(crate) fields: &'static [(&'static str, Shape)],
}

impl Struct {
    /// The field a JSON key decodes into, as both sigs.k8s.io/yaml and `encoding/json`
    /// look it up: the exact name first, else the first case-insensitive match.
    fn field(&self, key: &str) -> Option<&'static (&'static str, Shape)> {
        let fields = self.fields;
        fields
            .iter()
            .find(|(name, _)| *name == key)
            .or_else(|| fields.iter().find(|(name, _)| fold_eq(key, name)))
    }
}

impl Shape {
    /// The type's zero value.
    pub(crate) fn zero(&self) -> GoValue {
        match self {
            Shape::String => GoValue::String(String::new()),
            Shape::Bool => GoValue::Bool(false),
            Shape::Any => GoValue::default(),
            Shape::Time => GoValue::Time(String::new()),
            Shape::Slice(_) => GoValue::Slice(Vec::new()),
            Shape::Map(_) => GoValue::Map(None),
            Shape::Pointer(_) => GoValue::Pointer(None),
            Shape::Struct(_) => GoValue::Struct(Fields::default()),
        }
    }

    /// `reflect.Type.String()`, as type errors print it.
    fn go_type(&self) -> String {
        match self {
            Shape::String => "string".to_string(),
            Shape::Bool => "bool".to_string(),
            Shape::Any => "interface {}".to_string(),
            Shape::Time => "time.Time".to_string(),
            Shape::Slice(elem) => format!("[]{}", elem.go_type()),
            Shape::Map(elem) => format!("map[string]{}", elem.go_type()),
            Shape::Pointer(elem) => format!("*{}", elem.go_type()),
            Shape::Struct(s) => s.go_type.to_string(),
        }
    }

    /// What sigs.k8s.io/yaml converts a value bound for this type against: pointers are
    /// followed, and a `json.Unmarshaler` gets its input unconverted.
    fn conversion_target(&'static self) -> Option<&'static Shape> {
        match self {
            Shape::Pointer(elem) => elem.conversion_target(),
            Shape::Time => None,
            other => Some(other),
        }
    }
}

/// A value of a [`Shape`].
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum GoValue {
    String(String),
    Bool(bool),
    Any(serde_json::Value),
    /// A `time.Time` as the RFC 3339 text it was read from; empty for the zero time.
    Time(String),
    Slice(Vec<GoValue>),
    /// `None` is a nil map.
    Map(Option<BTreeMap<String, GoValue>>),
    /// `None` is a nil pointer.
    Pointer(Option<Box<GoValue>>),
    Struct(Fields),
}

impl Default for GoValue {
    /// A nil `interface {}`, Go's value without a type.
    fn default() -> GoValue {
        GoValue::Any(serde_json::Value::Null)
    }
}

impl From<&str> for GoValue {
    fn from(s: &str) -> GoValue {
        GoValue::String(s.to_string())
    }
}

impl From<bool> for GoValue {
    fn from(b: bool) -> GoValue {
        GoValue::Bool(b)
    }
}

impl GoValue {
    /// A `[]string`.
    pub(crate) fn strings(items: &[String]) -> GoValue {
        GoValue::Slice(items.iter().map(|s| GoValue::from(s.as_str())).collect())
    }

    /// A non-nil `map[string]string`.
    pub(crate) fn string_map(map: &BTreeMap<String, String>) -> GoValue {
        let entries = map
            .iter()
            .map(|(k, v)| (k.clone(), GoValue::from(v.as_str())));
        GoValue::Map(Some(entries.collect()))
    }

    /// A non-nil pointer to a struct.
    pub(crate) fn pointer(fields: Fields) -> GoValue {
        GoValue::Pointer(Some(Box::new(GoValue::Struct(fields))))
    }

    /// The string; empty for a value of another type.
    pub(crate) fn into_string(self) -> String {
        match self {
            GoValue::String(s) | GoValue::Time(s) => s,
            _ => String::new(),
        }
    }

    /// The JSON value of an `interface {}`; `null` for a value of another type.
    pub(crate) fn into_any(self) -> serde_json::Value {
        match self {
            GoValue::Any(v) => v,
            _ => serde_json::Value::Null,
        }
    }

    /// The elements of a slice; none for a value of another type.
    pub(crate) fn into_slice(self) -> Vec<GoValue> {
        match self {
            GoValue::Slice(items) => items,
            _ => Vec::new(),
        }
    }

    /// The fields of a struct, or of the struct a pointer points to; `None` for a nil
    /// pointer (or a value of another type).
    pub(crate) fn into_pointer(self) -> Option<Fields> {
        match self {
            GoValue::Pointer(Some(value)) => value.into_pointer(),
            GoValue::Struct(fields) => Some(fields),
            _ => None,
        }
    }

    /// The fields of a struct; none for a value of another type.
    pub(crate) fn into_fields(self) -> Fields {
        self.into_pointer().unwrap_or_default()
    }

    /// The entries of a map; `None` for a nil map (or a value of another type).
    fn into_map(self) -> Option<BTreeMap<String, GoValue>> {
        match self {
            GoValue::Map(map) => map,
            _ => None,
        }
    }
}

/// A struct's field values by JSON name. A field that is not there has its zero value.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Fields(Vec<(&'static str, GoValue)>);

impl FromIterator<(&'static str, GoValue)> for Fields {
    fn from_iter<I: IntoIterator<Item = (&'static str, GoValue)>>(iter: I) -> Fields {
        Fields(iter.into_iter().collect())
    }
}

impl Fields {
    /// Takes a field's value out (the zero value stays behind, as `None` if absent).
    pub(crate) fn take(&mut self, name: &str) -> Option<GoValue> {
        let index = self.0.iter().position(|(n, _)| *n == name)?;
        Some(self.0.swap_remove(index).1)
    }

    /// A `string` (or `time.Time`) field.
    pub(crate) fn string(&mut self, name: &str) -> String {
        self.take(name)
            .map(GoValue::into_string)
            .unwrap_or_default()
    }

    /// A `bool` field.
    pub(crate) fn bool(&mut self, name: &str) -> bool {
        matches!(self.take(name), Some(GoValue::Bool(true)))
    }

    /// A slice field.
    pub(crate) fn slice(&mut self, name: &str) -> Vec<GoValue> {
        self.take(name).map(GoValue::into_slice).unwrap_or_default()
    }

    /// A `[]string` field.
    pub(crate) fn strings(&mut self, name: &str) -> Vec<String> {
        let items = self.slice(name).into_iter();
        items.map(GoValue::into_string).collect()
    }

    /// A `map[string]string` field; `None` when nil.
    pub(crate) fn string_map(&mut self, name: &str) -> Option<BTreeMap<String, String>> {
        let map = self.take(name).and_then(GoValue::into_map)?;
        Some(map.into_iter().map(|(k, v)| (k, v.into_string())).collect())
    }

    /// A pointer-to-struct field; `None` when nil.
    pub(crate) fn pointer(&mut self, name: &str) -> Option<Fields> {
        self.take(name).and_then(GoValue::into_pointer)
    }

    /// The field to decode into, added with its zero value if absent.
    fn slot(&mut self, name: &'static str, shape: &Shape) -> &mut GoValue {
        let index = match self.0.iter().position(|(n, _)| *n == name) {
            Some(index) => index,
            None => {
                self.0.push((name, shape.zero()));
                self.0.len() - 1
            }
        };
        &mut self.0[index].1
    }
}

/// The error of [`unmarshal`], with sigs.k8s.io/yaml's text (`error converting YAML to
/// JSON: ...`, `error unmarshaling JSON: while decoding JSON: ...`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct UnmarshalError(String);

/// `sigs.k8s.io/yaml.Unmarshal(data, &target)`, `target` being a value of `shape`: the
/// document decodes *into* it, so what it does not mention stays as it was (Helm reads
/// requirements.yaml into the metadata Chart.yaml filled). On error, `target` may be
/// partly decoded, as Go leaves it. (Being crate-private, its examples are the tests
/// below.)
pub(crate) fn unmarshal(
    data: &[u8],
    shape: &'static Shape,
    target: &mut GoValue,
) -> Result<(), UnmarshalError> {
    let converting =
        |e: &dyn std::fmt::Display| UnmarshalError(format!("error converting YAML to JSON: {e}"));
    // go-yaml reads bytes; text that is not UTF-8 fails its reader this way.
    let text =
        std::str::from_utf8(data).map_err(|_| converting(&"yaml: invalid leading UTF-8 octet"))?;
    let yaml = helmpilot_yaml::decode(text).map_err(|e| converting(&e))?;
    helmpilot_yaml::check_json_keys(&yaml).map_err(|e| converting(&e))?;
    if let Some(f) = first_unsupported_float(&yaml, Some(shape)) {
        let f = format_float_g(f, false);
        return Err(converting(&format!("json: unsupported value: {f}")));
    }
    let mut decoder = Decoder { mismatch: None };
    let decoded = decoder.value(&yaml, shape, target, &Ctx::default());
    match decoded.err().or(decoder.mismatch) {
        Some(e) => Err(UnmarshalError(format!(
            "error unmarshaling JSON: while decoding JSON: {e}"
        ))),
        None => Ok(()),
    }
}

/// Case-insensitive equality of a key with an ASCII field name, as Go's JSON packages
/// fold them (and `strings.EqualFold` with an ASCII string): simple case folding, under
/// which the Kelvin sign is `k` and the long s (`ſ`) is `s`.
pub(crate) fn fold_eq(key: &str, name: &str) -> bool {
    fn fold(c: char) -> char {
        match c {
            '\u{212A}' => 'k',
            '\u{17F}' => 's',
            c => c.to_ascii_lowercase(),
        }
    }
    key.chars().map(fold).eq(name.chars().map(fold))
}

/// A mapping's members as the converted JSON object has them: keys stringified, sorted
/// (`json.Marshal`'s order); of keys that stringify alike the later one stays, as when
/// Go fills its map. The keys were checked ([`helmpilot_yaml::check_json_keys`]).
fn sorted_entries(map: &YamlMap) -> Vec<(String, &Yaml)> {
    let mut entries: BTreeMap<String, &Yaml> = BTreeMap::new();
    for (k, v) in map.iter() {
        entries.insert(helmpilot_yaml::json_key(k).unwrap_or_default(), v);
    }
    entries.into_iter().collect()
}

/// Step 2's failure: the first NaN or infinity `json.Marshal` meets, skipping numbers
/// the conversion turned into strings.
fn first_unsupported_float(yaml: &Yaml, shape: Option<&'static Shape>) -> Option<f64> {
    let target = shape.and_then(Shape::conversion_target);
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || match yaml {
        Yaml::Float(f) if !f.is_finite() && !matches!(target, Some(Shape::String)) => Some(*f),
        Yaml::Map(map) => sorted_entries(map).into_iter().find_map(|(key, v)| {
            let member = match target {
                Some(Shape::Struct(s)) => s.field(&key).map(|(_, shape)| shape),
                Some(Shape::Map(elem)) => Some(*elem),
                _ => None,
            };
            first_unsupported_float(v, member)
        }),
        Yaml::Seq(items) => {
            let elem = match target {
                Some(Shape::Slice(elem)) => Some(*elem),
                _ => None,
            };
            items
                .iter()
                .find_map(|item| first_unsupported_float(item, elem))
        }
        _ => None,
    })
}

/// A scalar's string form where a string is expected: strings as they are, numbers and
/// booleans as sigs.k8s.io/yaml writes them (floats with float32 precision); `None`
/// for a collection.
fn string_form(yaml: &Yaml) -> Option<String> {
    Some(match yaml {
        Yaml::Str(s) | Yaml::Time(s) => s.clone(),
        Yaml::Int(n) => n.to_string(),
        Yaml::Uint(n) => n.to_string(),
        Yaml::Float(f) => format_float_g(*f, true),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Null | Yaml::Seq(_) | Yaml::Map(_) | Yaml::Struct(_) => return None,
    })
}

/// JSON's name for a value's kind, as `encoding/json` reports it in type errors.
fn json_kind(yaml: &Yaml) -> &'static str {
    match yaml {
        Yaml::Null => "null",
        Yaml::Bool(_) => "bool",
        Yaml::Int(_) | Yaml::Uint(_) | Yaml::Float(_) => "number",
        Yaml::Str(_) | Yaml::Time(_) => "string",
        Yaml::Seq(_) => "array",
        Yaml::Map(_) | Yaml::Struct(_) => "object",
    }
}

/// Where the decoder is, for its error texts (Go's `errorContext`): the innermost
/// struct's name and the JSON names of the fields leading there (slice elements and
/// map entries add nothing).
#[derive(Clone, Default)]
struct Ctx {
    struct_name: &'static str,
    path: Vec<&'static str>,
}

impl Ctx {
    fn field(&self, struct_name: &'static str, name: &'static str) -> Ctx {
        let mut path = self.path.clone();
        path.push(name);
        Ctx { struct_name, path }
    }
}

/// Step 3: `encoding/json` decoding.
struct Decoder {
    /// The first type mismatch, reported once decoding is done.
    mismatch: Option<String>,
}

impl Decoder {
    fn mismatch(&mut self, yaml: &Yaml, go_type: &str, ctx: &Ctx) {
        if self.mismatch.is_some() {
            return;
        }
        let kind = json_kind(yaml);
        self.mismatch = Some(if ctx.path.is_empty() {
            format!("json: cannot unmarshal {kind} into Go value of type {go_type}")
        } else {
            format!(
                "json: cannot unmarshal {kind} into Go struct field {}.{} of type {go_type}",
                ctx.struct_name,
                ctx.path.join(".")
            )
        });
    }

    /// Decodes `yaml` (as converted for `shape`) into `slot`; `Err` is an error that
    /// stops decoding.
    fn value(
        &mut self,
        yaml: &Yaml,
        shape: &'static Shape,
        slot: &mut GoValue,
        ctx: &Ctx,
    ) -> Result<(), String> {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || match (shape, yaml) {
            (Shape::Any, _) => {
                let json = helmpilot_yaml::to_json(yaml).map_err(|e| e.to_string())?;
                *slot = GoValue::Any(json);
                Ok(())
            }
            (Shape::Time, Yaml::Null) => Ok(()),
            (Shape::Time, Yaml::Str(s) | Yaml::Time(s)) => {
                // Go's time.Time parses the raw JSON bytes, escapes and all.
                let mut raw = String::new();
                helmpilot_yaml::json::write_string(&mut raw, s, true);
                crate::funcs::parse_rfc3339(&raw[1..raw.len() - 1])?;
                *slot = GoValue::Time(s.clone());
                Ok(())
            }
            (Shape::Time, _) => Err("Time.UnmarshalJSON: input is not a JSON string".to_string()),
            (Shape::Pointer(_) | Shape::Slice(_) | Shape::Map(_), Yaml::Null) => {
                *slot = shape.zero();
                Ok(())
            }
            (_, Yaml::Null) => Ok(()),
            (Shape::Pointer(elem), _) => {
                let mut value = match std::mem::take(slot) {
                    GoValue::Pointer(Some(value)) => *value,
                    _ => elem.zero(),
                };
                let decoded = self.value(yaml, elem, &mut value, ctx);
                *slot = GoValue::Pointer(Some(Box::new(value)));
                decoded
            }
            (Shape::String, _) => {
                match string_form(yaml) {
                    Some(s) => *slot = GoValue::String(s),
                    None => self.mismatch(yaml, "string", ctx),
                }
                Ok(())
            }
            (Shape::Bool, Yaml::Bool(b)) => {
                *slot = GoValue::Bool(*b);
                Ok(())
            }
            (Shape::Slice(elem), Yaml::Seq(items)) => {
                // Element i decodes into the slice's element i where there is one.
                let mut values = std::mem::take(slot).into_slice();
                values.truncate(items.len());
                values.resize_with(items.len(), || elem.zero());
                let decoded = items
                    .iter()
                    .zip(values.iter_mut())
                    .try_for_each(|(item, value)| self.value(item, elem, value, ctx));
                *slot = GoValue::Slice(values);
                decoded
            }
            (Shape::Map(elem), Yaml::Map(map)) => {
                // Each entry decodes into a new value, which replaces the old one.
                let mut entries = std::mem::take(slot).into_map().unwrap_or_default();
                let decoded = sorted_entries(map).into_iter().try_for_each(|(key, v)| {
                    let mut value = elem.zero();
                    let decoded = self.value(v, elem, &mut value, ctx);
                    entries.insert(key, value);
                    decoded
                });
                *slot = GoValue::Map(Some(entries));
                decoded
            }
            (Shape::Struct(s), Yaml::Map(map)) => {
                let mut fields = std::mem::take(slot).into_fields();
                let decoded = sorted_entries(map).into_iter().try_for_each(|(key, v)| {
                    let Some((name, field)) = s.field(&key) else {
                        return Ok(());
                    };
                    let slot = fields.slot(name, field);
                    self.value(v, field, slot, &ctx.field(s.name, name))
                });
                *slot = GoValue::Struct(fields);
                decoded
            }
            _ => {
                self.mismatch(yaml, &shape.go_type(), ctx);
                Ok(())
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::metadata::{LOCK, METADATA};
    use crate::manifest::head::SIMPLE_HEAD;

    // Expected values are Helm v4.2.3's (helm_python): the manifest cases are in
    // fixtures/manifest/goldens/heads.json, the chart ones in fixtures/metadata or were
    // loaded as Chart.yaml / Chart.lock of a throw-away chart.

    fn decode(shape: &'static Shape, text: &str) -> Result<Fields, String> {
        let mut value = shape.zero();
        unmarshal(text.as_bytes(), shape, &mut value).map_err(|e| e.to_string())?;
        Ok(value.into_fields())
    }

    fn error(shape: &'static Shape, text: &str) -> String {
        match decode(shape, text) {
            Ok(fields) => panic!("{text:?} decoded: {fields:?}"),
            Err(e) => e,
        }
    }

    const DECODING: &str = "error unmarshaling JSON: while decoding JSON: ";

    #[test]
    fn folding_matches_go() {
        assert!(fold_eq("APIVERSION", "apiVersion"));
        assert!(fold_eq("\u{212A}ind", "kind"));
        assert!(fold_eq("\u{17F}ources", "sources"));
        assert!(!fold_eq("kinds", "kind"));
        assert!(!fold_eq("kin", "kind"));
    }

    #[test]
    fn type_errors_name_the_go_field_and_type() {
        for (shape, text, want) in [
            (&SIMPLE_HEAD, "5\n", "json: cannot unmarshal number into Go value of type util.SimpleHead"),
            (&SIMPLE_HEAD, "kind: [1]\n", "json: cannot unmarshal array into Go struct field SimpleHead.kind of type string"),
            (&SIMPLE_HEAD, "metadata:\n  name: [a]\n", "json: cannot unmarshal array into Go struct field .metadata.name of type string"),
            (&SIMPLE_HEAD, "metadata: x\n", r#"json: cannot unmarshal string into Go struct field SimpleHead.metadata of type struct { Name string "json:\"name\""; Annotations map[string]string "json:\"annotations\"" }"#),
            (&SIMPLE_HEAD, "metadata:\n  annotations: [1]\n", "json: cannot unmarshal array into Go struct field .metadata.annotations of type map[string]string"),
            (&SIMPLE_HEAD, "metadata:\n  annotations:\n    a: {b: 1}\n", "json: cannot unmarshal object into Go struct field .metadata.annotations of type string"),
            (&METADATA, "maintainers: [{name: [x]}]\n", "json: cannot unmarshal array into Go struct field Maintainer.maintainers.name of type string"),
            (&METADATA, "deprecated: 1\n", "json: cannot unmarshal number into Go struct field Metadata.deprecated of type bool"),
            // Sorted key order decides which mismatch is reported.
            (&METADATA, "version: [1]\nname: [c]\napiVersion: v2\n", "json: cannot unmarshal array into Go struct field Metadata.name of type string"),
        ] {
            assert_eq!(error(shape, text), format!("{DECODING}{want}"), "{text:?}");
        }
    }

    #[test]
    fn an_unmarshaler_failure_stops_decoding_and_wins() {
        // `digest` and `dependencies` sort before `generated`, yet its error is the one.
        assert_eq!(
            error(&LOCK, "digest: [1]\ngenerated: bad\n"),
            format!("{DECODING}parsing time \"bad\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"bad\" as \"2006\"")
        );
        assert_eq!(
            error(&LOCK, "generated: 5\ndependencies: x\n"),
            format!("{DECODING}Time.UnmarshalJSON: input is not a JSON string")
        );
    }

    #[test]
    fn conversion_errors_come_first() {
        for (data, want) in [
            (&b"name: c\xff\n"[..], "yaml: invalid leading UTF-8 octet"),
            // json.Marshal meets `a` first.
            (b"z: .nan\na: -.inf\n", "json: unsupported value: -Inf"),
            (
                b"~: 1\n",
                "unsupported map key of type: %!s(<nil>), key: <nil>, value: 1",
            ),
        ] {
            let mut value = METADATA.zero();
            let err = unmarshal(data, &METADATA, &mut value).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("error converting YAML to JSON: {want}")
            );
        }
    }

    #[test]
    fn numbers_and_booleans_become_strings_only_where_a_string_goes() {
        let mut md = decode(
            &METADATA,
            "name: .nan\nannotations: {a: ~, b: 1.5, c: yes, d: 0x10}\n",
        )
        .unwrap();
        assert_eq!(md.string("name"), "NaN");
        let annotations = md.string_map("annotations").unwrap();
        let want = [("a", ""), ("b", "1.5"), ("c", "true"), ("d", "16")];
        assert_eq!(
            annotations,
            want.map(|(k, v)| (k.to_string(), v.to_string())).into()
        );

        let text =
            "dependencies: [{name: a, version: 1.2, import-values: [x, {child: 1, parent: p}]}]\n";
        let mut dependency = decode(&METADATA, text)
            .unwrap()
            .slice("dependencies")
            .remove(0)
            .into_pointer()
            .unwrap();
        assert_eq!(dependency.string("version"), "1.2");
        let import_values: Vec<_> = dependency
            .slice("import-values")
            .into_iter()
            .map(GoValue::into_any)
            .collect();
        assert_eq!(
            import_values,
            [
                serde_json::json!("x"),
                serde_json::json!({"child": 1.0, "parent": "p"})
            ]
        );
    }

    #[test]
    fn keys_fold_and_the_last_in_sorted_order_wins() {
        let mut md = decode(&METADATA, "\u{212A}eywords: [a]\n\u{17F}ources: [s]\n").unwrap();
        assert_eq!(
            (md.strings("keywords"), md.strings("sources")),
            (vec!["a".to_string()], vec!["s".to_string()])
        );
        // "KIND" < "kind": `kind: ~` comes last and leaves the string alone.
        assert_eq!(
            decode(&SIMPLE_HEAD, "kind: ~\nKIND: Pod\n")
                .unwrap()
                .string("kind"),
            "Pod"
        );
        // A `null` pointer after an object makes it nil again.
        let text = "metadata:\n  Annotations:\n    helm.sh/hook: test\n  annotations: ~\n";
        let mut head = decode(&SIMPLE_HEAD, text).unwrap();
        assert_eq!(
            head.pointer("metadata").unwrap().string_map("annotations"),
            None
        );
    }

    #[test]
    fn decodes_into_the_existing_value() {
        // Helm reads requirements.yaml into the metadata from Chart.yaml: the slice's
        // elements merge, keys it does not mention stay.
        let mut value = METADATA.zero();
        let chart = "apiVersion: v1\nname: c\ndependencies: [{name: a, version: 1.0.0, repository: r, tags: [t1, t2]}]\n";
        unmarshal(chart.as_bytes(), &METADATA, &mut value).unwrap();
        let requirements = "dependencies: [{alias: b, tags: [u]}, {name: d}]\nkeywords: [k, 5]\n";
        unmarshal(requirements.as_bytes(), &METADATA, &mut value).unwrap();
        let mut md = value.into_fields();
        assert_eq!(md.string("name"), "c");
        assert_eq!(md.strings("keywords"), ["k", "5"]);
        let mut dependencies = md
            .slice("dependencies")
            .into_iter()
            .map(|d| d.into_pointer().unwrap());
        let mut first = dependencies.next().unwrap();
        assert_eq!(
            (first.string("name"), first.string("alias")),
            ("a".to_string(), "b".to_string())
        );
        assert_eq!(first.strings("tags"), ["u"]);
        assert_eq!(dependencies.next().unwrap().string("name"), "d");
    }
}
