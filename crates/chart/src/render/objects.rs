//! placeholder until the built-in objects land: minimal `.Chart` and `.Capabilities`.

use helmpilot_template::{Map, Value};

use crate::chart::Metadata;

/// `.Chart`: Helm's metadata as a map with Go field names.
pub fn chart_value(metadata: &Metadata) -> Value {
    let map = Map::new();
    map.insert("Name", Value::from(metadata.name.as_str()));
    map.insert("Version", Value::from(metadata.version.as_str()));
    map.insert("AppVersion", Value::from(metadata.app_version.as_str()));
    Value::Map(map)
}
