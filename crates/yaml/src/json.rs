//! JSON as Go's `encoding/json` reads and writes it: the error texts of its syntax
//! checker, float64 numbers, Go's string escaping (`\u003c` for `<` unless HTML escaping
//! is off, `\u2028`, `\b`), and `MarshalIndent`'s layout.

use serde_json::{Map, Value};

use crate::gofloat::format_float_json;

/// How deeply Go's scanner lets arrays and objects nest.
const MAX_NESTING_DEPTH: usize = 10000;

/// The result of Go's `json.Unmarshal` into an `interface{}`: the decoded value (with
/// `null` where a number did not fit a float64) and the first such type error, which
/// Go reports after decoding everything else.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    pub value: Value,
    pub type_error: Option<String>,
    /// The kind of the top-level JSON value as Go's type errors name it (`number` even
    /// when the number did not fit and `value` is null).
    pub kind: &'static str,
}

/// Go's `json.Unmarshal(data, &v)` with `v` an `interface{}`. A syntax error (checked
/// over the whole input first, as Go does) is returned as `Err` with Go's message.
///
/// ```
/// use helmpilot_yaml::json::unmarshal;
/// assert_eq!(unmarshal("{\"a\":").unwrap_err(), "unexpected end of JSON input");
/// assert_eq!(unmarshal("[1, x]").unwrap_err(), "invalid character 'x' looking for beginning of value");
/// let d = unmarshal("{\"a\": 1e400}").unwrap();
/// assert_eq!(d.type_error.unwrap(), "json: cannot unmarshal number 1e400 into Go value of type float64");
/// ```
pub fn unmarshal(text: &str) -> Result<Decoded, String> {
    check_valid(text.as_bytes())?;
    let mut decoder = ValueDecoder {
        b: text.as_bytes(),
        pos: 0,
        type_error: None,
    };
    let kind = match text
        .trim_start_matches([' ', '\t', '\n', '\r'])
        .as_bytes()
        .first()
    {
        Some(b'{') => "object",
        Some(b'[') => "array",
        Some(b'"') => "string",
        Some(b't' | b'f') => "bool",
        Some(b'n') => "null",
        _ => "number",
    };
    let value = decoder.value();
    Ok(Decoded {
        value,
        type_error: decoder.type_error,
        kind,
    })
}

/// Go's syntax check of a JSON document (what `json.Unmarshal` runs before decoding),
/// without building the value: `Err` holds Go's message.
///
/// ```
/// assert_eq!(helmpilot_yaml::json::check_syntax("[1, x]").unwrap_err(),
///            "invalid character 'x' looking for beginning of value");
/// assert!(helmpilot_yaml::json::check_syntax("{\"a\": [1]}").is_ok());
/// ```
pub fn check_syntax(text: &str) -> Result<(), String> {
    check_valid(text.as_bytes())
}

/// The name Go's type errors use for a JSON value's kind (`cannot unmarshal array into
/// ...`).
///
/// ```
/// assert_eq!(helmpilot_yaml::json::kind_name(&serde_json::json!([1])), "array");
/// ```
pub fn kind_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

// ----- Go's syntax checker -----

#[derive(Clone, Copy, PartialEq, Eq)]
enum ParseState {
    ObjectKey,
    ObjectValue,
    ArrayValue,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    BeginValue,
    BeginValueOrEmpty,
    BeginStringOrEmpty,
    BeginString,
    EndValue,
    EndTop,
    InString,
    InStringEsc,
    InStringEscU(u8),
    Neg,
    One,
    Zero,
    Dot,
    Dot0,
    E,
    ESign,
    E0,
    /// Inside a literal: the rest of the word still expected.
    Literal(&'static [u8], &'static str),
}

