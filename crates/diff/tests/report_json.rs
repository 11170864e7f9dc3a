//! The JSON report: exact output for a small model, and validation of outputs against
//! docs/diff-report.schema.json.

mod report_support;

use boon::{Compiler, SchemaIndex, Schemas};
use helmpilot_diff::model::{
    ChangeKind, DiffReport, EnvironmentDiff, ImageChange, SecretKeys, Severity,
};
use helmpilot_diff::report::{json, SCHEMA_VERSION};
use report_support::{big_env, change, key, risk, sample};
use serde_json::Value;

const SCHEMA: &str = include_str!("../../../docs/diff-report.schema.json");
const SCHEMA_URL: &str =
    "https://github.com/helmpilot/helmpilot/blob/main/docs/diff-report.schema.json";

fn compiled() -> (Schemas, SchemaIndex) {
    let document: Value = serde_json::from_str(SCHEMA).expect("the schema is JSON");
    let mut compiler = Compiler::new();
    compiler
        .add_resource(SCHEMA_URL, document)
        .expect("schema resource");
    let mut schemas = Schemas::new();
    let index = compiler
        .compile(SCHEMA_URL, &mut schemas)
        .expect("the schema compiles");
    (schemas, index)
}

fn assert_valid(output: &str) {
    let (schemas, index) = compiled();
    let value: Value = serde_json::from_str(output).expect("output is JSON");
    if let Err(error) = schemas.validate(&value, index) {
        panic!("output does not match the schema:\n{error:#}");
    }
}

fn small() -> DiffReport {
    let web = key("", "Secret", "prod", "web");
    let mut secret = change(
        web.clone(),
        ChangeKind::Changed,
        "templates/secret.yaml",
        "@@ -2 +2 @@\n-  a: '*** (sha256:11)'\n+  a: '*** (sha256:22)'\n",
    );
    secret.secret_keys = Some(SecretKeys {
        added: vec![],
        removed: vec!["b".into()],
        changed: vec!["a".into()],
    });
    DiffReport {
        base: "main".into(),
        head: "0123abc".into(),
        environments: vec![
            EnvironmentDiff {
                chart: "charts/web".into(),
                name: "prod".into(),
                changes: vec![
                    secret,
                    change(
                        key("", "Service", "prod", "web-v2"),
                        ChangeKind::Renamed {
                            from: key("", "Service", "prod", "web"),
                        },
                        "templates/service.yaml",
                        "",
                    ),
                ],
                unchanged: 2,
                ignored_changes: 3,
                risks: vec![risk(
                    web.clone(),
                    "secret-changed",
                    Severity::Medium,
                    "Secret data changed",
                )],
                images: vec![ImageChange {
                    key: key("apps", "Deployment", "prod", "web"),
                    container: "app".into(),
                    from: "web:1".into(),
                    to: "web:2".into(),
                }],
                error: None,
            },
            EnvironmentDiff {
                chart: "charts/api".into(),
                name: "default".into(),
                error: Some("parse error".into()),
                ..Default::default()
            },
        ],
    }
}

const SMALL: &str = r#"{
  "schema_version": 1,
  "base": "main",
  "head": "0123abc",
  "summary": {
    "environments": 2,
    "environments_with_changes": 1,
    "errors": 1,
    "added": 0,
    "changed": 2,
    "removed": 0,
    "risks": 1,
    "high_risks": 0,
    "images": 1,
    "unchanged": 2,
    "ignored_changes": 3
  },
  "environments": [
    {
      "chart": "charts/web",
      "name": "prod",
      "counts": {
        "added": 0,
        "changed": 2,
        "removed": 0,
        "risks": 1
      },
      "changes": [
        {
          "key": {
            "group": "",
            "kind": "Secret",
            "namespace": "prod",
            "name": "web"
          },
          "change": "changed",
          "renamed_from": null,
          "source": "templates/secret.yaml",
          "diff": "@@ -2 +2 @@\n-  a: '*** (sha256:11)'\n+  a: '*** (sha256:22)'\n",
          "lines": {
            "added": 1,
            "removed": 1
          },
          "secret_keys": {
            "added": [],
            "removed": [
              "b"
            ],
            "changed": [
              "a"
            ]
          }
        },
        {
          "key": {
            "group": "",
            "kind": "Service",
            "namespace": "prod",
            "name": "web-v2"
          },
          "change": "renamed",
          "renamed_from": {
            "group": "",
            "kind": "Service",
            "namespace": "prod",
            "name": "web"
          },
          "source": "templates/service.yaml",
          "diff": "",
          "lines": {
            "added": 0,
            "removed": 0
          },
          "secret_keys": null
        }
      ],
      "risks": [
        {
          "key": {
            "group": "",
            "kind": "Secret",
            "namespace": "prod",
            "name": "web"
          },
          "rule": "secret-changed",
          "severity": "medium",
          "reason": "Secret data changed"
        }
      ],
      "images": [
        {
          "key": {
            "group": "apps",
            "kind": "Deployment",
            "namespace": "prod",
            "name": "web"
          },
          "container": "app",
          "from": "web:1",
          "to": "web:2"
        }
      ],
      "ignored_changes": 3,
      "unchanged": 2,
      "error": null
    },
    {
      "chart": "charts/api",
      "name": "default",
      "counts": {
        "added": 0,
        "changed": 0,
        "removed": 0,
        "risks": 0
      },
      "changes": [],
      "risks": [],
      "images": [],
      "ignored_changes": 0,
      "unchanged": 0,
      "error": "parse error"
    }
  ]
}
"#;

