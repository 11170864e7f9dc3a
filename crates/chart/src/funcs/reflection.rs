//! Sprig's reflection functions: `typeOf`, `typeIs`, `typeIsLike`, `kindOf`, `kindIs`
//! and `deepEqual`.
//!
//! Types are Go's `%T` names (`int` for template literals, `float64` for every number
//! from values, `common.Values` for Helm's `.Values`, `<nil>` for nil); kinds are
//! `reflect.Kind` names (`map`, `slice`, `ptr`, `struct`, `invalid` for nil). `deepEqual`
//! is `reflect.DeepEqual`: values of different Go types are never equal (`1` is not
//! `1.0`, an `int` is not an `int64`, a `map[string]interface {}` is not a
//! `common.Values`), floats compare with `==` (NaN differs from itself unless both sides
//! are the very same list or map), functions are never equal.

use std::collections::HashSet;
use std::sync::Arc;

use helmpilot_template::{Function, Functions, GoType, Map, Signature, Value};

use super::FunctionEnv;

pub(super) fn register(funcs: &mut Functions, _env: &Arc<FunctionEnv>) {
    funcs.insert(
        "typeOf",
        Function::new(Signature::fixed(&[GoType::Any]), |_, args| {
            Ok(Value::from(args[0].type_name()))
        }),
    );
    funcs.insert(
        "kindOf",
        Function::new(Signature::fixed(&[GoType::Any]), |_, args| {
            Ok(Value::from(args[0].kind_name()))
        }),
    );
    // typeIs(target string, src interface{}) bool
    funcs.insert(
        "typeIs",
        Function::new(
            Signature::fixed(&[GoType::String, GoType::Any]),
            |_, args| Ok(Value::Bool(target(args) == args[1].type_name())),
        ),
    );
    // typeIsLike: the type or a pointer to it.
    funcs.insert(
        "typeIsLike",
        Function::new(
            Signature::fixed(&[GoType::String, GoType::Any]),
            |_, args| {
                let actual = args[1].type_name();
                let target = target(args);
                Ok(Value::Bool(
                    actual == target || actual.strip_prefix('*') == Some(target),
                ))
            },
        ),
    );
    funcs.insert(
        "kindIs",
        Function::new(
            Signature::fixed(&[GoType::String, GoType::Any]),
            |_, args| Ok(Value::Bool(target(args) == args[1].kind_name())),
        ),
    );
    funcs.insert(
        "deepEqual",
        Function::new(Signature::fixed(&[GoType::Any, GoType::Any]), |_, args| {
            Ok(Value::Bool(deep_equal(&args[0], &args[1])))
        }),
    );
}

/// The first argument, a string by the function's signature.
fn target(args: &[Value]) -> &str {
    args[0].as_str().unwrap_or_default()
}

/// Go's `reflect.DeepEqual` on template values.
///
/// Iterative, so that deeply nested values cannot exhaust the stack, and like Go it
/// compares each pair of lists or maps once, so that values containing themselves (Sprig's
/// `set` can make them) terminate and shared parts are not compared again and again.
/// Host objects cannot show their fields, so two objects are equal when they are the same
/// object, or of the same type and printed alike (Go compares the fields).
fn deep_equal(a: &Value, b: &Value) -> bool {
    let mut pending = vec![(a.clone(), b.clone())];
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    while let Some((a, b)) = pending.pop() {
        if a.type_name() != b.type_name() {
            return false;
        }
        let equal = match (&a, &b) {
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(x), Value::Bool(y)) => x == y,
            (Value::Int(x, _), Value::Int(y, _)) => x == y,
            (Value::Uint(x, _), Value::Uint(y, _)) => x == y,
            (Value::Float(x), Value::Float(y)) => x == y,
            (Value::Complex(xr, xi), Value::Complex(yr, yi)) => xr == yr && xi == yi,
            (Value::String(x), Value::String(y)) => x == y,
            (Value::Bytes(x), Value::Bytes(y)) => x == y,
            (Value::List(x), Value::List(y)) => {
                if x.len() != y.len() || x.is_nil() != y.is_nil() {
                    false
                } else {
                    let key = (x.items().as_ptr() as usize, y.items().as_ptr() as usize);
                    // The same storage is equal to itself (Go's shortcut, NaN included).
                    if !x.ptr_eq(y) && !x.is_empty() && seen.insert(key) {
                        pending.extend(x.items().iter().cloned().zip(y.items().iter().cloned()));
                    }
                    true
                }
            }
            (Value::Map(x), Value::Map(y)) => {
                let key = (map_address(x), map_address(y));
                if x.ptr_eq(y) || !seen.insert(key) {
                    true
                } else {
                    // Snapshots: no lock is held while the values are compared.
                    let (xs, ys) = (x.entries(), y.entries());
                    let same_keys =
                        xs.len() == ys.len() && xs.iter().zip(&ys).all(|((p, _), (q, _))| p == q);
                    if same_keys {
                        pending.extend(xs.into_iter().zip(ys).map(|((_, p), (_, q))| (p, q)));
                    }
                    same_keys
                }
            }
            (Value::Object(x), Value::Object(y)) => Arc::ptr_eq(x, y) || x.format() == y.format(),
            // Go: functions are equal only when both are nil.
            _ => false,
        };
        if !equal {
            return false;
        }
    }
    true
}

/// Where a map's entries live: the identity of the Go map.
fn map_address(m: &Map) -> usize {
    &*m.read() as *const _ as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use helmpilot_template::List;

    #[test]
    fn deep_equal_follows_go_types() {
        assert!(!deep_equal(&Value::int(1), &Value::Float(1.0)));
        assert!(!deep_equal(&Value::int(1), &Value::int64(1)));
        assert!(!deep_equal(
            &Value::Float(f64::NAN),
            &Value::Float(f64::NAN)
        ));
        let nan_list = Value::List(List::new(vec![Value::Float(f64::NAN)]));
        assert!(deep_equal(&nan_list, &nan_list.clone()));
        let strings = Value::List(List::strings(["a"]));
        let interfaces = Value::List(List::new(vec![Value::from("a")]));
        assert!(!deep_equal(&strings, &interfaces));
        let a = Map::new();
        a.insert("k", Value::List(List::new(vec![Value::Nil])));
        let b = Map::new();
        b.insert("k", Value::List(List::new(vec![Value::Nil])));
        assert!(deep_equal(&Value::Map(a.clone()), &Value::Map(b.clone())));
        b.insert("l", Value::Nil);
        assert!(!deep_equal(&Value::Map(a), &Value::Map(b)));
    }

    #[test]
    fn deep_equal_terminates_on_cycles_and_depth() {
        let (a, b) = (Map::new(), Map::new());
        a.insert("self", Value::Map(a.clone()));
        b.insert("self", Value::Map(b.clone()));
        assert!(deep_equal(&Value::Map(a), &Value::Map(b)));
        let (mut x, mut y) = (Value::Nil, Value::Nil);
        for _ in 0..200_000 {
            x = Value::List(List::new(vec![x]));
            y = Value::List(List::new(vec![y]));
        }
        assert!(deep_equal(&x, &y));
        // Dropping deeply nested lists recurses; keep them alive past the test's check.
        std::mem::forget((x, y));
    }
}
