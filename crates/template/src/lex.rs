//! The lexer: turns template source into the token stream of Go's `text/template/parse`
//! lexer, with the same token boundaries, line numbers and error texts.
//!
//! The whole text is lexed up front into a vector; lexing stops at the first error, which
//! becomes the last token. The parser reads the vector with as much look-ahead as it needs.
//! Literal tokens are decoded by [`crate::literal`].

use crate::ast::Pos;
use crate::gofmt::{is_print, quote};

pub(crate) const DEFAULT_LEFT_DELIM: &str = "{{";
pub(crate) const DEFAULT_RIGHT_DELIM: &str = "}}";

/// Go's `itemType`. The variants from `Block` on are keywords, which Go prints as `<word>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Error,
    Bool,
    /// A printable ASCII character with no other meaning (`,` `#` ...).
    Char,
    CharConstant,
    /// `1+2i`; a plain imaginary like `2i` is a `Number`.
    Complex,
    /// `=`
    Assign,
    /// `:=`
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

impl Kind {
    fn is_keyword(self) -> bool {
        self as u8 >= Kind::Block as u8
    }
}

/// One token: its kind, the byte range of its text and the line Go assigns it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Kind,
    pub pos: Pos,
    pub end: Pos,
    pub line: usize,
}

impl Token {
    pub fn text<'s>(&self, src: &'s str) -> &'s str {
        src.get(self.pos..self.end).unwrap_or("")
    }
}

/// The lexed text. `tokens` is never empty and ends with an `Eof` or an `Error` token;
/// `error` holds the message of the latter.
pub(crate) struct Tokens {
    pub tokens: Vec<Token>,
    pub error: Option<String>,
}

impl Tokens {
    /// Go's `item.String()`, used in `unexpected <token> in <context>` messages.
    pub fn describe(&self, src: &str, token: Token) -> String {
        let text = token.text(src);
        match token.kind {
            Kind::Eof => "EOF".to_string(),
            Kind::Error => self.error.clone().unwrap_or_default(),
            kind if kind.is_keyword() => format!("<{text}>"),
            _ if text.len() > 10 => format!("{}...", quote_prefix(text, 10)),
            _ => quote(text),
        }
    }
}

/// Go's `%.Nq` on a string: the first `max_chars` characters of `s`, quoted.
fn quote_prefix(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((cut, _)) => quote(&s[..cut]),
        None => quote(s),
    }
}

pub(crate) struct LexOptions<'a> {
    pub left_delim: &'a str,
    pub right_delim: &'a str,
    /// Go lexes `break` and `continue` as plain identifiers when a function of that name
    /// exists.
    pub break_ok: bool,
    pub continue_ok: bool,
}

pub(crate) fn lex(src: &str, options: &LexOptions<'_>) -> Tokens {
    let mut lexer = Lexer {
        src,
        options,
        pos: 0,
        start: 0,
        paren_depth: 0,
        inside_action: false,
        // Chart templates run about one token per eight bytes; avoid regrowing the vector.
        tokens: Vec::with_capacity(src.len() / 8 + 16),
        counted_pos: 0,
        counted_newlines: 0,
        uncounted_newlines: 0,
    };
    let error = lexer.run().err();
    Tokens {
        tokens: lexer.tokens,
        error,
    }
}

type Step = Result<(), String>;

struct Lexer<'a> {
    src: &'a str,
    options: &'a LexOptions<'a>,
    /// Current position.
    pos: usize,
    /// Start of the token being scanned.
    start: usize,
    paren_depth: i64,
    inside_action: bool,
    tokens: Vec<Token>,
    /// Newlines in `src[..counted_pos]`, kept incrementally since tokens come in order.
    counted_pos: usize,
    counted_newlines: usize,
    /// Newlines inside action delimiters, which Go's line counter skips (only custom
    /// delimiters can hold any).
    uncounted_newlines: usize,
}

