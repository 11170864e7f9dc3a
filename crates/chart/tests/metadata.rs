//! Chart.yaml parsing and validation against Helm v4.2.3: every case of
//! fixtures/metadata/goldens.json (written by scripts/oracle/metadata_goldens.py) is
//! loaded the way Helm's loader does it, and the metadata (as chart.Metadata marshals to
//! JSON) or the error text must be Helm's.

use helmpilot_chart::chart::{Dependency, Lock, Metadata, MetadataError};
use serde_json::{json, Map, Value};

const GOLDENS: &str = include_str!("../../../fixtures/metadata/goldens.json");

/// The metadata as Go's `json.Marshal` writes `chart.Metadata`: Helm's json tags, empty
/// fields omitted.
fn metadata_json(md: &Metadata) -> Value {
    let mut out = Map::new();
    let mut string = |key: &str, s: &str| {
        if !s.is_empty() {
            out.insert(key.into(), json!(s));
        }
    };
    string("name", &md.name);
    string("home", &md.home);
    string("version", &md.version);
    string("description", &md.description);
    string("icon", &md.icon);
    string("apiVersion", &md.api_version);
    string("condition", &md.condition);
    string("tags", &md.tags);
    string("appVersion", &md.app_version);
    string("kubeVersion", &md.kube_version);
    string("type", &md.chart_type);
    if !md.sources.is_empty() {
        out.insert("sources".into(), json!(md.sources));
    }
    if !md.keywords.is_empty() {
        out.insert("keywords".into(), json!(md.keywords));
    }
    if !md.maintainers.is_empty() {
        let list: Vec<Value> = md
            .maintainers
            .iter()
            .map(|m| {
                let mut o = Map::new();
                for (k, v) in [("name", &m.name), ("email", &m.email), ("url", &m.url)] {
                    if !v.is_empty() {
                        o.insert(k.into(), json!(v));
                    }
                }
                Value::Object(o)
            })
            .collect();
        out.insert("maintainers".into(), Value::Array(list));
    }
    if md.deprecated {
        out.insert("deprecated".into(), json!(true));
    }
    if !md.annotations.is_empty() {
        out.insert("annotations".into(), json!(md.annotations));
    }
    if !md.dependencies.is_empty() {
        let list: Vec<Value> = md.dependencies.iter().map(dependency_json).collect();
        out.insert("dependencies".into(), Value::Array(list));
    }
    Value::Object(out)
}

fn dependency_json(d: &Dependency) -> Value {
    let mut o = Map::new();
    o.insert("name".into(), json!(d.name));
    if !d.version.is_empty() {
        o.insert("version".into(), json!(d.version));
    }
    o.insert("repository".into(), json!(d.repository));
    if !d.condition.is_empty() {
        o.insert("condition".into(), json!(d.condition));
    }
    if !d.tags.is_empty() {
        o.insert("tags".into(), json!(d.tags));
    }
    if d.enabled {
        o.insert("enabled".into(), json!(true));
    }
    if !d.import_values.is_empty() {
        o.insert(
            "import-values".into(),
            Value::Array(d.import_values.clone()),
        );
    }
    if !d.alias.is_empty() {
        o.insert("alias".into(), json!(d.alias));
    }
    Value::Object(o)
}

/// Helm's loader on these files: Chart.yaml, then the lock, then requirements.yaml,
/// then validation. The error text is the loader's.
fn load(files: &Map<String, Value>) -> Result<Metadata, String> {
    let file = |name: &str| files.get(name).and_then(Value::as_str).map(str::as_bytes);
    let prefixed = |file: &str, e: MetadataError| {
        // Null entries are reported at parse time with validation's own text.
        if e.message.starts_with("validation: ") {
            e.message
        } else {
            format!("cannot load {file}: {e}")
        }
    };
    let mut md = Metadata::parse(file("Chart.yaml").unwrap_or_default())
        .map_err(|e| prefixed("Chart.yaml", e))?;
    if let Some(lock) = file("Chart.lock") {
        Lock::parse(lock).map_err(|e| prefixed("Chart.lock", e))?;
    }
    if let Some(req) = file("requirements.yaml") {
        md.apply_requirements(req)
            .map_err(|e| prefixed("requirements.yaml", e))?;
    }
    md.validate().map_err(|e| e.message)?;
    md.sanitize();
    Ok(md)
}

/// Numbers as float64, as Go holds them (Python wrote `1`, we keep `1.0`).
fn floats(v: &Value) -> Value {
    match v {
        Value::Number(n) => json!(n.as_f64().unwrap()),
        Value::Array(items) => Value::Array(items.iter().map(floats).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), floats(v))).collect()),
        other => other.clone(),
    }
}

#[test]
fn chart_yaml_loads_as_in_helm() {
    let goldens: Vec<Value> = serde_json::from_str(GOLDENS).unwrap();
    assert!(goldens.len() >= 60, "goldens missing");
    let mut failures = Vec::new();
    for case in &goldens {
        let name = case["name"].as_str().unwrap();
        let got = load(case["files"].as_object().unwrap());
        let ok = match (&got, case.get("error")) {
            (Err(e), Some(want)) => e == want.as_str().unwrap(),
            (Ok(md), None) => floats(&metadata_json(md)) == floats(&case["metadata"]),
            _ => false,
        };
        if !ok {
            let want = case
                .get("error")
                .cloned()
                .unwrap_or(case["metadata"].clone());
            let got = got.map(|md| metadata_json(&md));
            failures.push(format!("{name}:\n  want {want}\n  got  {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        goldens.len(),
        failures.join("\n")
    );
}

#[test]
fn lock_fields_are_read() {
    let lock = Lock::parse(
        b"dependencies:\n- name: a\n  repository: r\n  version: 1.0.0\ndigest: sha256:abc\ngenerated: \"2024-01-02T03:04:05.123456789+01:00\"\n",
    )
    .unwrap();
    assert_eq!(lock.generated, "2024-01-02T03:04:05.123456789+01:00");
    assert_eq!(lock.digest, "sha256:abc");
    assert_eq!(lock.dependencies.len(), 1);
    assert_eq!(
        (
            lock.dependencies[0].name.as_str(),
            lock.dependencies[0].version.as_str()
        ),
        ("a", "1.0.0")
    );
    // A number bound for the digest string becomes a string, as sigs.k8s.io/yaml does.
    assert_eq!(Lock::parse(b"digest: 12").unwrap().digest, "12");
}

#[test]
fn requirements_alone_give_their_dependencies() {
    let deps = helmpilot_chart::chart::metadata::parse_requirements(
        b"dependencies:\n- name: a\n  version: 1.0\n  import-values: [x]\n",
    )
    .unwrap();
    assert_eq!(deps.len(), 1);
    assert_eq!(deps[0].version, "1");
    assert_eq!(deps[0].import_values, vec![json!("x")]);
}