/// A byte as Go's `quoteChar` shows it in syntax errors: the byte read as a Latin-1
/// character, quoted Go-style between single quotes.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".to_string(),
        b'"' => "'\"'".to_string(),
        _ => {
            let ch = char::from(c);
            let inner = match ch {
                '\x07' => "\\a".to_string(),
                '\x08' => "\\b".to_string(),
                '\x0C' => "\\f".to_string(),
                '\n' => "\\n".to_string(),
                '\r' => "\\r".to_string(),
                '\t' => "\\t".to_string(),
                '\x0B' => "\\v".to_string(),
                '\\' => "\\\\".to_string(),
                c if (c as u32) < 0x20 || c as u32 == 0x7F => format!("\\x{:02x}", c as u32),
                c if (0x80..=0xA0).contains(&(c as u32)) || c as u32 == 0xAD => {
                    format!("\\u{:04x}", c as u32)
                }
                c => c.to_string(),
            };
            format!("'{inner}'")
        }
    }
}

fn syntax_error(c: u8, context: &str) -> String {
    format!("invalid character {} {context}", quote_char(c))
}

struct Checker {
    step: Step,
    stack: Vec<ParseState>,
    end_top: bool,
}

impl Checker {
    fn push(&mut self, c: u8, state: ParseState) -> Result<(), String> {
        self.stack.push(state);
        if self.stack.len() > MAX_NESTING_DEPTH {
            return Err(syntax_error(c, "exceeded max depth"));
        }
        Ok(())
    }

