//! BurntSushi/toml v1.6's lexer: a state machine that produces items on demand, so a
//! syntax error further on is only seen once the parser gets there (an earlier
//! semantic error wins, as in Go). Ported state by state; error texts are Go's.

use std::collections::VecDeque;

use helmpilot_template::gofmt;

/// Go's `eof` rune.
const EOF: char = '\0';
/// What `next` returns after reporting a control character (Go's `utf8.RuneError`).
const RUNE_ERROR: char = '\u{fffd}';

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ItemType {
    Error,
    Eof,
    Text,
    String,
    StringEsc,
    RawString,
    MultilineString,
    RawMultilineString,
    Bool,
    Integer,
    Float,
    Datetime,
    Array,
    ArrayEnd,
    TableStart,
    TableEnd,
    ArrayTableStart,
    ArrayTableEnd,
    KeyStart,
    KeyEnd,
    CommentStart,
    InlineTableStart,
    InlineTableEnd,
}

#[derive(Clone, Debug)]
pub(super) struct Item {
    pub(super) typ: ItemType,
    pub(super) val: String,
    /// The error message of an error item.
    pub(super) err: String,
    pub(super) line: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Top,
    TopEnd,
    TableStart,
    TableEnd,
    ArrayTableEnd,
    TableNameStart,
    TableNameEnd,
    BareName,
    QuotedName,
    KeyStart,
    KeyNameStart,
    KeyEnd,
    Value,
    ArrayValue,
    ArrayValueEnd,
    ArrayEnd,
    InlineTableValue,
    InlineTableValueEnd,
    InlineTableEnd,
    String,
    MultilineString,
    RawString,
    MultilineRawString,
    MultilineStringEscape,
    StringEscape,
    HexEscape,
    ShortUnicodeEscape,
    LongUnicodeEscape,
    NumberOrDateStart,
    NumberOrDate,
    Datetime,
    HexInteger,
    OctalInteger,
    BinaryInteger,
    DecimalNumber,
    DecimalNumberStart,
    BaseNumberOrDate,
    Float,
    Bool,
    CommentStart,
    Comment,
}

pub(super) struct Lexer<'a> {
    input: &'a str,
    start: usize,
    pos: usize,
    line: usize,
    state: Option<State>,
    items: VecDeque<Item>,
    esc: bool,
    prev_widths: [usize; 4],
    nprev: usize,
    at_eof: bool,
    stack: Vec<State>,
    /// Set once an error item is out: the parser stops at it, so the lexer only has to
    /// finish its current step without touching the input again (Go's lexer carries on
    /// from positions that are no longer meaningful).
    failed: bool,
}

fn is_whitespace(r: char) -> bool {
    r == '\t' || r == ' '
}
fn is_nl(r: char) -> bool {
    r == '\n' || r == '\r'
}
fn is_control(r: char) -> bool {
    !matches!(r, '\t' | '\r' | '\n') && (r <= '\u{1f}' || r == '\u{7f}')
}
fn is_digit(r: char) -> bool {
    r.is_ascii_digit()
}
fn is_binary(r: char) -> bool {
    r == '0' || r == '1'
}
fn is_octal(r: char) -> bool {
    ('0'..='7').contains(&r)
}
pub(super) fn is_hex(r: char) -> bool {
    r.is_ascii_hexdigit()
}
fn is_bare_key_char(r: char) -> bool {
    r.is_ascii_alphanumeric() || r == '_' || r == '-'
}

/// Go's `%q` of a rune.
fn q(r: char) -> String {
    gofmt::quote_rune(r)
}

fn rune_or_eof(r: char) -> String {
    if r == EOF {
        "end of file".to_string()
    } else {
        format!("'{r}'")
    }
}

