//! What Helm stores in a registry for a chart: the config blob (Chart.yaml's metadata as
//! Go's `json.Marshal` writes `chart.Metadata`), the chart layer, an optional provenance
//! layer, and an OCI image manifest carrying Helm's annotations.

use std::collections::BTreeMap;

use helmpilot_chart::chart::{Dependency, Maintainer, Metadata};
use helmpilot_yaml::json::{marshal, write_string};
use serde::Deserialize;

/// Media type of the manifest Helm writes.
pub const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
/// Media type of an OCI image index (accepted when resolving, as Helm does).
pub const INDEX_MEDIA_TYPE: &str = "application/vnd.oci.image.index.v1+json";
/// Media type of the chart's config blob.
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.cncf.helm.config.v1+json";
/// Media type of the chart archive layer.
pub const CHART_LAYER_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
/// Media type of the provenance layer.
pub const PROV_LAYER_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.provenance.v1.prov";
/// The chart layer media type of Helm 3.0-3.7 pushes (still read, with a warning).
pub const LEGACY_CHART_LAYER_MEDIA_TYPE: &str = "application/tar+gzip";

/// The `Accept` header for manifests: oras-go's list (Docker and OCI manifests and
/// indexes, and the short-lived OCI artifact manifest).
pub const MANIFEST_ACCEPT: &str = "application/vnd.docker.distribution.manifest.v2+json, \
application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.oci.image.manifest.v1+json, \
application/vnd.oci.image.index.v1+json, \
application/vnd.oci.artifact.manifest.v1+json";

pub use crate::cache::sha256_digest;

/// A content descriptor: what a manifest says about one blob.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Descriptor {
    #[serde(rename = "mediaType", default)]
    pub media_type: String,
    pub digest: String,
    pub size: u64,
}

impl Descriptor {
    /// The descriptor of `data` under `media_type`.
    pub fn of(media_type: &str, data: &[u8]) -> Descriptor {
        Descriptor {
            media_type: media_type.to_string(),
            digest: sha256_digest(data),
            size: data.len() as u64,
        }
    }

    fn write_json(&self, out: &mut String) {
        // Field order of image-spec's Descriptor; the optional fields are never set by Helm.
        out.push_str("{\"mediaType\":");
        write_string(out, &self.media_type, true);
        out.push_str(",\"digest\":");
        write_string(out, &self.digest, true);
        out.push_str(&format!(",\"size\":{}}}", self.size));
    }
}

/// An image manifest as read from a registry (only the fields Helm looks at).
#[derive(Clone, Debug, Deserialize)]
pub struct Manifest {
    #[serde(rename = "mediaType", default)]
    pub media_type: String,
    pub config: Option<Descriptor>,
    #[serde(default)]
    pub layers: Vec<Descriptor>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// Go's `json.Marshal` of an image-spec `Manifest` with schema version 2, the given
/// config and layers and annotations: the bytes Helm pushes (no `mediaType` field, as
/// Helm leaves it unset).
pub fn manifest_json(
    config: &Descriptor,
    layers: &[Descriptor],
    annotations: &BTreeMap<String, String>,
) -> String {
    let mut out = String::from("{\"schemaVersion\":2,\"config\":");
    config.write_json(&mut out);
    out.push_str(",\"layers\":[");
    for (i, layer) in layers.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        layer.write_json(&mut out);
    }
    out.push(']');
    if !annotations.is_empty() {
        out.push_str(",\"annotations\":");
        write_string_map(&mut out, annotations);
    }
    out.push('}');
    out
}

fn write_string_map(out: &mut String, map: &BTreeMap<String, String>) {
    out.push('{');
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(out, k, true);
        out.push(':');
        write_string(out, v, true);
    }
    out.push('}');
}

/// Writes `"key":` preceded by a comma unless first.
struct Fields<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Fields<'a> {
    fn open(out: &'a mut String) -> Fields<'a> {
        out.push('{');
        Fields { out, first: true }
    }

    fn key(&mut self, key: &str) -> &mut String {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\":");
        self.out
    }

    /// A string field with `omitempty`.
    fn string(&mut self, key: &str, value: &str) {
        if !value.is_empty() {
            self.always_string(key, value);
        }
    }

    fn always_string(&mut self, key: &str, value: &str) {
        let out = self.key(key);
        write_string(out, value, true);
    }

    fn strings(&mut self, key: &str, values: &[String]) {
        if values.is_empty() {
            return;
        }
        let out = self.key(key);
        out.push('[');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_string(out, v, true);
        }
        out.push(']');
    }

    fn close(self) {
        self.out.push('}');
    }
}

