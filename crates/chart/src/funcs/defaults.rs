//! Sprig's defaults and truthiness helpers: `default`, `empty`, `coalesce`, `all`, `any`,
//! `ternary`.

use helmpilot_template::{Function, Functions, GoType, Signature, Value};

use super::cast::is_empty;

pub(super) fn register(funcs: &mut Functions) {
    // default(d interface{}, given ...interface{}): the first given value unless it is
    // missing or empty.
    funcs.insert(
        "default",
        Function::new(
            Signature::variadic(&[GoType::Any], GoType::Any),
            |_, args| {
                Ok(match args.get(1) {
                    Some(given) if !is_empty(given) => given.clone(),
                    _ => args[0].clone(),
                })
            },
        ),
    );
    funcs.insert(
        "empty",
        Function::new(Signature::fixed(&[GoType::Any]), |_, args| {
            Ok(Value::Bool(is_empty(&args[0])))
        }),
    );
    funcs.insert(
        "coalesce",
        Function::new(Signature::variadic(&[], GoType::Any), |_, args| {
            Ok(args
                .iter()
                .find(|v| !is_empty(v))
                .cloned()
                .unwrap_or(Value::Nil))
        }),
    );
    funcs.insert(
        "all",
        Function::new(Signature::variadic(&[], GoType::Any), |_, args| {
            Ok(Value::Bool(args.iter().all(|v| !is_empty(v))))
        }),
    );
    funcs.insert(
        "any",
        Function::new(Signature::variadic(&[], GoType::Any), |_, args| {
            Ok(Value::Bool(args.iter().any(|v| !is_empty(v))))
        }),
    );
    // ternary(vt, vf interface{}, v bool)
    funcs.insert(
        "ternary",
        Function::new(
            Signature::fixed(&[GoType::Any, GoType::Any, GoType::Bool]),
            |_, args| {
                let chosen = if args[2].is_true() {
                    &args[0]
                } else {
                    &args[1]
                };
                Ok(chosen.clone())
            },
        ),
    );
}
