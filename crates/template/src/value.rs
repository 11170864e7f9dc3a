//! The values templates compute with.
//!
//! Go's text/template works on `reflect.Value`s of arbitrary Go types. A chart only ever
//! feeds it what YAML and JSON hold (nil, bool, numbers, strings, lists, string-keyed maps)
//! plus a handful of host structs (`.Release`, `.Files`, `.Capabilities`, ...). [`Value`]
//! covers exactly that, and keeps enough of the Go type (int vs int64, `[]string` vs
//! `[]interface {}`) that `printf "%T"`, `kindOf` and Go's comparison rules come out the
//! same as in Helm.
//!
//! Cloning is cheap: strings, lists and maps are reference counted. Maps are shared and
//! mutable like Go maps (Sprig's `set` changes the map every holder sees); lists are
//! immutable like the slices Sprig hands around (every list function returns a copy).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// A reference-counted immutable string.
pub type Str = Arc<str>;

/// Go's signed integer types. Template literals are `int`; Sprig's arithmetic yields `int64`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntType {
    Int,
    Int8,
    Int16,
    Int32,
    Int64,
}

/// Go's unsigned integer types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UintType {
    Uint,
    Uint8,
    Uint16,
    Uint32,
    Uint64,
    Uintptr,
}

/// The Go element type of a list: `[]interface {}` (what YAML and `list` produce) or
/// `[]string` (what `splitList`, `keys`, `regexFindAll` and friends return).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ListType {
    Interface,
    String,
    /// `[]int` (`until`, `untilStep`).
    Int,
    /// `[][]interface {}` (`chunk`).
    Lists,
    /// `[]map[string]interface {}` (TOML arrays of tables).
    Maps,
}

impl ListType {
    /// The slice type as Go prints it.
    pub fn go_name(self) -> &'static str {
        match self {
            ListType::Interface => "[]interface {}",
            ListType::String => "[]string",
            ListType::Int => "[]int",
            ListType::Lists => "[][]interface {}",
            ListType::Maps => "[]map[string]interface {}",
        }
    }
}

/// A template value.
///
/// ```
/// use helmpilot_template::Value;
/// let v = Value::from(vec![Value::from(1), Value::from("a")]);
/// assert_eq!(v.to_string(), "[1 a]");
/// ```
#[derive(Clone, Default)]
pub enum Value {
    /// Go's nil interface: a YAML `null`, or a missing key under `missingkey=zero`.
    #[default]
    Nil,
    Bool(bool),
    Int(i64, IntType),
    Uint(u64, UintType),
    /// A `float64`. All numbers in Helm values files and JSON are `float64`.
    Float(f64),
    /// A `complex128` (real, imaginary): only template literals like `1i` make one.
    Complex(f64, f64),
    String(Str),
    /// A `[]byte`.
    Bytes(Arc<[u8]>),
    List(List),
    Map(Map),
    /// A host object with fields and methods (`.Files`, `.Capabilities`, ...).
    Object(Arc<dyn Object>),
    /// A function value, for the `call` builtin.
    Func(Arc<dyn Callable>),
}

/// An immutable, cheaply cloned list.
///
/// Like a Go slice it can be nil, which prints like an empty one but encodes as JSON
/// `null` and is not `deepEqual` to an empty slice.
#[derive(Clone)]
pub struct List {
    items: Arc<Vec<Value>>,
    list_type: ListType,
    nil: bool,
}

impl List {
    /// A `[]interface {}`.
    pub fn new(items: Vec<Value>) -> List {
        List {
            items: Arc::new(items),
            list_type: ListType::Interface,
            nil: false,
        }
    }

    /// A slice of the given Go type; items of a typed slice must be of its element type.
    pub fn typed(items: Vec<Value>, list_type: ListType) -> List {
        List {
            items: Arc::new(items),
            list_type,
            nil: false,
        }
    }

    /// A nil slice of the given Go type.
    ///
    /// ```
    /// use helmpilot_template::{List, ListType, Value};
    /// let nil = List::nil(ListType::Interface);
    /// assert!(nil.is_nil() && nil.is_empty());
    /// assert_eq!(Value::List(nil).to_string(), "[]");
    /// ```
    pub fn nil(list_type: ListType) -> List {
        List {
            items: Arc::new(Vec::new()),
            list_type,
            nil: true,
        }
    }

    /// Whether this is a nil slice (not merely an empty one).
    pub fn is_nil(&self) -> bool {
        self.nil
    }

