//! Rendering a template case the way Helm's engine does, shared by the conformance suite
//! and the `render_cases` example that the differential fuzzer drives.
//!
//! Helm's side of rendering that this mimics: templates of a chart are parsed into one set
//! in Helm's order (deeper paths first, then reverse lexical), files starting with `_`
//! only define, `missingkey=zero`, `<no value>` removed from the output, errors shown in
//! Helm v4's format.

use std::collections::BTreeMap;

use helmpilot_template::{helm_error_text, remove_no_value, Map, Templates, Value};
use serde::Deserialize;

/// A template case: the text of `templates/case.yaml`, optional partials
/// (`templates/_NAME.tpl`) and values.
#[derive(Deserialize)]
pub struct CaseInput {
    pub template: String,
    #[serde(default)]
    pub values: serde_json::Value,
    #[serde(default)]
    pub partials: BTreeMap<String, String>,
}

/// Helm decodes values from JSON: every number is a float64.
pub fn from_json(v: &serde_json::Value) -> Value {
    Value::from(v)
}

const MAIN: &str = "t/templates/case.yaml";

/// Renders a case as Helm would: the result is the output or Helm's error text.
pub fn render(case: &CaseInput) -> Result<String, String> {
    let mut files: Vec<(String, &str)> = vec![(MAIN.to_string(), case.template.as_str())];
    for (name, text) in &case.partials {
        files.push((format!("t/templates/_{name}.tpl"), text.as_str()));
    }
    // Helm's parse order: more path segments first, then reverse lexical order.
    files.sort_by(|(a, _), (b, _)| {
        let depth = |s: &str| s.matches('/').count();
        depth(b).cmp(&depth(a)).then_with(|| b.cmp(a))
    });
    let mut set = Templates::new();
    set.set_name("gotpl");
    for (name, text) in &files {
        set.parse(name, text)
            .map_err(|e| helm_error_text(name, &e))?;
    }
    // Helm's `.Values` is the named map type `common.Values`.
    let values = match from_json(&case.values) {
        Value::Map(m) => Value::Map(m.with_type_name("common.Values")),
        _ => Value::Map(Map::new().with_type_name("common.Values")),
    };
    let top = Map::new();
    top.insert("Values", values);
    let template = Map::new();
    template.insert("Name", Value::from(MAIN));
    template.insert("BasePath", Value::from("t/templates"));
    top.insert("Template", Value::Map(template));
    let output = set
        .execute(MAIN, &Value::Map(top))
        .map_err(|e| helm_error_text(MAIN, &e))?;
    Ok(remove_no_value(output))
}
