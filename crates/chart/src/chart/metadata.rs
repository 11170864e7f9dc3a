//! Chart.yaml (Helm's `chart.Metadata`), Chart.lock and requirements.yaml: parsing as
//! Helm reads them and Helm's validation.
//!
//! Helm reads these files with `sigs.k8s.io/yaml.Unmarshal` into Go structs, and the
//! result is shaped by three layers, all reproduced here:
//!
//! 1. go-yaml v2 decodes the document with YAML 1.1 typing ([`helmpilot_yaml::decode`]);
//! 2. sigs.k8s.io/yaml turns that tree into JSON *knowing the target struct*: a number
//!    or boolean bound for a `string` field becomes a string (`version: 1.10` is
//!    `"1.1"`, as floats are formatted as float32; `alias: y` is `"true"`), map keys
//!    become strings, NaN or infinities anywhere else fail;
//! 3. Go's `encoding/json` decodes the JSON into the struct: keys match field names
//!    case-insensitively, unknown keys are ignored, `null` leaves a field as it was,
//!    and a value of the wrong kind fails with `json: cannot unmarshal array into Go
//!    struct field Metadata.name of type string` (the first such error in key order).
//!
//! Where Helm uses them: the chart loader (`pkg/chart/loader`, `LoadFiles`) parses
//! Chart.yaml ([`Metadata::parse`], error prefixed `cannot load Chart.yaml: `), then
//! Chart.lock or requirements.lock ([`Lock::parse`], `cannot load Chart.lock: `) and,
//! for old charts, requirements.yaml *into the same metadata*
//! ([`Metadata::apply_requirements`], `cannot load requirements.yaml: `); once every file
//! is read it runs `Chart.Validate` ([`Metadata::sanitize`] + [`Metadata::validate`]),
//! before loading subcharts. Install and template check `kubeVersion` against the
//! cluster later (`pkg/action/action.go`), not here.

use std::collections::BTreeMap;

use helmpilot_yaml::Yaml;

/// Chart.yaml, with Helm's fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metadata {
    pub name: String,
    pub home: String,
    pub sources: Vec<String>,
    pub version: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub maintainers: Vec<Maintainer>,
    pub icon: String,
    pub api_version: String,
    pub condition: String,
    pub tags: String,
    pub app_version: String,
    pub deprecated: bool,
    pub annotations: BTreeMap<String, String>,
    pub kube_version: String,
    pub dependencies: Vec<Dependency>,
    /// `application` or `library` (empty means application).
    pub chart_type: String,
}

/// A maintainer entry of Chart.yaml.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Maintainer {
    pub name: String,
    pub email: String,
    pub url: String,
}

/// A dependency entry of Chart.yaml, requirements.yaml or a lock file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dependency {
    pub name: String,
    pub version: String,
    pub repository: String,
    pub condition: String,
    pub tags: Vec<String>,
    /// Set while processing dependencies (Helm's `Enabled`).
    pub enabled: bool,
    /// Each entry is a string (`"data"`) or a `{child, parent}` map, kept as Helm decoded it.
    pub import_values: Vec<serde_json::Value>,
    pub alias: String,
}

/// Chart.lock / requirements.lock.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lock {
    /// RFC 3339 text as written.
    pub generated: String,
    pub digest: String,
    pub dependencies: Vec<Dependency>,
}

/// Chart.yaml (or a lock/requirements file) that Helm would refuse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct MetadataError {
    pub message: String,
}

impl MetadataError {
    fn new(message: impl Into<String>) -> MetadataError {
        MetadataError {
            message: message.into(),
        }
    }

    /// Helm's `chart.ValidationError`: its text is prefixed with `validation: `.
    fn validation(message: impl std::fmt::Display) -> MetadataError {
        MetadataError::new(format!("validation: {message}"))
    }
}

/// The apiVersion Helm assumes when Chart.yaml has none (Helm 2 charts).
const API_VERSION_V1: &str = "v1";

