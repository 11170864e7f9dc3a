//! Rendering a chart: the built-in objects (`.Release`, `.Chart`, `.Files`,
//! `.Capabilities`, `.Template`) and Helm's engine over the chart and its subcharts.

pub mod engine;
pub mod files;
pub mod objects;
