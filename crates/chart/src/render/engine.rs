//! Helm's engine (`pkg/engine/engine.go`): every template of a chart and of its enabled
//! subcharts parsed into ONE set (so any chart can `include` any other chart's defines),
//! then each non-partial file executed with its own chart's view of the values.
//!
//! What each template sees, as Helm builds it:
//! - `.Values`: the top chart's coalesced values; a subchart's own section of its
//!   parent's `.Values` (an empty map when there is none). Globals are already copied into
//!   each section by coalescing.
//! - `.Chart`: the chart's metadata with `IsRoot`; `.Files`: that chart's files;
//!   `.Release` and `.Capabilities`: shared; `.Subcharts`: the same view for each direct
//!   subchart; `.Template`: `{Name, BasePath}` of the file being rendered.
//! - Files are parsed deepest path first, then in reverse lexical order; a later
//!   definition of a name replaces an earlier one, which is how a parent's define
//!   overrides a subchart's.
//! - Library charts contribute their `_` files only; files named `_*` define but never
//!   render; Go's `<no value>` is removed from each rendered file.

use std::collections::BTreeMap;

use helmpilot_template::{
    helm_error_text, remove_no_value, Error, Limits, Map, MissingKey, Templates, Value,
};

use super::files::Files;
use super::objects::{self, VALUES_TYPE};
use crate::chart::Chart;
use crate::funcs::{helm_functions_with, FunctionEnv};

/// A template failed to parse or execute.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct RenderError {
    /// Helm's text (`parse error at (...)`, `execution error at (...)`, ...).
    pub message: String,
    /// The chart path of the file being parsed or rendered when it failed.
    pub template: String,
    /// The engine's error, with the location for a code frame.
    pub source: Error,
    /// Every template's text by name, to show the failing lines.
    pub sources: BTreeMap<String, String>,
}

/// The parts of the render values every chart shares (Helm's `ToRenderValues`).
#[derive(Clone)]
pub struct TopValues {
    /// `.Release`.
    pub release: Value,
    /// `.Capabilities`.
    pub capabilities: Value,
    /// The coalesced values of the top chart.
    pub values: Value,
}

/// One file to parse, with the values it renders against.
struct Renderable {
    source: String,
    values: Map,
    base_path: String,
}

/// Renders `chart` (after dependency processing) as Helm's `engine.Render`: template path
/// (`<chart>/templates/x.yaml`, `<chart>/charts/<sub>/templates/x.yaml`) to output, for
/// every file that renders (NOTES.txt included, partials excluded).
///
/// ```
/// use helmpilot_chart::chart::{Chart, ChartFile};
/// use helmpilot_chart::funcs::FunctionEnv;
/// use helmpilot_chart::render::engine::{render, TopValues};
/// use helmpilot_template::{Map, Value};
/// let mut chart = Chart::default();
/// chart.metadata.name = "web".into();
/// chart.templates.push(ChartFile { name: "templates/cm.yaml".into(),
///     data: b"name: {{ .Release.Name }}-{{ .Values.x }}".to_vec().into() });
/// let release = Map::new();
/// release.insert("Name", Value::from("demo"));
/// let values = Map::new();
/// values.insert("x", Value::from("a"));
/// let top = TopValues { release: Value::Map(release), capabilities: Value::Nil,
///                       values: Value::Map(values) };
/// let out = render(&chart, &top, FunctionEnv::default(), Default::default()).unwrap();
/// assert_eq!(out["web/templates/cm.yaml"], "name: demo-a");
/// ```
pub fn render(
    chart: &Chart,
    top: &TopValues,
    env: FunctionEnv,
    limits: Limits,
) -> Result<BTreeMap<String, String>, RenderError> {
    let mut renderables = BTreeMap::new();
    let root_parent = Map::new();
    root_parent.insert("Values", top.values.clone());
    collect(
        chart,
        chart.name(),
        true,
        top,
        &root_parent,
        &mut renderables,
    );

    let mut set = Templates::with_functions(helm_functions_with(env));
    set.set_name("gotpl");
    set.set_missing_key(MissingKey::Zero);
    set.set_limits(limits);

    let order = parse_order(renderables.keys());
    for name in &order {
        let renderable = &renderables[*name];
        set.parse(name, &renderable.source)
            .map_err(|source| failure(name, source, &renderables))?;
    }

    let mut rendered = BTreeMap::new();
    for name in order {
        if is_partial(name) {
            continue;
        }
        let renderable = &renderables[name];
        renderable
            .values
            .insert("Template", objects::template(name, &renderable.base_path));
        let output = set
            .execute(name, &Value::Map(renderable.values.clone()))
            .map_err(|source| failure(name, source, &renderables))?;
        rendered.insert(name.clone(), remove_no_value(output));
    }
    Ok(rendered)
}

