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
//! Helm's Go maps are references, and its coalescing shares some of them between places
//! in the tree: globals are handed to a subchart as *shallow* copies of the parent's
//! global tables, and a table missing from the destination is linked in, not copied. A
//! later merge into such a shared table shows everywhere it is linked (a subchart's
//! default `global.a.b.c` appears in its parent's `.Values.global.a.b`, for instance).
//! That is observable in rendered output, so the algorithm runs on `Tree`: tables with
//! shared ownership, copied exactly where Helm copies (deeply where it deep-copies, one
//! level where it shallow-copies).
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

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

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

/// A Go `map[string]any` as Helm holds it: a reference that several places may share.
pub(crate) type Tree = Rc<RefCell<BTreeMap<String, Node>>>;

/// A value in a [`Tree`]: a (possibly shared) table, or anything else. Lists stay plain
/// JSON: coalescing never looks inside them, so sharing them changes nothing.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    Table(Tree),
    Leaf(Value),
}

impl Node {
    fn is_null(&self) -> bool {
        matches!(self, Node::Leaf(Value::Null))
    }

    fn as_table(&self) -> Option<&Tree> {
        match self {
            Node::Table(tree) => Some(tree),
            Node::Leaf(_) => None,
        }
    }
}

/// A fresh tree with no sharing (Helm's `copystructure.Copy`).
pub(crate) fn to_tree(values: &Map<String, Value>) -> Tree {
    let table = values
        .iter()
        .map(|(key, value)| (key.clone(), to_node(value)))
        .collect();
    Rc::new(RefCell::new(table))
}

fn to_node(value: &Value) -> Node {
    match value {
        Value::Object(map) => Node::Table(to_tree(map)),
        other => Node::Leaf(other.clone()),
    }
}

/// The tree's current contents as JSON (a deep copy).
///
/// Linking tables can make a table contain itself (two `import-values` of one chart
/// where one child path is inside the other: the second merges the outer table into the
/// inner one). Helm then recurses until Go's stack overflows and the process dies; we
/// stop with an error instead.
pub(crate) fn from_tree(tree: &Tree) -> Result<Map<String, Value>, CoalesceError> {
    let mut ancestors = Vec::new();
    from_tree_checked(tree, &mut ancestors, "")
}

fn from_tree_checked(
    tree: &Tree,
    ancestors: &mut Vec<*const RefCell<BTreeMap<String, Node>>>,
    path: &str,
) -> Result<Map<String, Value>, CoalesceError> {
    let this = Rc::as_ptr(tree);
    if ancestors.contains(&this) {
        return Err(CoalesceError {
            message: format!(
                "values table {path:?} contains itself (Helm overflows its stack copying it)"
            ),
        });
    }
    ancestors.push(this);
    let mut out = Map::new();
    for (key, node) in tree.borrow().iter() {
        let value = match node {
            Node::Table(child) => Value::Object(from_tree_checked(
                child,
                ancestors,
                &concat_prefix(path, key),
            )?),
            Node::Leaf(value) => value.clone(),
        };
        out.insert(key.clone(), value);
    }
    ancestors.pop();
    Ok(out)
}

/// Helm's `copystructure.Copy` of a tree: deep, so nothing stays shared.
pub(crate) fn deep_copy(tree: &Tree) -> Result<Tree, CoalesceError> {
    Ok(to_tree(&from_tree(tree)?))
}

/// Helm's `CoalesceValues`: `values` (the user's) over the chart's defaults and its
/// subcharts', `null` deleting keys.
pub fn coalesce_values(
    chart: &Chart,
    values: &Map<String, Value>,
) -> Result<(Map<String, Value>, Warnings), CoalesceError> {
    let (tree, warnings) = coalesce_tree(chart, values, false)?;
    Ok((from_tree(&tree)?, warnings))
}

/// Helm's `MergeValues`: like [`coalesce_values`] but `null`s are kept.
pub fn merge_values(
    chart: &Chart,
    values: &Map<String, Value>,
) -> Result<(Map<String, Value>, Warnings), CoalesceError> {
    let (tree, warnings) = coalesce_tree(chart, values, true)?;
    Ok((from_tree(&tree)?, warnings))
}

/// [`coalesce_values`] (`merge` false) or [`merge_values`] (`merge` true), keeping the
/// result as a tree whose sharing callers may depend on (import-values does).
pub(crate) fn coalesce_tree(
    chart: &Chart,
    values: &Map<String, Value>,
    merge: bool,
) -> Result<(Tree, Warnings), CoalesceError> {
    let mut warnings = Warnings::new();
    let dest = to_tree(values);
    coalesce(&mut warnings, chart, &dest, "", merge)?;
    Ok((dest, warnings))
}

/// Helm's `CoalesceTables`: `src` under `dst`, `null` in `dst` deleting the key.
pub fn coalesce_tables(dst: &mut Map<String, Value>, src: Map<String, Value>) -> Warnings {
    tables_json(dst, src, false)
}

