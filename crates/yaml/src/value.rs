//! The in-memory YAML tree: what go-yaml v2 decodes into an `interface{}`.

use std::collections::HashMap;
use std::fmt;

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
#[derive(Clone, Default)]
pub struct YamlMap {
    entries: Vec<(Yaml, Yaml)>,
    /// Key identity to position, built once the map has more than [`LINEAR_MAX`]
    /// entries; smaller maps (nearly all of them in charts) are searched in place,
    /// which costs less than hashing and copying every key.
    /// Boxed: most maps never have one, and every value is as large as its largest
    /// variant.
    index: Option<Box<Index>>,
}

/// Key identity to position in `entries`.
#[derive(Clone, Default)]
struct Index(HashMap<KeyId, usize>);

/// The largest map searched key by key.
const LINEAR_MAX: usize = 16;

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

/// Whether `a` and `b` have the same identity as keys: `key_id(a) == key_id(b)` with
/// both present, without building the identities. Floats compare as numbers, which is
/// the same thing: +0 equals -0, NaN equals nothing, other values equal by their bits.
fn same_key(a: &Yaml, b: &Yaml) -> bool {
    match (a, b) {
        (Yaml::Null, Yaml::Null) => true,
        (Yaml::Bool(x), Yaml::Bool(y)) => x == y,
        (Yaml::Int(x), Yaml::Int(y)) => x == y,
        (Yaml::Uint(x), Yaml::Uint(y)) => x == y,
        (Yaml::Float(x), Yaml::Float(y)) => x == y,
        (Yaml::Str(x), Yaml::Str(y)) => x == y,
        _ => false,
    }
}

impl YamlMap {
    pub fn new() -> YamlMap {
        YamlMap::default()
    }

    /// An empty map with room for `n` entries.
    pub(crate) fn with_capacity(n: usize) -> YamlMap {
        YamlMap {
            entries: Vec::with_capacity(n),
            index: None,
        }
    }

    /// Sets `key` to `value`, keeping the key's first position if it was already there.
    pub fn insert(&mut self, key: Yaml, value: Yaml) {
        let Some(index) = &mut self.index else {
            match self.entries.iter().position(|(k, _)| same_key(k, &key)) {
                Some(i) => self.entries[i].1 = value,
                None => {
                    self.entries.push((key, value));
                    if self.entries.len() > LINEAR_MAX {
                        self.build_index();
                    }
                }
            }
            return;
        };
        match key_id(&key) {
            Some(id) => match index.0.get(&id) {
                Some(&i) => self.entries[i].1 = value,
                None => {
                    index.0.insert(id, self.entries.len());
                    self.entries.push((key, value));
                }
            },
            None => self.entries.push((key, value)),
        }
    }

    fn build_index(&mut self) {
        let mut index = HashMap::with_capacity(self.entries.len() * 2);
        for (i, (k, _)) in self.entries.iter().enumerate() {
            // Keys with an identity are unique in `entries`.
            if let Some(id) = key_id(k) {
                index.insert(id, i);
            }
        }
        self.index = Some(Box::new(Index(index)));
    }

    pub fn get(&self, key: &Yaml) -> Option<&Yaml> {
        match &self.index {
            Some(index) => {
                let id = key_id(key)?;
                index.0.get(&id).map(|&i| &self.entries[i].1)
            }
            None => self
                .entries
                .iter()
                .find(|(k, _)| same_key(k, key))
                .map(|(_, v)| v),
        }
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

    /// The entries in first-insertion order, by value.
    pub(crate) fn into_entries(self) -> Vec<(Yaml, Yaml)> {
        self.entries
    }
}

impl fmt::Debug for YamlMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
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