impl Lexer<'_> {
    fn run(&mut self) -> Step {
        loop {
            let step = if self.inside_action {
                self.lex_inside_action()
            } else {
                self.lex_text()
            };
            if let Err(message) = step {
                let end = self.pos;
                self.push(Kind::Error, end);
                return Err(message);
            }
            if self.tokens.last().is_some_and(|t| t.kind == Kind::Eof) {
                return Ok(());
            }
        }
    }

    // ---- positions -----------------------------------------------------------------

    fn rest(&self) -> &str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Consumes the next character if `valid` holds it.
    fn accept(&mut self, valid: &str) -> bool {
        match self.peek() {
            Some(c) if valid.contains(c) => {
                self.pos += c.len_utf8();
                true
            }
            _ => false,
        }
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    /// Go's line number at `pos`: one plus the newlines before it, less those inside
    /// action delimiters.
    fn line_at(&mut self, pos: usize) -> usize {
        let newlines = if pos >= self.counted_pos {
            self.counted_newlines += count_newlines(&self.src[self.counted_pos..pos]);
            self.counted_pos = pos;
            self.counted_newlines
        } else {
            count_newlines(&self.src[..pos])
        };
        1 + newlines.saturating_sub(self.uncounted_newlines)
    }

    /// Emits the token `start..pos`.
    fn emit(&mut self, kind: Kind) {
        let end = self.pos;
        self.push(kind, end);
        self.start = self.pos;
    }

    fn push(&mut self, kind: Kind, end: usize) {
        let line = self.line_at(self.start);
        self.tokens.push(Token {
            kind,
            pos: self.start,
            end,
            line,
        });
    }

    /// Skips the text scanned so far.
    fn ignore(&mut self) {
        self.start = self.pos;
    }

    // ---- text and delimiters -------------------------------------------------------

    /// Scans text up to the next left delimiter (trimming the text's trailing space if
    /// the delimiter has a trim marker), then the delimiter; or the text up to EOF.
    fn lex_text(&mut self) -> Step {
        let left = self.options.left_delim;
        let Some(offset) = find(self.rest(), left) else {
            self.pos = self.src.len();
            if self.pos > self.start {
                self.emit(Kind::Text);
            }
            self.emit(Kind::Eof);
            return Ok(());
        };
        let delim = self.pos + offset;
        let trim = has_left_trim_marker(&self.src[delim + left.len()..]);
        self.pos = if trim {
            delim - trailing_space_len(&self.src[self.start..delim])
        } else {
            delim
        };
        if self.pos > self.start {
            self.emit(Kind::Text);
        }
        self.pos = delim;
        self.ignore();
        self.lex_left_delim(trim)
    }

    /// Scans the left delimiter and its trim marker, or a whole comment.
    fn lex_left_delim(&mut self, trim: bool) -> Step {
        let left = self.options.left_delim;
        self.pos += left.len();
        let marker = if trim { TRIM_MARKER_LEN } else { 0 };
        if self.src[self.pos + marker..].starts_with(LEFT_COMMENT) {
            self.pos += marker;
            self.ignore();
            return self.lex_comment();
        }
        self.emit(Kind::LeftDelim);
        self.uncounted_newlines += count_newlines(left);
        self.inside_action = true;
        self.pos += marker;
        self.ignore();
        self.paren_depth = 0;
        Ok(())
    }

    /// Skips a comment (`/*` is next), which must end right at the closing delimiter.
    fn lex_comment(&mut self) -> Step {
        self.pos += LEFT_COMMENT.len();
        let Some(offset) = self.rest().find(RIGHT_COMMENT) else {
            return Err("unclosed comment".to_string());
        };
        self.pos += offset + RIGHT_COMMENT.len();
        let Some(trim) = self.at_right_delim() else {
            return Err("comment ends before closing delimiter".to_string());
        };
        self.skip_right_delim(trim);
        self.ignore();
        Ok(())
    }

    /// `Some(trim)` when the right delimiter, possibly preceded by a trim marker, is next.
    fn at_right_delim(&self) -> Option<bool> {
        let rest = self.rest();
        let right = self.options.right_delim;
        if has_right_trim_marker(rest) && rest[TRIM_MARKER_LEN..].starts_with(right) {
            Some(true)
        } else if rest.starts_with(right) {
            Some(false)
        } else {
            None
        }
    }

    fn lex_right_delim(&mut self, trim: bool) {
        if trim {
            self.pos += TRIM_MARKER_LEN;
            self.ignore();
        }
        self.pos += self.options.right_delim.len();
        self.emit(Kind::RightDelim);
        self.uncounted_newlines += count_newlines(self.options.right_delim);
        if trim {
            self.pos += leading_space_len(self.rest());
            self.ignore();
        }
        self.inside_action = false;
    }

    /// Moves past a right delimiter that follows a comment, and past the space it trims.
    fn skip_right_delim(&mut self, trim: bool) {
        if trim {
            self.pos += TRIM_MARKER_LEN;
        }
        self.pos += self.options.right_delim.len();
        if trim {
            self.pos += leading_space_len(self.rest());
        }
    }

    // ---- inside actions ------------------------------------------------------------

    fn lex_inside_action(&mut self) -> Step {
        if let Some(trim) = self.at_right_delim() {
            if self.paren_depth == 0 {
                self.lex_right_delim(trim);
                return Ok(());
            }
            return Err("unclosed left paren".to_string());
        }
        let Some(c) = self.peek() else {
            return Err("unclosed action".to_string());
        };
        match c {
            c if is_space(c) => self.lex_space(),
            '"' => self.lex_quote('"', "unterminated quoted string"),
            '\'' => self.lex_quote('\'', "unterminated character constant"),
            '`' => self.lex_raw_quote(),
            '$' => {
                self.bump();
                self.lex_field_or_variable(Kind::Variable)
            }
            '.' if self
                .src
                .as_bytes()
                .get(self.pos + 1)
                .is_some_and(|b| !b.is_ascii_digit()) =>
            {
                self.bump();
                self.lex_field_or_variable(Kind::Field)
            }
            '.' | '+' | '-' | '0'..='9' => self.lex_number(),
            c if is_alphanumeric(c) => self.lex_identifier(),
            _ => self.lex_punctuation(c),
        }
    }

    /// Single-character tokens, `:=`, and characters that are not allowed at all.
    fn lex_punctuation(&mut self, c: char) -> Step {
        self.bump();
        let kind = match c {
            '=' => Kind::Assign,
            ':' => {
                if self.bump() != Some('=') {
                    return Err("expected :=".to_string());
                }
                Kind::Declare
            }
            '|' => Kind::Pipe,
            '(' => {
                self.paren_depth += 1;
                Kind::LeftParen
            }
            ')' => {
                self.paren_depth -= 1;
                if self.paren_depth < 0 {
                    return Err("unexpected right paren".to_string());
                }
                Kind::RightParen
            }
            c if c.is_ascii() && is_print(c) => Kind::Char,
            c => {
                return Err(format!(
                    "unrecognized character in action: {}",
                    verbose_char(c)
                ))
            }
        };
        self.emit(kind);
        Ok(())
    }

    /// A run of spaces. Its last space is left alone when it begins a ` -}}` marker.
    fn lex_space(&mut self) -> Step {
        while self.peek().is_some_and(is_space) {
            self.bump();
        }
        let last_space = self.pos - 1;
        let marker = &self.src[last_space..];
        if has_right_trim_marker(marker)
            && marker[TRIM_MARKER_LEN..].starts_with(self.options.right_delim)
        {
            self.pos = last_space;
        }
        // Never empty: a lone space before `-}}` was taken as the delimiter's marker.
        if self.pos > self.start {
            self.emit(Kind::Space);
        }
        Ok(())
    }

    /// A keyword, `true`/`false` or a function name.
    fn lex_identifier(&mut self) -> Step {
        while self.peek().is_some_and(is_alphanumeric) {
            self.bump();
        }
        self.check_terminator()?;
        let kind = match &self.src[self.start..self.pos] {
            "true" | "false" => Kind::Bool,
            word => keyword(word, self.options).unwrap_or(Kind::Identifier),
        };
        self.emit(kind);
        Ok(())
    }

    /// `.Name` or `$name` (the `.` or `$` is consumed); a lone `.` is dot and a lone `$`
    /// the variable `$`.
    fn lex_field_or_variable(&mut self, kind: Kind) -> Step {
        if self.at_terminator() {
            self.emit(if kind == Kind::Variable {
                Kind::Variable
            } else {
                Kind::Dot
            });
            return Ok(());
        }
        while self.peek().is_some_and(is_alphanumeric) {
            self.bump();
        }
        self.check_terminator()?;
        self.emit(kind);
        Ok(())
    }

    /// Whether the next character may end a name: this splits `.a.b` into two fields and
    /// rejects `$x+2`.
    fn at_terminator(&self) -> bool {
        match self.peek() {
            None => true,
            Some(c) if is_space(c) || ".,|:)(".contains(c) => true,
            Some(_) => self.rest().starts_with(self.options.right_delim),
        }
    }

    fn check_terminator(&self) -> Step {
        match self.peek() {
            Some(c) if !self.at_terminator() => Err(format!("bad character {}", verbose_char(c))),
            _ => Ok(()),
        }
    }

    /// A quoted string or character constant; escapes are checked later, by the parser.
    fn lex_quote(&mut self, quote: char, unterminated: &str) -> Step {
        self.bump();
        loop {
            match self.bump() {
                Some(c) if c == quote => break,
                // An escape may quote anything but a newline.
                Some('\\') => {
                    if matches!(self.bump(), None | Some('\n')) {
                        return Err(unterminated.to_string());
                    }
                }
                None | Some('\n') => return Err(unterminated.to_string()),
                Some(_) => {}
            }
        }
        self.emit(if quote == '"' {
            Kind::String
        } else {
            Kind::CharConstant
        });
        Ok(())
    }

    fn lex_raw_quote(&mut self) -> Step {
        self.bump();
        match self.rest().find('`') {
            Some(offset) => {
                self.pos += offset + 1;
                self.emit(Kind::RawString);
                Ok(())
            }
            None => {
                self.pos = self.src.len();
                Err("unterminated raw quoted string".to_string())
            }
        }
    }

    /// A number, or a complex constant `1+2i`. Like Go's, this scanner is lenient (it
    /// takes `.` and `089`); the parser rejects what does not convert.
    fn lex_number(&mut self) -> Step {
        if !self.scan_number() {
            return Err(self.bad_number());
        }
        if !matches!(self.peek(), Some('+' | '-')) {
            self.emit(Kind::Number);
            return Ok(());
        }
        if !self.scan_number() || !self.src[..self.pos].ends_with('i') {
            return Err(self.bad_number());
        }
        self.emit(Kind::Complex);
        Ok(())
    }

    fn bad_number(&self) -> String {
        format!(
            "bad number syntax: {}",
            quote(&self.src[self.start..self.pos])
        )
    }

    /// Scans one number; false (having consumed the offending character) when a letter
    /// or digit follows it.
    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let digits = self.digit_class();
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits == DECIMAL && self.accept("eE") {
            self.accept("+-");
            self.accept_run(DECIMAL);
        }
        if digits == HEX && self.accept("pP") {
            self.accept("+-");
            self.accept_run(DECIMAL);
        }
        self.accept("i");
        if self.peek().is_some_and(is_alphanumeric) {
            self.bump();
            return false;
        }
        true
    }

    /// Consumes a base prefix and returns the digits the base allows. A leading `0`
    /// without a letter stays decimal here: it may start a float.
    fn digit_class(&mut self) -> &'static str {
        if !self.accept("0") {
            return DECIMAL;
        }
        if self.accept("xX") {
            HEX
        } else if self.accept("oO") {
            OCTAL
        } else if self.accept("bB") {
            BINARY
        } else {
            DECIMAL
        }
    }
}