impl Metadata {
    /// Parses Chart.yaml as Helm's loader does: `sigs.k8s.io/yaml.Unmarshal` into a new
    /// `chart.Metadata`, then an empty `apiVersion` becomes `v1` (Helm 2 charts had
    /// none). Errors are sigs.k8s.io/yaml's texts; the loader prefixes them with
    /// `cannot load Chart.yaml: `. Validation is separate ([`Metadata::validate`]).
    ///
    /// One difference of timing: a `null` maintainer or dependency entry, which Helm
    /// keeps as a nil pointer until validation rejects it, is rejected here already,
    /// with the error Helm's validation would give (which may be about another field
    /// checked first); in Helm, errors in Chart.lock or values.yaml would come before it.
    ///
    /// ```
    /// use helmpilot_chart::chart::Metadata;
    /// let md = Metadata::parse(b"name: web\nversion: 1.10\nappVersion: 2.0\n").unwrap();
    /// assert_eq!((md.version.as_str(), md.app_version.as_str()), ("1.1", "2"));
    /// assert_eq!(md.api_version, "v1");
    /// assert!(md.validate().is_ok());
    ///
    /// let err = Metadata::parse(b"name: [web]").unwrap_err();
    /// assert_eq!(err.to_string(), "error unmarshaling JSON: while decoding JSON: json: \
    ///     cannot unmarshal array into Go struct field Metadata.name of type string");
    /// ```
    pub fn parse(data: &[u8]) -> Result<Metadata, MetadataError> {
        let mut md = Metadata::default();
        md.unmarshal(data)?;
        if md.api_version.is_empty() {
            md.api_version = API_VERSION_V1.to_string();
        }
        Ok(md)
    }

    /// Reads requirements.yaml the way Helm's loader does: decoded *into this chart's
    /// metadata*, so besides `dependencies` any Chart.yaml key it holds overrides the
    /// chart's (and a dependency entry merges into the chart's entry at the same index).
    /// The loader prefixes errors with `cannot load requirements.yaml: `.
    pub fn apply_requirements(&mut self, data: &[u8]) -> Result<(), MetadataError> {
        self.unmarshal(data)
    }

    /// `sigs.k8s.io/yaml.Unmarshal(data, self)`: decodes into the existing value.
    fn unmarshal(&mut self, data: &[u8]) -> Result<(), MetadataError> {
        let json = to_json(data, &METADATA)?;
        let mut target = GoMetadata::from(&*self);
        decode_top(&json, "v2.Metadata", |obj, ctx| {
            target.decode_object(obj, ctx)
        })?;
        *self = target.into_metadata()?;
        Ok(())
    }

    /// The string normalisation Helm's `Metadata.Validate` applies to a valid chart:
    /// whitespace becomes a space and non-printable characters are dropped, in the name,
    /// description, home, icon, condition, tags, appVersion, kubeVersion, sources,
    /// keywords, maintainers and dependencies (name, version, repository, condition,
    /// tags). The loader calls it with [`Metadata::validate`]; `.Chart` shows the result.
    pub fn sanitize(&mut self) {
        for s in [
            &mut self.name,
            &mut self.description,
            &mut self.home,
            &mut self.icon,
            &mut self.condition,
            &mut self.tags,
            &mut self.app_version,
            &mut self.kube_version,
        ] {
            *s = sanitize_string(s);
        }
        for s in self.sources.iter_mut().chain(self.keywords.iter_mut()) {
            *s = sanitize_string(s);
        }
        for m in &mut self.maintainers {
            for s in [&mut m.name, &mut m.email, &mut m.url] {
                *s = sanitize_string(s);
            }
        }
        for d in &mut self.dependencies {
            d.sanitize();
        }
    }

