//! semver and semverCompare (Masterminds/semver constraints).

use std::sync::Arc;

use helmpilot_template::Functions;

use super::FunctionEnv;

pub(super) fn register(_funcs: &mut Functions, _env: &Arc<FunctionEnv>) {}
