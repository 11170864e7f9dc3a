//! Helm's `--set` family (`pkg/strvals`): `--set`, `--set-string`, `--set-json`,
//! `--set-literal` and `--set-file` expressions parsed into a values tree.
//!
//! An expression is a comma-separated list of `path=value` assignments. A path is a
//! dotted list of names (`a.b.c`), any of which may carry list indices (`a[0][1].b`); a
//! backslash escapes the next character in names, indices and values (`a\.b=c` sets the
//! key `a.b`). How the value is read depends on the flag ([`SetKind`]).
//!
//! This follows Helm v4.2.3 closely, including its quirks, because users rely on them
//! and a different reading would silently change rendered manifests:
//!
//! - Parsing mutates the target map as it goes, like Helm's `ParseInto`: an existing list
//!   is extended in place (`a[2]=x` keeps `a[0]` and `a[1]`), an existing map gains keys.
//!   On error the map may hold part of the expression, as Helm's does.
//! - Running out of input in the middle of an index or after one (`a[0`, `a[0]`) is not
//!   an error: Helm's parser treats every error that wraps end-of-input as the normal end.
//! - Treating a non-map as a map (`a=1,a.b=2`) or a non-list as a list fails with the Go
//!   runtime's type-assertion text, which Helm's parser recovers and reports.

use helmpilot_template::gofmt::{quote, quote_rune};
use serde_json::{Map, Number, Value};

/// The largest list index an expression may use (Helm's `MaxIndex`): lists are filled
/// with nulls up to the index, so this bounds the memory one flag can allocate.
pub const MAX_INDEX: i64 = 65536;

/// How deeply dotted names may nest (Helm's `MaxNestedNameLevel`).
pub const MAX_NESTED_NAME_LEVEL: usize = 30;

/// Stack left before the parser's recursion moves to a new segment, and that
/// segment's size.
const STACK_RED_ZONE: usize = 64 * 1024;
const STACK_GROWTH: usize = 1024 * 1024;

/// Which flag an expression comes from: it decides how values are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetKind {
    /// `--set`: `true`/`false`/`null` (any case) become bool and null, decimal integers
    /// without a leading zero become int64, `{a,b}` is a list, anything else a string.
    Typed,
    /// `--set-string`: like [`SetKind::Typed`], but every value stays a string.
    String,
    /// `--set-json`: each value is a JSON document (numbers are float64); an empty value
    /// is null. A JSON value ends where the JSON ends, so it may contain commas.
    Json,
    /// `--set-literal`: everything after the first `=` is the value, verbatim; no
    /// escapes, lists or further assignments.
    Literal,
    /// `--set-file`: like [`SetKind::Typed`] in shape, but each value (and each item of a
    /// `{a,b}` list) is a path whose content becomes a string.
    File,
}

/// Why an expression could not be parsed. The message is Helm's (or Go's, for JSON
/// values); Helm prefixes it with the flag (`failed parsing --set data: ...`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StrvalsError {
    /// The expression is malformed, or a path treats a value as a map or list it is not.
    #[error("{0}")]
    Syntax(String),
    /// A `--set-json` value is not JSON (Go's `encoding/json` message).
    #[error("{0}")]
    Json(String),
    /// The `--set-file` reader failed for a path (the reader's message).
    #[error("{0}")]
    File(String),
}

/// Reads a `--set-file` path: its content, or the error message to report.
pub type FileReader<'a> = &'a dyn Fn(&str) -> Result<String, String>;

/// A reader for kinds that read no files; it is never called for them.
pub fn no_files(path: &str) -> Result<String, String> {
    Err(format!("reading files is not allowed here: {path}"))
}