/// Go's `json.Marshal(chart.Metadata)`: the config blob Helm pushes. Fields in the Go
/// struct's order, all `omitempty` (except a dependency's `name` and `repository`),
/// annotation keys sorted, `<`, `>`, `&` escaped.
///
/// ```
/// use helmpilot_chart::chart::Metadata;
/// let md = Metadata::parse(b"apiVersion: v2\nname: web\nversion: 1.0.0\ndescription: a <b>\n").unwrap();
/// assert_eq!(helmpilot_repo::oci::config_json(&md),
///            r#"{"name":"web","version":"1.0.0","description":"a \u003cb\u003e","apiVersion":"v2"}"#);
/// ```
pub fn config_json(md: &Metadata) -> String {
    let mut out = String::new();
    let mut f = Fields::open(&mut out);
    f.string("name", &md.name);
    f.string("home", &md.home);
    f.strings("sources", &md.sources);
    f.string("version", &md.version);
    f.string("description", &md.description);
    f.strings("keywords", &md.keywords);
    if !md.maintainers.is_empty() {
        let out = f.key("maintainers");
        out.push('[');
        for (i, m) in md.maintainers.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_maintainer(out, m);
        }
        out.push(']');
    }
    f.string("icon", &md.icon);
    f.string("apiVersion", &md.api_version);
    f.string("condition", &md.condition);
    f.string("tags", &md.tags);
    f.string("appVersion", &md.app_version);
    if md.deprecated {
        f.key("deprecated").push_str("true");
    }
    if !md.annotations.is_empty() {
        let out = f.key("annotations");
        write_string_map(out, &md.annotations);
    }
    f.string("kubeVersion", &md.kube_version);
    if !md.dependencies.is_empty() {
        let out = f.key("dependencies");
        out.push('[');
        for (i, d) in md.dependencies.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_dependency(out, d);
        }
        out.push(']');
    }
    f.string("type", &md.chart_type);
    f.close();
    out
}

fn write_maintainer(out: &mut String, m: &Maintainer) {
    let mut f = Fields::open(out);
    f.string("name", &m.name);
    f.string("email", &m.email);
    f.string("url", &m.url);
    f.close();
}

fn write_dependency(out: &mut String, d: &Dependency) {
    let mut f = Fields::open(out);
    f.always_string("name", &d.name);
    f.string("version", &d.version);
    f.always_string("repository", &d.repository);
    f.string("condition", &d.condition);
    f.strings("tags", &d.tags);
    if d.enabled {
        f.key("enabled").push_str("true");
    }
    if !d.import_values.is_empty() {
        let out = f.key("import-values");
        out.push_str(&marshal(&serde_json::Value::Array(d.import_values.clone())));
    }
    f.string("alias", &d.alias);
    f.close();
}

/// OCI annotation keys Helm sets.
const TITLE: &str = "org.opencontainers.image.title";
const VERSION: &str = "org.opencontainers.image.version";
const DESCRIPTION: &str = "org.opencontainers.image.description";
const URL: &str = "org.opencontainers.image.url";
const CREATED: &str = "org.opencontainers.image.created";
const SOURCE: &str = "org.opencontainers.image.source";
const AUTHORS: &str = "org.opencontainers.image.authors";

