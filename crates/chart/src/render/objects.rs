//! The built-in objects of a render (`.Chart`, `.Capabilities`, `.Release`,
//! `.Template`, `.Subcharts`), with the Go types Helm v4.2.3 gives them, so that
//! printing, `printf "%T"`, `toYaml`/`toJson` and field access come out as in Helm.
//!
//! What Helm puts in each template's data (`pkg/engine/engine.go`, `recAllTpls` and
//! `render`; `pkg/chart/common/util/values.go`, `ToRenderValues`):
//!
//! * `.Chart` is *not* the `chart.Metadata` struct but a `map[string]interface {}` made
//!   from it by reflection (`MetadataAsMap`): Go field names as keys (`Name`,
//!   `APIVersion`, ...), every field present, slices as `[]interface {}`, maintainers and
//!   dependencies as maps, plus `IsRoot` ([`chart`]);
//! * `.Capabilities` is a `*common.Capabilities` struct ([`Capabilities::to_value`]);
//! * `.Release` is a `map[string]interface {}` ([`release`]);
//! * `.Template` is a `common.Values` map of `Name` and `BasePath` ([`template`]);
//! * `.Subcharts` maps each subchart's name to that subchart's own template data
//!   ([`scope`]), the very map its templates get.

use std::collections::BTreeMap;
use std::sync::Arc;

use helmpilot_template::{GoType, List, Map, Marshal, Member, Object, Signature, Str, Value};

use crate::chart::{Dependency, Maintainer, Metadata};

/// The Kubernetes version Helm v4.2.3 reports when no cluster is asked (`helm template`
/// without `--kube-version`): one above the major of the client-go it was built with.
pub const DEFAULT_KUBE_VERSION: &str = "v1.36.0";

/// Helm's type for the values maps it builds itself (`.Values`, `.Template`).
pub const VALUES_TYPE: &str = "common.Values";

/// The Helm release helmpilot renders like, byte for byte (checked against it in CI).
pub const TARGET_HELM_VERSION: &str = "v4.2.3";

/// `.Capabilities.HelmVersion.Version` of Helm v4.2.3 (Helm writes only major.minor).
pub const HELM_VERSION: &str = "v4.2";

/// The Go release the oracle's Helm v4.2.3 was built with (`.Capabilities.HelmVersion.GoVersion`).
pub const HELM_GO_VERSION: &str = "go1.26.6";

/// `.Capabilities.HelmVersion.KubeClientVersion` of Helm v4.2.3.
pub const HELM_KUBE_CLIENT_VERSION: &str = "v1.36";

/// Helm's default API versions (`common.DefaultVersionSet`), in Helm's order: extracted
/// from Helm v4.2.3 by scripts/oracle/objects_goldens.py.
const DEFAULT_API_VERSIONS: &str = include_str!("api_versions.txt");

// ---- .Chart ---------------------------------------------------------------------------

/// `.Chart` of a chart's templates: its metadata as Helm's `MetadataAsMap` turns it into
/// a map, with `IsRoot` (false in subcharts).
///
/// Pass the metadata as rendering sees it: sanitized by validation, with `Enabled` set
/// and `import_values` rewritten by Helm's dependency processing (which leaves each
/// entry a `{child, parent}` map; JSON objects there become `map[string]string`).
/// Divergence: Chart.yaml's `annotations: {}` (empty, not absent) shows as a nil map,
/// which `toYaml` writes as `null` where Helm writes `{}`.
///
/// ```
/// use helmpilot_chart::chart::Metadata;
/// use helmpilot_chart::render::objects::chart;
/// let md = Metadata::parse(b"apiVersion: v2\nname: web\nversion: 1.0.0\n").unwrap();
/// let value = chart(&md, true);
/// assert_eq!(value.type_name(), "map[string]interface {}");
/// assert_eq!(value.to_string(), "map[APIVersion:v2 Annotations:map[] AppVersion: \
///     Condition: Dependencies:[] Deprecated:false Description: Home: Icon: IsRoot:true \
///     Keywords:[] KubeVersion: Maintainers:[] Name:web Sources:[] Tags: Type: Version:1.0.0]");
/// ```
pub fn chart(md: &Metadata, is_root: bool) -> Value {
    let map = Map::new();
    let s = |text: &str| Value::from(text);
    map.insert("Name", s(&md.name));
    map.insert("Home", s(&md.home));
    map.insert("Sources", strings(&md.sources));
    map.insert("Version", s(&md.version));
    map.insert("Description", s(&md.description));
    map.insert("Keywords", strings(&md.keywords));
    map.insert(
        "Maintainers",
        Value::List(List::new(md.maintainers.iter().map(maintainer).collect())),
    );
    map.insert("Icon", s(&md.icon));
    map.insert("APIVersion", s(&md.api_version));
    map.insert("Condition", s(&md.condition));
    map.insert("Tags", s(&md.tags));
    map.insert("AppVersion", s(&md.app_version));
    map.insert("Deprecated", Value::Bool(md.deprecated));
    map.insert("Annotations", string_map(&md.annotations));
    map.insert("KubeVersion", s(&md.kube_version));
    map.insert(
        "Dependencies",
        Value::List(List::new(md.dependencies.iter().map(dependency).collect())),
    );
    map.insert("Type", s(&md.chart_type));
    map.insert("IsRoot", Value::Bool(is_root));
    Value::Map(map)
}