/// Parses `expr` and merges its assignments into `into` (Helm's `ParseInto`,
/// `ParseIntoString`, `ParseJSON`, `ParseLiteralInto` and `ParseIntoFile`). A key that
/// already exists is overwritten; paths descend into existing maps and lists.
///
/// ```
/// use helmpilot_chart::values::strvals::{no_files, parse_into, SetKind};
/// let mut values = serde_json::Map::new();
/// parse_into("image.tag=v2,replicas=3,ports={80,443}", &mut values, SetKind::Typed, &no_files)?;
/// parse_into("ports[2]=8080", &mut values, SetKind::Typed, &no_files)?;
/// assert_eq!(
///     serde_json::Value::Object(values),
///     serde_json::json!({"image": {"tag": "v2"}, "replicas": 3, "ports": [80, 443, 8080]})
/// );
/// # Ok::<(), helmpilot_chart::values::strvals::StrvalsError>(())
/// ```
pub fn parse_into(
    expr: &str,
    into: &mut Map<String, Value>,
    kind: SetKind,
    read_file: FileReader<'_>,
) -> Result<(), StrvalsError> {
    let mut parser = Parser {
        sc: Cursor::new(expr),
        kind,
        read_file,
    };
    loop {
        match parser.key(into, 0) {
            Ok(()) => {}
            // Every error that wraps end-of-input is the normal end (Helm checks
            // `errors.Is(err, io.EOF)`), even `a[0` whose index never closed.
            Err(Fault::Eof) => return Ok(()),
            Err(Fault::Error(err)) => return Err(err),
            // `key` turns every panic into an error; nothing else reaches here.
            Err(Fault::Panic(msg)) => return Err(StrvalsError::Syntax(unable_to_parse(&msg))),
        }
    }
}

/// [`parse_into`] a new, empty map (Helm's `Parse`, `ParseString`, `ParseLiteral`,
/// `ParseFile`).
pub fn parse(
    expr: &str,
    kind: SetKind,
    read_file: FileReader<'_>,
) -> Result<Map<String, Value>, StrvalsError> {
    let mut values = Map::new();
    parse_into(expr, &mut values, kind, read_file)?;
    Ok(values)
}

/// How a step of the parser failed.
enum Fault {
    /// End of input, or an error wrapping it: ends the whole parse successfully.
    Eof,
    /// A real error.
    Error(StrvalsError),
    /// What Go raises as a runtime panic (a failed type assertion): the enclosing key
    /// recovers it into "unable to parse key: ...", skipping the work that normally
    /// follows (such as storing the list it was building).
    Panic(String),
}

impl Fault {
    fn syntax(msg: String) -> Self {
        Fault::Error(StrvalsError::Syntax(msg))
    }

    /// Go's `fmt.Errorf("...: %w", err)`: the prefix joins the message, and an
    /// end-of-input error stays one.
    fn wrap(self, prefix: &str) -> Self {
        match self {
            Fault::Error(StrvalsError::Syntax(msg)) => {
                Fault::Error(StrvalsError::Syntax(format!("{prefix}{msg}")))
            }
            other => other,
        }
    }
}

fn unable_to_parse(panic: &str) -> String {
    format!("unable to parse key: {panic}")
}

/// The Go runtime's message for asserting `value` (an `interface {}`) to `wanted`.
fn type_assertion_panic(value: &Value, wanted: &str) -> Fault {
    let found = match value {
        Value::Null => {
            return Fault::Panic(format!(
                "interface conversion: interface {{}} is nil, not {wanted}"
            ))
        }
        Value::Bool(_) => "bool",
        // `--set` makes int64; YAML and JSON make float64.
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    };
    Fault::Panic(format!(
        "interface conversion: interface {{}} is {found}, not {wanted}"
    ))
}

const MAP_TYPE: &str = "map[string]interface {}";
const LIST_TYPE: &str = "[]interface {}";

/// A rune reader over the expression with one step of unread, like the `bytes.Buffer`
/// Helm's parser reads from.
struct Cursor<'a> {
    s: &'a str,
    pos: usize,
    last: usize,
}

/// What [`Cursor::until`] stopped at.
enum Until {
    /// One of the stop characters (consumed), and the text before it.
    Stop(String, char),
    /// The end of input, and the text before it.
    End(String),
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Self {
        Cursor { s, pos: 0, last: 0 }
    }

    fn read(&mut self) -> Option<char> {
        let c = self.s[self.pos..].chars().next()?;
        self.last = c.len_utf8();
        self.pos += self.last;
        Some(c)
    }

