//! Chart.yaml (Helm's `chart.Metadata`), Chart.lock and requirements.yaml: parsing as
//! Helm reads them and Helm's validation.
//!
//! Helm reads these files with `sigs.k8s.io/yaml.Unmarshal` into Go structs; the
//! crate's `gostruct` module does the same with the structs described as data
//! (`METADATA` and `LOCK` below). So a number or boolean bound for a `string` field
//! becomes a string (`version: 1.10` is `"1.1"`, as floats are formatted as float32;
//! `alias: y` is `"true"`), keys match field names case-insensitively, unknown keys are
//! ignored, `null` leaves a field as it was, and a value of the wrong kind fails with
//! `json: cannot unmarshal array into Go struct field Metadata.name of type string`
//! (the first such error in key order).
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

use helmpilot_template::gofmt;

use crate::gostruct::{self, Fields, GoValue, Shape, Struct};

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
        let mut value = GoValue::Struct(self.to_go());
        gostruct::unmarshal(data, &METADATA, &mut value)?;
        *self = Metadata::from_go(value.into_fields())?;
        Ok(())
    }

    /// The Go value of `chart.Metadata`.
    fn to_go(&self) -> Fields {
        let s = |s: &String| GoValue::from(s.as_str());
        let maintainers = self.maintainers.iter().map(|m| {
            let fields = [
                ("name", s(&m.name)),
                ("email", s(&m.email)),
                ("url", s(&m.url)),
            ];
            GoValue::pointer(fields.into_iter().collect())
        });
        Fields::from_iter([
            ("name", s(&self.name)),
            ("home", s(&self.home)),
            ("sources", GoValue::strings(&self.sources)),
            ("version", s(&self.version)),
            ("description", s(&self.description)),
            ("keywords", GoValue::strings(&self.keywords)),
            ("maintainers", GoValue::Slice(maintainers.collect())),
            ("icon", s(&self.icon)),
            ("apiVersion", s(&self.api_version)),
            ("condition", s(&self.condition)),
            ("tags", s(&self.tags)),
            ("appVersion", s(&self.app_version)),
            ("deprecated", self.deprecated.into()),
            ("annotations", GoValue::string_map(&self.annotations)),
            ("kubeVersion", s(&self.kube_version)),
            ("dependencies", Dependency::to_go_slice(&self.dependencies)),
            ("type", s(&self.chart_type)),
        ])
    }

    /// The decoded metadata. Helm keeps a `null` maintainer or dependency as a nil
    /// pointer that its validation rejects; there is no such entry here, so the error
    /// comes now, and it is the one Helm's validation would report first (checks that
    /// precede the nil entry's turn win).
    fn from_go(mut go: Fields) -> Result<Metadata, MetadataError> {
        let maintainers: Vec<Option<Maintainer>> = go
            .slice("maintainers")
            .into_iter()
            .map(|m| {
                m.into_pointer().map(|mut m| Maintainer {
                    name: m.string("name"),
                    email: m.string("email"),
                    url: m.string("url"),
                })
            })
            .collect();
        let dependencies: Vec<Option<Dependency>> = go
            .slice("dependencies")
            .into_iter()
            .map(|d| d.into_pointer().map(Dependency::from_go))
            .collect();
        let mut md = Metadata {
            name: go.string("name"),
            home: go.string("home"),
            sources: go.strings("sources"),
            version: go.string("version"),
            description: go.string("description"),
            keywords: go.strings("keywords"),
            maintainers: Vec::new(),
            icon: go.string("icon"),
            api_version: go.string("apiVersion"),
            condition: go.string("condition"),
            tags: go.string("tags"),
            app_version: go.string("appVersion"),
            deprecated: go.bool("deprecated"),
            annotations: go.string_map("annotations").unwrap_or_default(),
            kube_version: go.string("kubeVersion"),
            dependencies: Vec::new(),
            chart_type: go.string("type"),
        };
        let null_maintainer = maintainers.iter().any(Option::is_none);
        let null_dependency = dependencies.iter().position(Option::is_none);
        md.maintainers = maintainers.into_iter().flatten().collect();
        if null_maintainer || null_dependency.is_some() {
            let (checked, null_error) = match null_dependency {
                Some(index) if !null_maintainer => {
                    (index, "dependencies must not contain empty or null nodes")
                }
                _ => (0, "maintainers must not contain empty or null nodes"),
            };
            md.dependencies = dependencies.into_iter().take(checked).flatten().collect();
            md.validate()?;
            return Err(MetadataError::validation(null_error));
        }
        md.dependencies = dependencies.into_iter().flatten().collect();
        Ok(md)
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
                gofmt::quote(&md.name)
            )));
        }
        if md.name != crate::funcs::paths::base(&md.name) {
            return Err(MetadataError::validation(format!(
                "chart.metadata.name {} is invalid",
                gofmt::quote(&md.name)
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
                gofmt::quote(&md.version)
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
                    gofmt::quote(key)
                )));
            }
        }
        Ok(())
    }
}

