//! Sprig's list functions: `list`/`tuple`, `append`, `prepend`, `first`, `rest`, `last`,
//! `initial`, `reverse`, `uniq`, `without`, `has`, `compact`, `chunk`, `concat`,
//! `sortAlpha` and `slice`, each with its `must` twin where Sprig has one. In Helm,
//! Sprig's `slice` replaces Go's builtin of that name.
//!
//! Go quirks reproduced here:
//! - Sprig works on any Go slice through reflection: `[]interface {}` from YAML and `list`,
//!   `[]string` from `splitList` or `keys`, and `[]byte` (a list of `uint8`). Every other
//!   kind is an error naming the reflect kind (`Cannot find first on type string`), and nil
//!   fails the way Go's `reflect.TypeOf(nil).Kind()` does, with a nil pointer dereference.
//! - The non-`must` functions panic where their twins return an error; text/template
//!   turns both into the same `error calling NAME: ...`, so the twins share one body.
//! - Whatever the input type, the results are `[]interface {}` (except `slice`, which
//!   keeps the type, and `sortAlpha`, which always gives `[]string`).
//! - `uniq`, `without` and `has` compare with `reflect.DeepEqual`: types must match
//!   exactly, so `1` (an `int` literal) is not `1.0` (a `float64` from values).
//! - `chunk` computes its chunk count with float64 arithmetic; a zero or negative size
//!   makes Go's `make` fail with `makeslice: len out of range` (or, for a few negative
//!   sizes, succeed oddly), reproduced number for number.
//!
//! Not representable with our values (see the conformance corpus' known divergences): Go
//! tells a nil slice from an empty one (`toJson (rest list)` is `null`), `chunk` returns a
//! `[][]interface {}`, and `sortAlpha` sorts a `[]string` argument in place.

use std::borrow::Cow;

use helmpilot_template::{
    Error, Function, Functions, GoType, List, ListType, Signature, UintType, Value,
};

use super::cast::{is_empty, strval, to_int64};