    fn unread(&mut self) {
        self.pos -= self.last;
        self.last = 0;
    }

    fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }

    fn skip(&mut self, bytes: usize) {
        self.pos = (self.pos + bytes).min(self.s.len());
        self.last = 0;
    }

    fn take_rest(&mut self) -> String {
        let rest = self.rest().to_string();
        self.skip(rest.len());
        rest
    }

    /// Reads up to the first of `stop`. With `escapes`, a backslash makes the next
    /// character plain text (a backslash at the very end is dropped).
    fn until(&mut self, stop: &[char], escapes: bool) -> Until {
        let mut text = String::new();
        loop {
            match self.read() {
                None => return Until::End(text),
                Some(c) if stop.contains(&c) => return Until::Stop(text, c),
                Some('\\') if escapes => match self.read() {
                    Some(next) => text.push(next),
                    None => return Until::End(text),
                },
                Some(c) => text.push(c),
            }
        }
    }
}

/// What reading a `{a,b}` list found.
enum ListVal {
    List(Vec<Value>),
    /// The value does not start with `{` (nothing consumed).
    NotList,
    /// The input ended right after `=`.
    End,
}

struct Parser<'a, 'r> {
    sc: Cursor<'a>,
    kind: SetKind,
    read_file: FileReader<'r>,
}

impl Parser<'_, '_> {
    fn escapes(&self) -> bool {
        self.kind != SetKind::Literal
    }

