//! Sprig's integer and float math and number conversions.

use std::sync::Arc;

use helmpilot_template::Functions;

use super::FunctionEnv;

pub(super) fn register(_funcs: &mut Functions, _env: &Arc<FunctionEnv>) {}
