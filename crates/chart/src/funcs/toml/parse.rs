//! BurntSushi/toml v1.6's parser, decoding into what `toml.Unmarshal` gives a
//! `map[string]interface{}`: `int64`, `float64`, `string`, `bool`, `time.Time`,
//! `[]interface{}` for arrays, `map[string]interface{}` for tables and
//! `[]map[string]interface{}` for arrays of tables.
//!
//! Ported with its bookkeeping (implicit tables, the TOML type of each key) because that
//! decides which documents are refused and with which message; the error reads `toml:
//! line N (last key "K"): MESSAGE` as `ParseError.Error()` prints it.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use helmpilot_template::gofmt;

use super::datetime::{parse_datetime, TomlTime};
use super::encode::key_string;
use super::lex::{is_hex, Item, ItemType, Lexer};

/// A Go `map[string]interface{}`: shared, as Go maps are references.
pub(super) type Table = Rc<RefCell<HashMap<String, TomlValue>>>;

/// A decoded value.
#[derive(Clone, Debug)]
pub(super) enum TomlValue {
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
    Time(TomlTime),
    /// `[]interface{}`.
    Array(Vec<TomlValue>),
    Table(Table),
    /// `[]map[string]interface{}`.
    Tables(Vec<Table>),
}

/// The TOML type the parser records per key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TomlType {
    Integer,
    Float,
    Datetime,
    String,
    Bool,
    Array,
    Hash,
    ArrayHash,
}

/// Why decoding failed.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum ParseFailure {
    /// A `ParseError`: its `Error()` text.
    Parse(String),
    /// A panic in Go's parser ("BUG: ..."), which Helm reports as a template error.
    Bug(String),
}

/// How deeply tables and arrays may nest. Go has no limit; deeper documents would
/// exhaust our stack (building or dropping the tree), so they are refused.
const MAX_NESTING: usize = 1000;

fn new_table() -> Table {
    Rc::new(RefCell::new(HashMap::new()))
}

/// `toml.Unmarshal(data, &map[string]interface{}{})`.
pub(super) fn parse(data: &str) -> Result<Table> {
    // A UTF-8 byte order mark is skipped (a UTF-16 one cannot start a UTF-8 string).
    let data = data.strip_prefix('\u{feff}').unwrap_or(data);
    // NUL bytes at the start suggest UTF-16.
    if data.bytes().take(6).any(|b| b == 0) {
        return Err(ParseFailure::Parse(
            "toml: line 1: files cannot contain NULL bytes; probably using UTF-16; TOML files must be UTF-8"
                .to_string(),
        ));
    }
    let mut parser = Parser {
        lx: Lexer::new(data),
        context: Vec::new(),
        current_key: String::new(),
        pos_line: 0,
        key_info: HashMap::new(),
        mapping: new_table(),
        implicits: HashSet::new(),
        depth: 0,
    };
    loop {
        let item = parser.next()?;
        if item.typ == ItemType::Eof {
            break;
        }
        parser.top_level(item)?;
    }
    Ok(parser.mapping)
}

struct Parser<'a> {
    lx: Lexer<'a>,
    /// The full key of the table in scope.
    context: Vec<String>,
    /// The key being set, within the context.
    current_key: String,
    /// The line of the item last read with `next_pos` (Go's `p.pos`).
    pos_line: usize,
    key_info: HashMap<String, TomlType>,
    mapping: Table,
    implicits: HashSet<String>,
    /// Arrays and inline tables open around the current value.
    depth: usize,
}

type Result<T> = std::result::Result<T, ParseFailure>;

fn last(key: &[String]) -> String {
    key.last().cloned().unwrap_or_default()
}

fn parent(key: &[String]) -> &[String] {
    &key[..key.len().saturating_sub(1)]
}