pub(super) fn register(funcs: &mut Functions) {
    let list = Function::new(Signature::variadic(&[], GoType::Any), |_, args| {
        Ok(Value::List(List::new(args.to_vec())))
    });
    insert_all(funcs, &["list", "tuple"], list);

    // push(list interface{}, v interface{}) []interface{}
    insert_all(
        funcs,
        &["append", "push", "mustAppend", "mustPush"],
        Function::new(Signature::fixed(&[GoType::Any, GoType::Any]), |_, args| {
            let mut items =
                elements(&args[0], |k| format!("Cannot push on type {k}"))?.into_owned();
            items.push(args[1].clone());
            Ok(Value::List(List::new(items)))
        }),
    );
    insert_all(
        funcs,
        &["prepend", "mustPrepend"],
        Function::new(Signature::fixed(&[GoType::Any, GoType::Any]), |_, args| {
            let items = elements(&args[0], |k| format!("Cannot prepend on type {k}"))?;
            let mut result = Vec::with_capacity(items.len() + 1);
            result.push(args[1].clone());
            result.extend(items.iter().cloned());
            Ok(Value::List(List::new(result)))
        }),
    );
    insert_all(
        funcs,
        &["first", "mustFirst"],
        Function::new(Signature::fixed(&[GoType::Any]), |_, args| {
            let items = elements(&args[0], |k| format!("Cannot find first on type {k}"))?;
            Ok(items.first().cloned().unwrap_or(Value::Nil))
        }),
    );
    insert_all(
        funcs,
        &["last", "mustLast"],
        Function::new(Signature::fixed(&[GoType::Any]), |_, args| {
            let items = elements(&args[0], |k| format!("Cannot find last on type {k}"))?;
            Ok(items.last().cloned().unwrap_or(Value::Nil))
        }),
    );
    insert_all(
        funcs,
        &["rest", "mustRest"],
        Function::new(Signature::fixed(&[GoType::Any]), |_, args| {
            let items = elements(&args[0], |k| format!("Cannot find rest on type {k}"))?;
            // Sprig returns a nil slice for an empty list (JSON `null`).
            Ok(Value::List(match items.get(1..) {
                Some(rest) => List::new(rest.to_vec()),
                None => List::nil(ListType::Interface),
            }))
        }),
    );
    insert_all(
        funcs,
        &["initial", "mustInitial"],
        Function::new(Signature::fixed(&[GoType::Any]), |_, args| {
            let items = elements(&args[0], |k| format!("Cannot find initial on type {k}"))?;
            // Sprig returns a nil slice for an empty list (JSON `null`).
            Ok(Value::List(match items.len().checked_sub(1) {
                Some(keep) => List::new(items[..keep].to_vec()),
                None => List::nil(ListType::Interface),
            }))
        }),
    );
    insert_all(
        funcs,
        &["reverse", "mustReverse"],
        Function::new(Signature::fixed(&[GoType::Any]), |_, args| {
            let items = elements(&args[0], |k| format!("Cannot find reverse on type {k}"))?;
            Ok(Value::List(List::new(
                items.iter().rev().cloned().collect(),
            )))
        }),
    );
    insert_all(
        funcs,
        &["compact", "mustCompact"],
        Function::new(Signature::fixed(&[GoType::Any]), |_, args| {
            let items = elements(&args[0], |k| format!("Cannot compact on type {k}"))?;
            let kept = items.iter().filter(|v| !is_empty(v)).cloned().collect();
            Ok(Value::List(List::new(kept)))
        }),
    );
    insert_all(
        funcs,
        &["uniq", "mustUniq"],
        Function::new(Signature::fixed(&[GoType::Any]), |_, args| {
            let items = elements(&args[0], |k| format!("Cannot find uniq on type {k}"))?;
            let mut unique: Vec<Value> = Vec::new();
            for item in items.iter() {
                if !contains(&unique, item) {
                    unique.push(item.clone());
                }
            }
            Ok(Value::List(List::new(unique)))
        }),
    );
    // without(list interface{}, omit ...interface{}) []interface{}
    insert_all(
        funcs,
        &["without", "mustWithout"],
        Function::new(
            Signature::variadic(&[GoType::Any], GoType::Any),
            |_, args| {
                let items = elements(&args[0], |k| format!("Cannot find without on type {k}"))?;
                let omit = &args[1..];
                let kept = items
                    .iter()
                    .filter(|v| !contains(omit, v))
                    .cloned()
                    .collect();
                Ok(Value::List(List::new(kept)))
            },
        ),
    );
    // has(needle interface{}, haystack interface{}) bool
    insert_all(
        funcs,
        &["has", "mustHas"],
        Function::new(Signature::fixed(&[GoType::Any, GoType::Any]), |_, args| {
            // Sprig checks for a nil haystack before asking reflect for its kind.
            if args[1].is_nil() {
                return Ok(Value::Bool(false));
            }
            let items = elements(&args[1], |k| format!("Cannot find has on type {k}"))?;
            Ok(Value::Bool(contains(&items, &args[0])))
        }),
    );
    // chunk(size int, list interface{}) [][]interface{}
    insert_all(
        funcs,
        &["chunk", "mustChunk"],
        Function::new(Signature::fixed(&[GoType::Int, GoType::Any]), |_, args| {
            let items = elements(&args[1], |k| format!("Cannot chunk type {k}"))?;
            chunk(to_int64(&args[0]), &items)
        }),
    );
    funcs.insert(
        "concat",
        Function::new(Signature::variadic(&[], GoType::Any), |_, args| {
            let mut all = Vec::new();
            for list in args {
                all.extend(
                    elements(list, |k| format!("Cannot concat type {k} as list"))?
                        .iter()
                        .cloned(),
                );
            }
            // Sprig appends to a nil slice: nothing appended leaves it nil.
            Ok(Value::List(if all.is_empty() {
                List::nil(ListType::Interface)
            } else {
                List::new(all)
            }))
        }),
    );
    funcs.insert(
        "sortAlpha",
        Function::new(Signature::fixed(&[GoType::Any]), |_, args| {
            Ok(Value::List(List::strings(sort_alpha(&args[0]))))
        }),
    );
    // slice(list interface{}, indices ...interface{}) interface{}
    insert_all(
        funcs,
        &["slice", "mustSlice"],
        Function::new(
            Signature::variadic(&[GoType::Any], GoType::Any),
            |_, args| slice(&args[0], &args[1..]),
        ),
    );
}

