//! Sprig's dict functions: `dict`, `get`, `set`, `unset`, `hasKey`, `pluck`, `keys`,
//! `values`, `pick`, `omit`, `merge`, `mergeOverwrite` (and their `must` twins),
//! `deepCopy`/`mustDeepCopy` and `dig`.
//!
//! Go quirks reproduced here:
//! - Maps are shared like Go maps: `set`, `unset` and `merge` change the map they are
//!   given (`.Values` included) and return that same map.
//! - `keys` and `values` follow Go's map iteration order, which is random; ours is the
//!   sorted key order (one of the orders Go may give).
//! - `merge` and `mergeOverwrite` are dario.cat/mergo's `Merge` and `MergeWithOverwrite`
//!   on maps, with their quirks: nested maps merge recursively, a nil in the source is
//!   skipped by `merge` but copied by `mergeOverwrite`, `merge` fills destination values
//!   that are empty (`""`, `0`, `false`, nil, empty list or map) even with empty source
//!   values, `mergeOverwrite` copies empty source values too (but an empty source map
//!   leaves a non-empty destination map alone), lists are replaced, never merged, and a
//!   source map stored under a key the destination lacks is stored itself, not copied.
//!   Sprig swallows mergo's errors in `merge`, but on template values mergo never
//!   returns one: what can fail are Go panics (storing into a `map[string]string`), which
//!   both twins report alike.
//! - `dig` asserts `map[string]interface {}` with a Go type assertion, so `.Values`
//!   itself (a `common.Values`) fails with Go's `interface conversion` error.
//!
//! Where Go would recurse forever (merging or copying maps that contain themselves,
//! which only `set` can build), we return an error instead. Not representable with our
//! values: a nil map (`set nil "k" 1` fails in Go) and the map type of a returned map
//! (`set .Values ...` returns the `.Values` map as a `map[string]interface {}`; ours keeps
//! printing `common.Values` for `%T`).

use crate::funcs::cast::str_arg;
use std::collections::BTreeMap;
use std::sync::Arc;

use helmpilot_template::{Error, Function, Functions, GoType, List, Map, Signature, Str, Value};

use super::cast::strval;
use super::lists::{STACK_GROWTH, STACK_RED_ZONE};
use super::FunctionEnv;

/// The Go type `dig` asserts and Sprig's parameters declare.
const PLAIN_MAP: &str = "map[string]interface {}";