    /// Helm's `Metadata.Validate`: the checks the loader runs after reading every file
    /// of a chart (error texts start with `validation: `). Helm checks the sanitized
    /// strings ([`Metadata::sanitize`]), and so does this, without changing `self`.
    ///
    /// ```
    /// use helmpilot_chart::chart::Metadata;
    /// let md = Metadata::parse(b"apiVersion: v2\nname: web\nversion: one\n").unwrap();
    /// assert_eq!(md.validate().unwrap_err().to_string(),
    ///            "validation: chart.metadata.version \"one\" is invalid");
    /// ```
    pub fn validate(&self) -> Result<(), MetadataError> {
        let mut md = self.clone();
        md.sanitize();
        if md.api_version.is_empty() {
            return Err(MetadataError::validation(
                "chart.metadata.apiVersion is required",
            ));
        }
        if md.name.is_empty() {
            return Err(MetadataError::validation("chart.metadata.name is required"));
        }
        if md.name == "." || md.name == ".." {
            return Err(MetadataError::validation(format!(
                "chart.metadata.name {} is not allowed",
                go_quote(&md.name)
            )));
        }
        if md.name != go_path_base(&md.name) {
            return Err(MetadataError::validation(format!(
                "chart.metadata.name {} is invalid",
                go_quote(&md.name)
            )));
        }
        if md.version.is_empty() {
            return Err(MetadataError::validation(
                "chart.metadata.version is required",
            ));
        }
        if crate::semver::Version::parse(&md.version).is_err() {
            return Err(MetadataError::validation(format!(
                "chart.metadata.version {} is invalid",
                go_quote(&md.version)
            )));
        }
        if !matches!(md.chart_type.as_str(), "" | "application" | "library") {
            return Err(MetadataError::validation(
                "chart.metadata.type must be application or library",
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for d in &md.dependencies {
            d.validate_alias()?;
            let key = if d.alias.is_empty() {
                &d.name
            } else {
                &d.alias
            };
            if !seen.insert(key.as_str()) {
                return Err(MetadataError::validation(format!(
                    "more than one dependency with name or alias {}",
                    go_quote(key)
                )));
            }
        }
        Ok(())
    }
}

impl Dependency {
    fn sanitize(&mut self) {
        for s in [
            &mut self.name,
            &mut self.version,
            &mut self.repository,
            &mut self.condition,
        ] {
            *s = sanitize_string(s);
        }
        for s in &mut self.tags {
            *s = sanitize_string(s);
        }
    }

    /// Helm's alias check: `^[a-zA-Z0-9_-]+$` (Go's `$` is the end of the text).
    fn validate_alias(&self) -> Result<(), MetadataError> {
        let ok = self
            .alias
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !self.alias.is_empty() && !ok {
            return Err(MetadataError::validation(format!(
                "dependency {} has disallowed characters in the alias",
                go_quote(&self.name)
            )));
        }
        Ok(())
    }
}

impl Lock {
    /// Parses Chart.lock / requirements.lock (`sigs.k8s.io/yaml.Unmarshal` into
    /// `chart.Lock`); the loader prefixes errors with `cannot load Chart.lock: `.
    /// `generated` must be RFC 3339 text, as Go's `time.Time` reads it. Lock files are
    /// not validated: a `null` dependency entry becomes an empty one, and an empty file
    /// (for which Helm keeps no lock at all) an empty lock.
    pub fn parse(data: &[u8]) -> Result<Lock, MetadataError> {
        let json = to_json(data, &LOCK)?;
        let mut lock = GoLock::default();
        decode_top(&json, "v2.Lock", |obj, ctx| lock.decode_object(obj, ctx))?;
        Ok(Lock {
            generated: lock.generated,
            digest: lock.digest,
            dependencies: lock
                .dependencies
                .into_iter()
                .map(Option::unwrap_or_default)
                .collect(),
        })
    }
}

/// Parses requirements.yaml (apiVersion v1 charts) on its own: its `dependencies` list.
/// Helm decodes the file into the chart's metadata instead
/// ([`Metadata::apply_requirements`]), which matters only when it holds other keys.
pub fn parse_requirements(data: &[u8]) -> Result<Vec<Dependency>, MetadataError> {
    let mut md = Metadata::default();
    md.unmarshal(data)?;
    Ok(md.dependencies)
}

// ---- Helm's string helpers ----------------------------------------------------------

/// Go's `sanitizeString`: `unicode.IsSpace` to a space, other non-printable runes out.
fn sanitize_string(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if go_is_space(c) {
                Some(' ')
            } else if helmpilot_template::gofmt::is_print(c) {
                Some(c)
            } else {
                None
            }
        })
        .collect()
}

/// Go's `unicode.IsSpace`.
fn go_is_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n'
            | '\u{0B}'
            | '\u{0C}'
            | '\r'
            | ' '
            | '\u{85}'
            | '\u{A0}'
            | '\u{1680}'
            | '\u{2000}'
            ..='\u{200A}' | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// Go's `filepath.Base` on a Unix system.
fn go_path_base(path: &str) -> &str {
    if path.is_empty() {
        return ".";
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    match trimmed.rfind('/') {
        Some(i) => &trimmed[i + 1..],
        None => trimmed,
    }
}

fn go_quote(s: &str) -> String {
    helmpilot_template::gofmt::quote(s)
}

// ---- YAML to JSON, as sigs.k8s.io/yaml does it for a known target -----------------------

/// What a value is decoded into: enough of the Go type for sigs.k8s.io/yaml's number to
/// string coercion and for `encoding/json`'s error texts.
enum Shape {
    String,
    Bool,
    /// `interface {}`: anything, numbers as float64.
    Any,
    /// `time.Time`: a `json.Unmarshaler`, so sigs.k8s.io/yaml leaves it alone.
    Time,
    Slice(&'static Shape),
    Map(&'static Shape),
    /// A struct (behind a pointer or not), its fields by JSON name.
    Struct(&'static [(&'static str, Shape)]),
}

static STRING: Shape = Shape::String;
static ANY: Shape = Shape::Any;
static MAINTAINER: Shape = Shape::Struct(&[
    ("name", Shape::String),
    ("email", Shape::String),
    ("url", Shape::String),
]);
static DEPENDENCY: Shape = Shape::Struct(&[
    ("name", Shape::String),
    ("version", Shape::String),
    ("repository", Shape::String),
    ("condition", Shape::String),
    ("tags", Shape::Slice(&STRING)),
    ("enabled", Shape::Bool),
    ("import-values", Shape::Slice(&ANY)),
    ("alias", Shape::String),
]);
static METADATA: Shape = Shape::Struct(&[
    ("name", Shape::String),
    ("home", Shape::String),
    ("sources", Shape::Slice(&STRING)),
    ("version", Shape::String),
    ("description", Shape::String),
    ("keywords", Shape::Slice(&STRING)),
    ("maintainers", Shape::Slice(&MAINTAINER)),
    ("icon", Shape::String),
    ("apiVersion", Shape::String),
    ("condition", Shape::String),
    ("tags", Shape::String),
    ("appVersion", Shape::String),
    ("deprecated", Shape::Bool),
    ("annotations", Shape::Map(&STRING)),
    ("kubeVersion", Shape::String),
    ("dependencies", Shape::Slice(&DEPENDENCY)),
    ("type", Shape::String),
]);
static LOCK: Shape = Shape::Struct(&[
    ("generated", Shape::Time),
    ("digest", Shape::String),
    ("dependencies", Shape::Slice(&DEPENDENCY)),
]);

/// A JSON value as Go's decoder meets it. Object members are sorted by key, the order
/// `json.Marshal` writes a map in, which decides which type error is reported.
#[derive(Clone, Debug)]
enum Json {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The kind `encoding/json` names in an `UnmarshalTypeError`.
    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "bool",
            Json::Number(_) => "number",
            Json::String(_) => "string",
            Json::Array(_) => "array",
            Json::Object(_) => "object",
        }
    }

