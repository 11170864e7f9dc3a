//! Helm's own functions: `include`, `tpl`, `required`, `fail` and `lookup`, as Helm
//! v4's engine binds them for a render (`pkg/engine/engine.go`).
//!
//! Quirks reproduced:
//! - `include` counts, per template name, the includes in progress and refuses the
//!   1002nd nested one (Helm's limit of 1000 is checked against the count before it is
//!   raised) with Helm's text. Helm keeps the count in a map shared by one render;
//!   function bodies have no per-render storage, so it lives in a thread local (a render
//!   runs on one thread and nested includes run on the caller's thread) and is restored
//!   on every way out of an include, errors and panics included.
//! - `include` output keeps Go's `<no value>` (Helm removes it only from whole files),
//!   `tpl` output has it removed.
//! - `tpl` parses its text as a template named `gotpl` (Helm names it after the parent
//!   template, which is always the `gotpl` set) with the chart's templates in scope; a
//!   parse error reads `cannot parse template "TEXT": ...`, an execution error
//!   `error during tpl function execution for "TEXT": ...`.
//! - `required` and `fail` wrap their message in Helm's `HELM_ERR_START`/`HELM_ERR_END`
//!   markers; Helm's error formatting then shows only the message and the location of
//!   the outermost call (see `helmpilot_template::helm_error_text`). `required` fails on
//!   nil and on the empty string only (`0`, `false` and empty lists pass).
//! - `lookup` asks the environment's [`LookupResolver`](super::LookupResolver); offline
//!   it answers an empty map, as `helm template` does.

use crate::funcs::cast::str_arg;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use helmpilot_template::{
    gofmt, remove_no_value, Error, ErrorInfo, ErrorKind, Function, Functions, GoType, Signature,
    Value,
};

use super::FunctionEnv;

/// Helm's `recursionMaxNums`: an include fails when more than this many includes of the
/// same name are in progress (so 1001 nest, the 1002nd fails).
const RECURSION_MAX: u32 = 1000;

/// The name Helm gives every template `tpl` parses.
const TPL_NAME: &str = "gotpl";

/// Helm's markers around `required`/`fail` messages (`warnWrap`).
const WARN_START: &str = "HELM_ERR_START";
const WARN_END: &str = "HELM_ERR_END";

thread_local! {
    /// Includes in progress on this thread, per template name (Helm's `includedNames`).
    static INCLUDES_IN_PROGRESS: RefCell<HashMap<String, u32>> = RefCell::new(HashMap::new());
}

/// One include in progress: counted when created, uncounted when dropped, so the count
/// is restored however the include ends.
struct IncludeGuard {
    name: String,
}

impl IncludeGuard {
    /// Counts an include of `name`, or fails as Helm does when too many are in progress.
    fn enter(name: &str) -> Result<IncludeGuard, Error> {
        INCLUDES_IN_PROGRESS.with(|counts| {
            let mut counts = counts.borrow_mut();
            let count = counts.entry(name.to_string()).or_insert(0);
            if *count > RECURSION_MAX {
                return Err(Error::function(format!(
                    "rendering template has a nested reference name: {name}: \
                     unable to execute template"
                )));
            }
            *count += 1;
            Ok(IncludeGuard {
                name: name.to_string(),
            })
        })
    }
}

impl Drop for IncludeGuard {
    fn drop(&mut self) {
        // `try_with`: during thread teardown the map may already be gone, and then there
        // is nothing left to restore.
        let _ = INCLUDES_IN_PROGRESS.try_with(|counts| {
            let mut counts = counts.borrow_mut();
            if let Some(count) = counts.get_mut(&self.name) {
                *count -= 1;
                if *count == 0 {
                    counts.remove(&self.name);
                }
            }
        });
    }
}

/// An error that reads `message: cause`, as Go's `fmt.Errorf("message: %w", cause)`.
fn wrap(message: String, cause: Error) -> Error {
    Error::from(ErrorInfo {
        kind: ErrorKind::Function,
        message,
        template: None,
        location: None,
        context: None,
        cause: Some(cause),
    })
}

/// `required`/`fail`'s error: the message between Helm's markers.
fn warning(message: &str) -> Error {
    Error::function(format!("{WARN_START}{message}{WARN_END}"))
}

pub(super) fn register(funcs: &mut Functions, env: &Arc<FunctionEnv>) {
    // include(name string, data interface{}) (string, error)
    funcs.insert(
        "include",
        Function::new(
            Signature::fixed(&[GoType::String, GoType::Any]),
            |ctx, args| {
                let name = str_arg(&args[0]);
                let _guard = IncludeGuard::enter(name)?;
                ctx.execute_template(name, &args[1]).map(Value::from)
            },
        ),
    );
    // tpl(text string, data interface{}) (string, error)
    funcs.insert(
        "tpl",
        Function::new(
            Signature::fixed(&[GoType::String, GoType::Any]),
            |ctx, args| {
                let text = str_arg(&args[0]);
                match ctx.execute_text(TPL_NAME, text, &args[1]) {
                    Ok(output) => Ok(Value::from(remove_no_value(output))),
                    Err(err) if err.kind == ErrorKind::Parse => Err(wrap(
                        format!("cannot parse template {}", gofmt::quote(text)),
                        err,
                    )),
                    Err(err) => Err(wrap(
                        format!(
                            "error during tpl function execution for {}",
                            gofmt::quote(text)
                        ),
                        err,
                    )),
                }
            },
        ),
    );
    // required(warn string, val interface{}) (interface{}, error)
    funcs.insert(
        "required",
        Function::new(
            Signature::fixed(&[GoType::String, GoType::Any]),
            |_, args| match &args[1] {
                Value::Nil => Err(warning(str_arg(&args[0]))),
                Value::String(s) if s.is_empty() => Err(warning(str_arg(&args[0]))),
                value => Ok(value.clone()),
            },
        ),
    );
    // fail(msg string) (string, error)
    funcs.insert(
        "fail",
        Function::new(Signature::fixed(&[GoType::String]), |_, args| {
            Err(warning(str_arg(&args[0])))
        }),
    );
    // lookup(apiVersion, kind, namespace, name string) (map[string]interface{}, error)
    let lookup_env = env.clone();
    funcs.insert(
        "lookup",
        Function::new(Signature::fixed(&[GoType::String; 4]), move |_, args| {
            lookup_env
                .lookup
                .lookup(
                    str_arg(&args[0]),
                    str_arg(&args[1]),
                    str_arg(&args[2]),
                    str_arg(&args[3]),
                )
                .map_err(Error::function)
        }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn in_progress(name: &str) -> u32 {
        INCLUDES_IN_PROGRESS.with(|c| c.borrow().get(name).copied().unwrap_or(0))
    }

    #[test]
    fn include_counts_are_restored() {
        {
            let _a = IncludeGuard::enter("x").unwrap();
            let _b = IncludeGuard::enter("x").unwrap();
            assert_eq!(in_progress("x"), 2);
        }
        assert_eq!(in_progress("x"), 0);
    }

    #[test]
    fn the_1002nd_nested_include_fails() {
        let guards: Vec<IncludeGuard> = (0..=RECURSION_MAX)
            .map(|_| IncludeGuard::enter("deep").unwrap())
            .collect();
        let err = IncludeGuard::enter("deep").err().unwrap();
        assert_eq!(
            err.to_string(),
            "rendering template has a nested reference name: deep: unable to execute template"
        );
        drop(guards);
        assert!(IncludeGuard::enter("deep").is_ok());
    }
}
