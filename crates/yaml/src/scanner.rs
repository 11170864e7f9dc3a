//! The YAML scanner: characters to tokens, as libyaml (and its Go port in go-yaml v2)
//! scans them.
//!
//! The structure follows libyaml's closely on purpose: which inputs are accepted, where
//! simple keys are detected, and which error is reported first (and on which line) all
//! fall out of the order in which libyaml looks at characters, and Helm users see those
//! error texts. Quirks of go-yaml's version are kept: a simple key's validity is checked
//! lazily (only for the token at the head of the queue and when a `:` arrives), plain
//! scalars may contain `:` not followed by a space even in flow context, and the reader
//! validates the input in 512-byte chunks, so a control character is reported as soon as
//! the chunk holding it is decoded.

use std::borrow::Cow;
use std::collections::VecDeque;

use crate::fxhash::FxHashMap;

/// A position in the input: character index, 0-based line and column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Mark {
    pub index: usize,
    pub line: usize,
    pub column: usize,
}

/// Which stage found a syntax problem; it decides how go-yaml numbers the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    Reader,
    Scanner,
    Parser,
}

/// A syntax error with libyaml's problem and context.
#[derive(Clone, Debug)]
pub(crate) struct SyntaxError {
    pub stage: Stage,
    pub problem: String,
    pub problem_mark: Mark,
    pub context_mark: Mark,
}