/// A `[]string` field as reflection copies it: a `[]interface {}`, never nil.
fn strings(items: &[String]) -> Value {
    Value::List(List::new(
        items.iter().map(|s| Value::from(s.as_str())).collect(),
    ))
}

/// A `map[string]string`; an empty one is taken to be nil (the usual case: absent).
fn string_map(entries: &BTreeMap<String, String>) -> Value {
    let map = if entries.is_empty() {
        Map::nil()
    } else {
        let map = Map::new();
        for (k, v) in entries {
            map.insert(k.as_str(), Value::from(v.as_str()));
        }
        map
    };
    Value::Map(map.with_type_name("map[string]string"))
}

fn maintainer(m: &Maintainer) -> Value {
    let map = Map::new();
    map.insert("Name", Value::from(m.name.as_str()));
    map.insert("Email", Value::from(m.email.as_str()));
    map.insert("URL", Value::from(m.url.as_str()));
    Value::Map(map)
}

fn dependency(d: &Dependency) -> Value {
    let map = Map::new();
    map.insert("Name", Value::from(d.name.as_str()));
    map.insert("Version", Value::from(d.version.as_str()));
    map.insert("Repository", Value::from(d.repository.as_str()));
    map.insert("Condition", Value::from(d.condition.as_str()));
    map.insert("Tags", strings(&d.tags));
    map.insert("Enabled", Value::Bool(d.enabled));
    map.insert(
        "ImportValues",
        Value::List(List::new(
            d.import_values.iter().map(import_value).collect(),
        )),
    );
    map.insert("Alias", Value::from(d.alias.as_str()));
    Value::Map(map)
}

/// An `import-values` entry after Helm's processing: `{child, parent}` maps are
/// `map[string]string`; anything else is kept as decoded (float64 numbers).
fn import_value(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Object(members) => {
            let map = Map::new();
            for (k, v) in members {
                let text = match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                map.insert(k.as_str(), Value::from(text));
            }
            Value::Map(map.with_type_name("map[string]string"))
        }
        other => json_value(other),
    }
}

fn json_value(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or_default()),
        serde_json::Value::String(s) => Value::from(s.as_str()),
        serde_json::Value::Array(items) => {
            Value::List(List::new(items.iter().map(json_value).collect()))
        }
        serde_json::Value::Object(members) => {
            let map = Map::new();
            for (k, v) in members {
                map.insert(k.as_str(), json_value(v));
            }
            Value::Map(map)
        }
    }
}

// ---- .Release and .Template ---------------------------------------------------------

/// What `.Release` is made of (Helm's `common.ReleaseOptions`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleaseOptions {
    pub name: String,
    pub namespace: String,
    pub revision: i64,
    pub is_install: bool,
    pub is_upgrade: bool,
}

impl Default for ReleaseOptions {
    /// What `helm template` renders with: revision 1 of an install, in `default`.
    fn default() -> ReleaseOptions {
        ReleaseOptions {
            name: "release-name".to_string(),
            namespace: "default".to_string(),
            revision: 1,
            is_install: true,
            is_upgrade: false,
        }
    }
}

