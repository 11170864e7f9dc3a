//! Helm's coalescing of values (`pkg/chart/common/util/coalesce.go`): a chart's defaults
//! under the values given for it, recursively through its subcharts, with globals copied
//! down.
//!
//! Two modes, as in Helm:
//! - *coalesce* (what rendering uses): a `null` given by the user deletes the key, and
//!   `null`s left in chart defaults are cleaned away;
//! - *merge* (what `import-values` uses): `null`s are kept as values.
//!
//! Helm reports conflicts (a table over a scalar and the like) as log warnings and goes on;
//! so do we, collecting them in [`Warnings`] for the caller to print.
//!
//! ```
//! use helmpilot_chart::chart::Chart;
//! use helmpilot_chart::values::coalesce::coalesce_values;
//! use serde_json::json;
//! let mut chart = Chart::default();
//! chart.metadata.name = "web".into();
//! chart.values = json!({"replicas": 1.0, "image": {"tag": "v1", "pullPolicy": "IfNotPresent"}})
//!     .as_object().unwrap().clone();
//! let user = json!({"image": {"tag": "v2"}, "replicas": null}).as_object().unwrap().clone();
//! let (values, _warnings) = coalesce_values(&chart, &user).unwrap();
//! assert_eq!(serde_json::Value::Object(values),
//!            json!({"image": {"tag": "v2", "pullPolicy": "IfNotPresent"}}));
//! ```

use serde_json::{Map, Value};

use helmpilot_template::gofmt;

use super::to_template_value;
use crate::chart::Chart;

/// Helm's key for values shared with every subchart.
pub const GLOBAL_KEY: &str = "global";

/// Conflicts Helm logs while coalescing (`warning: skipped value for ...`).
pub type Warnings = Vec<String>;

/// A values tree that cannot be coalesced at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CoalesceError {
    pub message: String,
}

/// Helm's `CoalesceValues`: `values` (the user's) over the chart's defaults and its
/// subcharts', `null` deleting keys.
pub fn coalesce_values(
    chart: &Chart,
    values: &Map<String, Value>,
) -> Result<(Map<String, Value>, Warnings), CoalesceError> {
    run(chart, values, false)
}

/// Helm's `MergeValues`: like [`coalesce_values`] but `null`s are kept.
pub fn merge_values(
    chart: &Chart,
    values: &Map<String, Value>,
) -> Result<(Map<String, Value>, Warnings), CoalesceError> {
    run(chart, values, true)
}

fn run(
    chart: &Chart,
    values: &Map<String, Value>,
    merge: bool,
) -> Result<(Map<String, Value>, Warnings), CoalesceError> {
    let mut warnings = Warnings::new();
    let mut dest = values.clone();
    coalesce(&mut warnings, chart, &mut dest, "", merge)?;
    Ok((dest, warnings))
}

/// Helm's `CoalesceTables`: `src` under `dst`, `null` in `dst` deleting the key.
pub fn coalesce_tables(dst: &mut Map<String, Value>, src: Map<String, Value>) -> Warnings {
    let mut warnings = Warnings::new();
    coalesce_tables_full_key(&mut warnings, dst, src, "", false);
    warnings
}

/// Helm's `MergeTables`: `src` under `dst`, `null`s kept.
pub fn merge_tables(dst: &mut Map<String, Value>, src: Map<String, Value>) -> Warnings {
    let mut warnings = Warnings::new();
    coalesce_tables_full_key(&mut warnings, dst, src, "", true);
    warnings
}