    /// Parses one assignment (or the rest of a path) into `data`, recovering panics
    /// raised on the way the way Helm's deferred `recover` does.
    fn key(&mut self, data: &mut Map<String, Value>, level: usize) -> Result<(), Fault> {
        // `a[0][0]...` and `a[0].b[0].c...` nest without Helm's name-level limit; the
        // stack grows instead of overflowing on a hostile expression.
        let result =
            stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || self.key_inner(data, level));
        match result {
            Err(Fault::Panic(msg)) => Err(Fault::syntax(unable_to_parse(&msg))),
            other => other,
        }
    }

    fn key_inner(&mut self, data: &mut Map<String, Value>, level: usize) -> Result<(), Fault> {
        // `--set-literal` has no `,` separator: the value runs to the end.
        let stop: &[char] = if self.kind == SetKind::Literal {
            &['=', '[', '.']
        } else {
            &['=', '[', ',', '.']
        };
        match self.sc.until(stop, self.escapes()) {
            Until::End(k) if k.is_empty() => Err(Fault::Eof),
            Until::End(k) => Err(Fault::syntax(format!("key {} has no value", quote(&k)))),
            Until::Stop(k, '[') => {
                let i = self
                    .key_index()
                    .map_err(|e| e.wrap("error parsing index: "))?;
                self.key_list(data, k, i, level)
            }
            Until::Stop(k, '=') => self.key_value(data, k),
            Until::Stop(k, ',') => {
                set(data, &k, Value::String(String::new()));
                Err(Fault::syntax(format!(
                    "key {} has no value (cannot end with ,)",
                    quote(&k)
                )))
            }
            Until::Stop(k, _) => self.key_map(data, k, level + 1),
        }
    }

    /// `name[i]...`: finds or creates the list `name` and continues into item `i`.
    fn key_list(
        &mut self,
        data: &mut Map<String, Value>,
        k: String,
        i: i64,
        level: usize,
    ) -> Result<(), Fault> {
        match data.get_mut(&k) {
            Some(Value::Array(list)) => {
                let len = list.len();
                let result = self.list_item(list, i, level);
                // Helm works on a copy of the slice header and stores it back: items
                // changed in place stay changed, but growth is lost where it stores
                // nothing (an empty name, or a panic).
                if k.is_empty() || matches!(result, Err(Fault::Panic(_))) {
                    list.truncate(len);
                }
                result
            }
            Some(other) => Err(type_assertion_panic(other, LIST_TYPE)),
            None => {
                let mut list = Vec::new();
                let result = self.list_item(&mut list, i, level);
                if !matches!(result, Err(Fault::Panic(_))) {
                    // Stored even when the item failed, as Helm does.
                    set(data, &k, Value::Array(list));
                }
                result
            }
        }
    }

    /// `name.rest`: finds or creates the map `name` and parses the rest into it.
    fn key_map(
        &mut self,
        data: &mut Map<String, Value>,
        k: String,
        level: usize,
    ) -> Result<(), Fault> {
        if level > MAX_NESTED_NAME_LEVEL {
            return Err(Fault::syntax(format!(
                "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
            )));
        }
        let no_value = || Fault::syntax(format!("key map {} has no value", quote(&k)));
        match data.get_mut(&k) {
            Some(Value::Object(inner)) => {
                let result = self.key(inner, level);
                if result.is_ok() && inner.is_empty() {
                    return Err(no_value());
                }
                result
            }
            Some(other) => Err(type_assertion_panic(other, MAP_TYPE)),
            None => {
                let mut inner = Map::new();
                let result = self.key(&mut inner, level);
                if result.is_ok() && inner.is_empty() {
                    return Err(no_value());
                }
                if !inner.is_empty() {
                    set(data, &k, Value::Object(inner));
                }
                result
            }
        }
    }

    /// `name=value`.
    fn key_value(&mut self, data: &mut Map<String, Value>, k: String) -> Result<(), Fault> {
        match self.kind {
            SetKind::Json => {
                let value = self.json_value()?;
                set(data, &k, value);
                Ok(())
            }
            SetKind::Literal => {
                let value = self.sc.take_rest();
                set(data, &k, Value::String(value));
                Ok(())
            }
            _ => match self.val_list()? {
                ListVal::List(list) => {
                    set(data, &k, Value::Array(list));
                    Ok(())
                }
                ListVal::End => {
                    set(data, &k, Value::String(String::new()));
                    Err(Fault::Eof)
                }
                ListVal::NotList => {
                    let raw = self.val();
                    match self.read_value(raw) {
                        Ok(v) => {
                            set(data, &k, v);
                            Ok(())
                        }
                        Err(e) => {
                            // Helm stores the reader's nil before reporting its error.
                            set(data, &k, Value::Null);
                            Err(e)
                        }
                    }
                }
            },
        }
    }

    /// A JSON value after `=`: null when only blanks (and a comma) come before the next
    /// assignment, else the JSON document that starts here, with the blanks and comma
    /// after it.
    fn json_value(&mut self) -> Result<Value, Fault> {
        if self.empty_val() {
            return Ok(Value::Null);
        }
        let (value, used) = helmpilot_yaml::json::decode_prefix(self.sc.rest())
            .map_err(|e| Fault::Error(StrvalsError::Json(e)))?;
        self.sc.skip(used);
        self.empty_val();
        Ok(value)
    }

    /// The index between `[` and `]`, read as Go's `strconv.Atoi` reads it.
    fn key_index(&mut self) -> Result<i64, Fault> {
        match self.sc.until(&[']'], self.escapes()) {
            Until::End(_) => Err(Fault::Eof),
            Until::Stop(text, _) => atoi(&text).map_err(Fault::syntax),
        }
    }

    /// What follows `[i]`: `=value`, `.rest` or another `[j]`; the result lands in
    /// `list[i]`, growing the list with nulls as needed.
    fn list_item(&mut self, list: &mut Vec<Value>, i: i64, level: usize) -> Result<(), Fault> {
        stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || {
            self.list_item_inner(list, i, level)
        })
    }

    fn list_item_inner(
        &mut self,
        list: &mut Vec<Value>,
        i: i64,
        level: usize,
    ) -> Result<(), Fault> {
        if i < 0 {
            return Err(Fault::syntax(format!("negative {i} index not allowed")));
        }
        let (k, last) = match self.sc.until(&['[', '.', '='], self.escapes()) {
            Until::Stop(k, c) => (k, Some(c)),
            Until::End(k) => (k, None),
        };
        if !k.is_empty() {
            return Err(Fault::syntax(format!(
                "unexpected data at end of array index: {}",
                quote_runes(&k)
            )));
        }
        // `i` is not negative, and an index past the list is handled as growth.
        let idx = usize::try_from(i).unwrap_or(usize::MAX);
        match last {
            None => Err(Fault::Eof),
            Some('=') => self.list_value(list, i),
            Some('[') => {
                let next = self
                    .key_index()
                    .map_err(|e| e.wrap("error parsing index: "))?;
                match list.get_mut(idx) {
                    // The nested list is changed in place, as Helm's shared slice is.
                    Some(Value::Array(inner)) => self.list_item(inner, next, level),
                    Some(Value::Null) | None => {
                        let mut inner = Vec::new();
                        self.list_item(&mut inner, next, level)?;
                        set_index(list, i, Value::Array(inner))
                    }
                    Some(other) => Err(type_assertion_panic(other, LIST_TYPE)),
                }
            }
            Some(_) => match list.get_mut(idx) {
                Some(slot) => {
                    // An item that is not a map is replaced by an empty one first (and
                    // stays replaced even if the rest fails).
                    if !slot.is_object() {
                        *slot = Value::Object(Map::new());
                    }
                    match slot {
                        Value::Object(inner) => self.key(inner, level),
                        _ => Ok(()),
                    }
                }
                None => {
                    let mut inner = Map::new();
                    self.key(&mut inner, level)?;
                    set_index(list, i, Value::Object(inner))
                }
            },
        }
    }

    /// `[i]=value`.
    fn list_value(&mut self, list: &mut Vec<Value>, i: i64) -> Result<(), Fault> {
        match self.kind {
            SetKind::Json => {
                let value = self.json_value()?;
                set_index(list, i, value)
            }
            SetKind::Literal => {
                let value = self.sc.take_rest();
                set_index(list, i, Value::String(value))
            }
            _ => match self.val_list()? {
                ListVal::List(items) => set_index(list, i, Value::Array(items)),
                ListVal::End => set_index(list, i, Value::String(String::new())),
                ListVal::NotList => {
                    let raw = self.val();
                    let value = self.read_value(raw)?;
                    set_index(list, i, value)
                }
            },
        }
    }

    /// Skips blanks up to a comma (consumed) or the end, which mean "no value"; any
    /// other character is left unread.
    fn empty_val(&mut self) -> bool {
        loop {
            match self.sc.read() {
                None | Some(',') => return true,
                // Go's `unicode.IsSpace` is the Unicode White_Space property.
                Some(c) if c.is_whitespace() => {}
                Some(_) => {
                    self.sc.unread();
                    return false;
                }
            }
        }
    }

    /// A plain value: everything up to the next unescaped comma (consumed).
    fn val(&mut self) -> String {
        match self.sc.until(&[','], true) {
            Until::Stop(text, _) | Until::End(text) => text,
        }
    }

    /// `{a,b,...}`, its items read like plain values.
    fn val_list(&mut self) -> Result<ListVal, Fault> {
        match self.sc.read() {
            None => return Ok(ListVal::End),
            Some('{') => {}
            Some(_) => {
                self.sc.unread();
                return Ok(ListVal::NotList);
            }
        }
        let mut list = Vec::new();
        loop {
            match self.sc.until(&[',', '}'], true) {
                Until::End(_) => return Err(Fault::syntax("list must terminate with '}'".into())),
                Until::Stop(raw, '}') => {
                    // A comma right after the list belongs to it.
                    if let Some(c) = self.sc.read() {
                        if c != ',' {
                            self.sc.unread();
                        }
                    }
                    list.push(self.read_value(raw)?);
                    return Ok(ListVal::List(list));
                }
                Until::Stop(raw, _) => list.push(self.read_value(raw)?),
            }
        }
    }

    /// A plain value as the flag reads it.
    fn read_value(&self, raw: String) -> Result<Value, Fault> {
        match self.kind {
            SetKind::File => (self.read_file)(&raw)
                .map(Value::String)
                .map_err(|e| Fault::Error(StrvalsError::File(e))),
            SetKind::String => Ok(Value::String(raw)),
            _ => Ok(typed_val(raw)),
        }
    }
}

