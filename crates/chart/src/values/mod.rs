//! Values: Helm's coalescing of chart defaults, parent values and user values, the
//! `--set` family (strvals), the user-supplied values options, and JSON Schema validation.
//!
//! Values trees are `serde_json` maps, as Helm's are `map[string]interface{}` built by
//! JSON decoding: numbers read from YAML or JSON are float64 (`Number::from_f64`), while
//! `--set x=1` makes an int64 (`Number::from(i64)`); rendering keeps that difference.

pub mod options;
pub mod schema;
pub mod strvals;