    fn to_serde(&self) -> serde_json::Value {
        match self {
            Json::Null => serde_json::Value::Null,
            Json::Bool(b) => serde_json::Value::Bool(*b),
            Json::Number(n) => serde_json::Number::from_f64(*n)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Json::String(s) => serde_json::Value::String(s.clone()),
            Json::Array(items) => {
                serde_json::Value::Array(items.iter().map(Json::to_serde).collect())
            }
            Json::Object(members) => serde_json::Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_serde()))
                    .collect(),
            ),
        }
    }
}

/// Go's case folding of JSON keys against field names (`bytes.EqualFold`): the Kelvin
/// sign matches `k` and the long s matches `s`.
fn fold_eq(key: &str, name: &str) -> bool {
    fn fold(c: char) -> char {
        match c {
            '\u{212A}' => 'k',
            '\u{17F}' => 's',
            c => c.to_ascii_lowercase(),
        }
    }
    key.chars().map(fold).eq(name.chars().map(fold))
}

/// The field a key decodes into: the exact name first, else a case-insensitive match.
fn find_field<'s>(
    fields: &'s [(&'static str, Shape)],
    key: &str,
) -> Option<&'s (&'static str, Shape)> {
    fields
        .iter()
        .find(|(name, _)| *name == key)
        .or_else(|| fields.iter().find(|(name, _)| fold_eq(key, name)))
}