    /// A `[]string`.
    pub fn strings<I: IntoIterator<Item = S>, S: Into<Str>>(items: I) -> List {
        List {
            items: Arc::new(items.into_iter().map(|s| Value::String(s.into())).collect()),
            list_type: ListType::String,
            nil: false,
        }
    }

    pub fn list_type(&self) -> ListType {
        self.list_type
    }

    pub fn items(&self) -> &[Value] {
        &self.items
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The items, copied only if another holder shares them.
    pub fn into_vec(self) -> Vec<Value> {
        Arc::try_unwrap(self.items).unwrap_or_else(|shared| (*shared).clone())
    }

    /// Whether two handles share the same storage.
    pub fn ptr_eq(&self, other: &List) -> bool {
        Arc::ptr_eq(&self.items, &other.items)
    }
}

/// A shared, mutable map with string keys, iterated in sorted key order like Go's
/// template `range` and fmt printing.
///
/// The Go type travels with the handle, not the storage: as in Go, converting a
/// `common.Values` to a `map[string]interface {}` (passing it to `set`) gives the same
/// map under another type.
#[derive(Clone, Default)]
pub struct Map {
    inner: Arc<RwLock<BTreeMap<Str, Value>>>,
    // An index into the table of map type names rather than the name itself: values are
    // moved around constantly during execution, and a small `Value` keeps that cheap.
    type_index: u16,
    /// A nil Go map: reads like an empty one, but writing to it panics in Go and it
    /// encodes as JSON `null`.
    nil: bool,
}

/// Names of Go map types in use; index 0 is the plain `map[string]interface {}`. Only
/// `&'static str` names are ever added, so the table is bounded by the program's text.
fn map_type_names() -> &'static RwLock<Vec<&'static str>> {
    static NAMES: std::sync::OnceLock<RwLock<Vec<&'static str>>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| RwLock::new(vec![PLAIN_MAP]))
}

const PLAIN_MAP: &str = "map[string]interface {}";

fn map_type_index(name: &'static str) -> u16 {
    let table = map_type_names();
    let position = |names: &[&str]| names.iter().position(|n| *n == name);
    if let Some(i) = position(&table.read().unwrap_or_else(|p| p.into_inner())) {
        return i as u16;
    }
    let mut names = table.write().unwrap_or_else(|p| p.into_inner());
    match position(&names) {
        Some(i) => i as u16,
        None => {
            names.push(name);
            // Saturate rather than wrap: a program would need 65536 distinct static
            // type names to get here.
            u16::try_from(names.len() - 1).unwrap_or(u16::MAX)
        }
    }
}

impl Map {
    pub fn new() -> Map {
        Map::default()
    }

    pub fn from_entries(entries: BTreeMap<Str, Value>) -> Map {
        Map {
            inner: Arc::new(RwLock::new(entries)),
            type_index: 0,
            nil: false,
        }
    }

    /// A nil `map[string]interface {}` (the zero value a nil argument becomes).
    ///
    /// ```
    /// use helmpilot_template::{Map, Value};
    /// let nil = Map::nil();
    /// assert!(nil.is_nil() && nil.is_empty());
    /// assert_eq!(Value::Map(nil).to_string(), "map[]");
    /// ```
    pub fn nil() -> Map {
        Map {
            nil: true,
            ..Map::default()
        }
    }

    /// Whether this is a nil map (not merely an empty one).
    pub fn is_nil(&self) -> bool {
        self.nil
    }

    /// Whether the map's values are Go strings (`map[string]string`, what `split`
    /// returns) rather than interfaces: its elements are then concrete strings and a
    /// missing key reads as "".
    pub fn holds_strings(&self) -> bool {
        self.type_name() == "map[string]string"
    }

    /// The same map (shared storage) as the Go map type `name`, as a Go conversion
    /// `Values(m)` gives.
    ///
    /// ```
    /// use helmpilot_template::{Map, Value};
    /// let plain = Map::new();
    /// let values = plain.clone().with_type_name("common.Values");
    /// values.insert("a", Value::from(1));
    /// assert_eq!(Value::Map(values).type_name(), "common.Values");
    /// assert_eq!(Value::Map(plain).type_name(), "map[string]interface {}");
    /// ```
    pub fn with_type_name(mut self, name: &'static str) -> Map {
        self.type_index = map_type_index(name);
        self
    }

    /// The same map as a plain `map[string]interface {}`.
    pub fn as_plain(&self) -> Map {
        Map {
            inner: self.inner.clone(),
            type_index: 0,
            nil: self.nil,
        }
    }

    /// The Go type, as `%T` prints it.
    pub fn type_name(&self) -> &'static str {
        let names = map_type_names().read().unwrap_or_else(|p| p.into_inner());
        names
            .get(usize::from(self.type_index))
            .copied()
            .unwrap_or(PLAIN_MAP)
    }