const LEFT_COMMENT: &str = "/*";
const RIGHT_COMMENT: &str = "*/";
/// A trim marker is `-` plus one space character: `{{- ` and ` -}}`.
const TRIM_MARKER_LEN: usize = 2;
const DECIMAL: &str = "0123456789_";
const HEX: &str = "0123456789abcdefABCDEF_";
const OCTAL: &str = "01234567_";
const BINARY: &str = "01_";

fn keyword(word: &str, options: &LexOptions<'_>) -> Option<Kind> {
    Some(match word {
        "block" => Kind::Block,
        "break" if options.break_ok => Kind::Break,
        "continue" if options.continue_ok => Kind::Continue,
        "define" => Kind::Define,
        "else" => Kind::Else,
        "end" => Kind::End,
        "if" => Kind::If,
        "nil" => Kind::Nil,
        "range" => Kind::Range,
        "template" => Kind::Template,
        "with" => Kind::With,
        _ => return None,
    })
}

/// The space characters of trim markers and of spacing inside actions.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Go's `isAlphaNumeric`: `_`, letters and digits. Rust's Unicode classes are slightly
/// wider than Go's `IsLetter`/`IsDigit` outside ASCII (they include letter-like marks and
/// non-decimal numerals).
fn is_alphanumeric(c: char) -> bool {
    if c.is_ascii() {
        return c == '_' || c.is_ascii_alphanumeric();
    }
    c.is_alphabetic() || c.is_numeric()
}