pub(super) fn register(funcs: &mut Functions, _env: &Arc<FunctionEnv>) {
    // dict(v ...interface{}): keys through strval, a missing last value is "".
    funcs.insert(
        "dict",
        Function::new(Signature::variadic(&[], GoType::Any), |_, args| {
            let mut entries = BTreeMap::new();
            for pair in args.chunks(2) {
                let value = pair.get(1).cloned().unwrap_or_else(|| Value::from(""));
                entries.insert(Str::from(strval(&pair[0])), value);
            }
            Ok(Value::Map(Map::from_entries(entries)))
        }),
    );
    // get(d map[string]interface{}, key string) interface{}
    funcs.insert(
        "get",
        Function::new(
            Signature::fixed(&[GoType::Map, GoType::String]),
            |_, args| {
                Ok(map_arg(&args[0])
                    .get(str_arg(&args[1]))
                    .unwrap_or_else(|| Value::from("")))
            },
        ),
    );
    // set(d map[string]interface{}, key string, value interface{}) map[string]interface{}
    funcs.insert(
        "set",
        Function::new(
            Signature::fixed(&[GoType::Map, GoType::String, GoType::Any]),
            |_, args| {
                let map = map_arg(&args[0]);
                if map.is_nil() {
                    // Go panics writing to a nil map (a nil argument); Helm reports that.
                    return Err(Error::function("assignment to entry in nil map"));
                }
                map.insert(str_arg(&args[1]), args[2].clone());
                Ok(args[0].clone())
            },
        ),
    );
    funcs.insert(
        "unset",
        Function::new(
            Signature::fixed(&[GoType::Map, GoType::String]),
            |_, args| {
                map_arg(&args[0]).remove(str_arg(&args[1]));
                Ok(args[0].clone())
            },
        ),
    );
    funcs.insert(
        "hasKey",
        Function::new(
            Signature::fixed(&[GoType::Map, GoType::String]),
            |_, args| {
                Ok(Value::Bool(
                    map_arg(&args[0]).contains_key(str_arg(&args[1])),
                ))
            },
        ),
    );
    // pluck(key string, d ...map[string]interface{}) []interface{}
    funcs.insert(
        "pluck",
        Function::new(
            Signature::variadic(&[GoType::String], GoType::Map),
            |_, args| {
                let key = str_arg(&args[0]);
                let found = args[1..]
                    .iter()
                    .filter_map(|d| map_arg(d).get(key))
                    .collect();
                Ok(Value::List(List::new(found)))
            },
        ),
    );
    // keys(dicts ...map[string]interface{}) []string
    funcs.insert(
        "keys",
        Function::new(Signature::variadic(&[], GoType::Map), |_, args| {
            let keys: Vec<Str> = args.iter().flat_map(|d| map_arg(d).keys()).collect();
            Ok(Value::List(List::strings(keys)))
        }),
    );
    funcs.insert(
        "values",
        Function::new(Signature::fixed(&[GoType::Map]), |_, args| {
            let values = map_arg(&args[0])
                .entries()
                .into_iter()
                .map(|(_, v)| v)
                .collect();
            Ok(Value::List(List::new(values)))
        }),
    );
    // pick(dict map[string]interface{}, keys ...string) map[string]interface{}
    funcs.insert(
        "pick",
        Function::new(
            Signature::variadic(&[GoType::Map], GoType::String),
            |_, args| {
                let dict = map_arg(&args[0]);
                let picked = args[1..]
                    .iter()
                    .filter_map(|k| {
                        let key = str_arg(k);
                        dict.get(key).map(|v| (Str::from(key), v))
                    })
                    .collect();
                Ok(Value::Map(Map::from_entries(picked)))
            },
        ),
    );
    funcs.insert(
        "omit",
        Function::new(
            Signature::variadic(&[GoType::Map], GoType::String),
            |_, args| {
                let omitted: Vec<&str> = args[1..].iter().map(str_arg).collect();
                let kept = map_arg(&args[0])
                    .entries()
                    .into_iter()
                    .filter(|(k, _)| !omitted.contains(&&**k))
                    .collect();
                Ok(Value::Map(Map::from_entries(kept)))
            },
        ),
    );
    // merge(dst map[string]interface{}, srcs ...map[string]interface{}) interface{}
    for (names, overwrite) in [
        (["merge", "mustMerge"], false),
        (["mergeOverwrite", "mustMergeOverwrite"], true),
    ] {
        let function = Function::new(
            Signature::variadic(&[GoType::Map], GoType::Map),
            move |_, args| {
                let dst = map_arg(&args[0]);
                for src in &args[1..] {
                    Merger::new(overwrite).merge(&dst, &map_arg(src))?;
                }
                Ok(args[0].clone())
            },
        );
        for name in names {
            funcs.insert(name, function.clone());
        }
    }
    let deep_copy = Function::new(Signature::fixed(&[GoType::Any]), |_, args| {
        if args[0].is_nil() {
            // copystructure asks reflect for the type of the nil it was given.
            return Err(Error::function(
                "reflect: call of reflect.Value.Type on zero Value",
            ));
        }
        copy_value(&args[0], &mut Vec::new())
    });
    funcs.insert("deepCopy", deep_copy.clone());
    funcs.insert("mustDeepCopy", deep_copy);
    // dig(ps ...interface{}) (interface{}, error): keys..., default, dict.
    funcs.insert(
        "dig",
        Function::new(Signature::variadic(&[], GoType::Any), |_, args| dig(args)),
    );
}

/// A `map[string]interface {}` argument (a handle on the caller's map); the engine has
/// checked the type, so the fallback, Go's nil map, is never used.
fn map_arg(v: &Value) -> Map {
    match v {
        Value::Map(m) => m.clone(),
        _ => Map::new(),
    }
}

/// Sprig's `dig`: `dig "a" "b" default dict` walks `dict.a.b`, giving `default` where a
/// key is missing. Every step must be a `map[string]interface {}` and every key a string,
/// or Go's type assertion fails.
fn dig(args: &[Value]) -> Result<Value, Error> {
    let [keys @ .., default, dict] = args else {
        return Err(Error::function("dig needs at least three arguments"));
    };
    if keys.is_empty() {
        return Err(Error::function("dig needs at least three arguments"));
    }
    let mut current = assert_plain_map(dict)?.clone();
    let keys = keys
        .iter()
        .map(|k| k.as_str().ok_or_else(|| interface_conversion(k, "string")))
        .collect::<Result<Vec<_>, _>>()?;
    for (i, key) in keys.iter().enumerate() {
        let Some(step) = current.get(key) else {
            return Ok(default.clone());
        };
        if i == keys.len() - 1 {
            return Ok(step);
        }
        current = assert_plain_map(&step)?.clone();
    }
    Ok(default.clone())
}

