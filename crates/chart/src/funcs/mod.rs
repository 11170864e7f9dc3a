//! Helm's template functions: Sprig's text function map (without `env` and `expandenv`)
//! plus Helm's own, each with the Go signature Helm registers it with, so argument
//! checks and errors come out as Helm's.
//!
//! Families live in their own modules, as in Sprig's sources; [`cast`] holds the value
//! conversions they share (Sprig's `toInt`, `strval`, ... through spf13/cast). Everything
//! a function needs besides its arguments (seed, clock, cluster) comes from the
//! [`FunctionEnv`].

pub mod cast;
mod crypto;
mod dates;
pub(crate) use dates::parse_rfc3339;
mod defaults;
mod dicts;
pub(crate) mod encoding;
mod env;
mod helm;
mod json;
mod lists;
mod math;
mod network;
pub(crate) mod paths;
mod random;
mod reflection;
mod regexp;
mod semver;
mod strings;
mod toml;
mod yaml;

use std::sync::Arc;

use helmpilot_template::Functions;

pub use env::{FunctionEnv, HostResolver, LookupResolver, NoDns, Offline, Timestamp};

/// Helm's function library with the default environment ([`FunctionEnv::default`]).
///
/// ```
/// let funcs = helmpilot_chart::funcs::helm_functions();
/// assert!(funcs.contains("default") && funcs.contains("slice"));
/// ```
pub fn helm_functions() -> Functions {
    helm_functions_with(FunctionEnv::default())
}

/// Helm's function library drawing on `env` for randomness, time and lookups.
///
/// ```
/// use helmpilot_chart::funcs::{helm_functions_with, FunctionEnv};
/// let funcs = helm_functions_with(FunctionEnv::for_release("web", "prod", "web-chart"));
/// assert!(funcs.contains("default"));
/// ```
pub fn helm_functions_with(env: FunctionEnv) -> Functions {
    let env = Arc::new(env);
    let mut funcs = Functions::new();
    defaults::register(&mut funcs);
    lists::register(&mut funcs);
    for register in [
        strings::register,
        regexp::register,
        encoding::register,
        math::register,
        dicts::register,
        json::register,
        yaml::register,
        semver::register,
        dates::register,
        crypto::register,
        random::register,
        helm::register,
        paths::register,
        reflection::register,
        network::register,
        toml::register,
    ] {
        register(&mut funcs, &env);
    }
    for name in INTERFACE_RESULTS {
        if let Some(function) = funcs.get(name).cloned() {
            let signature = function.signature.clone().returning_interface();
            funcs.insert(*name, function.with_signature(signature));
        }
    }
    funcs
}

/// Functions Go declares with an `interface {}` result (Sprig's, and Helm's `required`).
const INTERFACE_RESULTS: &[&str] = &[
    "default",
    "coalesce",
    "ternary",
    "get",
    "merge",
    "mustMerge",
    "mergeOverwrite",
    "mustMergeOverwrite",
    "deepCopy",
    "mustDeepCopy",
    "dig",
    "first",
    "mustFirst",
    "last",
    "mustLast",
    "slice",
    "mustSlice",
    "concat",
    "mustFromJson",
    "required",
];