/// YAML text to the JSON Go's decoder will see, with sigs.k8s.io/yaml's error texts.
fn to_json(data: &[u8], shape: &Shape) -> Result<Json, MetadataError> {
    let converting = |e: &dyn std::fmt::Display| {
        MetadataError::new(format!("error converting YAML to JSON: {e}"))
    };
    // go-yaml reads bytes; text that is not UTF-8 fails its reader the same way.
    let text =
        std::str::from_utf8(data).map_err(|_| converting(&"yaml: invalid leading UTF-8 octet"))?;
    let yaml = helmpilot_yaml::decode(text).map_err(|e| converting(&e))?;
    helmpilot_yaml::check_json_keys(&yaml).map_err(|e| converting(&e))?;
    convert(&yaml, Some(shape)).map_err(|e| converting(&e))
}

/// sigs.k8s.io/yaml's `convertToJSONableObject` followed by `json.Marshal`.
fn convert(yaml: &Yaml, shape: Option<&Shape>) -> Result<Json, String> {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
        Ok(match yaml {
            Yaml::Map(map) => {
                let mut members: BTreeMap<String, Json> = BTreeMap::new();
                // Converted one after the other: the sorted order is also the order in
                // which json.Marshal meets (and reports) an unsupported number.
                let mut entries: BTreeMap<String, &Yaml> = BTreeMap::new();
                for (k, v) in map.iter() {
                    entries.insert(json_key(k), v);
                }
                for (key, v) in entries {
                    let target = match shape {
                        Some(Shape::Struct(fields)) => find_field(fields, &key).map(|f| &f.1),
                        Some(Shape::Map(elem)) => Some(*elem),
                        _ => None,
                    };
                    members.insert(key, convert(v, target)?);
                }
                Json::Object(members.into_iter().collect())
            }
            Yaml::Seq(items) => {
                let elem = match shape {
                    Some(Shape::Slice(elem)) => Some(*elem),
                    _ => None,
                };
                Json::Array(
                    items
                        .iter()
                        .map(|item| convert(item, elem))
                        .collect::<Result<_, _>>()?,
                )
            }
            scalar => {
                let to_string = matches!(shape, Some(Shape::String));
                match scalar {
                    Yaml::Int(n) if to_string => Json::String(n.to_string()),
                    Yaml::Uint(n) if to_string => Json::String(n.to_string()),
                    // FormatFloat(f, 'g', -1, 32): float32 precision, `+Inf`, `NaN`.
                    Yaml::Float(f) if to_string => {
                        Json::String(helmpilot_yaml::format_float_g(*f, true))
                    }
                    Yaml::Bool(b) if to_string => Json::String(b.to_string()),
                    Yaml::Null => Json::Null,
                    Yaml::Bool(b) => Json::Bool(*b),
                    Yaml::Int(n) => Json::Number(*n as f64),
                    Yaml::Uint(n) => Json::Number(*n as f64),
                    Yaml::Float(f) if f.is_finite() => Json::Number(*f),
                    Yaml::Float(f) => {
                        return Err(format!(
                            "json: unsupported value: {}",
                            helmpilot_yaml::format_float_g(*f, false)
                        ))
                    }
                    Yaml::Str(s) | Yaml::Time(s) => Json::String(s.clone()),
                    // Decoding never makes the encoder-only or collection variants here.
                    _ => Json::Null,
                }
            }
        })
    })
}

/// A YAML key as sigs.k8s.io/yaml writes it (keys that cannot be written were rejected
/// before by [`helmpilot_yaml::check_json_keys`]).
fn json_key(key: &Yaml) -> String {
    match key {
        Yaml::Str(s) => s.clone(),
        Yaml::Int(n) => n.to_string(),
        Yaml::Uint(n) => n.to_string(),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Float(f) => match helmpilot_yaml::format_float_g(*f, true).as_str() {
            "+Inf" => ".inf".to_string(),
            "-Inf" => "-.inf".to_string(),
            "NaN" => ".nan".to_string(),
            s => s.to_string(),
        },
        _ => String::new(),
    }
}