/// Stores `value` under `key`, except under the empty key, which Helm never sets.
fn set(data: &mut Map<String, Value>, key: &str, value: Value) {
    if !key.is_empty() {
        data.insert(key.to_string(), value);
    }
}

/// Stores `value` at `list[i]`, growing the list with nulls.
fn set_index(list: &mut Vec<Value>, i: i64, value: Value) -> Result<(), Fault> {
    if i < 0 {
        return Err(Fault::syntax(format!("negative {i} index not allowed")));
    }
    if i > MAX_INDEX {
        return Err(Fault::syntax(format!(
            "index of {i} is greater than maximum supported index of {MAX_INDEX}"
        )));
    }
    // 0 <= i <= MAX_INDEX, so it fits a usize.
    let idx = usize::try_from(i).unwrap_or(0);
    if list.len() <= idx {
        list.resize(idx + 1, Value::Null);
    }
    list[idx] = value;
    Ok(())
}

/// `--set`'s typing of a plain value.
fn typed_val(raw: String) -> Value {
    if equal_fold_ascii(&raw, "true") {
        return Value::Bool(true);
    }
    if equal_fold_ascii(&raw, "false") {
        return Value::Bool(false);
    }
    if equal_fold_ascii(&raw, "null") {
        return Value::Null;
    }
    if raw == "0" {
        return Value::Number(Number::from(0i64));
    }
    // Leading zeros keep a value a string (`007` is not 7), signs do not (`+5` is 5).
    // Go's `ParseInt(s, 10, 64)` takes what Rust's `i64` parser takes.
    if !raw.starts_with('0') {
        if let Ok(n) = raw.parse::<i64>() {
            return Value::Number(Number::from(n));
        }
    }
    Value::String(raw)
}