impl<'a> Lexer<'a> {
    pub(super) fn new(input: &'a str) -> Lexer<'a> {
        Lexer {
            input,
            start: 0,
            pos: 0,
            line: 1,
            state: Some(State::Top),
            items: VecDeque::new(),
            esc: false,
            prev_widths: [0; 4],
            nprev: 0,
            at_eof: false,
            stack: Vec::new(),
            failed: false,
        }
    }

    pub(super) fn next_item(&mut self) -> Item {
        loop {
            if let Some(item) = self.items.pop_front() {
                return item;
            }
            match self.state {
                Some(state) => self.state = self.step(state),
                // Only after an error or the end, which the parser never reads past.
                None => return self.item(ItemType::Eof, String::new(), String::new()),
            }
        }
    }

    fn item(&self, typ: ItemType, val: String, err: String) -> Item {
        Item {
            typ,
            val,
            err,
            line: self.line,
        }
    }

    fn push(&mut self, state: State) {
        self.stack.push(state);
    }

    fn pop(&mut self) -> Option<State> {
        match self.stack.pop() {
            Some(state) => Some(state),
            None => self.error_with_line(self.line, "BUG in lexer: no states to pop".to_string()),
        }
    }

    fn current(&self) -> &'a str {
        self.input.get(self.start..self.pos).unwrap_or_default()
    }

    fn emit(&mut self, typ: ItemType) {
        if self.failed {
            return;
        }
        let item = self.item(typ, self.current().to_string(), String::new());
        self.items.push_back(item);
        self.start = self.pos;
    }

    fn emit_trim(&mut self, typ: ItemType) {
        if self.failed {
            return;
        }
        let item = self.item(typ, self.current().trim().to_string(), String::new());
        self.items.push_back(item);
        self.start = self.pos;
    }

    fn next(&mut self) -> char {
        if self.failed || self.at_eof {
            return EOF;
        }
        let bytes = self.input.as_bytes();
        if self.pos >= bytes.len() {
            self.at_eof = true;
            return EOF;
        }
        if bytes[self.pos] == b'\n' {
            self.line += 1;
        }
        self.prev_widths[3] = self.prev_widths[2];
        self.prev_widths[2] = self.prev_widths[1];
        self.prev_widths[1] = self.prev_widths[0];
        if self.nprev < 4 {
            self.nprev += 1;
        }
        let Some(r) = self.input[self.pos..].chars().next() else {
            return EOF;
        };
        let lone_cr = r == '\r' && (bytes.len() - 1 == self.pos || bytes[self.pos + 1] != b'\n');
        if is_control(r) || lone_cr {
            self.error_with_line(
                self.line,
                format!(
                    "TOML files cannot contain control characters: '0x{:02x}'",
                    r as u32
                ),
            );
            return RUNE_ERROR;
        }
        self.prev_widths[0] = r.len_utf8();
        self.pos += r.len_utf8();
        r
    }

    fn ignore(&mut self) {
        if !self.failed {
            self.start = self.pos;
        }
    }

    fn backup(&mut self) {
        if self.failed {
            return;
        }
        if self.at_eof {
            self.at_eof = false;
            return;
        }
        if self.nprev < 1 {
            // Go panics ("backed up too far"); the states never do it.
            return;
        }
        let w = self.prev_widths[0];
        self.prev_widths[0] = self.prev_widths[1];
        self.prev_widths[1] = self.prev_widths[2];
        self.prev_widths[2] = self.prev_widths[3];
        self.nprev -= 1;
        self.pos = self.pos.saturating_sub(w);
        if self.input.as_bytes().get(self.pos) == Some(&b'\n') {
            self.line -= 1;
        }
    }

    fn accept(&mut self, valid: char) -> bool {
        if self.next() == valid {
            return true;
        }
        self.backup();
        false
    }

    fn peek(&mut self) -> char {
        let r = self.next();
        self.backup();
        r
    }

    fn skip(&mut self, pred: fn(char) -> bool) {
        loop {
            let r = self.next();
            if r != EOF && pred(r) {
                continue;
            }
            self.backup();
            self.ignore();
            return;
        }
    }

    fn error_with_line(&mut self, line: usize, message: String) -> Option<State> {
        if !self.failed {
            self.failed = true;
            let item = Item {
                typ: ItemType::Error,
                val: String::new(),
                err: message,
                line,
            };
            self.items.push_back(item);
        }
        None
    }

    /// `lx.error`: at the end of the input, on the previous line.
    fn error(&mut self, message: String) -> Option<State> {
        if self.at_eof {
            return self.error_prev_line(message);
        }
        self.error_with_line(self.line, message)
    }

    fn error_prev_line(&mut self, message: String) -> Option<State> {
        self.error_with_line(self.line.saturating_sub(1), message)
    }