fn has_left_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'-' && is_space(char::from(b[1]))
}

fn has_right_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && is_space(char::from(b[0])) && b[1] == b'-'
}

fn trailing_space_len(s: &str) -> usize {
    s.len() - s.trim_end_matches(is_space).len()
}

fn leading_space_len(s: &str) -> usize {
    s.len() - s.trim_start_matches(is_space).len()
}

fn count_newlines(s: &str) -> usize {
    // Between two tokens there are usually a few bytes: a plain loop beats setting up a
    // vectorized search. Long text runs get the vectorized count.
    let bytes = s.as_bytes();
    if bytes.len() < 64 {
        return bytes.iter().filter(|&&b| b == b'\n').count();
    }
    memchr::memchr_iter(b'\n', bytes).count()
}

/// The byte offset of `needle` in `haystack`. Delimiters are short and searched once per
/// text run, where setting up `str::find`'s general searcher would cost more than the
/// scan itself.
fn find(haystack: &str, needle: &str) -> Option<usize> {
    let bytes = haystack.as_bytes();
    let (&first, rest) = needle.as_bytes().split_first()?;
    let mut from = 0;
    while let Some(i) = memchr::memchr(first, &bytes[from..]) {
        let at = from + i;
        if bytes[at + 1..].starts_with(rest) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Go's `%#U`: `U+0023 '#'`, or just `U+0001` for a character that is not printable.
fn verbose_char(c: char) -> String {
    if is_print(c) {
        format!("U+{:04X} '{c}'", c as u32)
    } else {
        format!("U+{:04X}", c as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::NumberNode;
    use crate::literal::{number, unquote};
    // `Kind::String` stays qualified: it would shadow the `String` type.
    use Kind::{
        Assign, Block, Bool, Break, Char, CharConstant, Complex, Continue, Declare, Define, Dot,
        Else, End, Eof, Error, Field, Identifier, If, LeftDelim, LeftParen, Nil, Number, Pipe,
        Range, RawString, RightDelim, RightParen, Space, Template, Text, Variable, With,
    };

    fn lex_with(src: &str, left: &str, right: &str) -> Vec<(Kind, String)> {
        let options = LexOptions {
            left_delim: left,
            right_delim: right,
            break_ok: true,
            continue_ok: true,
        };
        let lexed = lex(src, &options);
        lexed
            .tokens
            .iter()
            .map(|t| match t.kind {
                Error => (Error, lexed.error.clone().unwrap_or_default()),
                kind => (kind, t.text(src).to_string()),
            })
            .collect()
    }

    fn tokens(src: &str) -> Vec<(Kind, String)> {
        lex_with(src, DEFAULT_LEFT_DELIM, DEFAULT_RIGHT_DELIM)
    }

    /// Shorthand for expected tokens.
    fn t(kind: Kind, text: &str) -> (Kind, String) {
        (kind, text.to_string())
    }

    fn l() -> (Kind, String) {
        t(LeftDelim, "{{")
    }

    fn r() -> (Kind, String) {
        t(RightDelim, "}}")
    }

    fn sp() -> (Kind, String) {
        t(Space, " ")
    }

    fn eof() -> (Kind, String) {
        t(Eof, "")
    }

    #[test]
    fn text_and_empty_input() {
        assert_eq!(tokens(""), [eof()]);
        assert_eq!(tokens(" \t\n"), [t(Text, " \t\n"), eof()]);
        assert_eq!(
            tokens("now is the time"),
            [t(Text, "now is the time"), eof()]
        );
        // A lone right delimiter is text: Go cannot reject it without breaking minified JS.
        assert_eq!(
            tokens("hello-{.}}-world"),
            [t(Text, "hello-{.}}-world"), eof()]
        );
    }

    #[test]
    fn comments_are_skipped() {
        assert_eq!(
            tokens("hello-{{/* this is a comment */}}-world"),
            [t(Text, "hello-"), t(Text, "-world"), eof()]
        );
        assert_eq!(
            tokens("hello- {{- /* hello */ -}} -world"),
            [t(Text, "hello-"), t(Text, "-world"), eof()]
        );
        assert_eq!(tokens("{{/* a */}}"), [eof()]);
    }

    #[test]
    fn punctuation_and_parens() {
        assert_eq!(
            tokens("{{,@% }}"),
            [
                l(),
                t(Char, ","),
                t(Char, "@"),
                t(Char, "%"),
                sp(),
                r(),
                eof()
            ]
        );
        assert_eq!(
            tokens("{{((3))}}"),
            [
                l(),
                t(LeftParen, "("),
                t(LeftParen, "("),
                t(Number, "3"),
                t(RightParen, ")"),
                t(RightParen, ")"),
                r(),
                eof()
            ]
        );
        assert_eq!(tokens("{{}}"), [l(), r(), eof()]);
        assert_eq!(
            tokens("{{|||}}"),
            [l(), t(Pipe, "|"), t(Pipe, "|"), t(Pipe, "|"), r(), eof()]
        );
        assert_eq!(
            tokens("{{$x = 1}}"),
            [
                l(),
                t(Variable, "$x"),
                sp(),
                t(Assign, "="),
                sp(),
                t(Number, "1"),
                r(),
                eof()
            ]
        );
    }

    #[test]
    fn identifiers_and_keywords() {
        assert_eq!(tokens("{{for}}"), [l(), t(Identifier, "for"), r(), eof()]);
        assert_eq!(
            tokens("{{range if else end with}}"),
            [
                l(),
                t(Range, "range"),
                sp(),
                t(If, "if"),
                sp(),
                t(Else, "else"),
                sp(),
                t(End, "end"),
                sp(),
                t(With, "with"),
                r(),
                eof()
            ]
        );
        assert_eq!(
            tokens("{{block define template nil break continue}}"),
            [
                l(),
                t(Block, "block"),
                sp(),
                t(Define, "define"),
                sp(),
                t(Template, "template"),
                sp(),
                t(Nil, "nil"),
                sp(),
                t(Break, "break"),
                sp(),
                t(Continue, "continue"),
                r(),
                eof()
            ]
        );
        assert_eq!(
            tokens("{{true false}}"),
            [l(), t(Bool, "true"), sp(), t(Bool, "false"), r(), eof()]
        );
        assert_eq!(tokens("{{é_1}}"), [l(), t(Identifier, "é_1"), r(), eof()]);
    }

    #[test]
    fn break_and_continue_are_identifiers_when_functions() {
        let options = LexOptions {
            left_delim: "{{",
            right_delim: "}}",
            break_ok: false,
            continue_ok: false,
        };
        let lexed = lex("{{break continue}}", &options);
        let kinds: Vec<Kind> = lexed.tokens.iter().map(|t| t.kind).collect();
        assert_eq!(
            kinds,
            [LeftDelim, Identifier, Space, Identifier, RightDelim, Eof]
        );
    }

    #[test]
    fn fields_variables_and_dots() {
        assert_eq!(
            tokens("{{.x . .2 .x.y.z}}"),
            [
                l(),
                t(Field, ".x"),
                sp(),
                t(Dot, "."),
                sp(),
                t(Number, ".2"),
                sp(),
                t(Field, ".x"),
                t(Field, ".y"),
                t(Field, ".z"),
                r(),
                eof()
            ]
        );
        assert_eq!(
            tokens("{{$c := printf $ $hello $23 $var.Field .Method}}"),
            [
                l(),
                t(Variable, "$c"),
                sp(),
                t(Declare, ":="),
                sp(),
                t(Identifier, "printf"),
                sp(),
                t(Variable, "$"),
                sp(),
                t(Variable, "$hello"),
                sp(),
                t(Variable, "$23"),
                sp(),
                t(Variable, "$var"),
                t(Field, ".Field"),
                sp(),
                t(Field, ".Method"),
                r(),
                eof()
            ]
        );
        assert_eq!(
            tokens("{{(.X).Y}}"),
            [
                l(),
                t(LeftParen, "("),
                t(Field, ".X"),
                t(RightParen, ")"),
                t(Field, ".Y"),
                r(),
                eof()
            ]
        );
        assert_eq!(
            tokens("{{$.x}}"),
            [l(), t(Variable, "$"), t(Field, ".x"), r(), eof()]
        );
        assert_eq!(
            tokens("{{$v , $w := 3}}"),
            [
                l(),
                t(Variable, "$v"),
                sp(),
                t(Char, ","),
                sp(),
                t(Variable, "$w"),
                sp(),
                t(Declare, ":="),
                sp(),
                t(Number, "3"),
                r(),
                eof()
            ]
        );
    }

    #[test]
    fn strings_and_characters() {
        let quoted = r#""abc \n\t\" ""#;
        assert_eq!(
            tokens(&format!("{{{{{quoted}}}}}")),
            [l(), t(Kind::String, quoted), r(), eof()]
        );
        let raw = "`abc\\n\\t\\\" `";
        assert_eq!(
            tokens(&format!("{{{{{raw}}}}}")),
            [l(), t(RawString, raw), r(), eof()]
        );
        let raw_newline = "`now is{{\n}}the time`";
        assert_eq!(
            tokens(&format!("{{{{{raw_newline}}}}}")),
            [l(), t(RawString, raw_newline), r(), eof()]
        );
        assert_eq!(
            tokens(r"{{'a' '\n' '\'' '\\' '\u00FF' '\xFF' '本'}}"),
            [
                l(),
                t(CharConstant, "'a'"),
                sp(),
                t(CharConstant, r"'\n'"),
                sp(),
                t(CharConstant, r"'\''"),
                sp(),
                t(CharConstant, r"'\\'"),
                sp(),
                t(CharConstant, r"'\u00FF'"),
                sp(),
                t(CharConstant, r"'\xFF'"),
                sp(),
                t(CharConstant, "'本'"),
                r(),
                eof()
            ]
        );
    }

    #[test]
    fn numbers() {
        let src =
            "{{1 02 0x14 0X14 -7.2i 1e3 1E3 +1.2e-4 4.2i 1+2i 1_2 0x1.e_fp4 0X1.E_FP4 0b101 0o17}}";
        let expected = [
            "1",
            "02",
            "0x14",
            "0X14",
            "-7.2i",
            "1e3",
            "1E3",
            "+1.2e-4",
            "4.2i",
            "1+2i",
            "1_2",
            "0x1.e_fp4",
            "0X1.E_FP4",
            "0b101",
            "0o17",
        ];
        let numbers: Vec<(Kind, String)> = tokens(src)
            .into_iter()
            .filter(|(k, _)| matches!(k, Number | Complex))
            .collect();
        let want: Vec<(Kind, String)> = expected
            .iter()
            .map(|&n| t(if n == "1+2i" { Complex } else { Number }, n))
            .collect();
        assert_eq!(numbers, want);
        // A sign right after a term is not an operator: `3-` is a bad complex number.
        assert_eq!(tokens("{{-3}}"), [l(), t(Number, "-3"), r(), eof()]);
        assert_eq!(
            tokens("{{1.2.3}}"),
            [l(), t(Number, "1.2"), t(Number, ".3"), r(), eof()]
        );
    }

    #[test]
    fn trim_markers() {
        assert_eq!(
            tokens("hello- {{- 3 -}} -world"),
            [
                t(Text, "hello-"),
                l(),
                t(Number, "3"),
                r(),
                t(Text, "-world"),
                eof()
            ]
        );
        assert_eq!(
            tokens("x \r\n\t{{- 3}}"),
            [t(Text, "x"), l(), t(Number, "3"), r(), eof()]
        );
        assert_eq!(
            tokens("{{3 -}}\n\n\ty"),
            [l(), t(Number, "3"), r(), t(Text, "y"), eof()]
        );
        assert_eq!(
            tokens("x\n{{-  3   -}}\ny"),
            [
                t(Text, "x"),
                l(),
                t(Space, " "),
                t(Number, "3"),
                t(Space, "  "),
                r(),
                t(Text, "y"),
                eof()
            ]
        );
        // The marker needs a space: `{{-3}}` is the number -3 and `3-}}` a bad number.
        assert_eq!(
            tokens("a {{-3}}"),
            [t(Text, "a "), l(), t(Number, "-3"), r(), eof()]
        );
        // A newline or tab also makes a marker.
        assert_eq!(
            tokens("a {{-\n3\t-}} b"),
            [t(Text, "a"), l(), t(Number, "3"), r(), t(Text, "b"), eof()]
        );
        // Trimming takes every kind of ASCII space, but nothing beyond the text.
        assert_eq!(
            tokens("{{1}} \n{{- 2}}"),
            [l(), t(Number, "1"), r(), l(), t(Number, "2"), r(), eof()]
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            tokens("#{{\x01}}"),
            [
                t(Text, "#"),
                l(),
                t(Error, "unrecognized character in action: U+0001")
            ]
        );
        assert_eq!(
            tokens("{{\u{a0}}}"),
            [l(), t(Error, "unrecognized character in action: U+00A0")]
        );
        assert_eq!(
            tokens("{{☺}}"),
            [
                l(),
                t(Error, "unrecognized character in action: U+263A '☺'")
            ]
        );
        assert_eq!(tokens("{{"), [l(), t(Error, "unclosed action")]);
        assert_eq!(
            tokens("{{range"),
            [l(), t(Range, "range"), t(Error, "unclosed action")]
        );
        assert_eq!(
            tokens("{{\"\n\"}}"),
            [l(), t(Error, "unterminated quoted string")]
        );
        assert_eq!(
            tokens("{{\"\\"),
            [l(), t(Error, "unterminated quoted string")]
        );
        assert_eq!(
            tokens("{{`xx}}"),
            [l(), t(Error, "unterminated raw quoted string")]
        );
        assert_eq!(
            tokens("{{'\n}}"),
            [l(), t(Error, "unterminated character constant")]
        );
        assert_eq!(
            tokens("{{3k}}"),
            [l(), t(Error, r#"bad number syntax: "3k""#)]
        );
        assert_eq!(
            tokens("{{3-}}"),
            [l(), t(Error, r#"bad number syntax: "3-""#)]
        );
        assert_eq!(
            tokens("{{(3}}"),
            [
                l(),
                t(LeftParen, "("),
                t(Number, "3"),
                t(Error, "unclosed left paren")
            ]
        );
        assert_eq!(
            tokens("{{ (3 -}}"),
            [
                l(),
                sp(),
                t(LeftParen, "("),
                t(Number, "3"),
                t(Error, "unclosed left paren")
            ]
        );
        assert_eq!(
            tokens("{{3)}}"),
            [l(), t(Number, "3"), t(Error, "unexpected right paren")]
        );
        assert_eq!(
            tokens("hello-{{/*/}}-world"),
            [t(Text, "hello-"), t(Error, "unclosed comment")]
        );
        assert_eq!(
            tokens("hello-{{/* */ }}-world"),
            [
                t(Text, "hello-"),
                t(Error, "comment ends before closing delimiter")
            ]
        );
        assert_eq!(
            tokens("{{a#}}"),
            [l(), t(Error, "bad character U+0023 '#'")]
        );
        assert_eq!(
            tokens("{{$x=1}}"),
            [l(), t(Error, "bad character U+003D '='")]
        );
        assert_eq!(
            tokens("{{.x-1}}"),
            [l(), t(Error, "bad character U+002D '-'")]
        );
        assert_eq!(tokens("{{: }}"), [l(), t(Error, "expected :=")]);
    }

    #[test]
    fn custom_delimiters() {
        assert_eq!(
            lex_with("$$,@%{{}}@@", "$$", "@@"),
            [
                t(LeftDelim, "$$"),
                t(Char, ","),
                t(Char, "@"),
                t(Char, "%"),
                t(Char, "{"),
                t(Char, "{"),
                t(Char, "}"),
                t(Char, "}"),
                t(RightDelim, "@@"),
                eof()
            ]
        );
        assert_eq!(
            lex_with("{{hub .host hub}}", "{{hub", "hub}}"),
            [
                t(LeftDelim, "{{hub"),
                sp(),
                t(Field, ".host"),
                sp(),
                t(RightDelim, "hub}}"),
                eof()
            ]
        );
        assert_eq!(
            lex_with("{{- .x -}} {{- - .x - -}}", "{{- ", " -}}"),
            [
                t(LeftDelim, "{{- "),
                t(Field, ".x"),
                t(RightDelim, " -}}"),
                t(LeftDelim, "{{- "),
                t(Field, ".x"),
                t(RightDelim, " -}}"),
                eof()
            ]
        );
    }

    fn positions(src: &str) -> Vec<(Kind, usize, usize)> {
        let options = LexOptions {
            left_delim: "{{",
            right_delim: "}}",
            break_ok: true,
            continue_ok: true,
        };
        lex(src, &options)
            .tokens
            .iter()
            .map(|t| (t.kind, t.pos, t.line))
            .collect()
    }

    #[test]
    fn positions_and_lines() {
        assert_eq!(positions(""), [(Eof, 0, 1)]);
        assert_eq!(
            positions("0123{{hello}}xyz"),
            [
                (Text, 0, 1),
                (LeftDelim, 4, 1),
                (Identifier, 6, 1),
                (RightDelim, 11, 1),
                (Text, 13, 1),
                (Eof, 16, 1)
            ]
        );
        assert_eq!(
            positions("{{x -}}\n{{y}}"),
            [
                (LeftDelim, 0, 1),
                (Identifier, 2, 1),
                (RightDelim, 5, 1),
                (LeftDelim, 8, 2),
                (Identifier, 10, 2),
                (RightDelim, 11, 2),
                (Eof, 13, 2)
            ]
        );
        assert_eq!(
            positions("{{x}}\n{{- y}}"),
            [
                (LeftDelim, 0, 1),
                (Identifier, 2, 1),
                (RightDelim, 3, 1),
                (LeftDelim, 6, 2),
                (Identifier, 10, 2),
                (RightDelim, 11, 2),
                (Eof, 13, 2)
            ]
        );
        assert_eq!(
            positions("{{/*\n*/}}\n{{undefinedFunction \"test\"}}"),
            [
                (Text, 9, 2),
                (LeftDelim, 10, 3),
                (Identifier, 12, 3),
                (Space, 29, 3),
                (Kind::String, 30, 3),
                (RightDelim, 36, 3),
                (Eof, 38, 3)
            ]
        );
        // Newlines inside actions and raw strings count too.
        assert_eq!(
            positions("{{\n`a\nb`\n}}x"),
            [
                (LeftDelim, 0, 1),
                (Space, 2, 1),
                (RawString, 3, 2),
                (Space, 8, 3),
                (RightDelim, 9, 4),
                (Text, 11, 4),
                (Eof, 12, 4)
            ]
        );
        // The error token sits where its token started.
        assert_eq!(
            positions("a\n{{ \"x\n"),
            [
                (Text, 0, 1),
                (LeftDelim, 2, 2),
                (Space, 4, 2),
                (Error, 5, 2)
            ]
        );
    }

    #[test]
    fn describes_tokens_like_go() {
        let src = "{{if \"a long string here\" 12}}";
        let options = LexOptions {
            left_delim: "{{",
            right_delim: "}}",
            break_ok: true,
            continue_ok: true,
        };
        let lexed = lex(src, &options);
        let described: Vec<String> = lexed
            .tokens
            .iter()
            .map(|&t| lexed.describe(src, t))
            .collect();
        assert_eq!(
            described,
            [
                "\"{{\"",
                "<if>",
                "\" \"",
                r#""\"a long st"..."#,
                "\" \"",
                "\"12\"",
                "\"}}\"",
                "EOF"
            ]
        );
    }

    #[test]
    fn unquotes_like_go() {
        assert_eq!(unquote(r#""abc""#).unwrap(), "abc");
        assert_eq!(
            unquote(r#""\a\b\f\n\r\t\v\\\"""#).unwrap(),
            "\u{7}\u{8}\u{c}\n\r\t\u{b}\\\""
        );
        assert_eq!(unquote(r#""a\u00e9\x41\101\U0001F600""#).unwrap(), "aéAA😀");
        assert_eq!(unquote("`a\\n\r\nb`").unwrap(), "a\\n\nb");
        // Bytes that are not UTF-8 (a Go string may hold them) become U+FFFD.
        assert_eq!(unquote(r#""\xff""#).unwrap(), "\u{fffd}");
        assert_eq!(unquote(r#""\xc3\xa9""#).unwrap(), "é");
        for bad in [
            r#""\q""#,
            r#""\'""#,
            r#""\8""#,
            r#""\400""#,
            r#""\x4""#,
            r#""\ud800""#,
            r#""\U00110000""#,
            "\"a",
        ] {
            assert_eq!(unquote(bad), Err("invalid syntax".to_string()), "{bad}");
        }
    }

    /// Converts `text` as the lexer would have classified it.
    fn num(text: &str) -> Result<NumberNode, std::string::String> {
        let options = LexOptions {
            left_delim: "{{",
            right_delim: "}}",
            break_ok: true,
            continue_ok: true,
        };
        let kind = lex(&format!("{{{{{text}}}}}"), &options)
            .tokens
            .get(1)
            .map_or(Number, |t| t.kind);
        let kind = match kind {
            _ if text.starts_with('\'') => CharConstant,
            Complex => Complex,
            _ => Number,
        };
        number(0, kind, text)
    }

    /// (is_int, is_uint, is_float, is_complex, int64, uint64, float64)
    type Flags = (bool, bool, bool, bool, i64, u64, f64);

    fn flags(text: &str) -> Flags {
        let n = num(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        (
            n.is_int,
            n.is_uint,
            n.is_float,
            n.is_complex,
            n.int64,
            n.uint64,
            n.float64,
        )
    }

    #[test]
    fn numbers_convert_like_go() {
        let cases: &[(&str, Flags)] = &[
            ("0", (true, true, true, false, 0, 0, 0.0)),
            ("-0", (true, true, true, false, 0, 0, 0.0)),
            ("73", (true, true, true, false, 73, 73, 73.0)),
            ("7_3", (true, true, true, false, 73, 73, 73.0)),
            ("0b10_010_01", (true, true, true, false, 73, 73, 73.0)),
            ("0B10_010_01", (true, true, true, false, 73, 73, 73.0)),
            ("073", (true, true, true, false, 59, 59, 59.0)),
            ("0o73", (true, true, true, false, 59, 59, 59.0)),
            ("0O73", (true, true, true, false, 59, 59, 59.0)),
            ("0x73", (true, true, true, false, 0x73, 0x73, 115.0)),
            ("0X73", (true, true, true, false, 0x73, 0x73, 115.0)),
            ("0x7_3", (true, true, true, false, 0x73, 0x73, 115.0)),
            ("-73", (true, false, true, false, -73, 0, -73.0)),
            ("+73", (true, false, true, false, 73, 0, 73.0)),
            ("100", (true, true, true, false, 100, 100, 100.0)),
            (
                "1e9",
                (true, true, true, false, 1_000_000_000, 1_000_000_000, 1e9),
            ),
            ("-1e9", (true, false, true, false, -1_000_000_000, 0, -1e9)),
            ("-1.2", (false, false, true, false, 0, 0, -1.2)),
            (
                "1e19",
                (
                    false,
                    true,
                    true,
                    false,
                    0,
                    10_000_000_000_000_000_000,
                    1e19,
                ),
            ),
            (
                "1e1_9",
                (
                    false,
                    true,
                    true,
                    false,
                    0,
                    10_000_000_000_000_000_000,
                    1e19,
                ),
            ),
            (
                "1E19",
                (
                    false,
                    true,
                    true,
                    false,
                    0,
                    10_000_000_000_000_000_000,
                    1e19,
                ),
            ),
            ("-1e19", (false, false, true, false, 0, 0, -1e19)),
            ("0x_1p4", (true, true, true, false, 16, 16, 16.0)),
            ("0X_1P4", (true, true, true, false, 16, 16, 16.0)),
            ("0x_1p-4", (false, false, true, false, 0, 0, 1.0 / 16.0)),
            ("0x1.8p1", (true, true, true, false, 3, 3, 3.0)),
            ("0123", (true, true, true, false, 83, 83, 83.0)),
            ("-0x0", (true, true, true, false, 0, 0, 0.0)),
            (
                "0xdeadbeef",
                (
                    true,
                    true,
                    true,
                    false,
                    0xdeadbeef,
                    0xdeadbeef,
                    3735928559.0,
                ),
            ),
            ("0xef", (true, true, true, false, 0xef, 0xef, 239.0)),
            ("1.0", (true, true, true, false, 1, 1, 1.0)),
            (".5", (false, false, true, false, 0, 0, 0.5)),
            (
                "18446744073709551615",
                (
                    false,
                    true,
                    true,
                    false,
                    0,
                    u64::MAX,
                    18446744073709551615.0,
                ),
            ),
            (
                "9223372036854775807",
                (
                    true,
                    true,
                    true,
                    false,
                    i64::MAX,
                    i64::MAX as u64,
                    9223372036854775807.0,
                ),
            ),
            (
                "-9223372036854775808",
                (
                    true,
                    false,
                    true,
                    false,
                    i64::MIN,
                    0,
                    -9223372036854775808.0,
                ),
            ),
            // 2^63 as a float is not an int64 on amd64, where Go's conversion overflows.
            (
                "9.223372036854775808e18",
                (false, true, true, false, 0, 1 << 63, 9223372036854775808.0),
            ),
            ("'a'", (true, true, true, false, 97, 97, 97.0)),
            (r"'\n'", (true, true, true, false, 10, 10, 10.0)),
            (r"'\\'", (true, true, true, false, 92, 92, 92.0)),
            (r"'\''", (true, true, true, false, 39, 39, 39.0)),
            (r"'\xFF'", (true, true, true, false, 255, 255, 255.0)),
            ("'パ'", (true, true, true, false, 0x30d1, 0x30d1, 12497.0)),
            (
                r"'\u30d1'",
                (true, true, true, false, 0x30d1, 0x30d1, 12497.0),
            ),
            (
                r"'\U000030d1'",
                (true, true, true, false, 0x30d1, 0x30d1, 12497.0),
            ),
            // Complex numbers with no imaginary part are also real.
            ("0i", (true, true, true, true, 0, 0, 0.0)),
            ("-1.2+0i", (false, false, true, true, 0, 0, -1.2)),
            ("-12+0i", (true, false, true, true, -12, 0, -12.0)),
            ("13+0i", (true, true, true, true, 13, 13, 13.0)),
        ];
        for &(text, expected) in cases {
            assert_eq!(flags(text), expected, "{text}");
        }
    }

    #[test]
    fn complex_values() {
        assert_eq!(num("4i").unwrap().complex128, (0.0, 4.0));
        assert!(!num("4i").unwrap().is_float);
        assert_eq!(num("-1.2+4.2i").unwrap().complex128, (-1.2, 4.2));
        assert_eq!(num("073i").unwrap().complex128, (0.0, 73.0));
        assert_eq!(num("1e3-2i").unwrap().complex128, (1000.0, -2.0));
    }

    #[test]
    fn bad_numbers() {
        for text in [
            "+-2", "0x123.", "1e.", "0xi.", "1+2.", "0x", "1.E", "+i", ".", "1__0", "_1", "1e400",
        ] {
            assert_eq!(
                num(text).unwrap_err(),
                format!("illegal number syntax: {}", quote(text)),
                "{text}"
            );
        }
        assert_eq!(num("'x").unwrap_err(), "malformed character constant: 'x");
        assert_eq!(num("''").unwrap_err(), "invalid syntax");
        assert_eq!(num(r"'\400'").unwrap_err(), "invalid syntax");
        assert_eq!(
            num("'xx'").unwrap_err(),
            "malformed character constant: 'xx'"
        );
        assert_eq!(
            num("'433937734937734969526500969526500'").unwrap_err(),
            "malformed character constant: '433937734937734969526500969526500'"
        );
        assert_eq!(num("08").unwrap_err(), r#"integer overflow: "08""#);
        assert_eq!(
            num("99999999999999999999").unwrap_err(),
            r#"integer overflow: "99999999999999999999""#
        );
    }
}