fn concat_prefix(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

fn coalesce(
    warnings: &mut Warnings,
    chart: &Chart,
    dest: &mut Map<String, Value>,
    prefix: &str,
    merge: bool,
) -> Result<(), CoalesceError> {
    coalesce_chart_values(warnings, chart, dest, prefix, merge);
    coalesce_dependencies(warnings, chart, dest, prefix, merge)
}

fn coalesce_dependencies(
    warnings: &mut Warnings,
    chart: &Chart,
    dest: &mut Map<String, Value>,
    prefix: &str,
    merge: bool,
) -> Result<(), CoalesceError> {
    for subchart in &chart.dependencies {
        let name = subchart.name();
        let mut section = match dest.remove(name) {
            None => Map::new(),
            Some(Value::Object(section)) => section,
            Some(other) => {
                let message = format!(
                    "type mismatch on {name}: {}",
                    gofmt::sprintf("%t", &[to_template_value(&other)])
                );
                dest.insert(name.to_string(), other);
                return Err(CoalesceError { message });
            }
        };
        let sub_prefix = concat_prefix(prefix, chart.name());
        coalesce_globals(warnings, &mut section, dest, &sub_prefix);
        let result = coalesce(warnings, subchart, &mut section, &sub_prefix, merge);
        dest.insert(name.to_string(), Value::Object(section));
        result?;
    }
    Ok(())
}

/// Copies the parent's globals into a subchart's section; the subchart's own globals win.
fn coalesce_globals(
    warnings: &mut Warnings,
    dest: &mut Map<String, Value>,
    src: &Map<String, Value>,
    prefix: &str,
) {
    let mut dest_globals = match dest.get(GLOBAL_KEY) {
        None => Map::new(),
        Some(Value::Object(globals)) => globals.clone(),
        Some(_) => {
            warnings.push(format!(
                "warning: skipping globals because destination {GLOBAL_KEY} is not a table."
            ));
            return;
        }
    };
    let src_globals = match src.get(GLOBAL_KEY) {
        None => Map::new(),
        Some(Value::Object(globals)) => globals.clone(),
        Some(_) => {
            warnings.push(format!(
                "warning: skipping globals because source {GLOBAL_KEY} is not a table."
            ));
            return;
        }
    };
    for (key, value) in src_globals {
        match value {
            Value::Object(table) => match dest_globals.get_mut(&key) {
                None => {
                    dest_globals.insert(key, Value::Object(table));
                }
                Some(Value::Object(dest_table)) => {
                    // The parent's table goes under the subchart's: the subchart wins.
                    let mut merged = table;
                    coalesce_tables_full_key(
                        warnings,
                        &mut merged,
                        dest_table.clone(),
                        &concat_prefix(prefix, &key),
                        true,
                    );
                    *dest_table = merged;
                }
                Some(_) => warnings.push(format!(
                    "Conflict: cannot merge map onto non-map for {key:?}. Skipping."
                )),
            },
            scalar => {
                if matches!(dest_globals.get(&key), Some(Value::Object(_))) {
                    warnings.push(format!("key {key} is table. Skipping"));
                } else {
                    dest_globals.insert(key, scalar);
                }
            }
        }
    }
    dest.insert(GLOBAL_KEY.to_string(), Value::Object(dest_globals));
}

/// The chart's own defaults under `dest`.
fn coalesce_chart_values(
    warnings: &mut Warnings,
    chart: &Chart,
    dest: &mut Map<String, Value>,
    prefix: &str,
    merge: bool,
) {
    let sub_prefix = concat_prefix(prefix, chart.name());
    for (key, default) in chart.values.clone() {
        match dest.get_mut(&key) {
            Some(Value::Null) if !merge => {
                dest.remove(&key);
            }
            Some(Value::Object(given)) => match default {
                Value::Object(mut defaults) => {
                    // A subchart's section always merges, keeping its nulls for the
                    // subchart's own coalescing to act on.
                    let merge = merge || chart.dependencies.iter().any(|d| d.name() == key);
                    if !merge {
                        clean_nil_values(&mut defaults);
                    }
                    coalesce_tables_full_key(
                        warnings,
                        given,
                        defaults,
                        &concat_prefix(&sub_prefix, &key),
                        merge,
                    );
                }
                Value::Null => {}
                _ => warnings.push(format!(
                    "warning: skipped value for {sub_prefix}.{key}: Not a table."
                )),
            },
            Some(_) => {}
            None => {
                let mut default = default;
                if !merge {
                    match &mut default {
                        Value::Null => continue,
                        Value::Object(table) => clean_nil_values(table),
                        _ => {}
                    }
                }
                dest.insert(key, default);
            }
        }
    }
}

/// Helm's `coalesceTablesFullKey`: `src` under `dst`.
fn coalesce_tables_full_key(
    warnings: &mut Warnings,
    dst: &mut Map<String, Value>,
    mut src: Map<String, Value>,
    prefix: &str,
    merge: bool,
) {
    let src_non_nil: std::collections::HashSet<String> = src
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, _)| k.clone())
        .collect();
    // A null in dst marks the key for deletion even where src has no such key.
    for (key, value) in dst.iter() {
        if value.is_null() {
            src.insert(key.clone(), Value::Null);
        }
    }
    for (key, value) in src {
        let full_key = concat_prefix(prefix, &key);
        match dst.get_mut(&key) {
            Some(Value::Null) if !merge && src_non_nil.contains(&key) => {
                dst.remove(&key);
            }
            None => {
                dst.insert(key, value);
            }
            Some(existing) => match (existing, value) {
                (Value::Object(dst_table), Value::Object(src_table)) => {
                    coalesce_tables_full_key(warnings, dst_table, src_table, &full_key, merge);
                }
                (_, Value::Object(src_table)) => warnings.push(format!(
                    "warning: cannot overwrite table with non table for {full_key} ({})",
                    go_print(&Value::Object(src_table))
                )),
                (Value::Object(_), value) if !value.is_null() => warnings.push(format!(
                    "warning: destination for {full_key} is a table. Ignoring non-table value ({})",
                    go_print(&value)
                )),
                _ => {}
            },
        }
    }
}