    fn begin_value(&mut self, c: u8) -> Result<(), String> {
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => {}
            b'{' => {
                self.step = Step::BeginStringOrEmpty;
                self.push(c, ParseState::ObjectKey)?;
            }
            b'[' => {
                self.step = Step::BeginValueOrEmpty;
                self.push(c, ParseState::ArrayValue)?;
            }
            b'"' => self.step = Step::InString,
            b'-' => self.step = Step::Neg,
            b'0' => self.step = Step::Zero,
            b'1'..=b'9' => self.step = Step::One,
            b't' => self.step = Step::Literal(b"rue", "true"),
            b'f' => self.step = Step::Literal(b"alse", "false"),
            b'n' => self.step = Step::Literal(b"ull", "null"),
            _ => return Err(syntax_error(c, "looking for beginning of value")),
        }
        Ok(())
    }

    fn end_value(&mut self, c: u8) -> Result<(), String> {
        let Some(&top) = self.stack.last() else {
            self.step = Step::EndTop;
            self.end_top = true;
            return self.end_top_step(c);
        };
        if matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
            self.step = Step::EndValue;
            return Ok(());
        }
        match top {
            ParseState::ObjectKey => {
                if c == b':' {
                    *self.stack.last_mut().expect("non-empty") = ParseState::ObjectValue;
                    self.step = Step::BeginValue;
                    return Ok(());
                }
                Err(syntax_error(c, "after object key"))
            }
            ParseState::ObjectValue => {
                if c == b',' {
                    *self.stack.last_mut().expect("non-empty") = ParseState::ObjectKey;
                    self.step = Step::BeginString;
                    return Ok(());
                }
                if c == b'}' {
                    self.pop();
                    return Ok(());
                }
                Err(syntax_error(c, "after object key:value pair"))
            }
            ParseState::ArrayValue => {
                if c == b',' {
                    self.step = Step::BeginValue;
                    return Ok(());
                }
                if c == b']' {
                    self.pop();
                    return Ok(());
                }
                Err(syntax_error(c, "after array element"))
            }
        }
    }

    fn pop(&mut self) {
        self.stack.pop();
        if self.stack.is_empty() {
            self.step = Step::EndTop;
            self.end_top = true;
        } else {
            self.step = Step::EndValue;
        }
    }

    fn end_top_step(&mut self, c: u8) -> Result<(), String> {
        if !matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
            return Err(syntax_error(c, "after top-level value"));
        }
        Ok(())
    }

    fn feed(&mut self, c: u8) -> Result<(), String> {
        match self.step {
            Step::BeginValue => self.begin_value(c),
            Step::BeginValueOrEmpty => {
                if matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
                    return Ok(());
                }
                if c == b']' {
                    return self.end_value(c);
                }
                self.begin_value(c)
            }
            Step::BeginStringOrEmpty => {
                if matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
                    return Ok(());
                }
                if c == b'}' {
                    *self.stack.last_mut().expect("inside an object") = ParseState::ObjectValue;
                    return self.end_value(c);
                }
                self.begin_string(c)
            }
            Step::BeginString => self.begin_string(c),
            Step::EndValue => self.end_value(c),
            Step::EndTop => self.end_top_step(c),
            Step::InString => {
                match c {
                    b'"' => self.step = Step::EndValue,
                    b'\\' => self.step = Step::InStringEsc,
                    c if c < 0x20 => return Err(syntax_error(c, "in string literal")),
                    _ => {}
                }
                Ok(())
            }
            Step::InStringEsc => {
                match c {
                    b'b' | b'f' | b'n' | b'r' | b't' | b'\\' | b'/' | b'"' => {
                        self.step = Step::InString
                    }
                    b'u' => self.step = Step::InStringEscU(0),
                    _ => return Err(syntax_error(c, "in string escape code")),
                }
                Ok(())
            }
            Step::InStringEscU(n) => {
                if !c.is_ascii_hexdigit() {
                    return Err(syntax_error(c, "in \\u hexadecimal character escape"));
                }
                self.step = if n == 3 {
                    Step::InString
                } else {
                    Step::InStringEscU(n + 1)
                };
                Ok(())
            }
            Step::Neg => match c {
                b'0' => {
                    self.step = Step::Zero;
                    Ok(())
                }
                b'1'..=b'9' => {
                    self.step = Step::One;
                    Ok(())
                }
                _ => Err(syntax_error(c, "in numeric literal")),
            },
            Step::One => {
                if c.is_ascii_digit() {
                    return Ok(());
                }
                self.zero(c)
            }
            Step::Zero => self.zero(c),
            Step::Dot => {
                if c.is_ascii_digit() {
                    self.step = Step::Dot0;
                    return Ok(());
                }
                Err(syntax_error(c, "after decimal point in numeric literal"))
            }
            Step::Dot0 => {
                if c.is_ascii_digit() {
                    return Ok(());
                }
                if c == b'e' || c == b'E' {
                    self.step = Step::E;
                    return Ok(());
                }
                self.end_value(c)
            }
            Step::E => {
                if c == b'+' || c == b'-' {
                    self.step = Step::ESign;
                    return Ok(());
                }
                self.e_sign(c)
            }
            Step::ESign => self.e_sign(c),
            Step::E0 => {
                if c.is_ascii_digit() {
                    return Ok(());
                }
                self.end_value(c)
            }
            Step::Literal(rest, word) => {
                if c == rest[0] {
                    self.step = if rest.len() == 1 {
                        Step::EndValue
                    } else {
                        Step::Literal(&rest[1..], word)
                    };
                    return Ok(());
                }
                Err(syntax_error(
                    c,
                    &format!("in literal {word} (expecting {})", quote_char(rest[0])),
                ))
            }
        }
    }

    fn begin_string(&mut self, c: u8) -> Result<(), String> {
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => Ok(()),
            b'"' => {
                self.step = Step::InString;
                Ok(())
            }
            _ => Err(syntax_error(
                c,
                "looking for beginning of object key string",
            )),
        }
    }

    fn zero(&mut self, c: u8) -> Result<(), String> {
        match c {
            b'.' => {
                self.step = Step::Dot;
                Ok(())
            }
            b'e' | b'E' => {
                self.step = Step::E;
                Ok(())
            }
            _ => self.end_value(c),
        }
    }

    fn e_sign(&mut self, c: u8) -> Result<(), String> {
        if c.is_ascii_digit() {
            self.step = Step::E0;
            return Ok(());
        }
        Err(syntax_error(c, "in exponent of numeric literal"))
    }
}

/// Go's `checkValid`: the whole input must be one JSON value.
fn check_valid(b: &[u8]) -> Result<(), String> {
    let mut checker = Checker {
        step: Step::BeginValue,
        stack: Vec::new(),
        end_top: false,
    };
    for &c in b {
        checker.feed(c)?;
    }
    // At the end Go feeds a space, which completes a number or reports a cut-off
    // literal.
    if !checker.end_top {
        checker.feed(b' ')?;
        if !checker.end_top {
            return Err("unexpected end of JSON input".to_string());
        }
    }
    Ok(())
}