// ---- JSON into the Go structs, as encoding/json does it ---------------------------------

/// Where the decoder is, for its error texts: the innermost struct type and the JSON
/// names of the fields leading there.
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

    fn type_error(&self, found: &Json, go_type: &str) -> MetadataError {
        MetadataError::new(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field {}.{} of type {go_type}",
            found.kind(),
            self.struct_name,
            self.path.join(".")
        ))
    }
}

type Decoded = Result<(), MetadataError>;

/// The top-level value: `null` leaves the target alone, an object decodes into it.
fn decode_top(
    json: &Json,
    go_type: &str,
    decode: impl FnOnce(&[(String, Json)], &Ctx) -> Decoded,
) -> Decoded {
    match json {
        Json::Null => Ok(()),
        Json::Object(members) => decode(members, &Ctx::default()),
        other => Err(MetadataError::new(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type {go_type}",
            other.kind()
        ))),
    }
}

/// Every member of an object whose key names a field, in key order, with its field name.
fn fields_of<'j>(
    members: &'j [(String, Json)],
    shape: &'static Shape,
) -> impl Iterator<Item = (&'static str, &'j Json)> {
    let fields: &'static [(&'static str, Shape)] = match shape {
        Shape::Struct(fields) => fields,
        _ => &[],
    };
    members
        .iter()
        .filter_map(move |(key, value)| find_field(fields, key).map(|f| (f.0, value)))
}

fn decode_string(json: &Json, target: &mut String, ctx: &Ctx) -> Decoded {
    match json {
        Json::Null => Ok(()),
        Json::String(s) => {
            *target = s.clone();
            Ok(())
        }
        other => Err(ctx.type_error(other, "string")),
    }
}

fn decode_bool(json: &Json, target: &mut bool, ctx: &Ctx) -> Decoded {
    match json {
        Json::Null => Ok(()),
        Json::Bool(b) => {
            *target = *b;
            Ok(())
        }
        other => Err(ctx.type_error(other, "bool")),
    }
}

/// A JSON array into a Go slice: element `i` decodes into the slice's existing element
/// `i` when there is one (so objects merge into it and `null` keeps a string), the slice
/// ends up as long as the array; `null` makes it nil.
fn decode_slice<T: Default>(
    json: &Json,
    target: &mut Vec<T>,
    ctx: &Ctx,
    go_type: &str,
    mut decode: impl FnMut(&Json, &mut T, &Ctx) -> Decoded,
) -> Decoded {
    match json {
        Json::Null => {
            target.clear();
            Ok(())
        }
        Json::Array(items) => {
            target.truncate(items.len());
            while target.len() < items.len() {
                target.push(T::default());
            }
            for (item, slot) in items.iter().zip(target.iter_mut()) {
                decode(item, slot, ctx)?;
            }
            Ok(())
        }
        other => Err(ctx.type_error(other, go_type)),
    }
}

/// A JSON value into a pointer to a struct: `null` makes it nil, an object decodes into
/// the pointed-to struct (a new one if it was nil).
fn decode_pointer<T: Default>(
    json: &Json,
    target: &mut Option<T>,
    ctx: &Ctx,
    go_type: &str,
    decode: impl FnOnce(&mut T, &[(String, Json)], &Ctx) -> Decoded,
) -> Decoded {
    match json {
        Json::Null => {
            *target = None;
            Ok(())
        }
        Json::Object(members) => decode(target.get_or_insert_with(T::default), members, ctx),
        other => Err(ctx.type_error(other, go_type)),
    }
}

fn decode_strings(json: &Json, target: &mut Vec<String>, ctx: &Ctx) -> Decoded {
    decode_slice(json, target, ctx, "[]string", decode_string)
}

/// The Go value of `chart.Metadata` while decoding: slices of pointers can hold nil.
#[derive(Default)]
struct GoMetadata {
    md: Metadata,
    maintainers: Vec<Option<Maintainer>>,
    dependencies: Vec<Option<Dependency>>,
}