/// Go's `v.(map[string]interface{})`.
fn assert_plain_map(v: &Value) -> Result<&Map, Error> {
    match v {
        Value::Map(m) if m.type_name() == PLAIN_MAP => Ok(m),
        other => Err(interface_conversion(other, PLAIN_MAP)),
    }
}

/// The message of Go's failed type assertion on an `interface {}`.
fn interface_conversion(v: &Value, want: &str) -> Error {
    let have = match v {
        Value::Nil => "nil".to_string(),
        other => other.type_name(),
    };
    Error::function(format!(
        "interface conversion: interface {{}} is {have}, not {want}"
    ))
}

/// `copystructure.Copy`: maps and lists are copied all the way down and keep their Go
/// types; everything else is immutable and shared.
fn copy_value(v: &Value, path: &mut Vec<Map>) -> Result<Value, Error> {
    match v {
        Value::List(list) => {
            let items = stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || {
                list.items()
                    .iter()
                    .map(|item| copy_value(item, path))
                    .collect::<Result<Vec<_>, _>>()
            })?;
            Ok(Value::List(if list.is_nil() {
                List::nil(list.list_type())
            } else {
                List::typed(items, list.list_type())
            }))
        }
        Value::Map(map) => {
            if path.iter().any(|m| m.ptr_eq(map)) {
                // Go recurses until the process dies; an error is kinder.
                return Err(Error::function(
                    "deepCopy: the map contains itself, Helm would recurse forever",
                ));
            }
            path.push(map.clone());
            let entries = stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || {
                map.entries()
                    .into_iter()
                    .map(|(k, item)| Ok((k, copy_value(&item, path)?)))
                    .collect::<Result<BTreeMap<_, _>, Error>>()
            });
            path.pop();
            Ok(Value::Map(typed_like(Map::from_entries(entries?), map)))
        }
        Value::Object(object) => Ok(object.deep_copy().unwrap_or_else(|| v.clone())),
        other => Ok(other.clone()),
    }
}

/// `map` with the Go map type of `like` (`common.Values`, `map[string]string`).
fn typed_like(map: Map, like: &Map) -> Map {
    match like.type_name() {
        "common.Values" => map.with_type_name("common.Values"),
        "map[string]string" => map.with_type_name("map[string]string"),
        _ => map,
    }
}

/// mergo's `deepMerge` for maps, with or without `WithOverride`.
struct Merger {
    overwrite: bool,
    /// The (dst, src) pairs being merged, to stop where Go would recurse forever.
    path: Vec<(Map, Map)>,
}

impl Merger {
    fn new(overwrite: bool) -> Merger {
        Merger {
            overwrite,
            path: Vec::new(),
        }
    }