    /// `lx.errorf`: at the end of the input after a newline, on the line before it.
    fn errorf(&mut self, message: String) -> Option<State> {
        let mut line = self.line;
        if self.at_eof && self.pos >= 1 && self.input.as_bytes()[self.pos - 1] == b'\n' {
            line -= 1;
        }
        self.error_with_line(line, message)
    }

    /// `lexSkip`.
    fn skip_to(&mut self, next: State) -> Option<State> {
        self.ignore();
        Some(next)
    }

    fn step(&mut self, state: State) -> Option<State> {
        match state {
            State::Top => self.lex_top(),
            State::TopEnd => self.lex_top_end(),
            State::TableStart => self.lex_table_start(),
            State::TableEnd => {
                self.emit(ItemType::TableEnd);
                Some(State::TopEnd)
            }
            State::ArrayTableEnd => {
                let r = self.next();
                if r != ']' {
                    return self.errorf(format!(
                        "expected end of table array name delimiter ']', but got {} instead",
                        q(r)
                    ));
                }
                self.emit(ItemType::ArrayTableEnd);
                Some(State::TopEnd)
            }
            State::TableNameStart => self.lex_table_name_start(),
            State::TableNameEnd => self.lex_table_name_end(),
            State::BareName => {
                let r = self.next();
                if is_bare_key_char(r) {
                    return Some(State::BareName);
                }
                self.backup();
                self.emit(ItemType::Text);
                self.pop()
            }
            State::QuotedName => self.lex_quoted_name(),
            State::KeyStart => self.lex_key_start(),
            State::KeyNameStart => self.lex_key_name_start(),
            State::KeyEnd => self.lex_key_end(),
            State::Value => self.lex_value(),
            State::ArrayValue => self.lex_array_value(),
            State::ArrayValueEnd => self.lex_array_value_end(),
            State::ArrayEnd => {
                self.ignore();
                self.emit(ItemType::ArrayEnd);
                self.pop()
            }
            State::InlineTableValue => self.lex_inline_table_value(),
            State::InlineTableValueEnd => self.lex_inline_table_value_end(),
            State::InlineTableEnd => {
                self.ignore();
                self.emit(ItemType::InlineTableEnd);
                self.pop()
            }
            State::String => self.lex_string(),
            State::MultilineString => self.lex_multiline_string(),
            State::RawString => self.lex_raw_string(),
            State::MultilineRawString => self.lex_multiline_raw_string(),
            State::MultilineStringEscape => {
                if is_nl(self.next()) {
                    return Some(State::MultilineString);
                }
                self.backup();
                self.push(State::MultilineString);
                self.lex_string_escape()
            }
            State::StringEscape => self.lex_string_escape(),
            State::HexEscape => self.lex_hex_digits(2, "two", 'x'),
            State::ShortUnicodeEscape => self.lex_hex_digits(4, "four", 'u'),
            State::LongUnicodeEscape => self.lex_hex_digits(8, "eight", 'U'),
            State::NumberOrDateStart => {
                if self.next() == '0' {
                    return Some(State::BaseNumberOrDate);
                }
                Some(State::NumberOrDate)
            }
            State::NumberOrDate => self.lex_number_or_date(),
            State::Datetime => {
                let r = self.next();
                if is_digit(r) || matches!(r, '-' | ':' | 'T' | 't' | ' ' | '.' | 'Z' | 'z' | '+') {
                    return Some(State::Datetime);
                }
                self.backup();
                self.emit_trim(ItemType::Datetime);
                self.pop()
            }
            State::HexInteger => self.lex_based_integer(is_hex, State::HexInteger),
            State::OctalInteger => self.lex_based_integer(is_octal, State::OctalInteger),
            State::BinaryInteger => self.lex_based_integer(is_binary, State::BinaryInteger),
            State::DecimalNumber => {
                let r = self.next();
                if is_digit(r) || r == '_' {
                    return Some(State::DecimalNumber);
                }
                if matches!(r, '.' | 'e' | 'E') {
                    return Some(State::Float);
                }
                self.backup();
                self.emit(ItemType::Integer);
                self.pop()
            }
            State::DecimalNumberStart => self.lex_decimal_number_start(),
            State::BaseNumberOrDate => self.lex_base_number_or_date(),
            State::Float => {
                let r = self.next();
                if is_digit(r) || matches!(r, '_' | '.' | '-' | '+' | 'e' | 'E') {
                    return Some(State::Float);
                }
                self.backup();
                self.emit(ItemType::Float);
                self.pop()
            }
            State::Bool => self.lex_bool(),
            State::CommentStart => {
                self.ignore();
                self.emit(ItemType::CommentStart);
                Some(State::Comment)
            }
            State::Comment => {
                let r = self.next();
                if is_nl(r) || r == EOF {
                    self.backup();
                    self.emit(ItemType::Text);
                    return self.pop();
                }
                Some(State::Comment)
            }
        }
    }