    /// Read access. Never hold it while running template code: a `set` on the same map
    /// would then wait forever.
    pub fn read(&self) -> RwLockReadGuard<'_, BTreeMap<Str, Value>> {
        // A panic while the lock is held cannot leave the map half-changed (every
        // mutation is a single BTreeMap call), so a poisoned lock is still usable.
        self.inner
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn write(&self) -> RwLockWriteGuard<'_, BTreeMap<Str, Value>> {
        self.inner
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn get(&self, key: &str) -> Option<Value> {
        self.read().get(key).cloned()
    }

    pub fn insert(&self, key: impl Into<Str>, value: Value) {
        self.write().insert(key.into(), value);
    }

    pub fn remove(&self, key: &str) -> Option<Value> {
        self.write().remove(key)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.read().contains_key(key)
    }

    pub fn len(&self) -> usize {
        self.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.read().is_empty()
    }

    /// The keys in sorted order, as Go's `range` visits them.
    pub fn keys(&self) -> Vec<Str> {
        self.read().keys().cloned().collect()
    }

    /// A snapshot of the entries in sorted key order.
    pub fn entries(&self) -> Vec<(Str, Value)> {
        self.read()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Whether two handles are the same Go map.
    pub fn ptr_eq(&self, other: &Map) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

/// What a host object's field lookup found.
pub enum Member {
    /// A plain field or a method without arguments that was called.
    Field(Value),
    /// A method; the engine checks the arguments against its Go signature, then calls
    /// [`Object::call_method`].
    Method(crate::funcs::Signature),
    Missing,
}

/// A host object: Helm's `.Release`, `.Chart`, `.Files`, `.Capabilities` and the like.
///
/// The engine treats it as a Go struct (or pointer to one): `.Name` reads a field or calls a
/// method, `.Files.Get "x"` calls a method with arguments.
///
/// ```
/// use helmpilot_template::{Member, Object, Value};
/// #[derive(Debug)]
/// struct Release;
/// impl Object for Release {
///     fn type_name(&self) -> &str { "release.Info" }
///     fn member(&self, name: &str) -> Member {
///         match name {
///             "Name" => Member::Field(Value::from("demo")),
///             _ => Member::Missing,
///         }
///     }
/// }
/// assert_eq!(Release.type_name(), "release.Info");
/// ```
pub trait Object: Send + Sync + fmt::Debug {
    /// The Go type name, as `%T` prints it (e.g. `*chart.Metadata`).
    fn type_name(&self) -> &str;

    /// Looks up a field or method by name.
    fn member(&self, name: &str) -> Member;

    /// Calls a method that [`Object::member`] reported as [`Member::Method`].
    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        let _ = args;
        Err(format!("{name} is not a method"))
    }

    /// How `%v` prints the object. Go prints structs as `{field1 field2}`.
    fn format(&self) -> String {
        format!("{{{}}}", self.type_name())
    }

    /// What a deep copy (Sprig's `deepCopy`, through copystructure) makes of the object:
    /// `None` keeps the object itself (immutable host values, structs of exported
    /// fields); a type with unexported fields comes out with those fields zeroed.
    fn deep_copy(&self) -> Option<Value> {
        None
    }

    /// Whether [`Object::format`] is the type's `String()` method (a Go `fmt.Stringer`):
    /// the verbs that take strings (`%s %q %v %x %X`) then format that text as a string,
    /// with width, precision and quoting.
    fn is_stringer(&self) -> bool {
        false
    }

    /// The struct's field values in declaration order, which Go's other verbs (`%d`,
    /// `%o`, ...) print one by one: `{1 2 3}`, `&{...}` for a pointer. `None`: print
    /// [`Object::format`] whatever the verb.
    fn struct_fields(&self) -> Option<Vec<Value>> {
        None
    }

    /// Whether the object can be ranged over, as a list of values.
    fn iterate(&self) -> Option<Vec<Value>> {
        None
    }

    /// For a Go map type with methods (Helm's `engine.files`, a `map[string][]byte`):
    /// its entries in sorted key order. `range`, `len`, `index`, truth, `kindOf` and
    /// printing then treat the object as that map.
    fn map_entries(&self) -> Option<Vec<(Str, Value)>> {
        None
    }

    /// The object itself, for functions that accept only their own host types (`date`
    /// takes a `time.Time` that `now` returned): they downcast it.
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }

