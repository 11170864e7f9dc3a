//! values.schema.json validation against real Helm v4.2.3: the fixture charts under
//! fixtures/schema/charts, validated with the values Helm coalesced for each case, must fail
//! (or pass) with Helm's error text byte for byte. Goldens: scripts/oracle/schema_goldens.py.

use std::fs;
use std::path::{Path, PathBuf};

use helmpilot_chart::chart::Chart;
use helmpilot_chart::values::schema::{validate_against_schema, Problem};
use serde_json::{Map, Value};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/schema")
}

/// A chart as Helm has it after dependency processing, built from the fixture directory
/// without the loader: name and dependency aliases from Chart.yaml, the schema, and the
/// subcharts under charts/ (those Chart.yaml does not list first, then the listed ones in
/// its order, renamed to their aliases).
fn chart_from_dir(dir: &Path) -> Chart {
    let chart_yaml = fs::read_to_string(dir.join("Chart.yaml")).unwrap();
    let meta = helmpilot_yaml::unmarshal_map(&chart_yaml).unwrap();
    let mut chart = Chart::default();
    chart.metadata.name = meta["name"].as_str().unwrap().to_string();
    chart.schema = fs::read(dir.join("values.schema.json"))
        .ok()
        .map(Into::into);

    let mut subcharts: Vec<Chart> = Vec::new();
    if let Ok(entries) = fs::read_dir(dir.join("charts")) {
        let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        subcharts = paths.iter().map(|p| chart_from_dir(p)).collect();
    }
    let listed: Vec<(String, Option<String>)> = meta
        .get("dependencies")
        .and_then(Value::as_array)
        .map(|deps| {
            deps.iter()
                .map(|d| {
                    (
                        d["name"].as_str().unwrap().to_string(),
                        d.get("alias").and_then(Value::as_str).map(str::to_string),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut ordered: Vec<Chart> = subcharts
        .iter()
        .filter(|c| !listed.iter().any(|(name, _)| name == c.name()))
        .cloned()
        .collect();
    for (name, alias) in &listed {
        if let Some(found) = subcharts.iter().find(|c| c.name() == name) {
            let mut sub = found.clone();
            if let Some(alias) = alias {
                sub.metadata.name = alias.clone();
            }
            ordered.push(sub);
        }
    }
    chart.dependencies = ordered;
    chart
}

/// The coalesced values as Helm holds them: decoded as Go decodes JSON (float64 numbers).
fn go_values(value: &Value) -> Map<String, Value> {
    helmpilot_yaml::unmarshal_map(&value.to_string()).unwrap()
}

#[test]
fn schema_validation_matches_helm() {
    let goldens: Vec<Value> =
        serde_json::from_str(&fs::read_to_string(corpus().join("goldens.json")).unwrap()).unwrap();
    assert!(
        goldens.len() >= 60,
        "expected the full corpus, found {}",
        goldens.len()
    );
    let mut failures = Vec::new();
    let mut compared = 0;
    for golden in &goldens {
        let name = golden["name"].as_str().unwrap();
        if golden.get("sandbox").is_some() {
            continue;
        }
        let chart = chart_from_dir(
            &corpus()
                .join("charts")
                .join(golden["chart"].as_str().unwrap()),
        );
        let values = go_values(&golden["coalesced"]);
        let got = validate_against_schema(&chart, &values)
            .err()
            .map(|e| e.to_string());
        let want = golden["error"].as_str().map(str::to_string);
        compared += 1;
        if got != want {
            failures.push(format!("{name}:\n  helm: {want:?}\n  ours: {got:?}"));
        }
    }
    assert!(compared >= 60);
    assert!(
        failures.is_empty(),
        "{} of {compared} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Helm would read the host's files or the network for these; we refuse, naming the URL
/// in the Go library's `failing loading "<url>": ` form and saying why.
#[test]
fn references_outside_the_schema_are_refused() {
    let goldens: Vec<Value> =
        serde_json::from_str(&fs::read_to_string(corpus().join("goldens.json")).unwrap()).unwrap();
    let sandboxed: Vec<&Value> = goldens
        .iter()
        .filter(|g| g.get("sandbox").is_some())
        .collect();
    assert_eq!(sandboxed.len(), 3);
    for golden in sandboxed {
        let chart_name = golden["chart"].as_str().unwrap();
        let chart = chart_from_dir(&corpus().join("charts").join(chart_name));
        let err = validate_against_schema(&chart, &go_values(&golden["coalesced"])).unwrap_err();
        let helm = golden["error"].as_str().unwrap();
        // Helm's text up to the URL (all the golden keeps) is ours too.
        let url_end = helm.len();
        let ours = err.to_string();
        assert_eq!(&ours[..url_end], helm, "{chart_name}");
        let reason = &ours[url_end..];
        assert!(
            reason.contains("not fetched") || reason.contains("not read"),
            "{chart_name}: {reason}"
        );
        let [failure] = err.failures() else {
            panic!("one chart fails")
        };
        assert!(matches!(failure.problem, Problem::InvalidSchema(_)));
    }
}

/// `--set replicas=3` gives Helm an int64 rather than the float64 of YAML and JSON values;
/// both are integers to the validator and print the same way.
#[test]
fn set_integers_validate_like_yaml_numbers() {
    let chart = chart_from_dir(&corpus().join("charts/basic"));
    let golden_values = |name: &str| -> Map<String, Value> {
        let goldens: Vec<Value> =
            serde_json::from_str(&fs::read_to_string(corpus().join("goldens.json")).unwrap())
                .unwrap();
        let g = goldens.iter().find(|g| g["name"] == name).unwrap();
        go_values(&g["coalesced"])
    };
    let mut values = golden_values("basic-defaults-valid");
    values.insert("replicas".into(), Value::from(3_i64));
    assert!(validate_against_schema(&chart, &values).is_ok());
    values.insert("replicas".into(), Value::from(11_i64));
    let err = validate_against_schema(&chart, &values)
        .unwrap_err()
        .to_string();
    let goldens: Vec<Value> =
        serde_json::from_str(&fs::read_to_string(corpus().join("goldens.json")).unwrap()).unwrap();
    let helm = goldens.iter().find(|g| g["name"] == "maximum").unwrap()["error"]
        .as_str()
        .unwrap();
    assert_eq!(err, helm);
}

/// A subchart section that is not a map: Helm's coalescing rejects it before validation, but
/// the validator has its own message for it (Go's `%T` names).
#[test]
fn subchart_section_not_a_map() {
    let chart = chart_from_dir(&corpus().join("charts/umbrella"));
    let mut values = Map::new();
    values.insert("strict".into(), Value::from(5_i64));
    let err = validate_against_schema(&chart, &values).unwrap_err();
    assert_eq!(
        err.to_string(),
        "values don't meet the specifications of the schema(s) in the following chart(s):\n\
         strict:\ninvalid type for values: expected object (map), got int64\n"
    );
    values.insert("strict".into(), Value::Null);
    assert!(validate_against_schema(&chart, &values).is_ok());
}