    fn lex_top(&mut self) -> Option<State> {
        let r = self.next();
        if is_whitespace(r) || is_nl(r) {
            return self.skip_to(State::Top);
        }
        match r {
            '#' => {
                self.push(State::Top);
                return Some(State::CommentStart);
            }
            '[' => return Some(State::TableStart),
            EOF => {
                if self.pos > self.start {
                    return self.errorf("unexpected EOF".to_string());
                }
                self.emit(ItemType::Eof);
                return None;
            }
            _ => {}
        }
        self.backup();
        self.push(State::TopEnd);
        Some(State::KeyStart)
    }

    fn lex_top_end(&mut self) -> Option<State> {
        let r = self.next();
        match r {
            '#' => {
                self.push(State::Top);
                Some(State::CommentStart)
            }
            _ if is_whitespace(r) => Some(State::TopEnd),
            _ if is_nl(r) => {
                self.ignore();
                Some(State::Top)
            }
            EOF => {
                self.emit(ItemType::Eof);
                None
            }
            _ => self.errorf(format!(
                "expected a top-level item to end with a newline, comment, or EOF, but got {} instead",
                q(r)
            )),
        }
    }

    fn lex_table_start(&mut self) -> Option<State> {
        if self.peek() == '[' {
            self.next();
            self.emit(ItemType::ArrayTableStart);
            self.push(State::ArrayTableEnd);
        } else {
            self.emit(ItemType::TableStart);
            self.push(State::TableEnd);
        }
        Some(State::TableNameStart)
    }

    fn lex_table_name_start(&mut self) -> Option<State> {
        self.skip(is_whitespace);
        match self.peek() {
            ']' | EOF => self
                .errorf("unexpected end of table name (table names cannot be empty)".to_string()),
            '.' => {
                self.errorf("unexpected table separator (table names cannot be empty)".to_string())
            }
            '"' | '\'' => {
                self.ignore();
                self.push(State::TableNameEnd);
                Some(State::QuotedName)
            }
            _ => {
                self.push(State::TableNameEnd);
                Some(State::BareName)
            }
        }
    }

    fn lex_table_name_end(&mut self) -> Option<State> {
        self.skip(is_whitespace);
        match self.next() {
            '.' => {
                self.ignore();
                Some(State::TableNameStart)
            }
            ']' => self.pop(),
            r => self.errorf(format!(
                "expected '.' or ']' to end table name, but got {} instead",
                q(r)
            )),
        }
    }

    fn lex_quoted_name(&mut self) -> Option<State> {
        let r = self.next();
        match r {
            '"' => {
                self.ignore();
                Some(State::String)
            }
            '\'' => {
                self.ignore();
                Some(State::RawString)
            }
            _ if is_whitespace(r) => self.skip_to(State::Value),
            EOF => self.errorf("unexpected EOF; expected value".to_string()),
            _ => self.errorf(format!("expected value but found {} instead", q(r))),
        }
    }

    fn lex_key_start(&mut self) -> Option<State> {
        self.skip(is_whitespace);
        match self.peek() {
            '=' | EOF => self.errorf("unexpected '=': key name appears blank".to_string()),
            '.' => self.errorf("unexpected '.': keys cannot start with a '.'".to_string()),
            r => {
                if r == '"' || r == '\'' {
                    self.ignore();
                }
                self.emit(ItemType::KeyStart);
                Some(State::KeyNameStart)
            }
        }
    }

