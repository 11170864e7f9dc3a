//! Helm charts for helmpilot, rendered as Helm v4.2.3 renders them: [`chart`] loads a
//! chart directory or `.tgz` and processes its dependencies, [`values`] merges and
//! coalesces values and validates them against `values.schema.json`, [`render`] runs
//! Helm's engine with the built-in objects and [`funcs`] (Helm's template function
//! library), [`manifest`] sorts and prints the result, and [`template`] is
//! `helm template`'s whole pipeline. [`semver`] is Masterminds' versions and constraints.
//!
//! ```no_run
//! use helmpilot_chart::chart::load;
//! use helmpilot_chart::template::{template, TemplateOptions};
//! let chart = load(std::path::Path::new("fixtures/charts/fraud-detector")).unwrap();
//! let values = serde_json::Map::new();
//! print!("{}", template(chart, &values, &TemplateOptions::default()).unwrap().text);
//! ```

pub mod chart;
pub mod funcs;
mod gostruct;
pub mod manifest;
pub mod render;
pub mod semver;
pub mod template;
pub mod values;
