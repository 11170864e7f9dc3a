//! Which subcharts take part in a render, and the values they hand up: Helm's
//! `ProcessDependencies` (`pkg/chart/v2/util/dependencies.go`) and the install check that
//! every dependency Chart.yaml lists is present.
//!
//! In order, as Helm does it for each chart from the top down:
//! 1. subcharts listed in Chart.yaml are matched to the loaded ones by name and version
//!    range; an `alias` makes a renamed copy (so one chart can be used twice);
//! 2. `tags` then `condition` switch dependencies off (the first condition path that
//!    resolves to a boolean wins; tags only decide when no condition did);
//! 3. disabled subcharts are dropped, and the survivors processed in turn with the
//!    parent's coalesced values;
//! 4. bottom-up, `import-values` copy tables from a subchart's values into its parent's
//!    defaults (`exports.<name>` for the string form, `child`/`parent` paths otherwise).
//!
//! ```
//! use helmpilot_chart::chart::{dependencies::process_dependencies, Chart, Dependency};
//! let mut cache = Chart::default();
//! cache.metadata.name = "cache".into();
//! cache.metadata.version = "1.0.0".into();
//! let mut top = Chart::default();
//! top.metadata.name = "top".into();
//! top.metadata.dependencies.push(Dependency {
//!     name: "cache".into(), version: "1.x".into(), condition: "cache.enabled".into(),
//!     ..Default::default()
//! });
//! top.dependencies.push(cache);
//! let user = serde_json::json!({"cache": {"enabled": false}});
//! process_dependencies(&mut top, user.as_object().unwrap()).unwrap();
//! assert!(top.dependencies.is_empty());
//! ```

use serde_json::{Map, Value};

use super::{Chart, Dependency};
use crate::semver::{Constraints, Version};
use crate::values::coalesce::{
    coalesce_tree, coalesce_values, deep_copy, from_tree, merge_trees, CoalesceError, Node, Tree,
    Warnings,
};

/// Helm's `ProcessDependencies`: drops disabled subcharts (recursively), applies aliases,
/// and folds imported values into each chart's defaults. Returns Helm's warnings.
pub fn process_dependencies(
    chart: &mut Chart,
    values: &Map<String, Value>,
) -> Result<Warnings, CoalesceError> {
    let mut warnings = Warnings::new();
    process_enabled(&mut warnings, chart, values, "")?;
    process_import_values_recursively(&mut warnings, chart)?;
    Ok(warnings)
}

/// Helm's `CheckDependencies`: every dependency listed in Chart.yaml must be present in
/// charts/ (by name, before aliasing).
pub fn check_dependencies(chart: &Chart) -> Result<(), String> {
    let missing: Vec<&str> = chart
        .metadata
        .dependencies
        .iter()
        .filter(|wanted| !chart.dependencies.iter().any(|c| c.name() == wanted.name))
        .map(|wanted| wanted.name.as_str())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "found in Chart.yaml, but missing in charts/ directory: {}",
            missing.join(", ")
        ))
    }
}

/// Helm's `IsCompatibleRange`: whether `version` satisfies the `range`; unparsable
/// ranges or versions never do.
fn is_compatible_range(range: &str, version: &str) -> bool {
    match (Constraints::parse(range), Version::parse(version)) {
        (Ok(constraints), Ok(version)) => constraints.check(&version),
        _ => false,
    }
}

/// The loaded subchart a Chart.yaml entry refers to, renamed after its alias.
fn alias_dependency(charts: &[Chart], wanted: &Dependency) -> Option<Chart> {
    let found = charts.iter().find(|c| {
        c.name() == wanted.name && is_compatible_range(&wanted.version, &c.metadata.version)
    })?;
    let mut copy = found.clone();
    if !wanted.alias.is_empty() {
        copy.metadata.name = wanted.alias.clone();
    }
    Some(copy)
}