fn failure(name: &str, source: Error, renderables: &BTreeMap<String, Renderable>) -> RenderError {
    RenderError {
        message: helm_error_text(name, &source),
        template: name.to_string(),
        source,
        sources: renderables
            .iter()
            .map(|(name, r)| (name.clone(), r.source.clone()))
            .collect(),
    }
}

/// Helm's `recAllTpls`: builds the chart's values view, recurses into subcharts, and
/// registers the chart's templates. Returns the view (it becomes `.Subcharts.<name>`).
fn collect(
    chart: &Chart,
    full_path: &str,
    is_root: bool,
    top: &TopValues,
    parent: &Map,
    renderables: &mut BTreeMap<String, Renderable>,
) -> Map {
    // A subchart sees its own table of the parent's values, or an empty one.
    let section = if is_root {
        Some(top.values.clone())
    } else {
        match parent.get("Values") {
            Some(Value::Map(parent_values)) => parent_values
                .get(chart.name())
                .filter(|own| matches!(own, Value::Map(_))),
            _ => None,
        }
    };
    let values = match section {
        Some(Value::Map(map)) => Value::Map(map.with_type_name(VALUES_TYPE)),
        Some(other) => other,
        None => Value::Map(Map::new().with_type_name(VALUES_TYPE)),
    };
    let subcharts = Map::new();
    let view = objects::scope(
        objects::chart(&chart.metadata, is_root),
        Value::Object(std::sync::Arc::new(Files::new(&chart.files))),
        top.release.clone(),
        top.capabilities.clone(),
        values,
        subcharts.clone(),
    );

    for subchart in &chart.dependencies {
        let sub_path = format!("{full_path}/charts/{}", subchart.name());
        let sub_view = collect(subchart, &sub_path, false, top, &view, renderables);
        subcharts.insert(subchart.name(), Value::Map(sub_view));
    }

    let is_library = chart.metadata.chart_type == "library";
    for file in &chart.templates {
        if is_library && !base_name(&file.name).starts_with('_') {
            continue;
        }
        renderables.insert(
            format!("{full_path}/{}", file.name),
            Renderable {
                source: String::from_utf8_lossy(&file.data).into_owned(),
                values: view.clone(),
                base_path: format!("{full_path}/templates"),
            },
        );
    }
    view
}

fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Whether a template file only defines templates and never renders (`_helpers.tpl`).
///
/// ```
/// assert!(helmpilot_chart::render::engine::is_partial("web/templates/_helpers.tpl"));
/// ```
pub fn is_partial(path: &str) -> bool {
    base_name(path).starts_with('_')
}

/// Helm's `sortTemplates`, the order templates are parsed (and rendered) in: deepest
/// paths first, then reverse lexical order, so a later definition of a name wins.
///
/// ```
/// let names = ["c/templates/a.yaml".to_string(), "c/charts/s/templates/b.yaml".to_string()];
/// let order = helmpilot_chart::render::engine::parse_order(names.iter());
/// assert_eq!(order[0], "c/charts/s/templates/b.yaml");
/// ```
pub fn parse_order<'a>(names: impl Iterator<Item = &'a String>) -> Vec<&'a String> {
    let mut names: Vec<&String> = names.collect();
    names.sort_by(|a, b| {
        b.matches('/')
            .count()
            .cmp(&a.matches('/').count())
            .then_with(|| b.cmp(a))
    });
    names
}