/// Go's `json.Decoder.Decode` into an `interface{}` on a stream holding `text`: decodes
/// the first JSON value and returns it with Go's `InputOffset` (the bytes consumed, which
/// stop right after the value; whatever follows is left for the caller). Go ends a
/// top-level number, string or literal at the first byte after it, whatever that byte
/// is, and a top-level object or array at its closing bracket. A stream cut off inside
/// a value gives `unexpected EOF`, an empty one `EOF`; a number that does not fit a
/// float64 gives Go's type error.
///
/// ```
/// use helmpilot_yaml::json::decode_prefix;
/// let (v, n) = decode_prefix(r#"{"a":1} ,rest"#).unwrap();
/// assert_eq!((v, n), (serde_json::json!({"a": 1.0}), 7));
/// assert_eq!(decode_prefix("12x").unwrap().1, 2);
/// assert_eq!(decode_prefix("[1,").unwrap_err(), "unexpected EOF");
/// assert_eq!(decode_prefix("x").unwrap_err(), "invalid character 'x' looking for beginning of value");
/// ```
pub fn decode_prefix(text: &str) -> Result<(Value, usize), String> {
    let b = text.as_bytes();
    let mut checker = Checker {
        step: Step::BeginValue,
        stack: Vec::new(),
        end_top: false,
    };
    let mut end = None;
    for (i, &c) in b.iter().enumerate() {
        let inside_container = !checker.stack.is_empty();
        let fed = checker.feed(c);
        if checker.end_top {
            // Closing the outermost bracket ends the value with this byte; any other end
            // is noticed one byte late (Go's delayed scanEnd), so this byte stays unread
            // and a complaint about it is not Decode's business.
            end = Some(if inside_container { i + 1 } else { i });
            break;
        }
        fed?;
    }
    let end = match end {
        Some(end) => end,
        None => {
            // At the end of the stream Go feeds a space: that completes a number or a
            // literal, and anything else was cut off.
            if checker.feed(b' ').is_ok() && checker.end_top {
                b.len()
            } else if b.iter().any(|c| !matches!(c, b' ' | b'\t' | b'\n' | b'\r')) {
                return Err("unexpected EOF".to_string());
            } else {
                return Err("EOF".to_string());
            }
        }
    };
    let decoded = unmarshal(&text[..end])?;
    match decoded.type_error {
        Some(err) => Err(err),
        None => Ok((decoded.value, end)),
    }
}

// ----- decoding (the input is known to be valid) -----

struct ValueDecoder<'a> {
    b: &'a [u8],
    pos: usize,
    type_error: Option<String>,
}