    /// How Go's encoders (`encoding/json`, go-yaml, BurntSushi/toml) see the object, for
    /// `toJson`, `toYaml`, `toToml` and friends. By default it cannot be encoded.
    fn marshal(&self) -> Marshal {
        Marshal::Unsupported
    }

    /// How `encoding/json` (`toJson`, and `toYaml`, which goes through JSON) sees the
    /// object, when its json tags make that differ from [`Object::marshal`] (renamed
    /// fields, `omitempty`); the same by default.
    fn marshal_json(&self) -> Marshal {
        self.marshal()
    }

    /// The text of a `String()` method Go declares on the *pointer* type. text/template
    /// prints a field it reached through a pointer (an addressable value) with it, as in
    /// `{{ .Capabilities.KubeVersion }}`; fmt, handed a copy (`print`, `printf`), does
    /// not see it and prints the struct's fields. `None`: no such method.
    fn pointer_string(&self) -> Option<String> {
        None
    }
}

/// What Go's encoders find in a host object: the interface it implements
/// (`json.Marshaler`, `encoding.TextMarshaler`), or failing that its reflect kind.
///
/// The encoders themselves live with Helm's functions; this only describes the Go value.
/// Sprig's `certificate` is a plain struct, so it encodes field by field:
///
/// ```
/// use helmpilot_template::{Marshal, Member, Object, Value};
/// #[derive(Debug)]
/// struct Certificate {
///     cert: String,
///     key: String,
/// }
/// impl Object for Certificate {
///     fn type_name(&self) -> &str { "sprig.certificate" }
///     fn member(&self, _: &str) -> Member { Member::Missing }
///     fn marshal(&self) -> Marshal {
///         Marshal::Struct(vec![
///             ("Cert".to_string(), Value::from(self.cert.as_str())),
///             ("Key".to_string(), Value::from(self.key.as_str())),
///         ])
///     }
/// }
/// let cert = Certificate { cert: "C".into(), key: "K".into() };
/// assert!(matches!(cert.marshal(), Marshal::Struct(fields) if fields[1].0 == "Key"));
/// ```
#[derive(Clone, Debug)]
pub enum Marshal {
    /// Nothing an encoder can use: they fail as on a Go type they cannot handle.
    Unsupported,
    /// A `time.Time`, as `Format(time.RFC3339Nano)` writes it. JSON (`MarshalJSON`)
    /// writes it as a string and fails when it is not strict RFC 3339 (a year outside
    /// 0..=9999, an offset of 24 hours or more); go-yaml v3 writes it as a plain scalar;
    /// TOML as a bare datetime.
    Time(String),
    /// A `time.Duration`, an `int64` of nanoseconds: a number in JSON, but go-yaml v3 and
    /// TOML special-case it and write `text`, its `String()` (`1h0m0s`).
    Duration { nanos: i64, text: String },
    /// A type whose `MarshalJSON`/`MarshalText` give this text (`*semver.Version`): a
    /// string in every format.
    Text(String),
    /// A named integer type without marshalling methods (`time.Month`, `time.Weekday`):
    /// a number in every format, whatever its `String()` prints.
    Int(i64),
    /// A struct: its exported fields, with their Go names, in declaration order (JSON and
    /// TOML keep the names and the order; go-yaml v3 lowercases the names).
    Struct(Vec<(String, Value)>),
}

/// A function value that the `call` builtin can invoke.
pub trait Callable: Send + Sync {
    /// The Go type, as `%T` prints it (e.g. `func(int) int`).
    fn type_name(&self) -> &str;
    fn call(&self, args: &[Value]) -> Result<Value, String>;
}