impl Parser<'_> {
    /// `p.current()`: the full key for error messages.
    fn current(&self) -> String {
        if self.current_key.is_empty() {
            return key_string(&self.context);
        }
        if self.context.is_empty() {
            return self.current_key.clone();
        }
        format!("{}.{}", key_string(&self.context), self.current_key)
    }

    fn error_at(&self, line: usize, message: String) -> ParseFailure {
        let last_key = self.current();
        ParseFailure::Parse(if last_key.is_empty() {
            format!("toml: line {line}: {message}")
        } else {
            format!(
                "toml: line {line} (last key {}): {message}",
                gofmt::quote(&last_key)
            )
        })
    }

    /// `p.panicItemf`/`p.panicErr`: at the item.
    fn item_error(&self, it: &Item, message: String) -> ParseFailure {
        self.error_at(it.line, message)
    }

    /// `p.panicf`: at the item last read with `next_pos`.
    fn error(&self, message: String) -> ParseFailure {
        self.error_at(self.pos_line, message)
    }

    fn next(&mut self) -> Result<Item> {
        let it = self.lx.next_item();
        if it.typ == ItemType::Error {
            return Err(self.error_at(it.line, it.err.clone()));
        }
        Ok(it)
    }

    fn next_pos(&mut self) -> Result<Item> {
        let it = self.next()?;
        self.pos_line = it.line;
        Ok(it)
    }

    fn expect(&mut self, typ: ItemType) -> Result<Item> {
        let it = self.next()?;
        assert_type(typ, it.typ)?;
        Ok(it)
    }

    /// Reads the parts of a key up to `end`, starting with `first`.
    fn key_parts(&mut self, first: Item, end: ItemType) -> Result<Vec<String>> {
        let mut key = Vec::new();
        let mut it = first;
        while it.typ != end && it.typ != ItemType::Eof {
            key.push(self.key_string(&it)?);
            it = self.next()?;
        }
        assert_type(end, it.typ)?;
        if self.depth + self.context.len() + key.len() > MAX_NESTING {
            return Err(self.error_at(
                it.line,
                format!("tables and arrays nested more than {MAX_NESTING} levels deep"),
            ));
        }
        Ok(key)
    }

    fn top_level(&mut self, item: Item) -> Result<()> {
        match item.typ {
            ItemType::CommentStart => {
                self.expect(ItemType::Text)?;
            }
            ItemType::TableStart | ItemType::ArrayTableStart => {
                let array = item.typ == ItemType::ArrayTableStart;
                let name = self.next_pos()?;
                let end = if array {
                    ItemType::ArrayTableEnd
                } else {
                    ItemType::TableEnd
                };
                let key = self.key_parts(name, end)?;
                self.add_context(&key, array)?;
                let typ = if array {
                    TomlType::ArrayHash
                } else {
                    TomlType::Hash
                };
                self.set_type("", typ);
            }
            ItemType::KeyStart => {
                let outer_context = self.context.clone();
                let first = self.next_pos()?;
                let key = self.key_parts(first, ItemType::KeyEnd)?;
                self.current_key = last(&key);
                // Every part before the last is an implicit table.
                for part in parent(&key) {
                    let mut implicit = self.context.clone();
                    implicit.push(part.clone());
                    self.add_implicit_context(&implicit)?;
                }
                let value_item = self.next()?;
                let (value, typ) = self.value(&value_item, false)?;
                let current = self.current_key.clone();
                self.set_value(&current, value)?;
                self.set_type(&current, typ);
                self.context = outer_context;
                self.current_key.clear();
            }
            other => return Err(bug(format!("Unexpected type at top level: {other:?}"))),
        }
        Ok(())
    }

    fn key_string(&mut self, it: &Item) -> Result<String> {
        match it.typ {
            ItemType::Text => Ok(it.val.clone()),
            ItemType::String
            | ItemType::StringEsc
            | ItemType::MultilineString
            | ItemType::RawString
            | ItemType::RawMultilineString => match self.value(it, false)?.0 {
                TomlValue::Str(s) => Ok(s),
                _ => Err(bug("Unexpected key value".to_string())),
            },
            other => Err(bug(format!("Unexpected key type: {other:?}"))),
        }
    }

    fn value(&mut self, it: &Item, parent_is_array: bool) -> Result<(TomlValue, TomlType)> {
        let string = |s: String| Ok((TomlValue::Str(s), TomlType::String));
        match it.typ {
            ItemType::String | ItemType::RawString => string(it.val.clone()),
            ItemType::StringEsc => string(self.replace_escapes(it, &it.val)?),
            ItemType::MultilineString => {
                let stripped = strip_escaped_newlines(strip_first_newline(&it.val));
                string(self.replace_escapes(it, &stripped)?)
            }
            ItemType::RawMultilineString => string(strip_first_newline(&it.val).to_string()),
            ItemType::Integer => self.value_integer(it),
            ItemType::Float => self.value_float(it),
            ItemType::Bool => match it.val.as_str() {
                "true" => Ok((TomlValue::Bool(true), TomlType::Bool)),
                "false" => Ok((TomlValue::Bool(false), TomlType::Bool)),
                other => Err(bug(format!("Expected boolean value, but got '{other}'."))),
            },
            ItemType::Datetime => {
                let text: String = it
                    .val
                    .chars()
                    .map(|c| match c {
                        'z' => 'Z',
                        't' | ' ' => 'T',
                        c => c,
                    })
                    .collect();
                match parse_datetime(&text) {
                    Some(time) => Ok((TomlValue::Time(time), TomlType::Datetime)),
                    None => {
                        Err(self
                            .item_error(it, format!("invalid datetime: {}", gofmt::quote(&text))))
                    }
                }
            }
            ItemType::Array | ItemType::InlineTableStart => {
                if self.depth + self.context.len() >= MAX_NESTING {
                    return Err(self.item_error(
                        it,
                        format!("tables and arrays nested more than {MAX_NESTING} levels deep"),
                    ));
                }
                self.depth += 1;
                let result = if it.typ == ItemType::Array {
                    self.value_array()
                } else {
                    self.value_inline_table(parent_is_array)
                };
                self.depth -= 1;
                result
            }
            other => Err(bug(format!("Unexpected value type: {other:?}"))),
        }
    }

    fn value_integer(&mut self, it: &Item) -> Result<(TomlValue, TomlType)> {
        let val = &it.val;
        if !num_underscores_ok(val) {
            return Err(self.item_error(
                it,
                format!(
                    "Invalid integer {}: underscores must be surrounded by digits",
                    gofmt::quote(val)
                ),
            ));
        }
        if num_has_leading_zero(val) {
            return Err(self.item_error(
                it,
                format!(
                    "Invalid integer {}: cannot have leading zeroes",
                    gofmt::quote(val)
                ),
            ));
        }
        match parse_int(val) {
            Ok(n) => Ok((TomlValue::Int(n), TomlType::Integer)),
            Err(IntError::Range) => {
                Err(self.item_error(it, format!("{val} is out of range for int64")))
            }
            Err(IntError::Syntax) => Err(bug(format!("Expected integer value, but got '{val}'."))),
        }
    }

    fn value_float(&mut self, it: &Item) -> Result<(TomlValue, TomlType)> {
        let val = &it.val;
        let parts: Vec<&str> = val
            .split(['.', 'e', 'E'])
            .filter(|p| !p.is_empty())
            .collect();
        if parts.iter().any(|p| !num_underscores_ok(p)) {
            return Err(self.item_error(
                it,
                format!(
                    "Invalid float {}: underscores must be surrounded by digits",
                    gofmt::quote(val)
                ),
            ));
        }
        if parts.first().is_some_and(|p| num_has_leading_zero(p)) {
            return Err(self.item_error(
                it,
                format!(
                    "Invalid float {}: cannot have leading zeroes",
                    gofmt::quote(val)
                ),
            ));
        }
        if !num_periods_ok(val) {
            return Err(self.item_error(
                it,
                format!(
                    "Invalid float {}: '.' must be followed by one or more digits",
                    gofmt::quote(val)
                ),
            ));
        }
        let mut text = val.replace('_', "");
        let mut negative_nan = false;
        if text == "+nan" || text == "-nan" {
            negative_nan = text == "-nan";
            text = "nan".to_string();
        }
        let literal_infinity = matches!(text.as_str(), "inf" | "+inf" | "-inf");
        match text.parse::<f64>() {
            Ok(f) if f.is_infinite() && !literal_infinity => {
                Err(self.item_error(it, format!("{val} is out of range for float64")))
            }
            Ok(f) if negative_nan => Ok((TomlValue::Float(-f.abs()), TomlType::Float)),
            Ok(f) => Ok((TomlValue::Float(f), TomlType::Float)),
            Err(_) => {
                Err(self.item_error(it, format!("Invalid float value: {}", gofmt::quote(val))))
            }
        }
    }

    fn value_array(&mut self) -> Result<(TomlValue, TomlType)> {
        let current = self.current_key.clone();
        self.set_type(&current, TomlType::Array);
        let mut array = Vec::new();
        loop {
            let it = self.next()?;
            match it.typ {
                ItemType::ArrayEnd => break,
                ItemType::CommentStart => {
                    self.expect(ItemType::Text)?;
                }
                _ => array.push(self.value(&it, true)?.0),
            }
        }
        Ok((TomlValue::Array(array), TomlType::Array))
    }

    fn value_inline_table(&mut self, parent_is_array: bool) -> Result<(TomlValue, TomlType)> {
        let top = new_table();
        let outer_context = self.context.clone();
        let outer_key = std::mem::take(&mut self.current_key);
        self.context.push(outer_key.clone());
        let prev_context = self.context.clone();
        self.add_implicit(&prev_context);
        self.add_context(&prev_context, parent_is_array)?;
        loop {
            let it = self.next()?;
            match it.typ {
                ItemType::InlineTableEnd => break,
                ItemType::CommentStart => {
                    self.expect(ItemType::Text)?;
                    continue;
                }
                _ => {}
            }
            let first = self.next_pos()?;
            let key = self.key_parts(first, ItemType::KeyEnd)?;
            self.current_key = last(&key);
            let dotted = parent(&key);
            for part in dotted {
                let mut implicit = self.context.clone();
                implicit.push(part.clone());
                self.add_implicit_context(&implicit)?;
            }
            let value_item = self.next()?;
            let (value, typ) = self.value(&value_item, false)?;
            let current = self.current_key.clone();
            self.set_value(&current, value.clone())?;
            self.set_type(&current, typ);

            let mut hash = top.clone();
            for part in dotted {
                let existing = hash.borrow().get(part).cloned();
                let next = match existing {
                    None => {
                        let t = new_table();
                        hash.borrow_mut()
                            .insert(part.clone(), TomlValue::Table(t.clone()));
                        t
                    }
                    Some(TomlValue::Table(t)) => t,
                    Some(_) => {
                        // Go prints the key with %q: ["a" "b"].
                        let quoted: Vec<String> =
                            self.context.iter().map(|k| gofmt::quote(k)).collect();
                        return Err(self.error(format!("[{}] is not a table", quoted.join(" "))));
                    }
                };
                hash = next;
            }
            hash.borrow_mut().insert(current, value);
            self.context = prev_context.clone();
        }
        self.context = outer_context;
        self.current_key = outer_key;
        Ok((TomlValue::Table(top), TomlType::Hash))
    }

    /// `addContext`: makes `key` the table in scope, creating implicit parents, and for
    /// `array` a new table at the end of the array of tables.
    fn add_context(&mut self, key: &[String], array: bool) -> Result<()> {
        let mut hash = self.mapping.clone();
        let mut key_context = Vec::new();
        for k in parent(key) {
            key_context.push(k.clone());
            let exists = hash.borrow().contains_key(k);
            if !exists {
                self.add_implicit(&key_context);
                hash.borrow_mut()
                    .insert(k.clone(), TomlValue::Table(new_table()));
            }
            let next = match hash.borrow().get(k) {
                Some(TomlValue::Tables(t)) => t.last().cloned(),
                Some(TomlValue::Table(t)) => Some(t.clone()),
                _ => None,
            };
            match next {
                Some(t) => hash = t,
                None => {
                    return Err(self.error(format!(
                        "Key '{}' was already created as a hash.",
                        key_string(&key_context)
                    )))
                }
            }
        }
        self.context = key_context;
        let k = last(key);
        if array {
            let existing = hash.borrow().get(&k).cloned();
            match existing {
                None => {
                    hash.borrow_mut()
                        .insert(k.clone(), TomlValue::Tables(vec![new_table()]));
                }
                Some(TomlValue::Tables(mut tables)) => {
                    tables.push(new_table());
                    hash.borrow_mut()
                        .insert(k.clone(), TomlValue::Tables(tables));
                }
                Some(_) => {
                    return Err(self.error(format!(
                        "Key '{}' was already created and cannot be used as an array.",
                        key_string(key)
                    )))
                }
            }
        } else {
            self.set_value(&k, TomlValue::Table(new_table()))?;
        }
        self.context.push(k);
        Ok(())
    }

    /// `setValue`: sets `key` in the table in scope; a key defined before is an error
    /// unless it was an implicit table.
    fn set_value(&mut self, key: &str, value: TomlValue) -> Result<()> {
        let mut hash = self.mapping.clone();
        let mut key_context = Vec::new();
        for k in &self.context {
            key_context.push(k.clone());
            let next = match hash.borrow().get(k) {
                None => {
                    return Err(bug(format!(
                        "Context for key '{}' has not been established.",
                        key_string(&key_context)
                    )))
                }
                Some(TomlValue::Tables(t)) => t.last().cloned(),
                Some(TomlValue::Table(t)) => Some(t.clone()),
                Some(_) => None,
            };
            match next {
                Some(t) => hash = t,
                None => {
                    return Err(self.error(format!(
                        "Key '{}' has already been defined.",
                        key_string(&key_context)
                    )))
                }
            }
        }
        key_context.push(key.to_string());
        let exists = hash.borrow().contains_key(key);
        if exists {
            let name = key_string(&key_context);
            if self.key_info.get(&name) == Some(&TomlType::Array) {
                if !self.implicits.contains(&name) {
                    return Err(self.error(format!("Key '{name}' has already been defined.")));
                }
                self.implicits.remove(&name);
                hash.borrow_mut().insert(key.to_string(), value);
                return Ok(());
            }
            if self.implicits.remove(&name) {
                return Ok(());
            }
            return Err(self.error(format!("Key '{name}' has already been defined.")));
        }
        hash.borrow_mut().insert(key.to_string(), value);
        Ok(())
    }

    fn set_type(&mut self, key: &str, typ: TomlType) {
        let mut key_context = self.context.clone();
        if !key.is_empty() {
            key_context.push(key.to_string());
        }
        if key_context.is_empty() {
            key_context.push(String::new());
        }
        self.key_info.insert(key_string(&key_context), typ);
    }

    fn add_implicit(&mut self, key: &[String]) {
        self.implicits.insert(key_string(key));
    }

    fn add_implicit_context(&mut self, key: &[String]) -> Result<()> {
        self.add_implicit(key);
        self.add_context(key, false)
    }

    /// Escape sequences of basic strings (the lexer has checked their shape).
    fn replace_escapes(&self, it: &Item, s: &str) -> Result<String> {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(backslash) = rest.find('\\') {
            out.push_str(&rest[..backslash]);
            let Some(&code) = rest.as_bytes().get(backslash + 1) else {
                return Err(bug("Escape sequence at end of string.".to_string()));
            };
            let digits = match code {
                b'x' => 2,
                b'u' => 4,
                b'U' => 8,
                _ => 0,
            };
            let replacement = match code {
                b'b' => '\u{8}',
                b't' => '\t',
                b'n' => '\n',
                b'f' => '\u{c}',
                b'r' => '\r',
                b'e' => '\u{1b}',
                b'"' => '"',
                b'\\' => '\\',
                b' ' | b'\t' => {
                    return Err(
                        self.item_error(it, format!("invalid escape: '\\{}'", char::from(code)))
                    )
                }
                b'x' | b'u' | b'U' => {
                    let hex = rest
                        .get(backslash + 2..backslash + 2 + digits)
                        .filter(|h| h.chars().all(is_hex))
                        .ok_or_else(|| bug("Could not parse a hexadecimal escape".to_string()))?;
                    let code_point = u32::from_str_radix(hex, 16).unwrap_or(u32::MAX);
                    // Surrogates and code points past U+10FFFF are refused.
                    char::from_u32(code_point).ok_or_else(|| {
                        self.item_error(
                            it,
                            format!("Escaped character '\\u{hex}' is not valid UTF-8."),
                        )
                    })?
                }
                other => {
                    return Err(bug(format!(
                        "Expected valid escape code after \\, but got {}.",
                        gofmt::quote_rune(char::from(other))
                    )))
                }
            };
            out.push(replacement);
            rest = &rest[backslash + 2 + digits..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

fn bug(message: String) -> ParseFailure {
    ParseFailure::Bug(format!("BUG: {message}\n\n"))
}

fn assert_type(expected: ItemType, got: ItemType) -> Result<()> {
    if expected != got {
        return Err(bug(format!("Expected '{expected:?}' but got '{got:?}'.")));
    }
    Ok(())
}

fn strip_first_newline(s: &str) -> &str {
    s.strip_prefix('\n')
        .or_else(|| s.strip_prefix("\r\n"))
        .unwrap_or(s)
}

/// Removes a line-ending backslash and the whitespace after it, up to the next
/// non-whitespace character.
fn strip_escaped_newlines(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut i = 0;
    loop {
        let Some(offset) = rest[i..].find('\\') else {
            out.push_str(rest);
            return out;
        };
        i += offset;
        let bytes = rest.as_bytes();
        if bytes.get(i + 1) == Some(&b'\\') {
            i += 2;
            continue;
        }
        let mut j = i + 1;
        while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b'\r' | b'\n') {
            j += 1;
        }
        if j == i + 1 || !rest[i..j].contains('\n') {
            i += 1;
            continue;
        }
        out.push_str(&rest[..i]);
        rest = &rest[j..];
        i = 0;
    }
}

/// Whether every underscore stands between two (hex) digits.
fn num_underscores_ok(s: &str) -> bool {
    if matches!(s, "nan" | "+nan" | "-nan" | "inf" | "-inf" | "+inf") {
        return true;
    }
    let mut accept = false;
    for c in s.chars() {
        if c == '_' && !accept {
            return false;
        }
        accept = is_hex(c);
    }
    accept
}

fn num_has_leading_zero(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() > 1 && b[0] == b'0' && !matches!(b[1], b'b' | b'o' | b'x') {
        return true;
    }
    b.len() > 2 && matches!(b[0], b'-' | b'+') && b[1] == b'0'
}

fn num_periods_ok(s: &str) -> bool {
    let mut period = false;
    for c in s.chars() {
        if period && !c.is_ascii_digit() {
            return false;
        }
        period = c == '.';
    }
    !period
}

enum IntError {
    Syntax,
    Range,
}

/// Go's `strconv.ParseInt(s, 0, 64)` for what the lexer produces: a sign, then decimal
/// digits or a `0x`/`0o`/`0b` prefix, underscores between digits.
fn parse_int(s: &str) -> std::result::Result<i64, IntError> {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = match body.get(..2) {
        Some("0x" | "0X") => (16, &body[2..]),
        Some("0o" | "0O") => (8, &body[2..]),
        Some("0b" | "0B") => (2, &body[2..]),
        _ if body.len() > 1 && body.starts_with('0') => (8, &body[1..]),
        _ => (10, body),
    };
    let digits = digits.replace('_', "");
    if digits.is_empty() {
        return Err(IntError::Syntax);
    }
    let mut magnitude: u128 = 0;
    for c in digits.chars() {
        let d = c.to_digit(radix).ok_or(IntError::Syntax)?;
        magnitude = magnitude * u128::from(radix) + u128::from(d);
        if magnitude > 1 << 64 {
            // Keep scanning for syntax errors without overflowing.
            magnitude = 1 << 64;
        }
    }
    let value = if negative {
        -(magnitude as i128)
    } else {
        magnitude as i128
    };
    i64::try_from(value).map_err(|_| IntError::Range)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(doc: &str) -> String {
        match parse(doc) {
            Err(ParseFailure::Parse(e)) => e,
            other => panic!("{doc:?}: {other:?}"),
        }
    }

    #[test]
    fn errors_name_line_and_key() {
        assert_eq!(
            error_of("a = "),
            "toml: line 1 (last key \"a\"): unexpected EOF; expected value"
        );
        assert_eq!(
            error_of("a = 1\na = 2"),
            "toml: line 2 (last key \"a\"): Key 'a' has already been defined."
        );
        assert_eq!(
            error_of("x = 99999999999999999999"),
            "toml: line 1 (last key \"x\"): 99999999999999999999 is out of range for int64"
        );
    }

    #[test]
    fn integers() {
        assert!(matches!(parse_int("0x7fffffffffffffff"), Ok(i64::MAX)));
        assert!(matches!(parse_int("-9223372036854775808"), Ok(i64::MIN)));
        assert!(matches!(
            parse_int("9223372036854775808"),
            Err(IntError::Range)
        ));
        assert!(matches!(parse_int("1_000"), Ok(1000)));
        assert!(matches!(parse_int("0b101"), Ok(5)));
    }

    #[test]
    fn escaped_newlines() {
        assert_eq!(strip_escaped_newlines("a\\\n   b"), "ab");
        assert_eq!(strip_escaped_newlines("a\\\\\nb"), "a\\\\\nb");
        assert_eq!(strip_escaped_newlines("a\\ b"), "a\\ b");
    }
}