/// The manifest annotations Helm writes for a chart: description, title (name), version,
/// url (home), created (`created`, RFC 3339), source (first of `sources`), authors
/// (`Name (email), ...`), each only when not blank; then the chart's own annotations,
/// which may override all of these except title and version.
pub fn chart_annotations(md: &Metadata, created: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let mut add = |key: &str, value: &str| {
        // Go's strings.TrimSpace: Unicode white space.
        if !value.trim().is_empty() {
            map.insert(key.to_string(), value.to_string());
        }
    };
    add(DESCRIPTION, &md.description);
    add(TITLE, &md.name);
    add(VERSION, &md.version);
    add(URL, &md.home);
    add(CREATED, created);
    if let Some(source) = md.sources.first() {
        add(SOURCE, source);
    }
    if !md.maintainers.is_empty() {
        let authors: Vec<String> = md
            .maintainers
            .iter()
            .map(|m| {
                let mut s = m.name.clone();
                if !m.email.is_empty() {
                    s.push_str(&format!(" ({})", m.email));
                }
                s
            })
            .collect();
        add(AUTHORS, &authors.join(", "));
    }
    for (k, v) in &md.annotations {
        if k != TITLE && k != VERSION {
            map.insert(k.clone(), v.clone());
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_json_field_order_and_omitempty() {
        let md = Metadata::parse(
            br#"apiVersion: v2
name: app
version: 1.2.3+b
kubeVersion: ">=1.20"
description: x & y
type: application
appVersion: "2.0"
deprecated: true
keywords: [k1, k2]
home: https://h.example
sources: [https://s1.example, https://s2.example]
icon: https://i.example/i.png
maintainers:
  - name: Ann
    email: ann@example.com
  - name: Bob
    url: https://bob.example
annotations:
  z: "1"
  a: "<2>"
dependencies:
  - name: common
    version: 1.x
    repository: oci://r.example/charts
    condition: common.enabled
    tags: [t]
    alias: c
    import-values: [data, {child: a, parent: b}]
  - name: local
    repository: ""
"#,
        )
        .unwrap();
        assert_eq!(
            config_json(&md),
            concat!(
                r#"{"name":"app","home":"https://h.example","sources":["https://s1.example","https://s2.example"],"#,
                r#""version":"1.2.3+b","description":"x \u0026 y","keywords":["k1","k2"],"#,
                r#""maintainers":[{"name":"Ann","email":"ann@example.com"},{"name":"Bob","url":"https://bob.example"}],"#,
                r#""icon":"https://i.example/i.png","apiVersion":"v2","appVersion":"2.0","deprecated":true,"#,
                r#""annotations":{"a":"\u003c2\u003e","z":"1"},"kubeVersion":"\u003e=1.20","#,
                r#""dependencies":[{"name":"common","version":"1.x","repository":"oci://r.example/charts","#,
                r#""condition":"common.enabled","tags":["t"],"import-values":["data",{"child":"a","parent":"b"}],"alias":"c"},"#,
                r#"{"name":"local","repository":""}],"type":"application"}"#
            )
        );
    }

    #[test]
    fn annotations_as_helm() {
        let md = Metadata::parse(
            b"apiVersion: v2\nname: app\nversion: 1.0.0\ndescription: '  '\nhome: h\nsources: [s1, s2]\n\
maintainers: [{name: A, email: a@x}, {name: B}, {email: c@x}]\n\
annotations: {org.opencontainers.image.title: no, org.opencontainers.image.url: u2, extra: e}\n",
        )
        .unwrap();
        let a = chart_annotations(&md, "2026-01-02T03:04:05Z");
        let want: BTreeMap<String, String> = [
            (TITLE, "app"),
            (VERSION, "1.0.0"),
            (URL, "u2"),
            (CREATED, "2026-01-02T03:04:05Z"),
            (SOURCE, "s1"),
            (AUTHORS, "A (a@x), B,  (c@x)"),
            ("extra", "e"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(a, want);
    }

    #[test]
    fn manifest_layout() {
        let config = Descriptor::of(CONFIG_MEDIA_TYPE, b"{}");
        let layer = Descriptor::of(CHART_LAYER_MEDIA_TYPE, b"x");
        let mut ann = BTreeMap::new();
        ann.insert("k".to_string(), "v".to_string());
        assert_eq!(
            manifest_json(&config, std::slice::from_ref(&layer), &ann),
            format!(
                "{{\"schemaVersion\":2,\"config\":{{\"mediaType\":\"{CONFIG_MEDIA_TYPE}\",\"digest\":\"{}\",\"size\":2}},\
\"layers\":[{{\"mediaType\":\"{CHART_LAYER_MEDIA_TYPE}\",\"digest\":\"{}\",\"size\":1}}],\"annotations\":{{\"k\":\"v\"}}}}",
                config.digest, layer.digest
            )
        );
        assert_eq!(
            sha256_digest(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