/// `.Release`: a `map[string]interface {}` with `Revision` an `int` and `Service`
/// always `Helm`.
///
/// ```
/// use helmpilot_chart::render::objects::{release, ReleaseOptions};
/// let r = release(&ReleaseOptions { name: "r".into(), namespace: "ns".into(), ..Default::default() });
/// assert_eq!(r.to_string(),
///            "map[IsInstall:true IsUpgrade:false Name:r Namespace:ns Revision:1 Service:Helm]");
/// ```
pub fn release(options: &ReleaseOptions) -> Value {
    let map = Map::new();
    map.insert("Name", Value::from(options.name.as_str()));
    map.insert("Namespace", Value::from(options.namespace.as_str()));
    map.insert("IsUpgrade", Value::Bool(options.is_upgrade));
    map.insert("IsInstall", Value::Bool(options.is_install));
    map.insert("Revision", Value::int(options.revision));
    map.insert("Service", Value::from("Helm"));
    Value::Map(map)
}

/// `.Template` of the template being rendered: a `common.Values` of its full name
/// (`mychart/templates/deployment.yaml`) and its chart's templates directory.
///
/// ```
/// use helmpilot_chart::render::objects::template;
/// let t = template("c/templates/a.yaml", "c/templates");
/// assert_eq!(t.to_string(), "map[BasePath:c/templates Name:c/templates/a.yaml]");
/// assert_eq!(t.type_name(), "common.Values");
/// ```
pub fn template(name: &str, base_path: &str) -> Value {
    let map = Map::new();
    map.insert("Name", Value::from(name));
    map.insert("BasePath", Value::from(base_path));
    Value::Map(map.with_type_name(VALUES_TYPE))
}

/// The data one chart's templates are rendered with (Helm's `recAllTpls`): a
/// `map[string]interface {}` of `Chart`, `Files`, `Release`, `Capabilities`, `Values`
/// and `Subcharts` (each subchart's name to *its* scope map). Helm then sets `Template`
/// in this same map before rendering each of the chart's templates, so a parent
/// reading `.Subcharts.x.Template` sees the subchart's last rendered one (subcharts
/// render first), or nothing when it has no templates.
///
/// ```
/// use helmpilot_chart::render::objects::{scope, template};
/// use helmpilot_template::{Map, Value};
/// let sub = scope(Value::Nil, Value::Nil, Value::Nil, Value::Nil, Value::Nil, Map::new());
/// let subcharts = Map::new();
/// subcharts.insert("sub", Value::Map(sub));
/// let root = scope(Value::Nil, Value::Nil, Value::Nil, Value::Nil, Value::Nil, subcharts);
/// root.insert("Template", template("c/templates/a.yaml", "c/templates"));
/// assert_eq!(root.keys().len(), 7);
/// ```
pub fn scope(
    chart: Value,
    files: Value,
    release: Value,
    capabilities: Value,
    values: Value,
    subcharts: Map,
) -> Map {
    let map = Map::new();
    map.insert("Chart", chart);
    map.insert("Files", files);
    map.insert("Release", release);
    map.insert("Capabilities", capabilities);
    map.insert("Values", values);
    map.insert("Subcharts", Value::Map(subcharts));
    map
}

// ---- .Capabilities ------------------------------------------------------------------

/// `.Capabilities` (Helm's `common.Capabilities`): the Kubernetes version, the API
/// versions the cluster serves and Helm's build information.
///
/// ```
/// use helmpilot_chart::render::objects::{Capabilities, KubeVersion};
/// let mut caps = Capabilities::default();
/// caps.kube_version = KubeVersion::parse("1.29.3-gke.1").unwrap();
/// caps.add_api_versions(["monitoring.coreos.com/v1"]);
/// let value = caps.to_value();
/// assert_eq!(value.type_name(), "*common.Capabilities");
/// assert!(caps.api_versions.contains(&"apps/v1".to_string()));
/// assert_eq!(caps.kube_version.string(), "v1.29.3");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capabilities {
    pub kube_version: KubeVersion,
    pub api_versions: Vec<String>,
    pub helm_version: BuildInfo,
}