/// Go's `strings.EqualFold(s, word)` for a lowercase ASCII `word`: besides ASCII case,
/// Unicode simple case folding lets `ſ` (U+017F) match `s` and the Kelvin sign `k`.
fn equal_fold_ascii(s: &str, word: &str) -> bool {
    let mut chars = s.chars();
    for w in word.chars() {
        let Some(c) = chars.next() else {
            return false;
        };
        let matches = c.to_ascii_lowercase() == w
            || (w == 's' && c == '\u{17F}')
            || (w == 'k' && c == '\u{212A}');
        if !matches {
            return false;
        }
    }
    chars.next().is_none()
}

/// Go's `strconv.Atoi` on a 64-bit machine, with its error text.
fn atoi(s: &str) -> Result<i64, String> {
    let syntax = || format!("strconv.Atoi: parsing {}: invalid syntax", quote(s));
    let range = || format!("strconv.Atoi: parsing {}: value out of range", quote(s));
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return Err(syntax());
    }
    // Go's ParseUint: a bad digit is a syntax error, unless overflow came first.
    let mut n: u64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return Err(syntax());
        }
        n = match n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(b - b'0')))
        {
            Some(n) => n,
            None => return Err(range()),
        };
    }
    const LIMIT: u64 = 1 << 63;
    if neg {
        if n > LIMIT {
            return Err(range());
        }
        // n <= 2^63, so its negation fits an i64.
        Ok(0i64.wrapping_sub_unsigned(n))
    } else {
        i64::try_from(n).map_err(|_| range())
    }
}