    fn lex_key_name_start(&mut self) -> Option<State> {
        self.skip(is_whitespace);
        match self.peek() {
            '"' | '\'' => {
                self.ignore();
                self.push(State::KeyEnd);
                Some(State::QuotedName)
            }
            '=' | EOF => self.errorf("unexpected '='".to_string()),
            '.' => self.errorf("unexpected '.'".to_string()),
            _ => {
                self.push(State::KeyEnd);
                Some(State::BareName)
            }
        }
    }

    fn lex_key_end(&mut self) -> Option<State> {
        self.skip(is_whitespace);
        let r = self.next();
        match r {
            _ if is_whitespace(r) => self.skip_to(State::KeyEnd),
            EOF => self.errorf("unexpected EOF; expected key separator '='".to_string()),
            '.' => {
                self.ignore();
                Some(State::KeyNameStart)
            }
            '=' => {
                self.emit(ItemType::KeyEnd);
                self.skip_to(State::Value)
            }
            '\n' => self.error_prev_line(format!("expected '.' or '=', but got {} instead", q(r))),
            _ => self.errorf(format!("expected '.' or '=', but got {} instead", q(r))),
        }
    }

    fn lex_value(&mut self) -> Option<State> {
        let r = self.next();
        if is_whitespace(r) {
            return self.skip_to(State::Value);
        }
        if is_digit(r) {
            self.backup();
            return Some(State::NumberOrDateStart);
        }
        match r {
            '[' => {
                self.ignore();
                self.emit(ItemType::Array);
                return Some(State::ArrayValue);
            }
            '{' => {
                self.ignore();
                self.emit(ItemType::InlineTableStart);
                return Some(State::InlineTableValue);
            }
            '"' => {
                if self.accept('"') {
                    if self.accept('"') {
                        self.ignore();
                        return Some(State::MultilineString);
                    }
                    self.backup();
                }
                self.ignore();
                return Some(State::String);
            }
            '\'' => {
                if self.accept('\'') {
                    if self.accept('\'') {
                        self.ignore();
                        return Some(State::MultilineRawString);
                    }
                    self.backup();
                }
                self.ignore();
                return Some(State::RawString);
            }
            '.' => return self.errorf("floats must start with a digit, not '.'".to_string()),
            // `inf` or `nan`; the guard consumes what it reads, as Go's does, and a word
            // that is neither falls through to the boolean lexer below.
            'i' | 'n'
                if (self.accept('n') && self.accept('f'))
                    || (self.accept('a') && self.accept('n')) =>
            {
                self.emit(ItemType::Float);
                return self.pop();
            }
            '-' | '+' => return Some(State::DecimalNumberStart),
            _ => {}
        }
        if r.is_alphabetic() {
            self.backup();
            return Some(State::Bool);
        }
        if r == EOF {
            return self.errorf("unexpected EOF; expected value".to_string());
        }
        if r == '\n' {
            return self.error_prev_line(format!("expected value but found {} instead", q(r)));
        }
        self.errorf(format!("expected value but found {} instead", q(r)))
    }

    fn lex_array_value(&mut self) -> Option<State> {
        let r = self.next();
        match r {
            _ if is_whitespace(r) || is_nl(r) => self.skip_to(State::ArrayValue),
            '#' => {
                self.push(State::ArrayValue);
                Some(State::CommentStart)
            }
            ',' => self.errorf("unexpected comma".to_string()),
            ']' => Some(State::ArrayEnd),
            _ => {
                self.backup();
                self.push(State::ArrayValueEnd);
                Some(State::Value)
            }
        }
    }

    fn lex_array_value_end(&mut self) -> Option<State> {
        let r = self.next();
        match r {
            _ if is_whitespace(r) || is_nl(r) => self.skip_to(State::ArrayValueEnd),
            '#' => {
                self.push(State::ArrayValueEnd);
                Some(State::CommentStart)
            }
            ',' => {
                self.ignore();
                Some(State::ArrayValue)
            }
            ']' => Some(State::ArrayEnd),
            _ => self.errorf(format!(
                "expected a comma (',') or array terminator (']'), but got {}",
                rune_or_eof(r)
            )),
        }
    }