impl Dependency {
    /// The Go value of a `[]*chart.Dependency`.
    fn to_go_slice(dependencies: &[Dependency]) -> GoValue {
        let s = |s: &String| GoValue::from(s.as_str());
        let pointers = dependencies.iter().map(|d| {
            let import_values = d.import_values.iter().cloned().map(GoValue::Any);
            GoValue::pointer(Fields::from_iter([
                ("name", s(&d.name)),
                ("version", s(&d.version)),
                ("repository", s(&d.repository)),
                ("condition", s(&d.condition)),
                ("tags", GoValue::strings(&d.tags)),
                ("enabled", d.enabled.into()),
                ("import-values", GoValue::Slice(import_values.collect())),
                ("alias", s(&d.alias)),
            ]))
        });
        GoValue::Slice(pointers.collect())
    }

    fn from_go(mut go: Fields) -> Dependency {
        Dependency {
            name: go.string("name"),
            version: go.string("version"),
            repository: go.string("repository"),
            condition: go.string("condition"),
            tags: go.strings("tags"),
            enabled: go.bool("enabled"),
            import_values: go
                .slice("import-values")
                .into_iter()
                .map(GoValue::into_any)
                .collect(),
            alias: go.string("alias"),
        }
    }

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
                gofmt::quote(&self.name)
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
        let mut value = LOCK.zero();
        gostruct::unmarshal(data, &LOCK, &mut value)?;
        let mut lock = value.into_fields();
        Ok(Lock {
            generated: lock.string("generated"),
            digest: lock.string("digest"),
            dependencies: lock
                .slice("dependencies")
                .into_iter()
                .map(|d| {
                    d.into_pointer()
                        .map(Dependency::from_go)
                        .unwrap_or_default()
                })
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

// ---- The Go types, for sigs.k8s.io/yaml -------------------------------------------

static MAINTAINER: Shape = Shape::Struct(&Struct {
    name: "Maintainer",
    go_type: "v2.Maintainer",
    fields: &[
        ("name", Shape::String),
        ("email", Shape::String),
        ("url", Shape::String),
    ],
});
static DEPENDENCY: Shape = Shape::Struct(&Struct {
    name: "Dependency",
    go_type: "v2.Dependency",
    fields: &[
        ("name", Shape::String),
        ("version", Shape::String),
        ("repository", Shape::String),
        ("condition", Shape::String),
        ("tags", Shape::Slice(&Shape::String)),
        ("enabled", Shape::Bool),
        ("import-values", Shape::Slice(&Shape::Any)),
        ("alias", Shape::String),
    ],
});
/// `chart.Metadata` (Chart.yaml; requirements.yaml decodes into it too).
pub(crate) static METADATA: Shape = Shape::Struct(&Struct {
    name: "Metadata",
    go_type: "v2.Metadata",
    fields: &[
        ("name", Shape::String),
        ("home", Shape::String),
        ("sources", Shape::Slice(&Shape::String)),
        ("version", Shape::String),
        ("description", Shape::String),
        ("keywords", Shape::Slice(&Shape::String)),
        ("maintainers", Shape::Slice(&Shape::Pointer(&MAINTAINER))),
        ("icon", Shape::String),
        ("apiVersion", Shape::String),
        ("condition", Shape::String),
        ("tags", Shape::String),
        ("appVersion", Shape::String),
        ("deprecated", Shape::Bool),
        ("annotations", Shape::Map(&Shape::String)),
        ("kubeVersion", Shape::String),
        ("dependencies", Shape::Slice(&Shape::Pointer(&DEPENDENCY))),
        ("type", Shape::String),
    ],
});
/// `chart.Lock` (Chart.lock, requirements.lock).
pub(crate) static LOCK: Shape = Shape::Struct(&Struct {
    name: "Lock",
    go_type: "v2.Lock",
    fields: &[
        ("generated", Shape::Time),
        ("digest", Shape::String),
        ("dependencies", Shape::Slice(&Shape::Pointer(&DEPENDENCY))),
    ],
});

impl From<gostruct::UnmarshalError> for MetadataError {
    fn from(e: gostruct::UnmarshalError) -> MetadataError {
        MetadataError::new(e.to_string())
    }
}