impl Default for Capabilities {
    /// Helm's `DefaultCapabilities`, what `helm template` uses: Kubernetes
    /// [`DEFAULT_KUBE_VERSION`] and Helm's built-in API version list.
    fn default() -> Capabilities {
        Capabilities {
            kube_version: KubeVersion::default(),
            api_versions: DEFAULT_API_VERSIONS.lines().map(str::to_string).collect(),
            helm_version: BuildInfo::default(),
        }
    }
}

impl Capabilities {
    /// Adds API versions after the default ones, as `helm template --api-versions`
    /// (`-a`) does (the command line splits each flag value at commas first).
    pub fn add_api_versions<I, S>(&mut self, extra: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.api_versions.extend(extra.into_iter().map(Into::into));
    }

    /// The template value: a `*common.Capabilities`.
    pub fn to_value(&self) -> Value {
        Value::Object(Arc::new(CapabilitiesObject(Arc::new(self.clone()))))
    }
}

/// `.Capabilities.KubeVersion` (Helm's `common.KubeVersion`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubeVersion {
    /// The full version, `v` prefixed (`v1.33.4-gke.1245000`).
    pub version: String,
    /// `v` and the numeric part (`v1.33.4`): what `String()` gives and constraints see.
    normalized: String,
    pub major: String,
    pub minor: String,
}

impl Default for KubeVersion {
    fn default() -> KubeVersion {
        KubeVersion {
            version: DEFAULT_KUBE_VERSION.to_string(),
            normalized: DEFAULT_KUBE_VERSION.to_string(),
            major: "1".to_string(),
            minor: "36".to_string(),
        }
    }
}

/// A `--kube-version` Helm refuses. Displays as `helm template` reports it: `invalid
/// kube version '1': illegal version string "1"`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid kube version '{input}': {reason}")]
pub struct KubeVersionError {
    pub input: String,
    /// The parser's own text (Kubernetes' `version.ParseGeneric`).
    pub reason: String,
}

impl KubeVersion {
    /// Helm's `common.ParseKubeVersion` (the `--kube-version` flag): Kubernetes'
    /// generic version syntax, `[v]major.minor[.more...]` followed by anything, leading
    /// white space allowed.
    ///
    /// ```
    /// use helmpilot_chart::render::objects::KubeVersion;
    /// let kv = KubeVersion::parse("1.33.4-gke.1245000").unwrap();
    /// assert_eq!((kv.version.as_str(), kv.string(), kv.minor.as_str()),
    ///            ("v1.33.4-gke.1245000", "v1.33.4", "33"));
    /// assert_eq!(KubeVersion::parse("v1").unwrap_err().to_string(),
    ///            "invalid kube version 'v1': illegal version string \"v1\"");
    /// ```
    pub fn parse(input: &str) -> Result<KubeVersion, KubeVersionError> {
        let fail = |reason: String| KubeVersionError {
            input: input.to_string(),
            reason,
        };
        let quoted = helmpilot_template::gofmt::quote(input);
        // `^\s*v?([0-9]+(?:\.[0-9]+)*)(.*)*$`: Go's `\s` is ASCII white space, `.` is
        // anything but a line feed.
        let rest = input.trim_start_matches(['\t', '\n', '\x0C', '\r', ' ']);
        let rest = rest.strip_prefix('v').unwrap_or(rest);
        let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
        let mut numbers_end = digits(rest);
        while numbers_end > 0 && rest[numbers_end..].starts_with('.') {
            let more = digits(&rest[numbers_end + 1..]);
            if more == 0 {
                break;
            }
            numbers_end += 1 + more;
        }
        if numbers_end == 0 || rest[numbers_end..].contains('\n') {
            return Err(fail(format!("could not parse {quoted} as version")));
        }
        let components: Vec<&str> = rest[..numbers_end].split('.').collect();
        if components.len() < 2 {
            return Err(fail(format!("illegal version string {quoted}")));
        }
        let mut numbers = Vec::with_capacity(components.len());
        for (i, comp) in components.iter().enumerate() {
            if i == 0 && comp.starts_with('0') && *comp != "0" {
                return Err(fail(format!(
                    "illegal zero-prefixed version component {} in {quoted}",
                    helmpilot_template::gofmt::quote(comp)
                )));
            }
            let n: u64 = comp.parse().map_err(|_| {
                fail(format!(
                    "illegal non-numeric version component {} in {quoted}: strconv.ParseUint: parsing {}: value out of range",
                    helmpilot_template::gofmt::quote(comp),
                    helmpilot_template::gofmt::quote(comp)
                ))
            })?;
            numbers.push(n);
        }
        let version = if input.starts_with('v') {
            input.to_string()
        } else {
            format!("v{input}")
        };
        let numeric: Vec<String> = numbers.iter().map(u64::to_string).collect();
        Ok(KubeVersion {
            version,
            normalized: format!("v{}", numeric.join(".")),
            major: numeric[0].clone(),
            minor: numeric[1].clone(),
        })
    }