    fn lex_inline_table_value(&mut self) -> Option<State> {
        let r = self.next();
        match r {
            _ if is_whitespace(r) || is_nl(r) => self.skip_to(State::InlineTableValue),
            '#' => {
                self.push(State::InlineTableValue);
                Some(State::CommentStart)
            }
            ',' => self.errorf("unexpected comma".to_string()),
            '}' => Some(State::InlineTableEnd),
            _ => {
                self.backup();
                self.push(State::InlineTableValueEnd);
                Some(State::KeyStart)
            }
        }
    }

    fn lex_inline_table_value_end(&mut self) -> Option<State> {
        let r = self.next();
        match r {
            _ if is_whitespace(r) || is_nl(r) => self.skip_to(State::InlineTableValueEnd),
            '#' => {
                self.push(State::InlineTableValueEnd);
                Some(State::CommentStart)
            }
            ',' => {
                self.ignore();
                self.skip(is_whitespace);
                if self.peek() == '}' {
                    return Some(State::InlineTableValueEnd);
                }
                Some(State::InlineTableValue)
            }
            '}' => Some(State::InlineTableEnd),
            _ => self.errorf(format!(
                "expected a comma or an inline table terminator '}}', but got {} instead",
                rune_or_eof(r)
            )),
        }
    }

    fn lex_string(&mut self) -> Option<State> {
        let r = self.next();
        match r {
            EOF => self.errorf("unexpected EOF; expected '\"'".to_string()),
            _ if is_nl(r) => self.error_prev_line("strings cannot contain newlines".to_string()),
            '\\' => {
                self.push(State::String);
                Some(State::StringEscape)
            }
            '"' => {
                self.backup();
                if self.esc {
                    self.esc = false;
                    self.emit(ItemType::StringEsc);
                } else {
                    self.emit(ItemType::String);
                }
                self.next();
                self.ignore();
                self.pop()
            }
            _ => Some(State::String),
        }
    }

    fn lex_multiline_string(&mut self) -> Option<State> {
        match self.next() {
            EOF => self.errorf("unexpected EOF; expected '\"\"\"'".to_string()),
            '\\' => Some(State::MultilineStringEscape),
            '"' => {
                if self.accept('"') {
                    if self.accept('"') {
                        if self.peek() == '"' {
                            // Six quotes at the end are too many (an escaped one
                            // before them does not count).
                            let current = self.current();
                            if current.ends_with("\"\"\"\"\"") && !current.ends_with("\\\"\"\"\"\"")
                            {
                                return self.errorf("unexpected '\"\"\"\"\"\"'".to_string());
                            }
                            self.backup();
                            self.backup();
                            return Some(State::MultilineString);
                        }
                        self.backup();
                        self.backup();
                        self.backup();
                        self.esc = false;
                        self.emit(ItemType::MultilineString);
                        self.next();
                        self.next();
                        self.next();
                        self.ignore();
                        return self.pop();
                    }
                    self.backup();
                }
                Some(State::MultilineString)
            }
            _ => Some(State::MultilineString),
        }
    }

    fn lex_raw_string(&mut self) -> Option<State> {
        let r = self.next();
        match r {
            EOF => self.errorf("unexpected EOF; expected \"'\"".to_string()),
            _ if is_nl(r) => self.error_prev_line("strings cannot contain newlines".to_string()),
            '\'' => {
                self.backup();
                self.emit(ItemType::RawString);
                self.next();
                self.ignore();
                self.pop()
            }
            _ => Some(State::RawString),
        }
    }

    fn lex_multiline_raw_string(&mut self) -> Option<State> {
        match self.next() {
            EOF => self.errorf("unexpected EOF; expected \"'''\"".to_string()),
            '\'' => {
                if self.accept('\'') {
                    if self.accept('\'') {
                        if self.peek() == '\'' {
                            if self.current().ends_with("'''''") {
                                return self.errorf("unexpected \"''''''\"".to_string());
                            }
                            self.backup();
                            self.backup();
                            return Some(State::MultilineRawString);
                        }
                        self.backup();
                        self.backup();
                        self.backup();
                        self.emit(ItemType::RawMultilineString);
                        self.next();
                        self.next();
                        self.next();
                        self.ignore();
                        return self.pop();
                    }
                    self.backup();
                }
                Some(State::MultilineRawString)
            }
            _ => Some(State::MultilineRawString),
        }
    }