fn clean_nil_values(table: &mut Map<String, Value>) {
    table.retain(|_, value| !value.is_null());
    for value in table.values_mut() {
        if let Value::Object(sub) = value {
            clean_nil_values(sub);
        }
    }
}

/// How Go's `%v` prints a values tree, for warnings.
fn go_print(value: &Value) -> String {
    to_template_value(value).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => panic!("not an object"),
        }
    }

    fn chart(name: &str, values: Value, dependencies: Vec<Chart>) -> Chart {
        let mut chart = Chart::default();
        chart.metadata.name = name.into();
        chart.values = object(values);
        chart.dependencies = dependencies;
        chart
    }

    #[test]
    fn globals_flow_down_and_subchart_defaults_fill_in() {
        let sub = chart(
            "sub",
            json!({"port": 80.0, "global": {"env": "dev"}}),
            vec![],
        );
        let top = chart(
            "top",
            json!({"global": {"env": "prod", "region": "eu"}, "sub": {"port": 8080.0}}),
            vec![sub],
        );
        let (values, _) = coalesce_values(&top, &Map::new()).unwrap();
        assert_eq!(
            Value::Object(values),
            json!({
                "global": {"env": "prod", "region": "eu"},
                "sub": {"port": 8080.0, "global": {"env": "prod", "region": "eu"}}
            })
        );
    }

    #[test]
    fn user_null_deletes_a_default_but_merge_keeps_it() {
        let top = chart("top", json!({"a": {"b": 1.0, "c": 2.0}}), vec![]);
        let user = object(json!({"a": {"b": null}}));
        let (coalesced, _) = coalesce_values(&top, &user).unwrap();
        assert_eq!(Value::Object(coalesced), json!({"a": {"c": 2.0}}));
        let (merged, _) = merge_values(&top, &user).unwrap();
        assert_eq!(Value::Object(merged), json!({"a": {"b": null, "c": 2.0}}));
    }

    #[test]
    fn scalar_over_table_is_a_warning_not_an_error() {
        let top = chart("top", json!({"a": {"b": 1.0}}), vec![]);
        let user = object(json!({"a": "text"}));
        let (values, warnings) = coalesce_values(&top, &user).unwrap();
        assert_eq!(Value::Object(values), json!({"a": "text"}));
        assert!(warnings.is_empty(), "{warnings:?}");
        let user = object(json!({"a": {"b": {"deep": true}}}));
        let (_, warnings) = coalesce_values(&top, &user).unwrap();
        assert_eq!(
            warnings,
            ["warning: destination for top.a.b is a table. Ignoring non-table value (1)"]
        );
    }

    #[test]
    fn a_scalar_where_a_subchart_section_belongs_fails() {
        let top = chart("top", json!({}), vec![chart("sub", json!({}), vec![])]);
        let err = coalesce_values(&top, &object(json!({"sub": "x"}))).unwrap_err();
        assert_eq!(err.message, "type mismatch on sub: %!t(string=x)");
    }
}
