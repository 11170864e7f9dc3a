//! Helm charts for helmpilot. Today: Helm's template function library ([`funcs`]), which
//! chart rendering builds on, and Masterminds-compatible [`semver`] versions and
//! constraints (`semverCompare` now; `kubeVersion` and dependency ranges next).
//!
//! ```
//! use helmpilot_chart::funcs::helm_functions;
//! use helmpilot_template::{Templates, Value};
//! let mut set = Templates::with_functions(helm_functions());
//! set.parse("t", r#"{{ default "web" .name }}"#).unwrap();
//! assert_eq!(set.execute("t", &Value::Map(Default::default())).unwrap(), "web");
//! ```

pub mod chart;
pub mod funcs;
mod gostruct;
pub mod manifest;
pub mod render;
pub mod semver;
pub mod template;
pub mod values;