    fn lex_string_escape(&mut self) -> Option<State> {
        self.esc = true;
        let r = self.next();
        match r {
            'e' | 'b' | 't' | 'n' | 'f' | 'r' | '"' | ' ' | '\t' | '\\' => self.pop(),
            'x' => Some(State::HexEscape),
            'u' => Some(State::ShortUnicodeEscape),
            'U' => Some(State::LongUnicodeEscape),
            _ => self.error(format!("invalid escape in string '\\{r}'")),
        }
    }

    fn lex_hex_digits(&mut self, count: usize, word: &str, letter: char) -> Option<State> {
        for _ in 0..count {
            let r = self.next();
            if !is_hex(r) {
                return self.errorf(format!(
                    "expected {word} hexadecimal digits after '\\{letter}', but got {} instead",
                    gofmt::quote(self.current())
                ));
            }
        }
        self.pop()
    }

    fn lex_number_or_date(&mut self) -> Option<State> {
        let r = self.next();
        if is_digit(r) {
            return Some(State::NumberOrDate);
        }
        match r {
            '-' | ':' => Some(State::Datetime),
            '_' => Some(State::DecimalNumber),
            '.' | 'e' | 'E' => Some(State::Float),
            _ => {
                self.backup();
                self.emit(ItemType::Integer);
                self.pop()
            }
        }
    }

    fn lex_based_integer(&mut self, digit: fn(char) -> bool, same: State) -> Option<State> {
        let r = self.next();
        if digit(r) || r == '_' {
            return Some(same);
        }
        self.backup();
        self.emit(ItemType::Integer);
        self.pop()
    }

    fn lex_decimal_number_start(&mut self) -> Option<State> {
        let r = self.next();
        match r {
            'i' => {
                if !self.accept('n') || !self.accept('f') {
                    return self.errorf(format!("invalid float: '{}'", self.current()));
                }
                self.emit(ItemType::Float);
                return self.pop();
            }
            'n' => {
                if !self.accept('a') || !self.accept('n') {
                    return self.errorf(format!("invalid float: '{}'", self.current()));
                }
                self.emit(ItemType::Float);
                return self.pop();
            }
            '0' => {
                let p = self.peek();
                if matches!(p, 'b' | 'o' | 'x') {
                    return self.errorf(format!(
                        "cannot use sign with non-decimal numbers: '{}{p}'",
                        self.current()
                    ));
                }
            }
            '.' => return self.errorf("floats must start with a digit, not '.'".to_string()),
            _ => {}
        }
        if is_digit(r) {
            return Some(State::DecimalNumber);
        }
        self.errorf(format!("expected a digit but got {}", q(r)))
    }

    fn lex_base_number_or_date(&mut self) -> Option<State> {
        let r = self.next();
        if is_digit(r) {
            return Some(State::NumberOrDate);
        }
        // Go reports a missing digit after the base and goes on lexing; the parser
        // stops at the error.
        let based = |lx: &mut Lexer, valid: fn(char) -> bool, what: &str, next: State| {
            let p = lx.peek();
            if !valid(p) {
                lx.errorf(format!("not a {what} number: '{}{p}'", lx.current()));
            }
            Some(next)
        };
        match r {
            '_' => Some(State::DecimalNumber),
            '.' | 'e' | 'E' => Some(State::Float),
            'b' => based(self, is_binary, "binary", State::BinaryInteger),
            'o' => based(self, is_octal, "octal", State::OctalInteger),
            'x' => based(self, is_hex, "hexadecimal", State::HexInteger),
            _ => {
                self.backup();
                self.emit(ItemType::Integer);
                self.pop()
            }
        }
    }

    fn lex_bool(&mut self) -> Option<State> {
        let mut word = String::new();
        loop {
            let r = self.next();
            if r == EOF || !r.is_alphabetic() {
                self.backup();
                break;
            }
            word.push(r);
        }
        match word.as_str() {
            "true" | "false" => {
                self.emit(ItemType::Bool);
                self.pop()
            }
            _ => self.errorf(format!(
                "expected value but found {} instead",
                gofmt::quote(&word)
            )),
        }
    }
}