/// Registers one function under several names (a function and its `must` twin, or aliases).
fn insert_all(funcs: &mut Functions, names: &[&str], function: Function) {
    for name in names {
        funcs.insert(*name, function.clone());
    }
}

/// The elements of a Go slice value, or the error Sprig gives for anything else:
/// `message` receives the reflect kind name. A `[]byte` is a list of `uint8`, and a host
/// object that can be ranged over is a slice.
fn elements(
    value: &Value,
    message: impl FnOnce(&str) -> String,
) -> Result<Cow<'_, [Value]>, Error> {
    match value {
        Value::List(list) => Ok(Cow::Borrowed(list.items())),
        Value::Bytes(bytes) => Ok(Cow::Owned(
            bytes
                .iter()
                .map(|b| Value::Uint(u64::from(*b), UintType::Uint8))
                .collect(),
        )),
        // A host object that ranges like a list is a Go slice type (Helm's
        // `chartutil.VersionSet` is a `[]string`).
        Value::Object(object) => match object.iterate() {
            Some(items) => Ok(Cow::Owned(items)),
            None => Err(Error::function(message(value.kind_name()))),
        },
        Value::Nil => Err(nil_kind_error()),
        other => Err(Error::function(message(other.kind_name()))),
    }
}

/// What Go's `reflect.TypeOf(nil).Kind()` does: it dereferences a nil type.
fn nil_kind_error() -> Error {
    Error::function("runtime error: invalid memory address or nil pointer dereference")
}

/// Whether `haystack` holds an element `reflect.DeepEqual` to `needle`.
fn contains(haystack: &[Value], needle: &Value) -> bool {
    haystack.iter().any(|item| deep_equal(needle, item))
}

/// Go's `reflect.DeepEqual` on template values: the Go types must be identical (`int`
/// vs `int64`, `[]string` vs `[]interface {}`, `common.Values` vs a plain map), floats
/// compare by value (so NaN is unequal to itself), lists and maps element by element,
/// and functions are never equal. `deep_equal(&Value::int(1), &Value::Float(1.0))` is
/// false.
pub(super) fn deep_equal(a: &Value, b: &Value) -> bool {
    DeepEqual::default().equal(a, b)
}

/// The pairs of maps being compared on the current path. A map can hold itself (through
/// `set`); like Go, a pair met again is taken as equal, which ends the recursion.
#[derive(Default)]
struct DeepEqual {
    in_progress: Vec<(helmpilot_template::Map, helmpilot_template::Map)>,
}