fn process_enabled(
    warnings: &mut Warnings,
    chart: &mut Chart,
    values: &Map<String, Value>,
    path: &str,
) -> Result<(), CoalesceError> {
    if chart.metadata.dependencies.is_empty() {
        return Ok(());
    }
    // Subcharts Chart.yaml does not list (or lists with a version they do not match) stay
    // as they are; listed ones are replaced by their (possibly aliased) copies.
    let mut kept: Vec<Chart> = chart
        .dependencies
        .iter()
        .filter(|existing| {
            !chart.metadata.dependencies.iter().any(|wanted| {
                existing.name() == wanted.name
                    && is_compatible_range(&wanted.version, &existing.metadata.version)
            })
        })
        .cloned()
        .collect();
    for wanted in &mut chart.metadata.dependencies {
        if let Some(copy) = alias_dependency(&chart.dependencies, wanted) {
            kept.push(copy);
        }
        if !wanted.alias.is_empty() {
            wanted.name = wanted.alias.clone();
        }
    }
    chart.dependencies = kept;

    for wanted in &mut chart.metadata.dependencies {
        wanted.enabled = true;
    }
    let (coalesced, more) = coalesce_values(chart, values)?;
    warnings.extend(more);
    apply_tags(warnings, &mut chart.metadata.dependencies, &coalesced);
    apply_conditions(warnings, &mut chart.metadata.dependencies, &coalesced, path);

    let disabled: Vec<String> = chart
        .metadata
        .dependencies
        .iter()
        .filter(|d| !d.enabled)
        .map(|d| d.name.clone())
        .collect();
    chart
        .dependencies
        .retain(|c| !disabled.iter().any(|name| name == c.name()));
    chart
        .metadata
        .dependencies
        .retain(|d| !disabled.contains(&d.name));

    for subchart in &mut chart.dependencies {
        let sub_path = format!("{path}{}.", subchart.name());
        process_enabled(warnings, subchart, &coalesced, &sub_path)?;
    }
    Ok(())
}

fn apply_tags(
    warnings: &mut Warnings,
    dependencies: &mut [Dependency],
    values: &Map<String, Value>,
) {
    let Some(Value::Object(tags)) = values.get("tags") else {
        return;
    };
    for dependency in dependencies {
        let (mut has_true, mut has_false) = (false, false);
        for tag in &dependency.tags {
            match tags.get(tag) {
                Some(Value::Bool(true)) => has_true = true,
                Some(Value::Bool(false)) => has_false = true,
                Some(_) => warnings.push(format!(
                    "returned non-bool value: tag={tag} chart={}",
                    dependency.name
                )),
                None => {}
            }
        }
        // Off only when some tag is false and none is true.
        dependency.enabled = has_true || !has_false;
    }
}

fn apply_conditions(
    warnings: &mut Warnings,
    dependencies: &mut [Dependency],
    values: &Map<String, Value>,
    path: &str,
) {
    for dependency in dependencies {
        for condition in dependency.condition.trim().split(',') {
            if condition.is_empty() {
                continue;
            }
            match path_value(values, &format!("{path}{condition}")) {
                Some(Value::Bool(enabled)) => {
                    dependency.enabled = *enabled;
                    break;
                }
                Some(_) => warnings.push(format!(
                    "returned non-bool value: path={condition} chart={}",
                    dependency.name
                )),
                None => {}
            }
        }
    }
}

/// Helm's `Values.Table`: the table at a dotted path.
pub fn table<'a>(values: &'a Map<String, Value>, path: &str) -> Option<&'a Map<String, Value>> {
    let mut table = values;
    for key in path.split('.') {
        match table.get(key) {
            Some(Value::Object(next)) => table = next,
            _ => return None,
        }
    }
    Some(table)
}

/// Helm's `Values.PathValue`: the non-table value at a dotted path.
fn path_value<'a>(values: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let (parent, key) = match path.rsplit_once('.') {
        Some((parent, key)) => (table(values, parent)?, key),
        None => (values, path),
    };
    parent.get(key).filter(|value| !value.is_object())
}

fn process_import_values_recursively(
    warnings: &mut Warnings,
    chart: &mut Chart,
) -> Result<(), CoalesceError> {
    for subchart in &mut chart.dependencies {
        process_import_values_recursively(warnings, subchart)?;
    }
    process_import_values(warnings, chart)
}

/// Nests `data` under a dotted `path` (`.` is the root). `data` itself is linked in,
/// as Helm's `pathToMap` does, not copied.
fn path_to_tree(path: &str, data: Tree) -> Tree {
    if path == "." {
        return data;
    }
    let mut current = data;
    for key in path.split('.').rev() {
        let outer: Tree = Tree::default();
        outer
            .borrow_mut()
            .insert(key.to_string(), Node::Table(current));
        current = outer;
    }
    current
}