#[test]
fn small_report_exactly() {
    assert_eq!(json(&small()), SMALL);
}

#[test]
fn outputs_validate_against_the_schema() {
    assert_valid(&json(&small()));
    assert_valid(&json(&sample()));
    let mut big = sample();
    big.environments
        .extend((0..4).map(|i| big_env("charts/big", &format!("e{i}"), 100, 5)));
    assert_valid(&json(&big));
    assert_valid(&json(&DiffReport::default()));
}

#[test]
fn schema_rejects_what_the_format_does_not_allow() {
    let (schemas, index) = compiled();
    let good: Value = serde_json::from_str(&json(&small())).unwrap();
    assert!(schemas.validate(&good, index).is_ok());

    let mut bumped = good.clone();
    bumped["schema_version"] = Value::from(2);
    assert!(schemas.validate(&bumped, index).is_err());

    let mut undocumented = good.clone();
    undocumented["environments"][0]["changes"][0]["extra"] = Value::from(true);
    assert!(schemas.validate(&undocumented, index).is_err());

    let mut bad_change = good.clone();
    bad_change["environments"][0]["changes"][0]["change"] = Value::from("moved");
    assert!(schemas.validate(&bad_change, index).is_err());

    let mut missing = good;
    missing["environments"][0]
        .as_object_mut()
        .unwrap()
        .remove("error");
    assert!(schemas.validate(&missing, index).is_err());
}

#[test]
fn schema_documents_every_property_and_pins_the_version() {
    let schema: Value = serde_json::from_str(SCHEMA).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(
        schema["properties"]["schema_version"]["const"],
        Value::from(SCHEMA_VERSION)
    );
    let description = schema["description"].as_str().unwrap();
    assert!(description.contains("fields are only ever added"));
    assert!(description.contains("bumping `schema_version`"));
    // Every property, at every depth, carries a description.
    fn walk(value: &Value, path: &str, missing: &mut Vec<String>) {
        if let Some(properties) = value.get("properties").and_then(Value::as_object) {
            for (name, property) in properties {
                if property.get("description").is_none() {
                    missing.push(format!("{path}/{name}"));
                }
                walk(property, &format!("{path}/{name}"), missing);
            }
        }
        for keyword in ["$defs", "items"] {
            match value.get(keyword) {
                Some(Value::Object(map)) if keyword == "$defs" => {
                    for (name, def) in map {
                        walk(def, &format!("{path}/$defs/{name}"), missing);
                    }
                }
                Some(item) => walk(item, &format!("{path}/items"), missing),
                None => {}
            }
        }
        if let Some(Value::Array(options)) = value.get("oneOf") {
            for option in options {
                walk(option, path, missing);
            }
        }
    }
    let mut missing = Vec::new();
    walk(&schema, "", &mut missing);
    assert!(missing.is_empty(), "undocumented: {missing:?}");
}

#[test]
fn every_output_field_is_in_the_schema() {
    // additionalProperties is false throughout, so validation already rejects an
    // undocumented field; this checks the sample exercises the nullable branches too.
    let value: Value = serde_json::from_str(&json(&sample())).unwrap();
    let changes = value["environments"][0]["changes"].as_array().unwrap();
    assert!(changes.iter().any(|c| c["secret_keys"].is_object()));
    assert!(changes.iter().any(|c| c["secret_keys"].is_null()));
    assert!(changes.iter().any(|c| c["renamed_from"].is_object()));
    assert!(value["environments"][2]["error"].is_string());
    assert_valid(&json(&sample()));
}