impl ValueDecoder<'_> {
    fn skip_ws(&mut self) {
        while self.pos < self.b.len() && matches!(self.b[self.pos], b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
    }

    fn value(&mut self) -> Value {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.value_inner())
    }

    fn value_inner(&mut self) -> Value {
        self.skip_ws();
        let Some(&c) = self.b.get(self.pos) else {
            return Value::Null;
        };
        match c {
            b'{' => {
                self.pos += 1;
                let mut map = Map::new();
                loop {
                    self.skip_ws();
                    if self.b.get(self.pos) == Some(&b'}') {
                        self.pos += 1;
                        break;
                    }
                    if self.b.get(self.pos) == Some(&b',') {
                        self.pos += 1;
                        self.skip_ws();
                    }
                    let key = self.string();
                    self.skip_ws();
                    self.pos += 1; // ':'
                    let v = self.value();
                    map.insert(key, v);
                }
                Value::Object(map)
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    match self.b.get(self.pos) {
                        Some(b']') | None => {
                            self.pos += 1;
                            break;
                        }
                        Some(b',') => self.pos += 1,
                        _ => items.push(self.value()),
                    }
                }
                Value::Array(items)
            }
            b'"' => Value::String(self.string()),
            b't' => {
                self.pos += 4;
                Value::Bool(true)
            }
            b'f' => {
                self.pos += 5;
                Value::Bool(false)
            }
            b'n' => {
                self.pos += 4;
                Value::Null
            }
            _ => {
                let start = self.pos;
                while self.pos < self.b.len()
                    && matches!(
                        self.b[self.pos],
                        b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'
                    )
                {
                    self.pos += 1;
                }
                let text = std::str::from_utf8(&self.b[start..self.pos]).unwrap_or("0");
                match text.parse::<f64>().ok().filter(|f| f.is_finite()) {
                    Some(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
                    None => {
                        if self.type_error.is_none() {
                            self.type_error = Some(format!(
                                "json: cannot unmarshal number {text} into Go value of type float64"
                            ));
                        }
                        Value::Null
                    }
                }
            }
        }
    }

    /// A string literal at `pos` (the opening quote), unescaped. Lone surrogates become
    /// U+FFFD, as in Go.
    fn string(&mut self) -> String {
        self.pos += 1;
        let mut out = String::new();
        let mut pending_high: Option<u32> = None;
        let flush_high = |out: &mut String, pending: &mut Option<u32>| {
            if pending.take().is_some() {
                out.push('\u{FFFD}');
            }
        };
        while let Some(&c) = self.b.get(self.pos) {
            match c {
                b'"' => {
                    self.pos += 1;
                    break;
                }
                b'\\' => {
                    let e = self.b.get(self.pos + 1).copied().unwrap_or(b'\\');
                    self.pos += 2;
                    if e == b'u' {
                        let hex = std::str::from_utf8(&self.b[self.pos..self.pos + 4])
                            .ok()
                            .and_then(|h| u32::from_str_radix(h, 16).ok())
                            .unwrap_or(0xFFFD);
                        self.pos += 4;
                        if (0xD800..0xDC00).contains(&hex) {
                            flush_high(&mut out, &mut pending_high);
                            pending_high = Some(hex);
                            continue;
                        }
                        if (0xDC00..0xE000).contains(&hex) {
                            match pending_high.take() {
                                Some(high) => {
                                    let code = 0x10000 + ((high - 0xD800) << 10) + (hex - 0xDC00);
                                    out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                                }
                                None => out.push('\u{FFFD}'),
                            }
                            continue;
                        }
                        flush_high(&mut out, &mut pending_high);
                        out.push(char::from_u32(hex).unwrap_or('\u{FFFD}'));
                        continue;
                    }
                    flush_high(&mut out, &mut pending_high);
                    out.push(match e {
                        b'b' => '\x08',
                        b'f' => '\x0C',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        other => char::from(other),
                    });
                }
                _ => {
                    flush_high(&mut out, &mut pending_high);
                    // Copy a whole UTF-8 character (the input is a &str).
                    let start = self.pos;
                    self.pos += 1;
                    while self.pos < self.b.len() && (self.b[self.pos] & 0xC0) == 0x80 {
                        self.pos += 1;
                    }
                    out.push_str(std::str::from_utf8(&self.b[start..self.pos]).unwrap_or(""));
                }
            }
        }
        flush_high(&mut out, &mut pending_high);
        out
    }
}

// ----- encoding -----

/// Appends `s` as a JSON string literal the way Go's encoder writes it: `<`, `>` and `&`
/// as `\u003c`, `\u003e`, `\u0026` when `escape_html`, control characters escaped
/// (`\n`, `\b`, `\u0001`), and U+2028/U+2029 always escaped.
///
/// ```
/// let mut out = String::new();
/// helmpilot_yaml::json::write_string(&mut out, "<a>\u{1}", true);
/// assert_eq!(out, r#""\u003ca\u003e\u0001""#);
/// ```
pub fn write_string(out: &mut String, s: &str, escape_html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x08' => out.push_str("\\b"),
            '\x0C' => out.push_str("\\f"),
            '<' | '>' | '&' if escape_html => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Go's `json.Marshal` of a decoded JSON value (keys sorted, Go's number format).
///
/// ```
/// let v = serde_json::json!({"b": [1.5, "<"], "a": null});
/// assert_eq!(helmpilot_yaml::json::marshal(&v), r#"{"a":null,"b":[1.5,"\u003c"]}"#);
/// ```
pub fn marshal(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

fn write_value(out: &mut String, value: &Value) {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.push_str(&i.to_string());
            } else if let Some(u) = n.as_u64() {
                out.push_str(&u.to_string());
            } else {
                out.push_str(&format_float_json(n.as_f64().unwrap_or(0.0)));
            }
        }
        Value::String(s) => write_string(out, s, true),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key, true);
                out.push(':');
                write_value(out, &map[key.as_str()]);
            }
            out.push('}');
        }
    })
}