/// Helm's `MergeTables`: `src` under `dst`, `null`s kept.
pub fn merge_tables(dst: &mut Map<String, Value>, src: Map<String, Value>) -> Warnings {
    tables_json(dst, src, true)
}

fn tables_json(dst: &mut Map<String, Value>, src: Map<String, Value>, merge: bool) -> Warnings {
    let mut warnings = Warnings::new();
    let tree = to_tree(dst);
    merge_trees(&mut warnings, &tree, &to_tree(&src), merge);
    // Two trees without shared tables cannot link into a cycle.
    if let Ok(merged) = from_tree(&tree) {
        *dst = merged;
    }
    warnings
}

/// Helm's `MergeTables`/`CoalesceTables` on trees: `src` under `dst`, linking (not
/// copying) the tables of `src` that `dst` lacks.
pub(crate) fn merge_trees(warnings: &mut Warnings, dst: &Tree, src: &Tree, merge: bool) {
    coalesce_tables_full_key(warnings, dst, src, "", merge);
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
    dest: &Tree,
    prefix: &str,
    merge: bool,
) -> Result<(), CoalesceError> {
    coalesce_chart_values(warnings, chart, dest, prefix, merge);
    coalesce_dependencies(warnings, chart, dest, prefix, merge)
}

fn coalesce_dependencies(
    warnings: &mut Warnings,
    chart: &Chart,
    dest: &Tree,
    prefix: &str,
    merge: bool,
) -> Result<(), CoalesceError> {
    for subchart in &chart.dependencies {
        let name = subchart.name();
        let existing = dest.borrow().get(name).cloned();
        let section = match existing {
            None => {
                let section: Tree = Rc::default();
                dest.borrow_mut()
                    .insert(name.to_string(), Node::Table(section.clone()));
                section
            }
            Some(Node::Table(section)) => section,
            Some(Node::Leaf(other)) => {
                return Err(CoalesceError {
                    message: format!(
                        "type mismatch on {name}: {}",
                        gofmt::sprintf("%t", &[to_template_value(&other)])
                    ),
                });
            }
        };
        let sub_prefix = concat_prefix(prefix, chart.name());
        coalesce_globals(warnings, &section, dest, &sub_prefix);
        coalesce(warnings, subchart, &section, &sub_prefix, merge)?;
    }
    Ok(())
}

/// Copies the parent's globals into a subchart's section; the subchart's own globals win.
///
/// As in Helm, each of the parent's global tables is copied one level deep only: the
/// tables inside it stay shared with the parent (and with every other subchart), so what
/// coalescing later merges into them is seen by all of those.
fn coalesce_globals(warnings: &mut Warnings, dest: &Tree, src: &Tree, prefix: &str) {
    let dest_globals = match dest.borrow().get(GLOBAL_KEY) {
        None => Rc::default(),
        Some(Node::Table(globals)) => globals.clone(),
        Some(Node::Leaf(_)) => {
            warnings.push(format!(
                "warning: skipping globals because destination {GLOBAL_KEY} is not a table."
            ));
            return;
        }
    };
    let src_globals: Tree = match src.borrow().get(GLOBAL_KEY) {
        None => Rc::default(),
        Some(Node::Table(globals)) => globals.clone(),
        Some(Node::Leaf(_)) => {
            warnings.push(format!(
                "warning: skipping globals because source {GLOBAL_KEY} is not a table."
            ));
            return;
        }
    };
    let entries: Vec<(String, Node)> = src_globals
        .borrow()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (key, value) in entries {
        let current = dest_globals.borrow().get(&key).cloned();
        match value {
            Node::Table(table) => {
                // One level deep: the new table's values are the parent's.
                let copy: Tree = Rc::new(RefCell::new(table.borrow().clone()));
                match current {
                    None => {
                        dest_globals.borrow_mut().insert(key, Node::Table(copy));
                    }
                    Some(Node::Table(dest_table)) => {
                        // The parent's table goes under the subchart's: the subchart wins.
                        coalesce_tables_full_key(
                            warnings,
                            &copy,
                            &dest_table,
                            &concat_prefix(prefix, &key),
                            true,
                        );
                        dest_globals.borrow_mut().insert(key, Node::Table(copy));
                    }
                    Some(Node::Leaf(_)) => warnings.push(format!(
                        "Conflict: cannot merge map onto non-map for {key:?}. Skipping."
                    )),
                }
            }
            scalar => {
                if matches!(current, Some(Node::Table(_))) {
                    warnings.push(format!("key {key} is table. Skipping"));
                } else {
                    dest_globals.borrow_mut().insert(key, scalar);
                }
            }
        }
    }
    dest.borrow_mut()
        .insert(GLOBAL_KEY.to_string(), Node::Table(dest_globals));
}

