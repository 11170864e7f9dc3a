//! The built-in objects printed and accessed in templates, against Helm v4.2.3: the
//! cases of fixtures/objects/cases.yaml were rendered by scripts/oracle/objects_goldens.py
//! as templates/case-<n>.yaml of one chart with one subchart (release "r", namespace
//! "ns"); here each runs with the objects built by `render::objects`.

use helmpilot_chart::chart::Metadata;
use helmpilot_chart::funcs::helm_functions;
use helmpilot_chart::render::objects::{
    chart, release, scope, template, Capabilities, KubeVersion, ReleaseOptions,
    DEFAULT_KUBE_VERSION,
};
use helmpilot_template::{Map, Templates, Value};
use serde_json::json;

const GOLDENS: &str = include_str!("../../../fixtures/objects/goldens.json");
const CASES: &str = include_str!("../../../fixtures/objects/cases.yaml");

/// The chart and subchart metadata of the cases file, as rendering sees them: the
/// dependency enabled and its import-values rewritten by Helm's processing.
fn metadata() -> (Metadata, Metadata) {
    let doc = helmpilot_yaml::unmarshal(CASES).unwrap();
    let text = |path: &str| doc.pointer(path).unwrap().as_str().unwrap().to_string();
    let mut root = Metadata::parse(text("/chart/Chart.yaml").as_bytes()).unwrap();
    root.validate().unwrap();
    root.sanitize();
    root.dependencies[0].enabled = true;
    root.dependencies[0].import_values = vec![json!({"child": "exports.data", "parent": "."})];
    let sub = Metadata::parse(text("/subchart/Chart.yaml").as_bytes()).unwrap();
    (root, sub)
}

#[test]
fn built_in_objects_print_as_in_helm() {
    let goldens: Vec<serde_json::Value> = serde_json::from_str(GOLDENS).unwrap();
    assert!(goldens.len() >= 30);
    let (root_md, sub_md) = metadata();
    let caps = Capabilities::default().to_value();
    let rel = release(&ReleaseOptions {
        name: "r".into(),
        namespace: "ns".into(),
        ..ReleaseOptions::default()
    });
    let files = Value::Map(Map::new());
    let sub = scope(
        chart(&sub_md, false),
        files.clone(),
        rel.clone(),
        caps.clone(),
        Value::Map(Map::new().with_type_name("common.Values")),
        Map::new(),
    );
    let subcharts = Map::new();
    subcharts.insert("sub", Value::Map(sub));
    let root = scope(
        chart(&root_md, true),
        files,
        rel,
        caps,
        Value::Map(Map::new().with_type_name("common.Values")),
        subcharts,
    );

    let mut failures = Vec::new();
    for (i, case) in goldens.iter().enumerate() {
        let text = case["template"].as_str().unwrap();
        let want = case["output"].as_str().unwrap();
        let name = format!("c/templates/case-{i}.yaml");
        root.insert("Template", template(&name, "c/templates"));
        let mut set = Templates::with_functions(helm_functions());
        let got = set
            .parse(&name, text)
            .map_err(|e| e.to_string())
            .and_then(|_| {
                set.execute(&name, &Value::Map(root.clone()))
                    .map_err(|e| e.to_string())
            });
        if got.as_deref() != Ok(want) {
            failures.push(format!("case {i} {text}\n  want {want:?}\n  got  {got:?}"));
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
fn kube_versions_parse_as_in_helm() {
    // Values and errors observed with Helm v4.2.3 (helm_python.lint(kube_version=...)).
    let ok = [
        ("1.2.3", "v1.2.3", "v1.2.3", "1", "2"),
        ("v1.30", "v1.30", "v1.30", "1", "30"),
        (
            "1.33.4-gke.1245000",
            "v1.33.4-gke.1245000",
            "v1.33.4",
            "1",
            "33",
        ),
        (" v1.2.3 ", "v v1.2.3 ", "v1.2.3", "1", "2"),
        ("1.02", "v1.02", "v1.2", "1", "2"),
        ("1.2.3.4", "v1.2.3.4", "v1.2.3.4", "1", "2"),
        ("1.2x", "v1.2x", "v1.2", "1", "2"),
        ("v1.2-", "v1.2-", "v1.2", "1", "2"),
    ];
    for (input, version, string, major, minor) in ok {
        let kv = KubeVersion::parse(input).unwrap();
        assert_eq!(
            (
                kv.version.as_str(),
                kv.string(),
                kv.major.as_str(),
                kv.minor.as_str()
            ),
            (version, string, major, minor),
            "{input:?}"
        );
    }
    let bad = [
        ("x", "could not parse \"x\" as version"),
        ("abc.1", "could not parse \"abc.1\" as version"),
        ("v1", "illegal version string \"v1\""),
        ("v01.2", "illegal zero-prefixed version component \"01\" in \"v01.2\""),
        (
            "99999999999999999999.1",
            "illegal non-numeric version component \"99999999999999999999\" in \"99999999999999999999.1\": strconv.ParseUint: parsing \"99999999999999999999\": value out of range",
        ),
    ];
    for (input, reason) in bad {
        let err = KubeVersion::parse(input).unwrap_err();
        assert_eq!(err.reason, reason, "{input:?}");
        assert_eq!(
            err.to_string(),
            format!("invalid kube version '{input}': {reason}")
        );
    }
}

#[test]
fn default_capabilities_are_helms() {
    let caps = Capabilities::default();
    assert_eq!(caps.kube_version.version, DEFAULT_KUBE_VERSION);
    assert_eq!(caps.api_versions.len(), 55);
    assert_eq!(caps.api_versions.first().map(String::as_str), Some("v1"));
    let mut extra = caps.clone();
    extra.add_api_versions(["example.com/v1"]);
    assert_eq!(
        extra.api_versions.last().map(String::as_str),
        Some("example.com/v1")
    );
    let mut set = Templates::with_functions(helm_functions());
    set.parse(
        "t",
        r#"{{ .Capabilities.APIVersions.Has "example.com/v1" }}"#,
    )
    .unwrap();
    let data = Map::new();
    data.insert("Capabilities", extra.to_value());
    assert_eq!(set.execute("t", &Value::Map(data)).unwrap(), "true");
}