impl From<&Metadata> for GoMetadata {
    fn from(md: &Metadata) -> GoMetadata {
        GoMetadata {
            maintainers: md.maintainers.iter().cloned().map(Some).collect(),
            dependencies: md.dependencies.iter().cloned().map(Some).collect(),
            md: Metadata {
                maintainers: Vec::new(),
                dependencies: Vec::new(),
                ..md.clone()
            },
        }
    }
}

impl GoMetadata {
    fn decode_object(&mut self, members: &[(String, Json)], ctx: &Ctx) -> Decoded {
        let md = &mut self.md;
        for (name, value) in fields_of(members, &METADATA) {
            let ctx = &ctx.field("Metadata", name);
            match name {
                "name" => decode_string(value, &mut md.name, ctx)?,
                "home" => decode_string(value, &mut md.home, ctx)?,
                "sources" => decode_strings(value, &mut md.sources, ctx)?,
                "version" => decode_string(value, &mut md.version, ctx)?,
                "description" => decode_string(value, &mut md.description, ctx)?,
                "keywords" => decode_strings(value, &mut md.keywords, ctx)?,
                "maintainers" => decode_slice(
                    value,
                    &mut self.maintainers,
                    ctx,
                    "[]*v2.Maintainer",
                    |item, slot, ctx| {
                        decode_pointer(item, slot, ctx, "v2.Maintainer", decode_maintainer)
                    },
                )?,
                "icon" => decode_string(value, &mut md.icon, ctx)?,
                "apiVersion" => decode_string(value, &mut md.api_version, ctx)?,
                "condition" => decode_string(value, &mut md.condition, ctx)?,
                "tags" => decode_string(value, &mut md.tags, ctx)?,
                "appVersion" => decode_string(value, &mut md.app_version, ctx)?,
                "deprecated" => decode_bool(value, &mut md.deprecated, ctx)?,
                "annotations" => decode_string_map(value, &mut md.annotations, ctx)?,
                "kubeVersion" => decode_string(value, &mut md.kube_version, ctx)?,
                "dependencies" => decode_dependencies(value, &mut self.dependencies, ctx)?,
                "type" => decode_string(value, &mut md.chart_type, ctx)?,
                _ => {}
            }
        }
        Ok(())
    }

    /// The decoded metadata. Helm keeps a `null` entry as a nil pointer that its
    /// validation rejects; there is no such entry here, so the error comes now, and it
    /// is the one Helm's validation would report first (checks that precede the nil
    /// entry's turn win).
    fn into_metadata(self) -> Result<Metadata, MetadataError> {
        let mut md = self.md;
        let null_maintainer = self.maintainers.iter().any(Option::is_none);
        let null_dependency = self.dependencies.iter().position(Option::is_none);
        md.maintainers = self.maintainers.into_iter().flatten().collect();
        if null_maintainer || null_dependency.is_some() {
            let (checked, null_error) = match null_dependency {
                Some(index) if !null_maintainer => {
                    (index, "dependencies must not contain empty or null nodes")
                }
                _ => (0, "maintainers must not contain empty or null nodes"),
            };
            md.dependencies = self
                .dependencies
                .into_iter()
                .take(checked)
                .flatten()
                .collect();
            md.validate()?;
            return Err(MetadataError::validation(null_error));
        }
        md.dependencies = self.dependencies.into_iter().flatten().collect();
        Ok(md)
    }
}

fn decode_maintainer(m: &mut Maintainer, members: &[(String, Json)], ctx: &Ctx) -> Decoded {
    for (name, value) in fields_of(members, &MAINTAINER) {
        let ctx = &ctx.field("Maintainer", name);
        match name {
            "name" => decode_string(value, &mut m.name, ctx)?,
            "email" => decode_string(value, &mut m.email, ctx)?,
            "url" => decode_string(value, &mut m.url, ctx)?,
            _ => {}
        }
    }
    Ok(())
}

fn decode_dependencies(json: &Json, target: &mut Vec<Option<Dependency>>, ctx: &Ctx) -> Decoded {
    decode_slice(json, target, ctx, "[]*v2.Dependency", |item, slot, ctx| {
        decode_pointer(item, slot, ctx, "v2.Dependency", decode_dependency)
    })
}