impl Value {
    /// Go's truth: false, 0, nil, and empty strings, lists and maps are false.
    pub fn is_true(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(n, _) => *n != 0,
            Value::Uint(n, _) => *n != 0,
            Value::Float(f) => *f != 0.0,
            Value::Complex(re, im) => *re != 0.0 || *im != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Object(o) => o.map_entries().map_or(true, |entries| !entries.is_empty()),
            Value::Func(_) => true,
        }
    }

    /// The Go type name, as `printf "%T"` shows it.
    pub fn type_name(&self) -> String {
        match self {
            Value::Nil => "<nil>".to_string(),
            Value::Bool(_) => "bool".to_string(),
            Value::Int(_, t) => int_type_name(*t).to_string(),
            Value::Uint(_, t) => uint_type_name(*t).to_string(),
            Value::Float(_) => "float64".to_string(),
            Value::Complex(..) => "complex128".to_string(),
            Value::String(_) => "string".to_string(),
            Value::Bytes(_) => "[]uint8".to_string(),
            Value::List(l) => l.list_type().go_name().to_string(),
            Value::Map(m) => m.type_name().to_string(),
            Value::Object(o) => o.type_name().to_string(),
            Value::Func(f) => f.type_name().to_string(),
        }
    }

    /// Go's reflect kind name (`int`, `float64`, `string`, `slice`, `map`, `struct`, `ptr`...).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_, t) => int_type_name(*t),
            Value::Uint(_, t) => uint_type_name(*t),
            Value::Float(_) => "float64",
            Value::Complex(..) => "complex128",
            Value::String(_) => "string",
            Value::Bytes(_) | Value::List(_) => "slice",
            Value::Map(_) => "map",
            Value::Object(o) => {
                if o.map_entries().is_some() {
                    "map"
                } else if o.type_name().starts_with('*') {
                    "ptr"
                } else {
                    "struct"
                }
            }
            Value::Func(_) => "func",
        }
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A Go `int`.
    pub fn int(n: i64) -> Value {
        Value::Int(n, IntType::Int)
    }

    /// A Go `int64`.
    pub fn int64(n: i64) -> Value {
        Value::Int(n, IntType::Int64)
    }
}

pub(crate) fn int_type_name(t: IntType) -> &'static str {
    match t {
        IntType::Int => "int",
        IntType::Int8 => "int8",
        IntType::Int16 => "int16",
        IntType::Int32 => "int32",
        IntType::Int64 => "int64",
    }
}

pub(crate) fn uint_type_name(t: UintType) -> &'static str {
    match t {
        UintType::Uint => "uint",
        UintType::Uint8 => "uint8",
        UintType::Uint16 => "uint16",
        UintType::Uint32 => "uint32",
        UintType::Uint64 => "uint64",
        UintType::Uintptr => "uintptr",
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => f.write_str("Nil"),
            Value::Bool(b) => write!(f, "Bool({b})"),
            Value::Int(n, t) => write!(f, "Int({n}, {t:?})"),
            Value::Uint(n, t) => write!(f, "Uint({n}, {t:?})"),
            Value::Float(x) => write!(f, "Float({x:?})"),
            Value::Complex(re, im) => write!(f, "Complex({re:?}, {im:?})"),
            Value::String(s) => write!(f, "String({s:?})"),
            Value::Bytes(b) => write!(f, "Bytes({b:?})"),
            Value::List(l) => f.debug_list().entries(l.items().iter()).finish(),
            Value::Map(m) => {
                // Bounded: a map that contains itself (possible through `set`) must not
                // recurse forever in debug output.
                f.debug_map()
                    .entries(m.read().iter().map(|(k, v)| (k, v.type_name())))
                    .finish()
            }
            Value::Object(o) => write!(f, "Object({})", o.type_name()),
            Value::Func(c) => write!(f, "Func({})", c.type_name()),
        }
    }
}

/// `%v` formatting, as Go's `fmt.Sprint` prints the value.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::gofmt::sprint(std::slice::from_ref(self)))
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Int(n, IntType::Int)
    }
}

impl From<i32> for Value {
    fn from(n: i32) -> Value {
        Value::Int(n.into(), IntType::Int)
    }
}

impl From<f64> for Value {
    fn from(x: f64) -> Value {
        Value::Float(x)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.into())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s.into())
    }
}

impl From<Str> for Value {
    fn from(s: Str) -> Value {
        Value::String(s)
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Value {
        Value::List(List::new(items))
    }
}

impl From<BTreeMap<Str, Value>> for Value {
    fn from(entries: BTreeMap<Str, Value>) -> Value {
        Value::Map(Map::from_entries(entries))
    }
}

impl From<Map> for Value {
    fn from(m: Map) -> Value {
        Value::Map(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_stay_small() {
        // Execution moves values constantly; growing them costs measurably (see README).
        assert!(
            std::mem::size_of::<Value>() <= 24,
            "{}",
            std::mem::size_of::<Value>()
        );
    }

    #[test]
    fn maps_are_shared_like_go_maps() {
        let a = Map::new();
        let b = a.clone();
        b.insert("k", Value::int(1));
        assert_eq!(Value::Map(a.clone()).to_string(), "map[k:1]");
        assert!(a.ptr_eq(&b));
        // A type conversion: the other handle keeps its type, the storage is shared.
        let named = b.with_type_name("common.Values");
        assert_eq!(named.type_name(), "common.Values");
        assert_eq!(a.type_name(), "map[string]interface {}");
        assert!(named.ptr_eq(&a));
        assert_eq!(named.as_plain().type_name(), "map[string]interface {}");
    }
}