    /// `String()`: the normalized version (`v1.33.4`), what `kubeVersion` constraints
    /// are checked against.
    pub fn string(&self) -> &str {
        if self.normalized.is_empty() {
            &self.version
        } else {
            &self.normalized
        }
    }
}

/// `.Capabilities.HelmVersion` (Helm's `version.BuildInfo`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildInfo {
    pub version: String,
    pub git_commit: String,
    pub git_tree_state: String,
    pub go_version: String,
    pub kube_client_version: String,
}

impl Default for BuildInfo {
    /// What Helm v4.2.3 reports about itself (no commit or tree state in its build).
    fn default() -> BuildInfo {
        BuildInfo {
            version: HELM_VERSION.to_string(),
            git_commit: String::new(),
            git_tree_state: String::new(),
            go_version: HELM_GO_VERSION.to_string(),
            kube_client_version: HELM_KUBE_CLIENT_VERSION.to_string(),
        }
    }
}

/// The `*common.Capabilities` host object.
#[derive(Debug)]
struct CapabilitiesObject(Arc<Capabilities>);

impl Object for CapabilitiesObject {
    fn type_name(&self) -> &str {
        "*common.Capabilities"
    }

    fn member(&self, name: &str) -> Member {
        match name {
            "KubeVersion" => Member::Field(kube_version(&self.0)),
            "APIVersions" => Member::Field(Value::Object(Arc::new(VersionSet(self.0.clone())))),
            "HelmVersion" => Member::Field(build_info(&self.0)),
            "Copy" => Member::Field(Value::Object(Arc::new(CapabilitiesObject(self.0.clone())))),
            _ => Member::Missing,
        }
    }

    fn format(&self) -> String {
        helmpilot_template::gofmt::sprint(&[Value::Object(Arc::new(CapabilitiesObject(
            self.0.clone(),
        )))])
    }

    fn struct_fields(&self) -> Option<Vec<Value>> {
        Some(vec![
            kube_version(&self.0),
            Value::Object(Arc::new(VersionSet(self.0.clone()))),
            build_info(&self.0),
        ])
    }

    fn marshal(&self) -> Marshal {
        Marshal::Struct(vec![
            ("KubeVersion".to_string(), kube_version(&self.0)),
            (
                "APIVersions".to_string(),
                Value::List(List::strings(
                    self.0.api_versions.iter().map(String::as_str),
                )),
            ),
            ("HelmVersion".to_string(), build_info(&self.0)),
        ])
    }
}

fn kube_version(caps: &Arc<Capabilities>) -> Value {
    Value::Object(Arc::new(KubeVersionObject(caps.clone())))
}

fn build_info(caps: &Arc<Capabilities>) -> Value {
    Value::Object(Arc::new(BuildInfoObject(caps.clone())))
}

/// A `common.KubeVersion`. Its `String()` has a pointer receiver: text/template prints
/// `{{ .Capabilities.KubeVersion }}` as `v1.36.0`, fmt prints `{v1.36.0 v1.36.0 1 36}`.
#[derive(Debug)]
struct KubeVersionObject(Arc<Capabilities>);

impl Object for KubeVersionObject {
    fn type_name(&self) -> &str {
        "common.KubeVersion"
    }

    fn member(&self, name: &str) -> Member {
        let kv = &self.0.kube_version;
        let text = |s: &str| Member::Field(Value::from(s));
        match name {
            "Version" | "GitVersion" => text(&kv.version),
            "Major" => text(&kv.major),
            "Minor" => text(&kv.minor),
            "String" => text(kv.string()),
            _ => Member::Missing,
        }
    }