impl DeepEqual {
    fn equal(&mut self, a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(x), Value::Bool(y)) => x == y,
            (Value::Int(x, tx), Value::Int(y, ty)) => tx == ty && x == y,
            (Value::Uint(x, tx), Value::Uint(y, ty)) => tx == ty && x == y,
            (Value::Float(x), Value::Float(y)) => x == y,
            (Value::Complex(xr, xi), Value::Complex(yr, yi)) => xr == yr && xi == yi,
            (Value::String(x), Value::String(y)) => x == y,
            (Value::Bytes(x), Value::Bytes(y)) => x == y,
            (Value::List(x), Value::List(y)) => {
                x.list_type() == y.list_type()
                    && x.len() == y.len()
                    && (x.ptr_eq(y)
                        || stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || {
                            x.items()
                                .iter()
                                .zip(y.items())
                                .all(|(p, q)| self.equal(p, q))
                        }))
            }
            (Value::Map(x), Value::Map(y)) => {
                if x.type_name() != y.type_name() || x.len() != y.len() {
                    return false;
                }
                if x.ptr_eq(y)
                    || self
                        .in_progress
                        .iter()
                        .any(|(p, q)| p.ptr_eq(x) && q.ptr_eq(y))
                {
                    return true;
                }
                self.in_progress.push((x.clone(), y.clone()));
                // Snapshots: no lock may be held while recursing into maps that could be
                // these same maps.
                let right = y.entries();
                let left = x.entries();
                let equal = stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || {
                    left.iter()
                        .zip(&right)
                        .all(|((kx, vx), (ky, vy))| kx == ky && self.equal(vx, vy))
                });
                self.in_progress.pop();
                equal
            }
            // Host objects: the same object, or two of one type that print alike (Go
            // compares the structs field by field).
            (Value::Object(x), Value::Object(y)) => {
                std::ptr::addr_eq(std::sync::Arc::as_ptr(x), std::sync::Arc::as_ptr(y))
                    || (x.type_name() == y.type_name() && x.format() == y.format())
            }
            _ => false,
        }
    }
}

/// Recursion on user data gets more stack on demand, as Go's goroutine stacks do.
pub(super) const STACK_RED_ZONE: usize = 64 * 1024;
pub(super) const STACK_GROWTH: usize = 1024 * 1024;

/// Sprig's `chunk`, computed as Sprig does: the chunk count is
/// `int(floor((len-1)/size) + 1)` in float64 and the last chunk holds `len mod size`
/// items (or `size` if that is 0). A zero or negative size gives a negative length
/// somewhere, on which Go's `make` panics; a few negative sizes get through (a
/// one-item list with size -2 gives one chunk), as in Go.
fn chunk(size: i64, items: &[Value]) -> Result<Value, Error> {
    let makeslice = || Error::function("runtime error: makeslice: len out of range");
    let len = items.len() as f64;
    let count = go_float_to_int(((len - 1.0) / size as f64).floor() + 1.0);
    if count < 0 {
        return Err(makeslice());
    }
    // count <= max(len, 2) for every size, so this allocation is bounded by the input.
    let mut chunks = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    for i in 0..count {
        let mut chunk_len = size;
        if i == count - 1 {
            // Rust's `%` on floats is C's fmod, like Go's math.Mod.
            chunk_len = go_float_to_int((len % size as f64).floor());
            if chunk_len == 0 {
                chunk_len = size;
            }
        }
        if chunk_len < 0 {
            return Err(makeslice());
        }
        let mut part = Vec::new();
        for j in 0..chunk_len {
            let item = i
                .checked_mul(size)
                .and_then(|start| start.checked_add(j))
                .and_then(|index| usize::try_from(index).ok())
                .and_then(|index| items.get(index))
                .ok_or_else(|| Error::function("reflect: slice index out of range"))?;
            part.push(item.clone());
        }
        chunks.push(Value::List(List::new(part)));
    }
    Ok(Value::List(List::typed(chunks, ListType::Lists)))
}