    fn merge(&mut self, dst: &Map, src: &Map) -> Result<(), Error> {
        if self
            .path
            .iter()
            .any(|(d, s)| d.ptr_eq(dst) && s.ptr_eq(src))
        {
            return Err(Error::function(
                "merge: the maps contain themselves, Helm would recurse forever",
            ));
        }
        self.path.push((dst.clone(), src.clone()));
        let result = stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || {
            self.merge_entries(dst, src)
        });
        self.path.pop();
        result
    }

    /// One level of mergo's map case, step for step: the order matters, because the
    /// emptiness checks see what earlier steps stored.
    fn merge_entries(&mut self, dst: &Map, src: &Map) -> Result<(), Error> {
        let src_element_type = element_type(src);
        // The keys are a snapshot (no lock may be held while storing), but each value is
        // read when its turn comes, as Go's MapIndex does: `dst` may share maps with
        // `src`, so earlier steps can change later source values.
        for key in src.keys() {
            let Some(src_value) = src.get(&key) else {
                continue;
            };
            let dst_value = dst.get(&key);
            if src_value.is_nil() {
                if self.overwrite {
                    store(dst, &key, Value::Nil, src_element_type)?;
                }
                continue;
            }
            match &src_value {
                Value::Map(src_map) => {
                    // mergo recurses into the destination value only if it is a map too.
                    if let Some(Value::Map(dst_map)) = &dst_value {
                        self.merge(dst_map, src_map)?;
                    }
                }
                Value::List(_) | Value::Bytes(_) => {
                    if dst_value.is_some() && element_type(dst) == "string" {
                        // mergo asks whether the existing value is nil, which reflect
                        // only answers for interfaces and the like.
                        return Err(Error::function(
                            "reflect: call of reflect.Value.IsNil on string Value",
                        ));
                    }
                    // mergo tests the emptiness of the maps here, not of the lists, and
                    // stores the outcome before the general rule below has its say.
                    let replace = self.overwrite || dst.is_empty();
                    let stored = match &dst_value {
                        _ if replace => src_value.clone(),
                        Some(kept) if !kept.is_nil() => kept.clone(),
                        _ => empty_like(&src_value),
                    };
                    let stored_type = stored.type_name();
                    store(dst, &key, stored, &stored_type)?;
                }
                _ => {}
            }
            if let Some(existing) = &dst_value {
                // A map merged above is tested after the merge, as in mergo.
                if !mergo_is_empty(existing) {
                    let src_is_list = matches!(src_value, Value::List(_) | Value::Bytes(_));
                    let both_maps =
                        matches!((&src_value, existing), (Value::Map(_), Value::Map(_)));
                    if src_is_list || both_maps {
                        continue;
                    }
                }
            }
            if self.overwrite || dst_value.as_ref().map_or(true, mergo_is_empty) {
                store(dst, &key, src_value, src_element_type)?;
            }
        }
        Ok(())
    }
}

/// The static element type of a map, as reflect's `SetMapIndex` checks it.
fn element_type(map: &Map) -> &'static str {
    if map.type_name() == "map[string]string" {
        "string"
    } else {
        "interface {}"
    }
}

/// `dst[key] = value` through reflection: a `map[string]string` takes only strings
/// (statically typed), anything else panics in Go.
fn store(dst: &Map, key: &str, value: Value, value_type: &str) -> Result<(), Error> {
    if dst.type_name() == "map[string]string" && value_type != "string" {
        return Err(Error::function(format!(
            "reflect.Value.SetMapIndex: value of type {value_type} is not assignable to type string"
        )));
    }
    dst.insert(key, value);
    Ok(())
}

/// An empty list of the same Go type (mergo's `reflect.MakeSlice(srcSlice.Type(), 0, n)`).
fn empty_like(list: &Value) -> Value {
    match list {
        Value::List(l) if l.list_type() == helmpilot_template::ListType::String => {
            Value::List(List::strings(Vec::<Str>::new()))
        }
        Value::Bytes(_) => Value::Bytes(Arc::from(Vec::new())),
        _ => Value::List(List::new(Vec::new())),
    }
}

/// mergo's `isEmptyValue` (encoding/json's rule, looking through interfaces): unlike
/// Sprig's `empty`, complex zero and structs are never empty.
fn mergo_is_empty(v: &Value) -> bool {
    match v {
        Value::Nil => true,
        Value::Bool(b) => !b,
        Value::Int(n, _) => *n == 0,
        Value::Uint(n, _) => *n == 0,
        Value::Float(f) => *f == 0.0,
        Value::String(s) => s.is_empty(),
        Value::Bytes(b) => b.is_empty(),
        Value::List(l) => l.is_empty(),
        Value::Map(m) => m.is_empty(),
        Value::Complex(..) | Value::Object(_) | Value::Func(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, Value)]) -> Map {
        let m = Map::new();
        for (k, v) in entries {
            m.insert(*k, v.clone());
        }
        m
    }

    #[test]
    fn merging_self_referencing_maps_fails_instead_of_looping() {
        let d = map(&[("a", Value::int(1))]);
        d.insert("self", Value::Map(d.clone()));
        let err = Merger::new(false).merge(&d, &d).unwrap_err();
        assert!(err.to_string().contains("recurse forever"), "{err}");
        let err = copy_value(&Value::Map(d.clone()), &mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("recurse forever"), "{err}");
        d.remove("self");
    }

    #[test]
    fn merge_shares_source_maps_under_new_keys() {
        let inner = map(&[("n", Value::int(1))]);
        let src = map(&[("k", Value::Map(inner.clone()))]);
        let dst = Map::new();
        Merger::new(false).merge(&dst, &src).unwrap();
        match dst.get("k") {
            Some(Value::Map(stored)) => assert!(stored.ptr_eq(&inner)),
            other => panic!("{other:?}"),
        }
    }
}
