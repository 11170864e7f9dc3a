//! Sprig's base64 and base32 functions.

use std::sync::Arc;

use helmpilot_template::Functions;

use super::FunctionEnv;

pub(super) fn register(_funcs: &mut Functions, _env: &Arc<FunctionEnv>) {}