    fn format(&self) -> String {
        let kv = &self.0.kube_version;
        format!(
            "{{{} {} {} {}}}",
            kv.version, kv.normalized, kv.major, kv.minor
        )
    }

    fn struct_fields(&self) -> Option<Vec<Value>> {
        let kv = &self.0.kube_version;
        Some(
            [&kv.version, &kv.normalized, &kv.major, &kv.minor]
                .into_iter()
                .map(|s| Value::from(s.as_str()))
                .collect(),
        )
    }

    fn pointer_string(&self) -> Option<String> {
        Some(self.0.kube_version.string().to_string())
    }

    fn marshal(&self) -> Marshal {
        // The unexported normalized version is invisible to the encoders.
        let kv = &self.0.kube_version;
        Marshal::Struct(vec![
            ("Version".to_string(), Value::from(kv.version.as_str())),
            ("Major".to_string(), Value::from(kv.major.as_str())),
            ("Minor".to_string(), Value::from(kv.minor.as_str())),
        ])
    }
}

/// A `common.VersionSet` (a `[]string` with a `Has` method): ranged over, printed and
/// measured like a slice.
#[derive(Debug)]
struct VersionSet(Arc<Capabilities>);

impl Object for VersionSet {
    fn type_name(&self) -> &str {
        "common.VersionSet"
    }

    fn member(&self, name: &str) -> Member {
        match name {
            "Has" => Member::Method(Signature::fixed(&[GoType::String])),
            _ => Member::Missing,
        }
    }

    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        match (name, args) {
            ("Has", [Value::String(wanted)]) => Ok(Value::Bool(
                self.0.api_versions.iter().any(|v| v.as_str() == &**wanted),
            )),
            _ => Err(format!("{name} is not a method")),
        }
    }

    fn format(&self) -> String {
        format!("[{}]", self.0.api_versions.join(" "))
    }

    fn iterate(&self) -> Option<Vec<Value>> {
        Some(
            self.0
                .api_versions
                .iter()
                .map(|v| Value::String(Str::from(v.as_str())))
                .collect(),
        )
    }
}

/// A `version.BuildInfo`: json tags rename its fields (`go_version`) and drop empty ones,
/// while go-yaml v3 and TOML see the Go field names.
#[derive(Debug)]
struct BuildInfoObject(Arc<Capabilities>);

impl BuildInfoObject {
    fn fields(&self) -> [(&'static str, &'static str, bool, &str); 5] {
        let b = &self.0.helm_version;
        // (Go name, json name, omitempty, value)
        [
            ("Version", "version", true, &b.version),
            ("GitCommit", "git_commit", true, &b.git_commit),
            ("GitTreeState", "git_tree_state", true, &b.git_tree_state),
            ("GoVersion", "go_version", true, &b.go_version),
            (
                "KubeClientVersion",
                "kube_client_version",
                false,
                &b.kube_client_version,
            ),
        ]
    }
}

impl Object for BuildInfoObject {
    fn type_name(&self) -> &str {
        "version.BuildInfo"
    }

    fn member(&self, name: &str) -> Member {
        match self.fields().iter().find(|f| f.0 == name) {
            Some(field) => Member::Field(Value::from(field.3)),
            None => Member::Missing,
        }
    }

    fn format(&self) -> String {
        let values: Vec<&str> = self.fields().iter().map(|f| f.3).collect();
        format!("{{{}}}", values.join(" "))
    }

    fn struct_fields(&self) -> Option<Vec<Value>> {
        Some(self.fields().iter().map(|f| Value::from(f.3)).collect())
    }

    fn marshal(&self) -> Marshal {
        Marshal::Struct(
            self.fields()
                .iter()
                .map(|f| (f.0.to_string(), Value::from(f.3)))
                .collect(),
        )
    }

    fn marshal_json(&self) -> Marshal {
        Marshal::Struct(
            self.fields()
                .iter()
                .filter(|f| !(f.2 && f.3.is_empty()))
                .map(|f| (f.1.to_string(), Value::from(f.3)))
                .collect(),
        )
    }
}