/// Go's float64 to int conversion on amd64: NaN and out-of-range values give the
/// minimum int (Rust's `as` would saturate instead).
fn go_float_to_int(f: f64) -> i64 {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    // NaN is in no range either.
    if !(-TWO_63..TWO_63).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

/// Sprig's `sortAlpha`: the elements of a list as strings (`strval`, nils dropped),
/// sorted bytewise; anything that is not a list becomes a one-element list of its
/// `strval` (nil included, as `<nil>`).
fn sort_alpha(value: &Value) -> Vec<String> {
    let mut strings: Vec<String> = match value {
        Value::List(list) => list
            .items()
            .iter()
            .filter(|v| !v.is_nil())
            .map(strval)
            .collect(),
        Value::Bytes(bytes) => bytes.iter().map(u8::to_string).collect(),
        Value::Object(object) => match object.iterate() {
            Some(items) => items.iter().filter(|v| !v.is_nil()).map(strval).collect(),
            None => vec![strval(value)],
        },
        other => vec![strval(other)],
    };
    strings.sort_unstable();
    strings
}

/// `list[start:end]` with Sprig's rules: indices go through `toInt`, a third index and
/// beyond are ignored, an empty list gives nil, anything but a list is an error. Out of
/// range indices fail the way Go's reflection does. The result keeps the list's type.
fn slice(list: &Value, indices: &[Value]) -> Result<Value, Error> {
    let len = match list {
        Value::List(l) => l.len(),
        Value::Bytes(b) => b.len(),
        Value::Nil => return Err(nil_kind_error()),
        other => {
            return Err(Error::function(format!(
                "list should be type of slice or array but {}",
                other.kind_name()
            )))
        }
    };
    if len == 0 {
        return Ok(Value::Nil);
    }
    let len = len as i64;
    let start = indices.first().map_or(0, to_int64);
    let end = indices.get(1).map_or(len, to_int64);
    if start < 0 || end < start || end > len {
        return Err(Error::function(
            "reflect.Value.Slice: slice index out of bounds",
        ));
    }
    let range = start as usize..end as usize;
    Ok(match list {
        Value::Bytes(b) => Value::Bytes(b[range].into()),
        Value::List(l) => Value::List(List::typed(l.items()[range].to_vec(), l.list_type())),
        _ => Value::Nil,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use helmpilot_template::Map;

    fn ints(n: &[i64]) -> Vec<Value> {
        n.iter().map(|&n| Value::int(n)).collect()
    }

    fn shape(v: &Value) -> String {
        v.to_string()
    }

    #[test]
    fn chunk_sizes_like_go() {
        let three = ints(&[1, 2, 3]);
        assert_eq!(shape(&chunk(2, &three).unwrap()), "[[1 2] [3]]");
        assert_eq!(shape(&chunk(5, &three).unwrap()), "[[1 2 3]]");
        assert_eq!(shape(&chunk(2, &[]).unwrap()), "[]");
        assert!(chunk(0, &three).is_err());
        assert!(chunk(0, &[]).is_err());
        assert!(chunk(-1, &three).is_err());
        assert!(chunk(-1, &ints(&[1])).is_err());
        assert!(chunk(-2, &[]).is_err());
        // Negative sizes Go lets through.
        assert_eq!(shape(&chunk(-2, &ints(&[7])).unwrap()), "[[7]]");
        assert_eq!(shape(&chunk(-5, &three).unwrap()), "[]");
        assert!(chunk(i64::MIN, &three).is_ok());
        assert!(chunk(i64::MAX, &three).is_ok());
    }

    #[test]
    fn deep_equal_follows_go_types() {
        assert!(!deep_equal(&Value::int(1), &Value::Float(1.0)));
        assert!(!deep_equal(&Value::int(1), &Value::int64(1)));
        assert!(deep_equal(&Value::Nil, &Value::Nil));
        assert!(!deep_equal(
            &Value::Float(f64::NAN),
            &Value::Float(f64::NAN)
        ));
        let strings = Value::List(List::strings(["a"]));
        let interfaces = Value::List(List::new(vec![Value::from("a")]));
        assert!(!deep_equal(&strings, &interfaces));
        let values = Value::Map(Map::new().with_type_name("common.Values"));
        assert!(!deep_equal(&values, &Value::Map(Map::new())));
    }

    #[test]
    fn deep_equal_ends_on_cyclic_maps() {
        let a = Map::new();
        a.insert("self", Value::Map(a.clone()));
        let b = Map::new();
        b.insert("self", Value::Map(b.clone()));
        assert!(deep_equal(&Value::Map(a.clone()), &Value::Map(b.clone())));
        // Break the cycles so the maps can be dropped.
        a.remove("self");
        b.remove("self");
    }
}