impl SyntaxError {
    /// The message go-yaml's `parser.fail` builds: `line N: problem`, where N is the
    /// 0-based line of the problem (plus one for scanner errors, which have not moved to
    /// the next line yet), or of the context when the problem is on the first line, and no
    /// line at all when both are on the first line.
    pub fn message(&self) -> String {
        let line = if self.problem_mark.line != 0 {
            self.problem_mark.line + usize::from(self.stage == Stage::Scanner)
        } else {
            self.context_mark.line
        };
        let problem = if self.problem.is_empty() {
            "unknown problem parsing YAML content"
        } else {
            &self.problem
        };
        if line != 0 {
            format!("line {line}: {problem}")
        } else {
            problem.to_string()
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum TokenKind<'a> {
    StreamStart,
    StreamEnd,
    VersionDirective(u32, u32),
    /// Handle and prefix (boxed, like tags: rare, and tokens are moved a lot).
    TagDirective(Box<(String, String)>),
    DocumentStart,
    DocumentEnd,
    BlockSequenceStart,
    BlockMappingStart,
    BlockEnd,
    FlowSequenceStart,
    FlowSequenceEnd,
    FlowMappingStart,
    FlowMappingEnd,
    BlockEntry,
    FlowEntry,
    Key,
    Value,
    Alias(String),
    Anchor(String),
    /// Handle and suffix.
    Tag(Box<(String, String)>),
    /// The text, borrowed from the input when it is written there as it is (most
    /// plain scalars: numbers, booleans and words need no copy of their own).
    Scalar(Cow<'a, str>, ScalarStyle),
}

/// A token's kind without its text: what the parser looks at before it decides to take
/// the token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    StreamStart,
    StreamEnd,
    VersionDirective,
    TagDirective,
    DocumentStart,
    DocumentEnd,
    BlockSequenceStart,
    BlockMappingStart,
    BlockEnd,
    FlowSequenceStart,
    FlowSequenceEnd,
    FlowMappingStart,
    FlowMappingEnd,
    BlockEntry,
    FlowEntry,
    Key,
    Value,
    Alias,
    Anchor,
    Tag,
    Scalar,
}

impl TokenKind<'_> {
    pub fn tok(&self) -> Tok {
        match self {
            TokenKind::StreamStart => Tok::StreamStart,
            TokenKind::StreamEnd => Tok::StreamEnd,
            TokenKind::VersionDirective(..) => Tok::VersionDirective,
            TokenKind::TagDirective(..) => Tok::TagDirective,
            TokenKind::DocumentStart => Tok::DocumentStart,
            TokenKind::DocumentEnd => Tok::DocumentEnd,
            TokenKind::BlockSequenceStart => Tok::BlockSequenceStart,
            TokenKind::BlockMappingStart => Tok::BlockMappingStart,
            TokenKind::BlockEnd => Tok::BlockEnd,
            TokenKind::FlowSequenceStart => Tok::FlowSequenceStart,
            TokenKind::FlowSequenceEnd => Tok::FlowSequenceEnd,
            TokenKind::FlowMappingStart => Tok::FlowMappingStart,
            TokenKind::FlowMappingEnd => Tok::FlowMappingEnd,
            TokenKind::BlockEntry => Tok::BlockEntry,
            TokenKind::FlowEntry => Tok::FlowEntry,
            TokenKind::Key => Tok::Key,
            TokenKind::Value => Tok::Value,
            TokenKind::Alias(_) => Tok::Alias,
            TokenKind::Anchor(_) => Tok::Anchor,
            TokenKind::Tag(..) => Tok::Tag,
            TokenKind::Scalar(..) => Tok::Scalar,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Token<'a> {
    pub kind: TokenKind<'a>,
    pub start: Mark,
}

#[derive(Clone, Copy, Debug, Default)]
struct SimpleKey {
    possible: bool,
    required: bool,
    token_number: usize,
    mark: Mark,
}

/// libyaml reads its input 512 bytes at a time and decodes (and validates) each piece
/// as soon as it is read.
const RAW_CHUNK: usize = 512;
const MAX_FLOW_LEVEL: usize = 10000;
const MAX_INDENTS: usize = 10000;

/// Errors are boxed: they are rare, and a small `Result` is what every character and
/// token step returns.
pub(crate) type Result<T> = std::result::Result<T, Box<SyntaxError>>;

/// The input, validated lazily chunk by chunk as libyaml's reader decodes it: the
/// scanner sees only characters of chunks read so far (NUL after them), so a bad
/// character is reported when, and only when, libyaml would have decoded it.
struct Reader<'a> {
    raw: &'a str,
    /// Bytes handed to the decoder so far.
    raw_read: usize,
    /// Bytes decoded (and validated): the scanner sees `raw[..raw_decoded]`.
    raw_decoded: usize,
    /// A read found no more input: the buffer ends in NUL from here on.
    eof: bool,
}

impl Reader<'_> {
    /// Reads and decodes the next chunk, failing on characters YAML does not allow.
    fn read_chunk(&mut self) -> Result<()> {
        let end = self.raw.len().min(self.raw_decoded + RAW_CHUNK);
        if end <= self.raw_read {
            self.eof = true;
            return Ok(());
        }
        self.raw_read = end;
        let bytes = self.raw.as_bytes();
        while self.raw_decoded < end {
            // Printable ASCII and line feeds, nearly all of any chart, in one sweep:
            // sixteen bytes at a time while all are (a branch-free test the compiler
            // turns into vector compares), then byte by byte.
            let plain_byte = |b: u8| (0x20..0x7F).contains(&b) || b == b'\n';
            while let Some(block) = bytes
                .get(self.raw_decoded..end)
                .and_then(|rest| rest.first_chunk::<16>())
            {
                let mut all = true;
                for &b in block {
                    all &= plain_byte(b);
                }
                if !all {
                    break;
                }
                self.raw_decoded += 16;
            }
            let plain = bytes[self.raw_decoded..end]
                .iter()
                .position(|&b| !plain_byte(b))
                .unwrap_or(end - self.raw_decoded);
            self.raw_decoded += plain;
            if self.raw_decoded >= end {
                break;
            }
            let lead = bytes[self.raw_decoded];
            let (c, width) = if lead < 0x80 {
                (char::from(lead), 1)
            } else {
                (char_at(self.raw, self.raw_decoded), utf8_width(lead))
            };
            if self.raw_decoded + width > end {
                // The rest of this character comes with the next chunk.
                break;
            }
            let allowed = matches!(c as u32,
                0x09 | 0x0A | 0x0D | 0x20..=0x7E | 0x85 | 0xA0..=0xD7FF | 0xE000..=0xFFFD
                | 0x10000..=0x10FFFF);
            if !allowed {
                return Err(Box::new(SyntaxError {
                    stage: Stage::Reader,
                    problem: "control characters are not allowed".to_string(),
                    problem_mark: Mark::default(),
                    context_mark: Mark::default(),
                }));
            }
            self.raw_decoded += width;
        }
        Ok(())
    }
}

/// The length of the UTF-8 sequence `lead` starts (the input is valid UTF-8).
#[inline]
fn utf8_width(lead: u8) -> usize {
    match lead {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

/// The character starting at byte `at` of `text` (a character boundary), NUL past the
/// end.
#[inline]
fn char_at(text: &str, at: usize) -> char {
    match text.as_bytes().get(at) {
        Some(&b) if b < 0x80 => char::from(b),
        Some(_) => text
            .get(at..)
            .and_then(|rest| rest.chars().next())
            .unwrap_or('\0'),
        None => '\0',
    }
}

pub(crate) struct Scanner<'a> {
    reader: Reader<'a>,
    /// Byte offset of the current character in the input; `mark` counts characters.
    pos: usize,
    mark: Mark,
    tokens: VecDeque<Token<'a>>,
    tokens_parsed: usize,
    token_available: bool,
    stream_start_produced: bool,
    stream_end_produced: bool,
    indent: i64,
    indents: Vec<i64>,
    flow_level: usize,
    simple_key_allowed: bool,
    simple_keys: Vec<SimpleKey>,
    simple_keys_by_tok: FxHashMap<usize, usize>,
    error: Option<Box<SyntaxError>>,
    /// Buffers the scalar scanners reuse, so that scanning a scalar allocates only
    /// its text.
    scratch: Scratch,
}

/// Line breaks and blanks a scalar scanner holds while deciding how to fold them.
#[derive(Default)]
struct Scratch {
    leading_break: String,
    trailing_breaks: String,
    whitespaces: String,
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_breakz(c: char) -> bool {
    is_break(c) || c == '\0'
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// A set of ASCII bytes, for [`Scanner::run`].
pub(crate) struct AsciiSet([bool; 256]);

impl AsciiSet {
    /// Every ASCII byte but NUL and `stop`.
    const fn all_but(stop: &[u8]) -> AsciiSet {
        let mut set = [false; 256];
        let mut b = 1;
        while b < 128 {
            set[b] = true;
            b += 1;
        }
        let mut i = 0;
        while i < stop.len() {
            set[stop[i] as usize] = false;
            i += 1;
        }
        AsciiSet(set)
    }

    /// Only `byte`.
    const fn only(byte: u8) -> AsciiSet {
        let mut set = [false; 256];
        set[byte as usize] = true;
        AsciiSet(set)
    }

    #[inline]
    fn contains(&self, byte: u8) -> bool {
        // Bytes from 0x80 up are never in the set.
        self.0[usize::from(byte)]
    }
}

/// Bytes that are no line break.
static NOT_BREAK: AsciiSet = AsciiSet::all_but(b"\r\n");
static SPACE: AsciiSet = AsciiSet::only(b' ');
/// Bytes a plain scalar goes on with, in block and in flow context (`:` depends on
/// what follows it, so the slow path looks at it).
static PLAIN_BLOCK: AsciiSet = AsciiSet::all_but(b" \t\r\n:");
static PLAIN_FLOW: AsciiSet = AsciiSet::all_but(b" \t\r\n:,?[]{}");
/// Bytes a quoted scalar goes on with, whichever its quotes.
static QUOTED: AsciiSet = AsciiSet::all_but(b" \t\r\n'\"\\");

/// [`is_blank`] of a run's character, for [`Scanner::run`].
fn is_blank2(c: char, _next: char) -> bool {
    is_blank(c)
}

fn is_blankz(c: char) -> bool {
    is_blank(c) || is_breakz(c)
}

/// libyaml's "alpha": the characters of anchors, tag handles and directive names.
fn is_alpha(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

fn scanner_error(context_mark: Mark, problem_mark: Mark, problem: &str) -> Box<SyntaxError> {
    Box::new(SyntaxError {
        stage: Stage::Scanner,
        problem: problem.to_string(),
        problem_mark,
        context_mark,
    })
}

impl<'a> Scanner<'a> {
    pub fn new(input: &'a str) -> Scanner<'a> {
        // go-yaml gives the parser a lone line break for empty input.
        let raw = if input.is_empty() { "\n" } else { input };
        let raw = raw.strip_prefix('\u{FEFF}').unwrap_or(raw);
        Scanner {
            reader: Reader {
                raw,
                raw_read: 0,
                raw_decoded: 0,
                eof: false,
            },
            pos: 0,
            mark: Mark::default(),
            // Room for what most documents need, so that these grow rarely.
            tokens: VecDeque::with_capacity(16),
            tokens_parsed: 0,
            token_available: false,
            stream_start_produced: false,
            stream_end_produced: false,
            indent: -1,
            indents: Vec::with_capacity(16),
            flow_level: 0,
            simple_key_allowed: false,
            simple_keys: Vec::with_capacity(8),
            simple_keys_by_tok: FxHashMap::default(),
            error: None,
            scratch: Scratch::default(),
        }
    }

    // ----- characters -----

    /// Makes sure `n` characters from the current one are decoded (or past the end).
    #[inline]
    fn cache(&mut self, n: usize) -> Result<()> {
        // A character takes at most four bytes.
        if self.reader.eof || self.pos + 4 * n <= self.reader.raw_decoded {
            return Ok(());
        }
        self.cache_more(n)
    }

    #[inline(never)]
    fn cache_more(&mut self, n: usize) -> Result<()> {
        while !self.reader.eof && self.decoded_ahead(n) < n {
            self.reader.read_chunk()?;
        }
        Ok(())
    }

    /// How many characters from the current one are decoded, counting up to `n`.
    fn decoded_ahead(&self, n: usize) -> usize {
        let mut at = self.pos;
        let mut count = 0;
        while count < n && at < self.reader.raw_decoded {
            at += utf8_width(self.reader.raw.as_bytes()[at]);
            count += 1;
        }
        count
    }

    /// The byte offset of the character `i` places ahead, if it is decoded.
    #[inline]
    fn offset(&self, i: usize) -> Option<usize> {
        let bytes = self.reader.raw.as_bytes();
        let mut at = self.pos;
        for _ in 0..i {
            if at >= self.reader.raw_decoded {
                return None;
            }
            at += utf8_width(bytes[at]);
        }
        (at < self.reader.raw_decoded).then_some(at)
    }

    /// The character `i` places ahead; NUL past what has been decoded (the end of the
    /// input, or a chunk not asked for yet).
    #[inline]
    fn ch(&self, i: usize) -> char {
        match self.offset(i) {
            Some(at) => char_at(self.reader.raw, at),
            None => '\0',
        }
    }

    /// The width in bytes of the current character (1 past the end, where nothing is
    /// ever skipped).
    #[inline]
    fn width(&self) -> usize {
        match self.reader.raw.as_bytes().get(self.pos) {
            Some(&b) => utf8_width(b),
            None => 1,
        }
    }

    #[inline]
    fn skip(&mut self) {
        self.mark.index += 1;
        self.mark.column += 1;
        self.pos += self.width();
    }

    fn skip_line(&mut self) {
        if self.ch(0) == '\r' && self.ch(1) == '\n' {
            self.mark.index += 2;
            self.mark.column = 0;
            self.mark.line += 1;
            self.pos += 2;
        } else if is_break(self.ch(0)) {
            self.mark.index += 1;
            self.mark.column = 0;
            self.mark.line += 1;
            self.pos += self.width();
        }
    }

    #[inline]
    fn read(&mut self, s: &mut String) {
        s.push(self.ch(0));
        self.skip();
    }

    /// `while keep(ch(0), ch(1)) { skip or read; cache(lookahead)? }` over a run of
    /// characters on one line, for a loop whose last `cache(lookahead)` was at the
    /// current position. Characters whose look-ahead is surely decoded already are
    /// taken in one go (and copied as one slice); near the end of what is decoded, the
    /// step is made exactly as that loop makes it, so chunks are read (and rejected)
    /// at the same points.
    ///
    /// `ascii` lists ASCII bytes `keep` takes whatever follows them, which spares
    /// decoding the characters of the usual all-ASCII run.
    fn run(
        &mut self,
        lookahead: usize,
        mut out: Option<&mut String>,
        ascii: &AsciiSet,
        keep: impl Fn(char, char) -> bool,
    ) -> Result<()> {
        let raw = self.reader.raw;
        let bytes = raw.as_bytes();
        loop {
            // The current character and `lookahead` more are decoded if this many
            // bytes are (four at most each).
            let reach = 4 * (lookahead + 1);
            let from = self.pos;
            let mut to = from;
            let mut count = 0;
            while to + reach <= self.reader.raw_decoded {
                // The ASCII bytes `keep` takes, up to the last one whose look-ahead
                // is surely decoded, in one sweep.
                let last = self.reader.raw_decoded - reach;
                let ascii_run = bytes[to..=last]
                    .iter()
                    .position(|&b| !ascii.contains(b))
                    .unwrap_or(last + 1 - to);
                to += ascii_run;
                count += ascii_run;
                if to > last {
                    break;
                }
                let (c, width) = match bytes[to] {
                    b if b < 0x80 => (char::from(b), 1),
                    b => (char_at(raw, to), utf8_width(b)),
                };
                if !keep(c, char_at(raw, to + width)) {
                    break;
                }
                to += width;
                count += 1;
            }
            if count > 0 {
                if let Some(out) = out.as_deref_mut() {
                    out.push_str(raw.get(from..to).unwrap_or(""));
                }
                self.pos = to;
                self.mark.index += count;
                self.mark.column += count;
            }
            if !keep(self.ch(0), self.ch(1)) {
                return Ok(());
            }
            match out.as_deref_mut() {
                Some(out) => self.read(out),
                None => self.skip(),
            }
            self.cache(lookahead)?;
        }
    }

    /// Reads a line break into `s`, normalizing CR, CRLF and NEL to LF.
    fn read_line(&mut self, s: &mut String) {
        let c = self.ch(0);
        if c == '\r' && self.ch(1) == '\n' {
            s.push('\n');
            self.pos += 2;
            self.mark.index += 2;
        } else if c == '\r' || c == '\n' || c == '\u{85}' {
            s.push('\n');
            self.pos += self.width();
            self.mark.index += 1;
        } else if c == '\u{2028}' || c == '\u{2029}' {
            s.push(c);
            self.pos += self.width();
            self.mark.index += 1;
        } else {
            return;
        }
        self.mark.column = 0;
        self.mark.line += 1;
    }

    // ----- token queue -----

    /// The next token, without consuming it.
    ///
    /// Small enough to inline: the parser looks at most tokens more than once, and
    /// only the first look scans.
    #[inline]
    pub fn peek(&mut self) -> Result<&Token<'a>> {
        if !self.token_available {
            self.fetch_more_tokens()?;
        }
        match self.tokens.front() {
            Some(token) => Ok(token),
            None => Err(self.no_stream_end()),
        }
    }

    #[cold]
    fn no_stream_end(&self) -> Box<SyntaxError> {
        Box::new(SyntaxError {
            stage: Stage::Parser,
            problem: "did not find expected <stream-end>".to_string(),
            problem_mark: self.mark,
            context_mark: Mark::default(),
        })
    }

    /// Consumes the token `peek` returned.
    pub fn skip_token(&mut self) {
        self.take_token();
    }

    /// Consumes the token `peek` returned and hands it over.
    pub fn take_token(&mut self) -> Option<Token<'a>> {
        self.token_available = false;
        self.tokens_parsed += 1;
        let token = self.tokens.pop_front();
        if let Some(token) = &token {
            self.stream_end_produced = token.kind == TokenKind::StreamEnd;
        }
        token
    }

    pub fn stream_end_produced(&self) -> bool {
        self.stream_end_produced
    }

    fn insert_token(&mut self, pos: Option<usize>, token: Token<'a>) {
        match pos {
            Some(pos) if pos <= self.tokens.len() => self.tokens.insert(pos, token),
            _ => self.tokens.push_back(token),
        }
    }

    #[inline(never)]
    fn fetch_more_tokens(&mut self) -> Result<()> {
        if let Some(err) = &self.error {
            return Err(err.clone());
        }
        let result = self.fetch_more_tokens_inner();
        if let Err(err) = &result {
            self.error = Some(err.clone());
        }
        result
    }

    fn fetch_more_tokens_inner(&mut self) -> Result<()> {
        loop {
            if !self.tokens.is_empty() {
                // More tokens are needed only while the head token may still turn out to
                // be a simple key.
                match self.simple_keys_by_tok.get(&self.tokens_parsed) {
                    None => break,
                    Some(&i) => {
                        if !self.simple_key_is_valid(i)? {
                            break;
                        }
                    }
                }
            }
            self.fetch_next_token()?;
        }
        self.token_available = true;
        Ok(())
    }

    fn fetch_next_token(&mut self) -> Result<()> {
        self.cache(1)?;
        if !self.stream_start_produced {
            self.fetch_stream_start();
            return Ok(());
        }
        self.scan_to_next_token()?;
        self.unroll_indent(self.mark.column as i64);
        self.cache(4)?;
        let c = self.ch(0);
        if c == '\0' {
            return self.fetch_stream_end();
        }
        if self.mark.column == 0 && c == '%' {
            return self.fetch_directive();
        }
        let three =
            |s: &Self, x: char| s.ch(0) == x && s.ch(1) == x && s.ch(2) == x && is_blankz(s.ch(3));
        if self.mark.column == 0 && three(self, '-') {
            return self.fetch_document_indicator(TokenKind::DocumentStart);
        }
        if self.mark.column == 0 && three(self, '.') {
            return self.fetch_document_indicator(TokenKind::DocumentEnd);
        }
        let next = self.ch(1);
        match c {
            '[' => return self.fetch_flow_collection_start(TokenKind::FlowSequenceStart),
            '{' => return self.fetch_flow_collection_start(TokenKind::FlowMappingStart),
            ']' => return self.fetch_flow_collection_end(TokenKind::FlowSequenceEnd),
            '}' => return self.fetch_flow_collection_end(TokenKind::FlowMappingEnd),
            ',' => return self.fetch_flow_entry(),
            _ => {}
        }
        if c == '-' && is_blankz(next) {
            return self.fetch_block_entry();
        }
        if c == '?' && (self.flow_level > 0 || is_blankz(next)) {
            return self.fetch_key();
        }
        if c == ':' && (self.flow_level > 0 || is_blankz(next)) {
            return self.fetch_value();
        }
        match c {
            '*' => return self.fetch_anchor(true),
            '&' => return self.fetch_anchor(false),
            '!' => return self.fetch_tag(),
            '|' if self.flow_level == 0 => return self.fetch_block_scalar(true),
            '>' if self.flow_level == 0 => return self.fetch_block_scalar(false),
            '\'' => return self.fetch_flow_scalar(true),
            '"' => return self.fetch_flow_scalar(false),
            _ => {}
        }
        let indicator = is_blankz(c)
            || matches!(
                c,
                '-' | '?'
                    | ':'
                    | ','
                    | '['
                    | ']'
                    | '{'
                    | '}'
                    | '#'
                    | '&'
                    | '*'
                    | '!'
                    | '|'
                    | '>'
                    | '\''
                    | '"'
                    | '%'
                    | '@'
                    | '`'
            );
        if !indicator
            || (c == '-' && !is_blank(next))
            || (self.flow_level == 0 && (c == '?' || c == ':') && !is_blankz(next))
        {
            return self.fetch_plain_scalar();
        }
        Err(scanner_error(
            self.mark,
            self.mark,
            "found character that cannot start any token",
        ))
    }

    // ----- simple keys and indentation -----

    fn simple_key_is_valid(&mut self, i: usize) -> Result<bool> {
        let key = self.simple_keys[i];
        if !key.possible {
            return Ok(false);
        }
        // A simple key fits on one line and in 1024 characters.
        if key.mark.line < self.mark.line || key.mark.index + 1024 < self.mark.index {
            if key.required {
                return Err(scanner_error(
                    key.mark,
                    self.mark,
                    "could not find expected ':'",
                ));
            }
            self.simple_keys[i].possible = false;
            return Ok(false);
        }
        Ok(true)
    }

    fn save_simple_key(&mut self) -> Result<()> {
        // A key at the current block indentation is required: without its ':' the
        // mapping is broken.
        let required = self.flow_level == 0 && self.indent == self.mark.column as i64;
        if self.simple_key_allowed {
            let key = SimpleKey {
                possible: true,
                required,
                token_number: self.tokens_parsed + self.tokens.len(),
                mark: self.mark,
            };
            self.remove_simple_key()?;
            let last = self.simple_keys.len() - 1;
            self.simple_keys[last] = key;
            self.simple_keys_by_tok.insert(key.token_number, last);
        }
        Ok(())
    }

    fn remove_simple_key(&mut self) -> Result<()> {
        let last = self.simple_keys.len() - 1;
        let key = self.simple_keys[last];
        if key.possible {
            if key.required {
                return Err(scanner_error(
                    key.mark,
                    self.mark,
                    "could not find expected ':'",
                ));
            }
            self.simple_keys[last].possible = false;
            self.simple_keys_by_tok.remove(&key.token_number);
        }
        Ok(())
    }

    fn increase_flow_level(&mut self) -> Result<()> {
        self.simple_keys.push(SimpleKey {
            possible: false,
            required: false,
            token_number: self.tokens_parsed + self.tokens.len(),
            mark: self.mark,
        });
        self.flow_level += 1;
        if self.flow_level > MAX_FLOW_LEVEL {
            let mark = self.simple_keys[self.simple_keys.len() - 1].mark;
            return Err(scanner_error(
                mark,
                self.mark,
                &format!("exceeded max depth of {MAX_FLOW_LEVEL}"),
            ));
        }
        Ok(())
    }

    fn decrease_flow_level(&mut self) {
        if self.flow_level > 0 {
            self.flow_level -= 1;
            if let Some(key) = self.simple_keys.pop() {
                self.simple_keys_by_tok.remove(&key.token_number);
            }
        }
    }

    /// Opens a block collection at `column` if it is deeper than the current indent,
    /// inserting its start token at absolute token `number` (or at the end).
    fn roll_indent(
        &mut self,
        column: usize,
        number: Option<usize>,
        kind: TokenKind<'a>,
        mark: Mark,
    ) -> Result<()> {
        if self.flow_level > 0 {
            return Ok(());
        }
        if self.indent < column as i64 {
            self.indents.push(self.indent);
            self.indent = column as i64;
            if self.indents.len() > MAX_INDENTS {
                let context = self.simple_keys[self.simple_keys.len() - 1].mark;
                return Err(scanner_error(
                    context,
                    self.mark,
                    &format!("exceeded max depth of {MAX_INDENTS}"),
                ));
            }
            let token = Token { kind, start: mark };
            let pos = number.map(|n| n.saturating_sub(self.tokens_parsed));
            self.insert_token(pos, token);
        }
        Ok(())
    }

    fn unroll_indent(&mut self, column: i64) {
        if self.flow_level > 0 {
            return;
        }
        while self.indent > column {
            let token = Token {
                kind: TokenKind::BlockEnd,
                start: self.mark,
            };
            self.insert_token(None, token);
            self.indent = self.indents.pop().unwrap_or(-1);
        }
    }

    // ----- fetchers -----

    fn push_simple(&mut self, kind: TokenKind<'a>, start: Mark) {
        let token = Token { kind, start };
        self.insert_token(None, token);
    }

    fn fetch_stream_start(&mut self) {
        self.indent = -1;
        self.simple_keys.push(SimpleKey::default());
        self.simple_key_allowed = true;
        self.stream_start_produced = true;
        self.push_simple(TokenKind::StreamStart, self.mark);
    }

    fn fetch_stream_end(&mut self) -> Result<()> {
        if self.mark.column != 0 {
            self.mark.column = 0;
            self.mark.line += 1;
        }
        self.unroll_indent(-1);
        self.remove_simple_key()?;
        self.simple_key_allowed = false;
        self.push_simple(TokenKind::StreamEnd, self.mark);
        Ok(())
    }

    fn fetch_directive(&mut self) -> Result<()> {
        self.unroll_indent(-1);
        self.remove_simple_key()?;
        self.simple_key_allowed = false;
        let token = self.scan_directive()?;
        self.insert_token(None, token);
        Ok(())
    }

    fn fetch_document_indicator(&mut self, kind: TokenKind<'a>) -> Result<()> {
        self.unroll_indent(-1);
        self.remove_simple_key()?;
        self.simple_key_allowed = false;
        let start = self.mark;
        self.skip();
        self.skip();
        self.skip();
        self.push_simple(kind, start);
        Ok(())
    }

    fn fetch_flow_collection_start(&mut self, kind: TokenKind<'a>) -> Result<()> {
        self.save_simple_key()?;
        self.increase_flow_level()?;
        self.simple_key_allowed = true;
        let start = self.mark;
        self.skip();
        self.push_simple(kind, start);
        Ok(())
    }

    fn fetch_flow_collection_end(&mut self, kind: TokenKind<'a>) -> Result<()> {
        self.remove_simple_key()?;
        self.decrease_flow_level();
        self.simple_key_allowed = false;
        let start = self.mark;
        self.skip();
        self.push_simple(kind, start);
        Ok(())
    }

    fn fetch_flow_entry(&mut self) -> Result<()> {
        self.remove_simple_key()?;
        self.simple_key_allowed = true;
        let start = self.mark;
        self.skip();
        self.push_simple(TokenKind::FlowEntry, start);
        Ok(())
    }

    fn fetch_block_entry(&mut self) -> Result<()> {
        if self.flow_level == 0 {
            if !self.simple_key_allowed {
                return Err(scanner_error(
                    self.mark,
                    self.mark,
                    "block sequence entries are not allowed in this context",
                ));
            }
            self.roll_indent(
                self.mark.column,
                None,
                TokenKind::BlockSequenceStart,
                self.mark,
            )?;
        }
        self.remove_simple_key()?;
        self.simple_key_allowed = true;
        let start = self.mark;
        self.skip();
        self.push_simple(TokenKind::BlockEntry, start);
        Ok(())
    }

    fn fetch_key(&mut self) -> Result<()> {
        if self.flow_level == 0 {
            if !self.simple_key_allowed {
                return Err(scanner_error(
                    self.mark,
                    self.mark,
                    "mapping keys are not allowed in this context",
                ));
            }
            self.roll_indent(
                self.mark.column,
                None,
                TokenKind::BlockMappingStart,
                self.mark,
            )?;
        }
        self.remove_simple_key()?;
        self.simple_key_allowed = self.flow_level == 0;
        let start = self.mark;
        self.skip();
        self.push_simple(TokenKind::Key, start);
        Ok(())
    }

    fn fetch_value(&mut self) -> Result<()> {
        let last = self.simple_keys.len() - 1;
        if self.simple_key_is_valid(last)? {
            // The saved simple key becomes a KEY token, inserted where the key started,
            // and may open a block mapping there.
            let key = self.simple_keys[last];
            let token = Token {
                kind: TokenKind::Key,
                start: key.mark,
            };
            self.insert_token(
                Some(key.token_number.saturating_sub(self.tokens_parsed)),
                token,
            );
            self.roll_indent(
                key.mark.column,
                Some(key.token_number),
                TokenKind::BlockMappingStart,
                key.mark,
            )?;
            self.simple_keys[last].possible = false;
            self.simple_keys_by_tok.remove(&key.token_number);
            self.simple_key_allowed = false;
        } else {
            if self.flow_level == 0 {
                if !self.simple_key_allowed {
                    return Err(scanner_error(
                        self.mark,
                        self.mark,
                        "mapping values are not allowed in this context",
                    ));
                }
                self.roll_indent(
                    self.mark.column,
                    None,
                    TokenKind::BlockMappingStart,
                    self.mark,
                )?;
            }
            self.simple_key_allowed = self.flow_level == 0;
        }
        let start = self.mark;
        self.skip();
        self.push_simple(TokenKind::Value, start);
        Ok(())
    }

    fn fetch_anchor(&mut self, alias: bool) -> Result<()> {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let token = self.scan_anchor(alias)?;
        self.insert_token(None, token);
        Ok(())
    }

    fn fetch_tag(&mut self) -> Result<()> {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let token = self.scan_tag()?;
        self.insert_token(None, token);
        Ok(())
    }

    fn fetch_block_scalar(&mut self, literal: bool) -> Result<()> {
        self.remove_simple_key()?;
        self.simple_key_allowed = true;
        let token = self.scan_block_scalar(literal)?;
        self.insert_token(None, token);
        Ok(())
    }

    fn fetch_flow_scalar(&mut self, single: bool) -> Result<()> {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let token = self.scan_flow_scalar(single)?;
        self.insert_token(None, token);
        Ok(())
    }

    fn fetch_plain_scalar(&mut self) -> Result<()> {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let token = self.scan_plain_scalar()?;
        self.insert_token(None, token);
        Ok(())
    }

    // ----- scanners -----

    fn scan_to_next_token(&mut self) -> Result<()> {
        loop {
            self.cache(1)?;
            // A byte order mark may start any line.
            if self.mark.column == 0 && self.ch(0) == '\u{FEFF}' {
                self.skip();
            }
            self.cache(1)?;
            // Tabs are whitespace only where no simple key (and so no indentation) can
            // start.
            let tabs = self.flow_level > 0 || !self.simple_key_allowed;
            self.run(1, None, &SPACE, |c, _| c == ' ' || (tabs && c == '\t'))?;
            if self.ch(0) == '#' {
                self.run(1, None, &NOT_BREAK, |c, _| !is_breakz(c))?;
            }
            if is_break(self.ch(0)) {
                self.cache(2)?;
                self.skip_line();
                if self.flow_level == 0 {
                    self.simple_key_allowed = true;
                }
            } else {
                break;
            }
        }
        Ok(())
    }

    fn skip_blanks(&mut self) -> Result<()> {
        self.cache(1)?;
        while is_blank(self.ch(0)) {
            self.skip();
            self.cache(1)?;
        }
        Ok(())
    }

    fn skip_comment(&mut self) -> Result<()> {
        if self.ch(0) == '#' {
            while !is_breakz(self.ch(0)) {
                self.skip();
                self.cache(1)?;
            }
        }
        Ok(())
    }

    fn scan_directive(&mut self) -> Result<Token<'a>> {
        let start = self.mark;
        self.skip();
        let name = self.scan_directive_name(start)?;
        let kind = if name == "YAML" {
            let (major, minor) = self.scan_version_directive_value(start)?;
            TokenKind::VersionDirective(major, minor)
        } else if name == "TAG" {
            let (handle, prefix) = self.scan_tag_directive_value(start)?;
            TokenKind::TagDirective(Box::new((handle, prefix)))
        } else {
            return Err(scanner_error(
                start,
                self.mark,
                "found unknown directive name",
            ));
        };
        self.skip_blanks()?;
        self.skip_comment()?;
        if !is_breakz(self.ch(0)) {
            return Err(scanner_error(
                start,
                self.mark,
                "did not find expected comment or line break",
            ));
        }
        if is_break(self.ch(0)) {
            self.cache(2)?;
            self.skip_line();
        }
        Ok(Token { kind, start })
    }

    fn scan_directive_name(&mut self, start: Mark) -> Result<String> {
        self.cache(1)?;
        let mut s = String::new();
        while is_alpha(self.ch(0)) {
            self.read(&mut s);
            self.cache(1)?;
        }
        if s.is_empty() {
            return Err(scanner_error(
                start,
                self.mark,
                "could not find expected directive name",
            ));
        }
        if !is_blankz(self.ch(0)) {
            return Err(scanner_error(
                start,
                self.mark,
                "found unexpected non-alphabetical character",
            ));
        }
        Ok(s)
    }

    fn scan_version_directive_value(&mut self, start: Mark) -> Result<(u32, u32)> {
        self.skip_blanks()?;
        let major = self.scan_version_directive_number(start)?;
        if self.ch(0) != '.' {
            return Err(scanner_error(
                start,
                self.mark,
                "did not find expected digit or '.' character",
            ));
        }
        self.skip();
        let minor = self.scan_version_directive_number(start)?;
        Ok((major, minor))
    }

    fn scan_version_directive_number(&mut self, start: Mark) -> Result<u32> {
        self.cache(1)?;
        let mut value = 0u32;
        let mut length = 0;
        while let Some(d) = self.ch(0).to_digit(10) {
            length += 1;
            if length > 2 {
                return Err(scanner_error(
                    start,
                    self.mark,
                    "found extremely long version number",
                ));
            }
            value = value * 10 + d;
            self.skip();
            self.cache(1)?;
        }
        if length == 0 {
            return Err(scanner_error(
                start,
                self.mark,
                "did not find expected version number",
            ));
        }
        Ok(value)
    }

    fn scan_tag_directive_value(&mut self, start: Mark) -> Result<(String, String)> {
        self.skip_blanks()?;
        let handle = self.scan_tag_handle(true, start)?;
        self.cache(1)?;
        if !is_blank(self.ch(0)) {
            return Err(scanner_error(
                start,
                self.mark,
                "did not find expected whitespace",
            ));
        }
        self.skip_blanks()?;
        let prefix = self.scan_tag_uri(true, "", start)?;
        self.cache(1)?;
        if !is_blankz(self.ch(0)) {
            return Err(scanner_error(
                start,
                self.mark,
                "did not find expected whitespace or line break",
            ));
        }
        Ok((handle, prefix))
    }

    fn scan_anchor(&mut self, alias: bool) -> Result<Token<'a>> {
        let start = self.mark;
        self.skip();
        self.cache(1)?;
        let mut s = String::new();
        while is_alpha(self.ch(0)) {
            self.read(&mut s);
            self.cache(1)?;
        }
        let c = self.ch(0);
        if s.is_empty()
            || !(is_blankz(c) || matches!(c, '?' | ':' | ',' | ']' | '}' | '%' | '@' | '`'))
        {
            return Err(scanner_error(
                start,
                self.mark,
                "did not find expected alphabetic or numeric character",
            ));
        }
        let kind = if alias {
            TokenKind::Alias(s)
        } else {
            TokenKind::Anchor(s)
        };
        Ok(Token { kind, start })
    }

    fn scan_tag(&mut self) -> Result<Token<'a>> {
        let start = self.mark;
        self.cache(2)?;
        let (handle, suffix);
        if self.ch(1) == '<' {
            // Verbatim: !<tag:yaml.org,2002:str>
            self.skip();
            self.skip();
            suffix = self.scan_tag_uri(false, "", start)?;
            if self.ch(0) != '>' {
                return Err(scanner_error(
                    start,
                    self.mark,
                    "did not find the expected '>'",
                ));
            }
            self.skip();
            handle = String::new();
        } else {
            let h = self.scan_tag_handle(false, start)?;
            if h.len() > 1 && h.starts_with('!') && h.ends_with('!') {
                handle = h;
                suffix = self.scan_tag_uri(false, "", start)?;
            } else {
                // `!foo` is the handle `!` with suffix `foo`; a lone `!` is the
                // non-specific tag, kept as the suffix with no handle.
                let s = self.scan_tag_uri(false, &h, start)?;
                if s.is_empty() {
                    handle = String::new();
                    suffix = "!".to_string();
                } else {
                    handle = "!".to_string();
                    suffix = s;
                }
            }
        }
        self.cache(1)?;
        if !is_blankz(self.ch(0)) {
            return Err(scanner_error(
                start,
                self.mark,
                "did not find expected whitespace or line break",
            ));
        }
        Ok(Token {
            kind: TokenKind::Tag(Box::new((handle, suffix))),
            start,
        })
    }

    fn scan_tag_handle(&mut self, directive: bool, start: Mark) -> Result<String> {
        self.cache(1)?;
        if self.ch(0) != '!' {
            return Err(scanner_error(start, self.mark, "did not find expected '!'"));
        }
        let mut s = String::new();
        self.read(&mut s);
        self.cache(1)?;
        while is_alpha(self.ch(0)) {
            self.read(&mut s);
            self.cache(1)?;
        }
        if self.ch(0) == '!' {
            self.read(&mut s);
        } else if directive && s != "!" {
            return Err(scanner_error(start, self.mark, "did not find expected '!'"));
        }
        Ok(s)
    }

    /// Scans a tag URI, decoding `%XX` escapes. `head` is a handle already scanned that
    /// turned out to start the URI (its leading `!` is dropped).
    fn scan_tag_uri(&mut self, directive: bool, head: &str, start: Mark) -> Result<String> {
        let mut bytes: Vec<u8> = head.get(1..).unwrap_or("").as_bytes().to_vec();
        let mut has_tag = !head.is_empty();
        self.cache(1)?;
        loop {
            let c = self.ch(0);
            let uri_char = is_alpha(c)
                || matches!(
                    c,
                    ';' | '/'
                        | '?'
                        | ':'
                        | '@'
                        | '&'
                        | '='
                        | '+'
                        | '$'
                        | ','
                        | '.'
                        | '!'
                        | '~'
                        | '*'
                        | '\''
                        | '('
                        | ')'
                        | '['
                        | ']'
                        | '%'
                );
            if !uri_char {
                break;
            }
            if c == '%' {
                self.scan_uri_escapes(directive, start, &mut bytes)?;
            } else {
                let mut s = String::new();
                self.read(&mut s);
                bytes.extend_from_slice(s.as_bytes());
            }
            self.cache(1)?;
            has_tag = true;
        }
        if !has_tag {
            return Err(scanner_error(
                start,
                self.mark,
                "did not find expected tag URI",
            ));
        }
        Ok(crate::lossy_utf8(&bytes))
    }

    fn scan_uri_escapes(&mut self, _directive: bool, start: Mark, out: &mut Vec<u8>) -> Result<()> {
        let mut width = 0usize;
        let mut first = true;
        while first || width > 0 {
            self.cache(3)?;
            let hex = |c: char| c.to_digit(16);
            let (Some(hi), Some(lo)) = (hex(self.ch(1)), hex(self.ch(2))) else {
                return Err(scanner_error(
                    start,
                    self.mark,
                    "did not find URI escaped octet",
                ));
            };
            if self.ch(0) != '%' {
                return Err(scanner_error(
                    start,
                    self.mark,
                    "did not find URI escaped octet",
                ));
            }
            let octet = (hi * 16 + lo) as u8;
            if first {
                width = match octet {
                    0x00..=0x7F => 1,
                    0xC0..=0xDF => 2,
                    0xE0..=0xEF => 3,
                    0xF0..=0xF7 => 4,
                    _ => {
                        return Err(scanner_error(
                            start,
                            self.mark,
                            "found an incorrect leading UTF-8 octet",
                        ))
                    }
                };
                first = false;
            } else if octet & 0xC0 != 0x80 {
                return Err(scanner_error(
                    start,
                    self.mark,
                    "found an incorrect trailing UTF-8 octet",
                ));
            }
            out.push(octet);
            self.skip();
            self.skip();
            self.skip();
            width -= 1;
        }
        Ok(())
    }

    fn scan_block_scalar(&mut self, literal: bool) -> Result<Token<'a>> {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.leading_break.clear();
        scratch.trailing_breaks.clear();
        scratch.whitespaces.clear();
        let token = self.scan_block_scalar_with(literal, &mut scratch);
        self.scratch = scratch;
        token
    }

