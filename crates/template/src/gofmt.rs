//! Go's fmt printing (stub; being written).
use crate::value::Value;
pub fn sprint(_args: &[Value]) -> String { String::new() }
pub fn sprintln(_args: &[Value]) -> String { String::new() }
pub fn sprintf(_format: &str, _args: &[Value]) -> String { String::new() }