/// Helm's `Values.Table` on a tree: the (shared) table at a dotted path.
fn tree_table(values: &Tree, path: &str) -> Option<Tree> {
    let mut table = values.clone();
    for key in path.split('.') {
        let next = match table.borrow().get(key) {
            Some(Node::Table(next)) => next.clone(),
            _ => return None,
        };
        table = next;
    }
    Some(table)
}

/// Helm's `processImportValues` (always in merge mode, as `ProcessDependencies` calls
/// it). Runs on shared trees because Helm's does: the imported tables are linked, not
/// copied, into the accumulated imports, so a second import merging into the same
/// place writes into the child's values before they are copied into the parent's.
fn process_import_values(warnings: &mut Warnings, chart: &mut Chart) -> Result<(), CoalesceError> {
    if chart.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let (values, more) = coalesce_tree(chart, &Map::new(), true)?;
    warnings.extend(more);
    let imported = Tree::default();
    for dependency in &mut chart.metadata.dependencies {
        let mut normalized = Vec::new();
        for import in &dependency.import_values {
            let (child, parent) = match import {
                Value::Object(paths) => (
                    go_sprint(paths.get("child")),
                    go_sprint(paths.get("parent")),
                ),
                Value::String(name) => (format!("exports.{name}"), ".".to_string()),
                _ => continue,
            };
            normalized.push(serde_json::json!({"child": child, "parent": parent}));
            let Some(source) = tree_table(&values, &format!("{}.{child}", dependency.name)) else {
                warnings.push(format!(
                    "ImportValues missing table from chart: chart={} child={child}",
                    dependency.name
                ));
                continue;
            };
            // `AsMap` of an empty table is a fresh map, not the table itself.
            let source = if source.borrow().is_empty() {
                Tree::default()
            } else {
                source
            };
            merge_trees(warnings, &imported, &path_to_tree(&parent, source), true);
        }
        dependency.import_values = normalized;
    }
    // The imports go under the chart's values (a deep copy, taken only now).
    let values = deep_copy(&values)?;
    merge_trees(warnings, &values, &imported, true);
    chart.values = from_tree(&values)?;
    Ok(())
}

/// `fmt.Sprintf("%v", x)` of an import-values path entry.
fn go_sprint(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "<nil>".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => crate::values::to_template_value(other).to_string(),
    }
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

    fn chart(name: &str, values: Value) -> Chart {
        let mut chart = Chart::default();
        chart.metadata.name = name.into();
        chart.metadata.version = "0.1.0".into();
        chart.values = object(values);
        chart
    }

    fn importing(imports: Value, sub_values: Value) -> Chart {
        let mut top = chart("top", json!({}));
        top.metadata.dependencies.push(Dependency {
            name: "sub".into(),
            version: "0.1.0".into(),
            import_values: imports.as_array().cloned().unwrap_or_default(),
            ..Default::default()
        });
        top.dependencies.push(chart("sub", sub_values));
        top
    }

    /// Oracle (Helm v4.2.3): the second import merges into the tables the first one
    /// linked, which are the subchart's own `exports.conn` tables.
    #[test]
    fn a_second_import_merges_into_the_first_imports_source() {
        let mut top = importing(
            json!([
                {"child": "exports.conn", "parent": "."},
                {"child": "exports.tuning", "parent": "."}
            ]),
            json!({"exports": {
                "conn": {"settings": {"port": 5432.0}},
                "tuning": {"settings": {"poolSize": 10.0}}
            }}),
        );
        process_dependencies(&mut top, &Map::new()).unwrap();
        assert_eq!(
            top.values["sub"]["exports"]["conn"],
            json!({"settings": {"port": 5432.0, "poolSize": 10.0}})
        );
        assert_eq!(
            top.values["settings"],
            json!({"port": 5432.0, "poolSize": 10.0})
        );
    }

    /// Importing `exports` where `exports.data` went already links `exports` into
    /// `exports.data`: a cycle. Helm v4.2.3 dies of a Go stack overflow copying it
    /// (`fatal error: stack overflow` in copystructure), so there is no oracle text;
    /// we fail with an error instead of crashing.
    #[test]
    fn imports_that_make_a_table_contain_itself_fail_cleanly() {
        let mut top = importing(
            json!([
                {"child": "exports.data", "parent": "nested"},
                {"child": "exports", "parent": "nested"}
            ]),
            json!({"exports": {"data": {"x": 1.0}}}),
        );
        let err = process_dependencies(&mut top, &Map::new()).unwrap_err();
        assert!(err.message.contains("contains itself"), "{err}");
    }
}