    fn scan_block_scalar_with(
        &mut self,
        literal: bool,
        scratch: &mut Scratch,
    ) -> Result<Token<'a>> {
        let Scratch {
            leading_break,
            trailing_breaks,
            whitespaces: _,
        } = scratch;
        let start = self.mark;
        self.skip();
        self.cache(1)?;
        let mut chomping = 0i32;
        let mut increment = 0usize;
        let indicator_zero =
            |s: &Self| scanner_error(start, s.mark, "found an indentation indicator equal to 0");
        if self.ch(0) == '+' || self.ch(0) == '-' {
            chomping = if self.ch(0) == '+' { 1 } else { -1 };
            self.skip();
            self.cache(1)?;
            if let Some(d) = self.ch(0).to_digit(10) {
                if d == 0 {
                    return Err(indicator_zero(self));
                }
                increment = d as usize;
                self.skip();
            }
        } else if let Some(d) = self.ch(0).to_digit(10) {
            if d == 0 {
                return Err(indicator_zero(self));
            }
            increment = d as usize;
            self.skip();
            self.cache(1)?;
            if self.ch(0) == '+' || self.ch(0) == '-' {
                chomping = if self.ch(0) == '+' { 1 } else { -1 };
                self.skip();
            }
        }
        self.skip_blanks()?;
        self.skip_comment()?;
        if !is_breakz(self.ch(0)) {
            return Err(scanner_error(
                start,
                self.mark,
                "did not find expected comment or line break",
            ));
        }
        if is_break(self.ch(0)) {
            self.cache(2)?;
            self.skip_line();
        }
        let mut indent: usize = 0;
        if increment > 0 {
            indent = if self.indent >= 0 {
                self.indent as usize + increment
            } else {
                increment
            };
        }
        let mut s = String::new();
        self.scan_block_scalar_breaks(&mut indent, trailing_breaks, start)?;
        self.cache(1)?;
        let mut leading_blank = false;
        while self.mark.column == indent && self.ch(0) != '\0' {
            let trailing_blank = is_blank(self.ch(0));
            // Folded scalars join lines with a space, except around "more indented"
            // lines and where empty lines already separate them.
            if !literal && !leading_blank && !trailing_blank && leading_break.starts_with('\n') {
                if trailing_breaks.is_empty() {
                    s.push(' ');
                }
            } else {
                s.push_str(leading_break);
            }
            leading_break.clear();
            s.push_str(trailing_breaks);
            trailing_breaks.clear();
            leading_blank = is_blank(self.ch(0));
            self.run(1, Some(&mut s), &NOT_BREAK, |c, _| !is_breakz(c))?;
            self.cache(2)?;
            self.read_line(leading_break);
            self.scan_block_scalar_breaks(&mut indent, trailing_breaks, start)?;
        }
        if chomping != -1 {
            s.push_str(leading_break);
        }
        if chomping == 1 {
            s.push_str(trailing_breaks);
        }
        let style = if literal {
            ScalarStyle::Literal
        } else {
            ScalarStyle::Folded
        };
        Ok(Token {
            kind: TokenKind::Scalar(Cow::Owned(s), style),
            start,
        })
    }

    fn scan_block_scalar_breaks(
        &mut self,
        indent: &mut usize,
        breaks: &mut String,
        start: Mark,
    ) -> Result<()> {
        let mut max_indent = 0;
        loop {
            self.cache(1)?;
            while (*indent == 0 || self.mark.column < *indent) && self.ch(0) == ' ' {
                self.skip();
                self.cache(1)?;
            }
            if self.mark.column > max_indent {
                max_indent = self.mark.column;
            }
            if (*indent == 0 || self.mark.column < *indent) && self.ch(0) == '\t' {
                return Err(scanner_error(
                    start,
                    self.mark,
                    "found a tab character where an indentation space is expected",
                ));
            }
            if !is_break(self.ch(0)) {
                break;
            }
            self.cache(2)?;
            self.read_line(breaks);
        }
        if *indent == 0 {
            // Auto-detected: the most indented leading empty line or the first content
            // line, at least one deeper than the enclosing block.
            *indent = max_indent;
            let min = (self.indent + 1).max(1) as usize;
            if *indent < min {
                *indent = min;
            }
        }
        Ok(())
    }

    fn document_indicator_ahead(&self) -> bool {
        self.mark.column == 0
            && ((self.ch(0) == '-' && self.ch(1) == '-' && self.ch(2) == '-')
                || (self.ch(0) == '.' && self.ch(1) == '.' && self.ch(2) == '.'))
            && is_blankz(self.ch(3))
    }

    fn scan_flow_scalar(&mut self, single: bool) -> Result<Token<'a>> {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.leading_break.clear();
        scratch.trailing_breaks.clear();
        scratch.whitespaces.clear();
        let token = self.scan_flow_scalar_with(single, &mut scratch);
        self.scratch = scratch;
        token
    }

    fn scan_flow_scalar_with(&mut self, single: bool, scratch: &mut Scratch) -> Result<Token<'a>> {
        let Scratch {
            leading_break,
            trailing_breaks,
            whitespaces,
        } = scratch;
        let start = self.mark;
        self.skip();
        let mut s = String::new();
        loop {
            self.cache(4)?;
            if self.document_indicator_ahead() {
                return Err(scanner_error(
                    start,
                    self.mark,
                    "found unexpected document indicator",
                ));
            }
            if self.ch(0) == '\0' {
                return Err(scanner_error(
                    start,
                    self.mark,
                    "found unexpected end of stream",
                ));
            }
            let mut leading_blanks = false;
            while !is_blankz(self.ch(0)) {
                let c = self.ch(0);
                if single && c == '\'' && self.ch(1) == '\'' {
                    s.push('\'');
                    self.skip();
                    self.skip();
                } else if (single && c == '\'') || (!single && c == '\"') {
                    break;
                } else if !single && c == '\\' && is_break(self.ch(1)) {
                    // An escaped line break joins the lines without a space.
                    self.cache(3)?;
                    self.skip();
                    self.skip_line();
                    leading_blanks = true;
                    break;
                } else if !single && c == '\\' {
                    self.scan_escape(start, &mut s)?;
                } else {
                    self.read(&mut s);
                    self.cache(2)?;
                    let quote = if single { '\'' } else { '"' };
                    self.run(2, Some(&mut s), &QUOTED, |c, _| {
                        !is_blankz(c) && c != quote && (single || c != '\\')
                    })?;
                }
                self.cache(2)?;
            }
            self.cache(1)?;
            let quote = if single { '\'' } else { '"' };
            if self.ch(0) == quote {
                break;
            }
            while is_blank(self.ch(0)) || is_break(self.ch(0)) {
                if is_blank(self.ch(0)) {
                    // A run of blanks, taken as libyaml takes them one by one.
                    let out = if leading_blanks {
                        None
                    } else {
                        Some(&mut *whitespaces)
                    };
                    self.run(1, out, &SPACE, is_blank2)?;
                } else {
                    self.cache(2)?;
                    if !leading_blanks {
                        whitespaces.clear();
                        self.read_line(leading_break);
                        leading_blanks = true;
                    } else {
                        self.read_line(trailing_breaks);
                    }
                }
                self.cache(1)?;
            }
            if leading_blanks {
                if leading_break.starts_with('\n') {
                    if trailing_breaks.is_empty() {
                        s.push(' ');
                    } else {
                        s.push_str(trailing_breaks);
                    }
                } else {
                    s.push_str(leading_break);
                    s.push_str(trailing_breaks);
                }
                trailing_breaks.clear();
                leading_break.clear();
            } else {
                s.push_str(whitespaces);
                whitespaces.clear();
            }
        }
        self.skip();
        let style = if single {
            ScalarStyle::SingleQuoted
        } else {
            ScalarStyle::DoubleQuoted
        };
        Ok(Token {
            kind: TokenKind::Scalar(Cow::Owned(s), style),
            start,
        })
    }

    /// A backslash escape in a double-quoted scalar.
    fn scan_escape(&mut self, start: Mark, s: &mut String) -> Result<()> {
        let mut code_length = 0;
        match self.ch(1) {
            '0' => s.push('\0'),
            'a' => s.push('\x07'),
            'b' => s.push('\x08'),
            't' | '\t' => s.push('\t'),
            'n' => s.push('\n'),
            'v' => s.push('\x0B'),
            'f' => s.push('\x0C'),
            'r' => s.push('\r'),
            'e' => s.push('\x1B'),
            ' ' => s.push(' '),
            '"' => s.push('"'),
            '\'' => s.push('\''),
            '\\' => s.push('\\'),
            'N' => s.push('\u{85}'),
            '_' => s.push('\u{A0}'),
            'L' => s.push('\u{2028}'),
            'P' => s.push('\u{2029}'),
            'x' => code_length = 2,
            'u' => code_length = 4,
            'U' => code_length = 8,
            _ => {
                return Err(scanner_error(
                    start,
                    self.mark,
                    "found unknown escape character",
                ))
            }
        }
        self.skip();
        self.skip();
        if code_length > 0 {
            self.cache(code_length)?;
            let mut value: u32 = 0;
            for k in 0..code_length {
                let Some(d) = self.ch(k).to_digit(16) else {
                    return Err(scanner_error(
                        start,
                        self.mark,
                        "did not find expected hexdecimal number",
                    ));
                };
                value = (value << 4) + d;
            }
            let Some(c) = char::from_u32(value) else {
                return Err(scanner_error(
                    start,
                    self.mark,
                    "found invalid Unicode character escape code",
                ));
            };
            s.push(c);
            for _ in 0..code_length {
                self.skip();
            }
        }
        Ok(())
    }

    fn scan_plain_scalar(&mut self) -> Result<Token<'a>> {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.leading_break.clear();
        scratch.trailing_breaks.clear();
        scratch.whitespaces.clear();
        let token = self.scan_plain_scalar_with(&mut scratch);
        self.scratch = scratch;
        token
    }

    fn scan_plain_scalar_with(&mut self, scratch: &mut Scratch) -> Result<Token<'a>> {
        let Scratch {
            leading_break,
            trailing_breaks,
            whitespaces,
        } = scratch;
        // The text is the input's own `raw[from..to]` until folding adds a blank or a
        // line break of its own; only then is it copied into `s` (`owned`).
        let raw = self.reader.raw;
        let mut s = String::new();
        let mut owned = false;
        let (mut from, mut to) = (self.pos, self.pos);
        let mut leading_blanks = false;
        let indent = self.indent + 1;
        let start = self.mark;
        loop {
            self.cache(4)?;
            if self.document_indicator_ahead() || self.ch(0) == '#' {
                break;
            }
            while !is_blankz(self.ch(0)) {
                let c = self.ch(0);
                if (c == ':' && is_blankz(self.ch(1)))
                    || (self.flow_level > 0 && matches!(c, ',' | '?' | '[' | ']' | '{' | '}'))
                {
                    break;
                }
                if leading_blanks || !whitespaces.is_empty() {
                    if !owned {
                        s.push_str(raw.get(from..to).unwrap_or(""));
                        owned = true;
                    }
                    if leading_blanks {
                        if leading_break.starts_with('\n') {
                            if trailing_breaks.is_empty() {
                                s.push(' ');
                            } else {
                                s.push_str(trailing_breaks);
                            }
                        } else {
                            s.push_str(leading_break);
                            s.push_str(trailing_breaks);
                        }
                        trailing_breaks.clear();
                        leading_break.clear();
                        leading_blanks = false;
                    } else {
                        s.push_str(whitespaces);
                        whitespaces.clear();
                    }
                }
                let flow = self.flow_level > 0;
                let ascii = if flow { &PLAIN_FLOW } else { &PLAIN_BLOCK };
                let keep = |c, next| {
                    !(is_blankz(c)
                        || (c == ':' && is_blankz(next))
                        || (flow && matches!(c, ',' | '?' | '[' | ']' | '{' | '}')))
                };
                if !owned && from != to && to != self.pos {
                    // Not reached (anything skipped since the text so far ended is a
                    // blank, folded in above), but then the text is no longer one piece.
                    s.push_str(raw.get(from..to).unwrap_or(""));
                    owned = true;
                }
                if owned {
                    self.run(2, Some(&mut s), ascii, keep)?;
                } else {
                    if from == to {
                        from = self.pos;
                    }
                    self.run(2, None, ascii, keep)?;
                    to = self.pos;
                }
            }
            if !(is_blank(self.ch(0)) || is_break(self.ch(0))) {
                break;
            }
            self.cache(1)?;
            while is_blank(self.ch(0)) || is_break(self.ch(0)) {
                if self.ch(0) == ' ' {
                    // A run of spaces, taken as the branch below takes them.
                    let out = if leading_blanks {
                        None
                    } else {
                        Some(&mut *whitespaces)
                    };
                    self.run(1, out, &SPACE, |c, _| c == ' ')?;
                } else if is_blank(self.ch(0)) {
                    if leading_blanks && (self.mark.column as i64) < indent && self.ch(0) == '\t' {
                        return Err(scanner_error(
                            start,
                            self.mark,
                            "found a tab character that violates indentation",
                        ));
                    }
                    if !leading_blanks {
                        self.read(whitespaces);
                    } else {
                        self.skip();
                    }
                } else {
                    self.cache(2)?;
                    if !leading_blanks {
                        whitespaces.clear();
                        self.read_line(leading_break);
                        leading_blanks = true;
                    } else {
                        self.read_line(trailing_breaks);
                    }
                }
                self.cache(1)?;
            }
            if self.flow_level == 0 && (self.mark.column as i64) < indent {
                break;
            }
        }
        if leading_blanks {
            self.simple_key_allowed = true;
        }
        let text = if owned {
            Cow::Owned(s)
        } else {
            Cow::Borrowed(raw.get(from..to).unwrap_or(""))
        };
        Ok(Token {
            kind: TokenKind::Scalar(text, ScalarStyle::Plain),
            start,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(input: &str) -> Vec<TokenKind<'_>> {
        let mut scanner = Scanner::new(input);
        let mut out = Vec::new();
        loop {
            let token = scanner.peek().unwrap().clone();
            scanner.skip_token();
            let end = token.kind == TokenKind::StreamEnd;
            out.push(token.kind);
            if end {
                return out;
            }
        }
    }

    #[test]
    fn block_mapping_tokens() {
        use TokenKind::*;
        assert_eq!(
            kinds("a: 1\nb: [x, 'y']\n"),
            vec![
                StreamStart,
                BlockMappingStart,
                Key,
                Scalar("a".into(), ScalarStyle::Plain),
                Value,
                Scalar("1".into(), ScalarStyle::Plain),
                Key,
                Scalar("b".into(), ScalarStyle::Plain),
                Value,
                FlowSequenceStart,
                Scalar("x".into(), ScalarStyle::Plain),
                FlowEntry,
                Scalar("y".into(), ScalarStyle::SingleQuoted),
                FlowSequenceEnd,
                BlockEnd,
                StreamEnd,
            ]
        );
    }

    #[test]
    fn scalars_fold_like_libyaml() {
        let scalar = |input: &str| {
            kinds(input)
                .into_iter()
                .find_map(|k| match k {
                    TokenKind::Scalar(s, _) => Some(s.into_owned()),
                    _ => None,
                })
                .unwrap()
        };
        assert_eq!(scalar("a\n  b\n\n  c"), "a b\nc");
        assert_eq!(scalar("|\n  a\n  b\n\n"), "a\nb\n");
        assert_eq!(scalar(">-\n  a\n  b\n\n  c\n"), "a b\nc");
        assert_eq!(scalar("\"a\\x41\\u00e9\\\n  b\""), "aAéb");
        assert_eq!(scalar("'it''s'"), "it's");
    }

    #[test]
    fn errors_carry_go_yaml_lines() {
        let err = |input: &str| {
            let mut scanner = Scanner::new(input);
            loop {
                match scanner.peek() {
                    Err(e) => return e.message(),
                    Ok(t) if t.kind == TokenKind::StreamEnd => panic!("no error"),
                    Ok(_) => scanner.skip_token(),
                }
            }
        };
        assert_eq!(
            err("a: b: c"),
            "mapping values are not allowed in this context"
        );
        assert_eq!(
            err("x: 1\na: b: c"),
            "line 2: mapping values are not allowed in this context"
        );
        assert_eq!(err("a: \"x"), "found unexpected end of stream");
        assert_eq!(err("a: \u{1}"), "control characters are not allowed");
    }
}
