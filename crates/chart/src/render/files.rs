//! placeholder until `.Files` lands.

use helmpilot_template::{Map, Value};

use crate::chart::ChartFile;

/// `.Files`.
pub fn files_value(files: &[ChartFile]) -> Value {
    let _ = files;
    Value::Map(Map::new())
}
