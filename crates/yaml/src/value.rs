//! The in-memory YAML tree: what go-yaml v2 decodes into an `interface{}`.

use std::collections::HashMap;

/// A YAML value as go-yaml v2 decodes it into `interface{}`, and as the encoders take it.
///
/// The variants are the Go types go-yaml produces: `nil`, `bool`, `int` (64 bits),
/// `uint64` (integers above `int64`'s range), `float64`, `string`, `[]interface{}` and
/// `map[interface{}]interface{}` (keys of any scalar type, in document order here).
///
/// ```
/// use helmpilot_yaml::{decode, Yaml};
/// let doc = decode("replicas: 3\nname: web\n").unwrap();
/// let map = doc.as_map().unwrap();
/// assert_eq!(map.get(&Yaml::from("replicas")), Some(&Yaml::Int(3)));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Yaml {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
    Seq(Vec<Yaml>),
    Map(YamlMap),
    /// For the encoders only (decoding never makes one): a Go `time.Time`, as its
    /// `Format(time.RFC3339Nano)` text, which go-yaml writes as a plain scalar where a
    /// string with that text would be quoted.
    Time(String),
    /// For the encoders only: a Go struct's fields by key, which go-yaml writes in
    /// declaration order rather than sorting them like a map's keys.
    Struct(Vec<(String, Yaml)>),
}

impl Yaml {
    /// The mapping, if this is one.
    pub fn as_map(&self) -> Option<&YamlMap> {
        match self {
            Yaml::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Yaml::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl From<&str> for Yaml {
    fn from(s: &str) -> Yaml {
        Yaml::Str(s.to_string())
    }
}

impl From<String> for Yaml {
    fn from(s: String) -> Yaml {
        Yaml::Str(s)
    }
}

/// A mapping with Go map semantics for keys (setting an existing key replaces its value)
/// that remembers the order keys were first inserted in.
///
/// ```
/// use helmpilot_yaml::{Yaml, YamlMap};
/// let mut m = YamlMap::new();
/// m.insert(Yaml::from("a"), Yaml::Int(1));
/// m.insert(Yaml::Int(1), Yaml::Int(2));
/// m.insert(Yaml::from("a"), Yaml::Int(3));
/// assert_eq!(m.len(), 2);
/// assert_eq!(m.get(&Yaml::from("a")), Some(&Yaml::Int(3)));
/// ```
#[derive(Clone, Debug, Default)]
pub struct YamlMap {
    entries: Vec<(Yaml, Yaml)>,
    index: HashMap<KeyId, usize>,
}

/// A hashable identity for a map key: Go compares interface keys by dynamic type and
/// value. NaN never equals itself, so NaN keys get no identity (each is a new key).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum KeyId {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(u64),
    Str(String),
}

fn key_id(key: &Yaml) -> Option<KeyId> {
    Some(match key {
        Yaml::Null => KeyId::Null,
        Yaml::Bool(b) => KeyId::Bool(*b),
        Yaml::Int(n) => KeyId::Int(*n),
        Yaml::Uint(n) => KeyId::Uint(*n),
        // +0 and -0 are equal keys in Go.
        Yaml::Float(f) if *f == 0.0 => KeyId::Float(0),
        Yaml::Float(f) if f.is_nan() => return None,
        Yaml::Float(f) => KeyId::Float(f.to_bits()),
        Yaml::Str(s) => KeyId::Str(s.clone()),
        // Collections are not valid keys; the decoder rejects them before inserting.
        // Times and structs are never decoded.
        Yaml::Seq(_) | Yaml::Map(_) | Yaml::Time(_) | Yaml::Struct(_) => return None,
    })
}

impl YamlMap {
    pub fn new() -> YamlMap {
        YamlMap::default()
    }

    /// Sets `key` to `value`, keeping the key's first position if it was already there.
    pub fn insert(&mut self, key: Yaml, value: Yaml) {
        match key_id(&key) {
            Some(id) => match self.index.get(&id) {
                Some(&i) => self.entries[i].1 = value,
                None => {
                    self.index.insert(id, self.entries.len());
                    self.entries.push((key, value));
                }
            },
            None => self.entries.push((key, value)),
        }
    }

    pub fn get(&self, key: &Yaml) -> Option<&Yaml> {
        let id = key_id(key)?;
        self.index.get(&id).map(|&i| &self.entries[i].1)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries in first-insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&Yaml, &Yaml)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

impl PartialEq for YamlMap {
    fn eq(&self, other: &YamlMap) -> bool {
        self.entries == other.entries
    }
}

impl FromIterator<(Yaml, Yaml)> for YamlMap {
    fn from_iter<I: IntoIterator<Item = (Yaml, Yaml)>>(iter: I) -> YamlMap {
        let mut map = YamlMap::new();
        for (k, v) in iter {
            map.insert(k, v);
        }
        map
    }
}