fn decode_dependency(d: &mut Dependency, members: &[(String, Json)], ctx: &Ctx) -> Decoded {
    for (name, value) in fields_of(members, &DEPENDENCY) {
        let ctx = &ctx.field("Dependency", name);
        match name {
            "name" => decode_string(value, &mut d.name, ctx)?,
            "version" => decode_string(value, &mut d.version, ctx)?,
            "repository" => decode_string(value, &mut d.repository, ctx)?,
            "condition" => decode_string(value, &mut d.condition, ctx)?,
            "tags" => decode_strings(value, &mut d.tags, ctx)?,
            "enabled" => decode_bool(value, &mut d.enabled, ctx)?,
            // Elements are interfaces: each is replaced by the decoded value.
            "import-values" => decode_slice(
                value,
                &mut d.import_values,
                ctx,
                "[]interface {}",
                |item, slot, _| {
                    *slot = item.to_serde();
                    Ok(())
                },
            )?,
            "alias" => decode_string(value, &mut d.alias, ctx)?,
            _ => {}
        }
    }
    Ok(())
}

/// A JSON object into a `map[string]string`: entries are added to the existing map;
/// `null` makes it nil.
fn decode_string_map(json: &Json, target: &mut BTreeMap<String, String>, ctx: &Ctx) -> Decoded {
    match json {
        Json::Null => {
            target.clear();
            Ok(())
        }
        Json::Object(members) => {
            for (key, value) in members {
                let slot = target.entry(key.clone()).or_default();
                match value {
                    // Go stores the zero value for a null element.
                    Json::Null => slot.clear(),
                    Json::String(s) => *slot = s.clone(),
                    other => return Err(ctx.type_error(other, "string")),
                }
            }
            Ok(())
        }
        other => Err(ctx.type_error(other, "map[string]string")),
    }
}

/// The Go value of `chart.Lock` while decoding.
#[derive(Default)]
struct GoLock {
    generated: String,
    digest: String,
    dependencies: Vec<Option<Dependency>>,
}

impl GoLock {
    fn decode_object(&mut self, members: &[(String, Json)], ctx: &Ctx) -> Decoded {
        for (name, value) in fields_of(members, &LOCK) {
            let ctx = &ctx.field("Lock", name);
            match name {
                "generated" => decode_time(value, &mut self.generated)?,
                "digest" => decode_string(value, &mut self.digest, ctx)?,
                "dependencies" => decode_dependencies(value, &mut self.dependencies, ctx)?,
                _ => {}
            }
        }
        Ok(())
    }
}

/// `time.Time.UnmarshalJSON`: `null` is ignored, anything but a string fails, and the
/// string (still JSON-escaped, as Go sees the raw bytes) must be RFC 3339.
fn decode_time(json: &Json, target: &mut String) -> Decoded {
    let fail = |message: String| {
        MetadataError::new(format!(
            "error unmarshaling JSON: while decoding JSON: {message}"
        ))
    };
    match json {
        Json::Null => Ok(()),
        Json::String(s) => {
            let mut raw = String::new();
            helmpilot_yaml::json::write_string(&mut raw, s, true);
            let raw = &raw[1..raw.len() - 1];
            crate::funcs::parse_rfc3339(raw).map_err(fail)?;
            *target = s.clone();
            Ok(())
        }
        _ => Err(fail(
            "Time.UnmarshalJSON: input is not a JSON string".to_string(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_base_is_gos() {
        for (path, base) in [
            ("a", "a"),
            ("a/b", "b"),
            ("a/", "a"),
            ("/", "/"),
            ("//", "/"),
            ("", "."),
        ] {
            assert_eq!(go_path_base(path), base, "{path:?}");
        }
    }

    #[test]
    fn folding_matches_go() {
        assert!(fold_eq("APIVERSION", "apiVersion"));
        assert!(fold_eq("\u{212A}eywords", "keywords"));
        assert!(fold_eq("\u{17F}ources", "sources"));
        assert!(!fold_eq("name_", "name"));
    }
}