/// Go's `%q` of a `[]rune`: each rune quoted, space-separated, in brackets.
fn quote_runes(s: &str) -> String {
    let runes: Vec<String> = s.chars().map(quote_rune).collect();
    format!("[{}]", runes.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn typed(expr: &str, into: &mut Map<String, Value>) -> Result<(), StrvalsError> {
        parse_into(expr, into, SetKind::Typed, &no_files)
    }

    #[test]
    fn deep_index_nesting_does_not_overflow_the_stack() {
        let depth = 20_000;
        let expr = format!("a{}=x", "[0]".repeat(depth));
        let mut values = parse(&expr, SetKind::Typed, &no_files).unwrap();
        let mut node = values.remove("a").unwrap();
        let mut levels = 0;
        // Unwind by hand: dropping a tree this deep recursively could itself overflow.
        while let Value::Array(mut items) = node {
            levels += 1;
            node = items.pop().unwrap();
        }
        assert_eq!((levels, node), (depth, Value::String("x".into())));
    }

    #[test]
    fn atoi_matches_go() {
        assert_eq!(atoi("+7"), Ok(7));
        assert_eq!(atoi("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(
            atoi("9223372036854775808").unwrap_err(),
            "strconv.Atoi: parsing \"9223372036854775808\": value out of range"
        );
        // Overflow is found before the bad digit that follows it.
        assert_eq!(
            atoi("99999999999999999999x").unwrap_err(),
            "strconv.Atoi: parsing \"99999999999999999999x\": value out of range"
        );
        assert_eq!(
            atoi("-").unwrap_err(),
            "strconv.Atoi: parsing \"-\": invalid syntax"
        );
    }

    #[test]
    fn equal_fold_uses_unicode_folding() {
        assert!(equal_fold_ascii("FaLſE", "false"));
        assert!(!equal_fold_ascii("fals", "false"));
        assert!(!equal_fold_ascii("falsee", "false"));
    }

    // ParseInto over a map that earlier flags filled: the expected trees and messages
    // follow Helm's strvals source (MergeValues applies flags one ParseInto at a time).

    #[test]
    fn later_flags_extend_existing_lists_and_maps() {
        let mut values = Map::new();
        typed("a={x,y},m.k=1", &mut values).unwrap();
        typed("a[3]=z,m.j=true", &mut values).unwrap();
        assert_eq!(
            Value::Object(values),
            json!({"a": ["x", "y", null, "z"], "m": {"k": 1, "j": true}})
        );
    }

    #[test]
    fn float_from_json_names_its_go_type_in_panics() {
        let mut values = Map::new();
        parse_into("a=1.5", &mut values, SetKind::Json, &no_files).unwrap();
        assert_eq!(
            typed("a.b=1", &mut values).unwrap_err().to_string(),
            "unable to parse key: interface conversion: interface {} is float64, not map[string]interface {}"
        );
        parse_into("l=[1]", &mut values, SetKind::Json, &no_files).unwrap();
        assert_eq!(
            typed("l[0][0]=1", &mut values).unwrap_err().to_string(),
            "unable to parse key: interface conversion: interface {} is float64, not []interface {}"
        );
    }

    #[test]
    fn existing_list_item_that_is_not_a_map_is_replaced() {
        let mut values = Map::new();
        parse_into("a=[1,{\"k\":2}]", &mut values, SetKind::Json, &no_files).unwrap();
        typed("a[0].x=1,a[1].y=2", &mut values).unwrap();
        // `json!` keeps 2.0 (float64, from JSON) apart from 2 (int64, from --set).
        assert_eq!(values["a"], json!([{"x": 1}, {"k": 2.0, "y": 2}]));
    }

    #[test]
    fn cut_off_index_keeps_in_place_changes() {
        // `a[0][1].b[2` ends the input inside an index: a success for Helm, and the item
        // it had already replaced by an empty map stays replaced.
        let mut values = Map::new();
        typed("a[0]={x,y}", &mut values).unwrap();
        typed("a[0][1].b[2", &mut values).unwrap();
        assert_eq!(Value::Object(values), json!({"a": [["x", {}]]}));
    }

    #[test]
    fn empty_key_list_keeps_item_changes_but_not_growth() {
        let mut values = Map::new();
        values.insert(String::new(), json!(["a"]));
        typed("[0]=b,[3]=c", &mut values).unwrap();
        assert_eq!(values[""], json!(["b"]));
    }

    #[test]
    fn file_values_come_from_the_reader() {
        let read = |p: &str| match p {
            "x.txt" => Ok("content\n".to_string()),
            _ => Err(format!("open {p}: no such file or directory")),
        };
        let values = parse("a=x.txt,b={x.txt,x.txt}", SetKind::File, &read).unwrap();
        assert_eq!(
            Value::Object(values),
            json!({"a": "content\n", "b": ["content\n", "content\n"]})
        );
        assert_eq!(
            parse("a=y", SetKind::File, &read).unwrap_err(),
            StrvalsError::File("open y: no such file or directory".into())
        );
    }
}