/// The chart's own defaults (a fresh deep copy, as Helm takes) under `dest`.
fn coalesce_chart_values(
    warnings: &mut Warnings,
    chart: &Chart,
    dest: &Tree,
    prefix: &str,
    merge: bool,
) {
    let sub_prefix = concat_prefix(prefix, chart.name());
    let defaults = to_tree(&chart.values);
    let entries: Vec<(String, Node)> = defaults
        .borrow()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (key, default) in entries {
        let given = dest.borrow().get(&key).cloned();
        match given {
            Some(node) if node.is_null() && !merge => {
                dest.borrow_mut().remove(&key);
            }
            Some(Node::Table(given)) => match default {
                Node::Table(defaults) => {
                    // A subchart's section always merges, keeping its nulls for the
                    // subchart's own coalescing to act on.
                    let merge = merge || chart.dependencies.iter().any(|d| d.name() == key);
                    if !merge {
                        clean_nil_values(&defaults);
                    }
                    coalesce_tables_full_key(
                        warnings,
                        &given,
                        &defaults,
                        &concat_prefix(&sub_prefix, &key),
                        merge,
                    );
                }
                Node::Leaf(Value::Null) => {}
                Node::Leaf(_) => warnings.push(format!(
                    "warning: skipped value for {sub_prefix}.{key}: Not a table."
                )),
            },
            Some(Node::Leaf(_)) => {}
            None => {
                if !merge {
                    match &default {
                        Node::Leaf(Value::Null) => continue,
                        Node::Table(table) => clean_nil_values(table),
                        Node::Leaf(_) => {}
                    }
                }
                dest.borrow_mut().insert(key, default);
            }
        }
    }
}

/// Helm's `coalesceTablesFullKey`: `src` under `dst`. Tables of `src` that `dst` lacks
/// are linked into `dst`, not copied.
fn coalesce_tables_full_key(
    warnings: &mut Warnings,
    dst: &Tree,
    src: &Tree,
    prefix: &str,
    merge: bool,
) {
    tables_at_depth(warnings, dst, src, prefix, merge, 0);
}

/// Deeper than any real values tree: only a table linked into itself gets here (Helm
/// overflows its stack; [`from_tree`] reports the cycle afterwards).
const MAX_DEPTH: usize = 512;

fn tables_at_depth(
    warnings: &mut Warnings,
    dst: &Tree,
    src: &Tree,
    prefix: &str,
    merge: bool,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        warnings.push(format!(
            "warning: {prefix}: values nested too deep, not merged"
        ));
        return;
    }
    if Rc::ptr_eq(dst, src) {
        // The same table under itself: nothing to add, and Go's loop changes nothing.
        return;
    }
    let src_non_nil: std::collections::HashSet<String> = src
        .borrow()
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, _)| k.clone())
        .collect();
    // A null in dst marks the key for deletion even where src has no such key (Helm
    // writes the null into src itself).
    let nulls: Vec<String> = dst
        .borrow()
        .iter()
        .filter(|(_, v)| v.is_null())
        .map(|(k, _)| k.clone())
        .collect();
    for key in nulls {
        src.borrow_mut().insert(key, Node::Leaf(Value::Null));
    }
    let entries: Vec<(String, Node)> = src
        .borrow()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (key, value) in entries {
        let full_key = concat_prefix(prefix, &key);
        let existing = dst.borrow().get(&key).cloned();
        match existing {
            Some(node) if !merge && node.is_null() && src_non_nil.contains(&key) => {
                dst.borrow_mut().remove(&key);
            }
            None => {
                dst.borrow_mut().insert(key, value);
            }
            Some(existing) => match (existing.as_table(), value) {
                (Some(dst_table), Node::Table(src_table)) => {
                    tables_at_depth(warnings, dst_table, &src_table, &full_key, merge, depth + 1);
                }
                (None, Node::Table(src_table)) => warnings.push(format!(
                    "warning: cannot overwrite table with non table for {full_key} ({})",
                    go_print(&Node::Table(src_table))
                )),
                (Some(_), value) if !value.is_null() => warnings.push(format!(
                    "warning: destination for {full_key} is a table. Ignoring non-table value ({})",
                    go_print(&value)
                )),
                _ => {}
            },
        }
    }
}

/// Helm's `cleanNilValues`: drops `null`s from a table and its tables, in place.
fn clean_nil_values(table: &Tree) {
    table.borrow_mut().retain(|_, value| !value.is_null());
    let children: Vec<Tree> = table
        .borrow()
        .values()
        .filter_map(|v| v.as_table().cloned())
        .collect();
    for child in children {
        if !Rc::ptr_eq(&child, table) {
            clean_nil_values(&child);
        }
    }
}

/// How Go's `%v` prints a values tree, for warnings.
fn go_print(node: &Node) -> String {
    match node {
        Node::Leaf(value) => to_template_value(value).to_string(),
        Node::Table(tree) => match from_tree(tree) {
            Ok(map) => to_template_value(&Value::Object(map)).to_string(),
            Err(_) => "map[...]".to_string(),
        },
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