/// Go's `json.Indent` applied to compact JSON, as `MarshalIndent(v, "", indent)` lays
/// it out: one element per line, `": "` after keys, empty `{}` and `[]` kept together.
///
/// ```
/// assert_eq!(helmpilot_yaml::json::indent(r#"{"a":[1,{}],"b":[]}"#, "  "),
///            "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": []\n}");
/// ```
pub fn indent(compact: &str, indent: &str) -> String {
    let b = compact.as_bytes();
    let mut out = String::with_capacity(compact.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(indent);
        }
    };
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if in_string {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_string = false;
            }
            // Copy whole characters.
            let start = i;
            i += 1;
            while i < b.len() && (b[i] & 0xC0) == 0x80 {
                i += 1;
            }
            out.push_str(std::str::from_utf8(&b[start..i]).unwrap_or(""));
            continue;
        }
        match c {
            b'"' => {
                in_string = true;
                out.push('"');
            }
            b'{' | b'[' => {
                out.push(c as char);
                let close = if c == b'{' { b'}' } else { b']' };
                if b.get(i + 1) == Some(&close) {
                    out.push(close as char);
                    i += 1;
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c as char);
            }
            b',' => {
                out.push(',');
                newline(&mut out, depth);
            }
            b':' => out.push_str(": "),
            _ => out.push(c as char),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(s: &str) -> String {
        unmarshal(s).unwrap_err()
    }

    #[test]
    fn go_syntax_errors() {
        assert_eq!(err(""), "unexpected end of JSON input");
        assert_eq!(
            err("{a}"),
            "invalid character 'a' looking for beginning of object key string"
        );
        assert_eq!(err("{\"a\" 1}"), "invalid character '1' after object key");
        assert_eq!(
            err("{\"a\":1 x"),
            "invalid character 'x' after object key:value pair"
        );
        assert_eq!(err("[1 2]"), "invalid character '2' after array element");
        assert_eq!(
            err("tru"),
            "invalid character ' ' in literal true (expecting 'e')"
        );
        assert_eq!(
            err("nul!"),
            "invalid character '!' in literal null (expecting 'l')"
        );
        assert_eq!(
            err("1."),
            "invalid character ' ' after decimal point in numeric literal"
        );
        assert_eq!(err("-"), "invalid character ' ' in numeric literal");
        assert_eq!(
            err("1e"),
            "invalid character ' ' in exponent of numeric literal"
        );
        assert_eq!(err("01"), "invalid character '1' after top-level value");
        assert_eq!(err("\"a\nb\""), "invalid character '\\n' in string literal");
        assert_eq!(
            err("\"\\q\""),
            "invalid character 'q' in string escape code"
        );
        assert_eq!(
            err("'a'"),
            "invalid character '\\'' looking for beginning of value"
        );
        assert_eq!(
            err("[1,]"),
            "invalid character ']' looking for beginning of value"
        );
        assert_eq!(
            err("é"),
            "invalid character 'Ã' looking for beginning of value"
        );
    }

    #[test]
    fn decodes_values() {
        let d =
            unmarshal(r#" {"a": [1, -0.5e1, "x\u00e9\ud83d\ude00\ud800"], "a": true, "b": null} "#)
                .unwrap();
        assert_eq!(d.type_error, None);
        assert_eq!(d.value, serde_json::json!({"a": true, "b": null}));
        let d = unmarshal(r#"["x\u00e9\ud83d\ude00\ud800", -0.5e1, {}]"#).unwrap();
        assert_eq!(d.value, serde_json::json!(["xé😀\u{FFFD}", -5.0, {}]));
    }

    #[test]
    fn encodes_like_go() {
        let mut s = String::new();
        write_string(&mut s, "a\u{8}\u{c}\u{1f}\u{7f}\u{2028}&", false);
        assert_eq!(s, "\"a\\b\\f\\u001f\u{7f}\\u2028&\"");
    }
}
