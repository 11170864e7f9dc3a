//! Go's RE2 syntax (`regexp/syntax` with the `Perl` flags `regexp.Compile` uses), parsed
//! the way Go parses it and translated into an equivalent pattern for Rust's `regex`.
//!
//! The parse follows Go's parser step by step, so the same patterns are rejected with the
//! same error (`error parsing regexp: missing closing ]: `[a``), including Go's limits
//! (repeat counts up to 1000, also multiplied through nesting; parse trees up to 1000
//! deep, where we count Go's tree before its alternation factoring, which can shift the
//! height by a level). Classes and escapes are in [`super::classes`]. The translation spells every construct out so Rust cannot read it differently:
//! - `\d`, `\s`, `\w`, `\b` are ASCII-only in Go: they become explicit ASCII classes and
//!   `(?-u:\b)` (Rust's are Unicode-aware by default). `\s` has no `\v` in Go.
//! - Literals are written as `\x{..}` escapes: Go reads `\<` as `<` where Rust sees a
//!   word boundary.
//! - Flags apply per construct (`(?i:k)`, `(?s:.)`, `(?m:^)`), and repetitions get their
//!   greediness from Go's flags directly, so `a(?U)*` (legal in Go) stays legal.
//! - Capture groups are all unnamed for Rust; Go's names (duplicates allowed) are kept
//!   aside for `${name}` expansion.
//! - `\p{..}` accepts exactly Go's names (after Go's canonicalization: `\p{greek}` works,
//!   `\p{Old_Italic}` does not) and uses Script, not Script_Extensions, as Go does.
//! - A literal surrogate (`\x{D800}`), which Go accepts and can never match, becomes an
//!   empty class.
//!
//! Go's "expression too large" check (a compiled program over 128 MiB) is not repeated:
//! Rust's own compile size limit stands in for it, with Go's error text.

use super::super::strings::gounicode::RUNE_ERROR;
use super::classes::{
    parse_class_char, parse_escape, parse_named_class, parse_perl_class, parse_unicode_class,
    ClassItem, ERR_INVALID_CHAR_RANGE, ERR_INVALID_ESCAPE,
};

/// Go's limit on a counted repetition, also on the product of nested ones.
const MAX_REPEAT: u64 = 1000;
/// Go's limit on the height of the parse tree.
const MAX_HEIGHT: u32 = 1000;

/// A Go `*syntax.Error`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub code: &'static str,
    pub expr: String,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error parsing regexp: {}: `{}`", self.code, self.expr)
    }
}

const ERR_INVALID_NAMED_CAPTURE: &str = "invalid named capture";
const ERR_INVALID_PERL_OP: &str = "invalid or unsupported Perl syntax";
const ERR_INVALID_REPEAT_OP: &str = "invalid nested repetition operator";
const ERR_INVALID_REPEAT_SIZE: &str = "invalid repeat count";
const ERR_MISSING_PAREN: &str = "missing closing )";
const ERR_MISSING_REPEAT_ARGUMENT: &str = "missing argument to repetition operator";
const ERR_UNEXPECTED_PAREN: &str = "unexpected )";
const ERR_NESTING_DEPTH: &str = "expression nests too deeply";
pub(crate) const ERR_LARGE: &str = "expression too large";

pub(super) fn error(code: &'static str, expr: &str) -> SyntaxError {
    SyntaxError {
        code,
        expr: expr.to_string(),
    }
}

/// The text consumed between two positions of the same string: Go's
/// `before[:len(before)-len(after)]`.
pub(super) fn consumed<'a>(before: &'a str, after: &str) -> &'a str {
    &before[..before.len() - after.len()]
}

/// A Go pattern translated for Rust.
#[derive(Debug)]
pub(crate) struct Translated {
    /// The Rust `regex` pattern.
    pub pattern: String,
    /// Capture group names by group number (0 is the whole match), as Go's
    /// `SubexpNames`.
    pub names: Vec<Option<String>>,
}

/// Parses `pattern` as Go's `regexp.Compile` would and translates it.
///
/// For example `\d+` becomes `(?:[0-9])+`, and `a{1001}` fails with
/// ``error parsing regexp: invalid repeat count: `{1001}` ``.
pub(crate) fn translate(pattern: &str) -> Result<Translated, SyntaxError> {
    let mut parser = Parser {
        whole: pattern,
        flags: Flags::PERL,
        stack: Vec::new(),
        names: vec![None],
    };
    let root = parser.parse()?;
    let mut out = String::with_capacity(pattern.len() * 2);
    render(&root, &mut out);
    Ok(Translated {
        pattern: out,
        names: parser.names,
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Flags {
    fold_case: bool,
    /// `^` and `$` match at text boundaries only (no `(?m)`).
    one_line: bool,
    dot_nl: bool,
    non_greedy: bool,
}

impl Flags {
    const PERL: Flags = Flags {
        fold_case: false,
        one_line: true,
        dot_nl: false,
        non_greedy: false,
    };
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RepeatKind {
    Star,
    Plus,
    Quest,
    /// `{min,max}`; `max` is `None` for `{min,}`.
    Counted(u32, Option<u32>),
}

#[derive(Debug)]
enum Op {
    Empty,
    /// Code points (Go accepts surrogates from escapes), case-folded when set.
    Literal(Vec<u32>, bool),
    /// A Rust class text (`[...]`), case-folded when the flag is set.
    Class(String, bool),
    Dot(bool),
    BeginLine,
    EndLine,
    BeginText,
    EndText,
    WordBoundary,
    NoWordBoundary,
    Capture(Box<Node>),
    Repeat(RepeatKind, bool, Box<Node>),
    Concat(Vec<Node>),
    Alternate(Vec<Node>),
}

#[derive(Debug)]
struct Node {
    op: Op,
    /// The smallest budget `n` for which Go's `repeatIsValid(node, n)` holds.
    repeat_need: u64,
    /// Go's tree height.
    height: u32,
}

impl Node {
    fn leaf(op: Op) -> Node {
        Node {
            op,
            repeat_need: 0,
            height: 1,
        }
    }
}

enum Item {
    Node(Node),
    /// An open group; `flags` are restored when it closes.
    LeftParen {
        cap: Option<usize>,
        flags: Flags,
    },
    VerticalBar,
}

struct Parser<'a> {
    whole: &'a str,
    flags: Flags,
    stack: Vec<Item>,
    names: Vec<Option<String>>,
}

fn first_char(s: &str) -> Option<char> {
    s.chars().next()
}

/// Go's `nextRune` on valid UTF-8: the first rune and the rest; RuneError and "" at the end.
pub(super) fn next_rune(s: &str) -> (char, &str) {
    match first_char(s) {
        Some(c) => (c, &s[c.len_utf8()..]),
        None => (RUNE_ERROR, s),
    }
}

impl<'a> Parser<'a> {
    fn parse(&mut self) -> Result<Node, SyntaxError> {
        let mut t: &'a str = self.whole;
        let mut last_repeat: &'a str = "";
        while let Some(c) = first_char(t) {
            let mut repeat: &'a str = "";
            match c {
                '(' => {
                    if t.as_bytes().get(1) == Some(&b'?') {
                        t = self.parse_perl_flags(t)?;
                    } else {
                        let cap = self.names.len();
                        self.names.push(None);
                        self.stack.push(Item::LeftParen {
                            cap: Some(cap),
                            flags: self.flags,
                        });
                        t = &t[1..];
                    }
                }
                '|' => {
                    self.parse_vertical_bar()?;
                    t = &t[1..];
                }
                ')' => {
                    self.parse_right_paren()?;
                    t = &t[1..];
                }
                '^' => {
                    let op = if self.flags.one_line {
                        Op::BeginText
                    } else {
                        Op::BeginLine
                    };
                    self.push(Node::leaf(op))?;
                    t = &t[1..];
                }
                '$' => {
                    let op = if self.flags.one_line {
                        Op::EndText
                    } else {
                        Op::EndLine
                    };
                    self.push(Node::leaf(op))?;
                    t = &t[1..];
                }
                '.' => {
                    self.push(Node::leaf(Op::Dot(self.flags.dot_nl)))?;
                    t = &t[1..];
                }
                '[' => t = self.parse_class(t)?,
                '*' | '+' | '?' => {
                    let kind = match c {
                        '*' => RepeatKind::Star,
                        '+' => RepeatKind::Plus,
                        _ => RepeatKind::Quest,
                    };
                    let before = t;
                    t = self.repeat(kind, before, &t[1..], last_repeat)?;
                    repeat = before;
                }
                '{' => {
                    let before = t;
                    match parse_repeat(t) {
                        None => {
                            // Not a repetition: a literal brace.
                            self.literal(u32::from('{'))?;
                            t = &t[1..];
                        }
                        Some((min, max, after)) => {
                            if min < 0
                                || min > MAX_REPEAT as i64
                                || max > MAX_REPEAT as i64
                                || max >= 0 && min > max
                            {
                                return Err(error(
                                    ERR_INVALID_REPEAT_SIZE,
                                    consumed(before, after),
                                ));
                            }
                            let max = (max >= 0).then_some(max as u32);
                            t = self.repeat(
                                RepeatKind::Counted(min as u32, max),
                                before,
                                after,
                                last_repeat,
                            )?;
                            repeat = before;
                        }
                    }
                }
                '\\' => t = self.parse_backslash(t)?,
                _ => {
                    self.literal(u32::from(c))?;
                    t = &t[c.len_utf8()..];
                }
            }
            last_repeat = repeat;
        }
        self.concat()?;
        if self.swap_vertical_bar() {
            self.stack.pop();
        }
        self.alternate()?;
        match (self.stack.pop(), self.stack.is_empty()) {
            (Some(Item::Node(root)), true) => Ok(root),
            _ => Err(error(ERR_MISSING_PAREN, self.whole)),
        }
    }

    /// A backslash outside a class: an assertion, `\Q...\E`, a class escape or a literal.
    fn parse_backslash(&mut self, t: &'a str) -> Result<&'a str, SyntaxError> {
        if let Some(&next) = t.as_bytes().get(1) {
            let op = match next {
                b'A' => Some(Op::BeginText),
                b'b' => Some(Op::WordBoundary),
                b'B' => Some(Op::NoWordBoundary),
                b'z' => Some(Op::EndText),
                b'C' => return Err(error(ERR_INVALID_ESCAPE, &t[..2])),
                b'Q' => {
                    // Everything up to `\E` (or the end) is literal.
                    let (lit, rest) = t[2..].split_once(r"\E").unwrap_or((&t[2..], ""));
                    for c in lit.chars() {
                        self.literal(u32::from(c))?;
                    }
                    return Ok(rest);
                }
                _ => None,
            };
            if let Some(op) = op {
                self.push(Node::leaf(op))?;
                return Ok(&t[2..]);
            }
        }
        if let Some((class, rest)) = parse_unicode_class(t)? {
            self.push_class(class)?;
            return Ok(rest);
        }
        if let Some((class, rest)) = parse_perl_class(t) {
            self.push_class(class)?;
            return Ok(rest);
        }
        let (c, rest) = parse_escape(t)?;
        self.literal(c)?;
        Ok(rest)
    }

    fn push_class(&mut self, item: ClassItem) -> Result<(), SyntaxError> {
        let mut text = String::from("[");
        item.render(&mut text);
        text.push(']');
        self.push(Node::leaf(Op::Class(text, self.flags.fold_case)))
    }

    fn literal(&mut self, c: u32) -> Result<(), SyntaxError> {
        self.push(Node::leaf(Op::Literal(vec![c], self.flags.fold_case)))
    }

    fn push(&mut self, node: Node) -> Result<(), SyntaxError> {
        self.check_height(&node)?;
        self.stack.push(Item::Node(node));
        Ok(())
    }

    fn check_height(&self, node: &Node) -> Result<(), SyntaxError> {
        if node.height > MAX_HEIGHT {
            return Err(error(ERR_NESTING_DEPTH, self.whole));
        }
        Ok(())
    }

    /// Applies a repetition operator to the top of the stack; returns the text after it.
    fn repeat(
        &mut self,
        kind: RepeatKind,
        before: &'a str,
        mut after: &'a str,
        last_repeat: &'a str,
    ) -> Result<&'a str, SyntaxError> {
        let mut non_greedy = self.flags.non_greedy;
        if let Some(rest) = after.strip_prefix('?') {
            after = rest;
            non_greedy = !non_greedy;
        }
        if !last_repeat.is_empty() {
            // `a**` is an error in Perl syntax, not a doubled star.
            return Err(error(ERR_INVALID_REPEAT_OP, consumed(last_repeat, after)));
        }
        let sub = match self.stack.pop() {
            Some(Item::Node(sub)) => sub,
            other => {
                if let Some(item) = other {
                    self.stack.push(item);
                }
                return Err(error(ERR_MISSING_REPEAT_ARGUMENT, consumed(before, after)));
            }
        };
        let repeat_need = match kind {
            // Go's walk stops at `{0}`, divides its budget by the count (the minimum
            // for `{n,}`) and needs the count within it: valid(n) is n >= m and
            // n / m >= need(sub).
            RepeatKind::Counted(_, Some(0)) => 0,
            RepeatKind::Counted(min, max) => match u64::from(max.unwrap_or(min)) {
                0 => sub.repeat_need,
                m => m.max(m.saturating_mul(sub.repeat_need)),
            },
            _ => sub.repeat_need,
        };
        let node = Node {
            height: sub.height + 1,
            repeat_need,
            op: Op::Repeat(kind, !non_greedy, Box::new(sub)),
        };
        self.check_height(&node)?;
        let counted_big = matches!(kind, RepeatKind::Counted(min, max) if min >= 2 || max.is_some_and(|m| m >= 2));
        if counted_big && node.repeat_need > MAX_REPEAT {
            return Err(error(ERR_INVALID_REPEAT_SIZE, consumed(before, after)));
        }
        self.stack.push(Item::Node(node));
        Ok(after)
    }

    /// The nodes above the topmost `(` or `|`, removed from the stack.
    fn pop_run(&mut self) -> Vec<Node> {
        let start = self
            .stack
            .iter()
            .rposition(|item| !matches!(item, Item::Node(_)))
            .map_or(0, |i| i + 1);
        self.stack
            .drain(start..)
            .filter_map(|item| match item {
                Item::Node(node) => Some(node),
                _ => None,
            })
            .collect()
    }

    /// Replaces the nodes above the topmost `(` or `|` with their concatenation.
    fn concat(&mut self) -> Result<(), SyntaxError> {
        let mut subs: Vec<Node> = Vec::new();
        // Adjacent literals with the same case folding form one literal string, as in Go.
        for node in self.pop_run() {
            if let (
                Some(Node {
                    op: Op::Literal(prev, prev_fold),
                    ..
                }),
                Op::Literal(chars, fold),
            ) = (subs.last_mut(), &node.op)
            {
                if prev_fold == fold {
                    prev.extend_from_slice(chars);
                    continue;
                }
            }
            subs.push(node);
        }
        let node = match subs.len() {
            0 => Node::leaf(Op::Empty),
            1 => subs.pop().unwrap_or_else(|| Node::leaf(Op::Empty)),
            _ => collapse(subs, Op::Concat),
        };
        self.push(node)
    }

    /// Replaces the alternatives above the topmost `(` with their alternation.
    fn alternate(&mut self) -> Result<(), SyntaxError> {
        let mut subs = self.pop_run();
        let node = match subs.len() {
            // Cannot happen after `concat`, but Go handles it as no match.
            0 => Node::leaf(Op::Class(String::from(r"[^\x{0}-\x{10FFFF}]"), false)),
            1 => subs.pop().unwrap_or_else(|| Node::leaf(Op::Empty)),
            _ => collapse(subs, Op::Alternate),
        };
        self.push(node)
    }

    /// If an alternative sits above a `|`, moves it below; reports whether it did.
    fn swap_vertical_bar(&mut self) -> bool {
        let n = self.stack.len();
        if n >= 2
            && matches!(self.stack[n - 2], Item::VerticalBar)
            && matches!(self.stack[n - 1], Item::Node(_))
        {
            self.stack.swap(n - 2, n - 1);
            return true;
        }
        false
    }

    fn parse_vertical_bar(&mut self) -> Result<(), SyntaxError> {
        self.concat()?;
        if !self.swap_vertical_bar() {
            self.stack.push(Item::VerticalBar);
        }
        Ok(())
    }

    fn parse_right_paren(&mut self) -> Result<(), SyntaxError> {
        self.concat()?;
        if self.swap_vertical_bar() {
            self.stack.pop();
        }
        self.alternate()?;
        let unexpected = || error(ERR_UNEXPECTED_PAREN, self.whole);
        if self.stack.len() < 2 {
            return Err(unexpected());
        }
        let (Some(Item::Node(sub)), Some(Item::LeftParen { cap, flags })) =
            (self.stack.pop(), self.stack.pop())
        else {
            return Err(unexpected());
        };
        self.flags = flags;
        match cap {
            None => self.push(sub),
            Some(_) => self.push(Node {
                height: sub.height + 1,
                repeat_need: sub.repeat_need,
                op: Op::Capture(Box::new(sub)),
            }),
        }
    }

    /// `(?` constructs: named captures, flag changes and non-capturing groups.
    fn parse_perl_flags(&mut self, s: &'a str) -> Result<&'a str, SyntaxError> {
        let bytes = s.as_bytes();
        let starts_with_p = bytes.len() > 4 && bytes[2] == b'P' && bytes[3] == b'<';
        let starts_with_name = bytes.len() > 3 && bytes[2] == b'<';
        if starts_with_p || starts_with_name {
            let name_start = if starts_with_p { 4 } else { 3 };
            let Some(end) = s.find('>') else {
                return Err(error(ERR_INVALID_NAMED_CAPTURE, s));
            };
            let capture = &s[..=end];
            let name = &s[name_start..end];
            if name.is_empty() || !name.bytes().all(|b| b == b'_' || b.is_ascii_alphanumeric()) {
                return Err(error(ERR_INVALID_NAMED_CAPTURE, capture));
            }
            let cap = self.names.len();
            self.names.push(Some(name.to_string()));
            self.stack.push(Item::LeftParen {
                cap: Some(cap),
                flags: self.flags,
            });
            return Ok(&s[end + 1..]);
        }

        let mut t = &s[2..];
        let mut flags = self.flags;
        let mut negated = false;
        let mut saw_flag = false;
        while !t.is_empty() {
            let (c, rest) = next_rune(t);
            t = rest;
            match c {
                'i' => flags.fold_case = !negated,
                'm' => flags.one_line = negated,
                's' => flags.dot_nl = !negated,
                'U' => flags.non_greedy = !negated,
                '-' => {
                    if negated {
                        break;
                    }
                    negated = true;
                    saw_flag = false;
                    continue;
                }
                ':' | ')' => {
                    if negated && !saw_flag {
                        break;
                    }
                    if c == ':' {
                        self.stack.push(Item::LeftParen {
                            cap: None,
                            flags: self.flags,
                        });
                    }
                    self.flags = flags;
                    return Ok(t);
                }
                _ => break,
            }
            saw_flag = true;
        }
        Err(error(ERR_INVALID_PERL_OP, consumed(s, t)))
    }

    /// A bracketed class.
    fn parse_class(&mut self, s: &'a str) -> Result<&'a str, SyntaxError> {
        let mut t = &s[1..];
        let mut negated = false;
        if let Some(rest) = t.strip_prefix('^') {
            negated = true;
            t = rest;
        }
        let mut items: Vec<ClassItem> = Vec::new();
        let mut first = true;
        while t.is_empty() || !t.starts_with(']') || first {
            first = false;
            if t.len() > 2 && t.starts_with("[:") {
                if let Some((item, rest)) = parse_named_class(t)? {
                    items.push(item);
                    t = rest;
                    continue;
                }
            }
            if let Some((item, rest)) = parse_unicode_class(t)? {
                items.push(item);
                t = rest;
                continue;
            }
            if let Some((item, rest)) = parse_perl_class(t) {
                items.push(item);
                t = rest;
                continue;
            }
            let range_text = t;
            let (lo, rest) = parse_class_char(t, s)?;
            t = rest;
            let mut hi = lo;
            // `[a-]` is `a` or `-`: a range needs something other than `]` after the dash.
            if t.len() >= 2 && t.starts_with('-') && !t[1..].starts_with(']') {
                let (h, rest) = parse_class_char(&t[1..], s)?;
                t = rest;
                if h < lo {
                    return Err(error(ERR_INVALID_CHAR_RANGE, consumed(range_text, t)));
                }
                hi = h;
            }
            items.push(ClassItem::Range(lo, hi));
        }
        t = &t[1..];
        let mut text = String::from(if negated { "[^" } else { "[" });
        for item in &items {
            item.render(&mut text);
        }
        if items.is_empty() && !negated {
            // Unreachable (a class holds at least one item), kept valid for Rust anyway.
            text.push_str(r"[^\x{0}-\x{10FFFF}]");
        }
        text.push(']');
        self.push(Node::leaf(Op::Class(text, self.flags.fold_case)))?;
        Ok(t)
    }
}

/// Builds a concatenation or alternation node, flattening nested ones of the same kind
/// as Go does.
fn collapse(subs: Vec<Node>, make: fn(Vec<Node>) -> Op) -> Node {
    let is_concat = matches!(make(Vec::new()), Op::Concat(_));
    let mut flat = Vec::with_capacity(subs.len());
    for sub in subs {
        match sub.op {
            Op::Concat(inner) if is_concat => flat.extend(inner),
            Op::Alternate(inner) if !is_concat => flat.extend(inner),
            op => flat.push(Node { op, ..sub }),
        }
    }
    let height = 1 + flat.iter().map(|n| n.height).max().unwrap_or(0);
    let repeat_need = flat.iter().map(|n| n.repeat_need).max().unwrap_or(0);
    Node {
        op: make(flat),
        repeat_need,
        height,
    }
}

/// Go's `parseRepeat`: `{min}`, `{min,}` or `{min,max}` and the rest; `None` when the
/// text is not a repetition (then `{` is a literal). Too large numbers come back as -1.
fn parse_repeat(s: &str) -> Option<(i64, i64, &str)> {
    let s = s.strip_prefix('{')?;
    let (mut min, s) = parse_int(s)?;
    let (max, s) = if let Some(s) = s.strip_prefix(',') {
        if s.starts_with('}') {
            (-1, s)
        } else {
            let (max, s) = parse_int(s)?;
            if max < 0 {
                min = -1;
            }
            (max, s)
        }
    } else {
        (min, s)
    };
    let rest = s.strip_prefix('}')?;
    Some((min, max, rest))
}

/// Go's `parseInt`: decimal digits without leading zeros; -1 when the value reaches 1e8.
fn parse_int(s: &str) -> Option<(i64, &str)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits >= 2 && s.starts_with('0') {
        return None;
    }
    let mut n: i64 = 0;
    for b in s[..digits].bytes() {
        if n >= 100_000_000 {
            n = -1;
            break;
        }
        n = n * 10 + i64::from(b - b'0');
    }
    Some((n, &s[digits..]))
}

/// Writes a literal code point for Rust.
fn render_char(code: u32, out: &mut String) {
    match char::from_u32(code) {
        Some(c) if c.is_ascii_alphanumeric() => out.push(c),
        Some(_) => out.push_str(&format!(r"\x{{{code:X}}}")),
        // A surrogate: Go keeps it as a literal that never matches.
        None => out.push_str(r"[^\x{0}-\x{10FFFF}]"),
    }
}

fn render(node: &Node, out: &mut String) {
    match &node.op {
        Op::Empty => out.push_str("(?:)"),
        Op::Literal(chars, fold) => {
            out.push_str(if *fold { "(?i:" } else { "(?:" });
            for &c in chars {
                render_char(c, out);
            }
            out.push(')');
        }
        Op::Class(text, fold) => {
            if *fold {
                out.push_str("(?i:");
                out.push_str(text);
                out.push(')');
            } else {
                out.push_str(text);
            }
        }
        Op::Dot(nl) => out.push_str(if *nl { "(?s:.)" } else { "(?-s:.)" }),
        Op::BeginLine => out.push_str("(?m:^)"),
        Op::EndLine => out.push_str("(?m:$)"),
        Op::BeginText => out.push_str(r"\A"),
        Op::EndText => out.push_str(r"\z"),
        Op::WordBoundary => out.push_str(r"(?-u:\b)"),
        Op::NoWordBoundary => out.push_str(r"(?-u:\B)"),
        Op::Capture(sub) => {
            out.push('(');
            render(sub, out);
            out.push(')');
        }
        Op::Repeat(kind, greedy, sub) => {
            out.push_str("(?:");
            render(sub, out);
            out.push(')');
            match kind {
                RepeatKind::Star => out.push('*'),
                RepeatKind::Plus => out.push('+'),
                RepeatKind::Quest => out.push('?'),
                RepeatKind::Counted(min, Some(max)) if min == max => {
                    out.push_str(&format!("{{{min}}}"))
                }
                RepeatKind::Counted(min, Some(max)) => out.push_str(&format!("{{{min},{max}}}")),
                RepeatKind::Counted(min, None) => out.push_str(&format!("{{{min},}}")),
            }
            if !greedy {
                out.push('?');
            }
        }
        Op::Concat(subs) => {
            out.push_str("(?:");
            for sub in subs {
                render(sub, out);
            }
            out.push(')');
        }
        Op::Alternate(subs) => {
            out.push_str("(?:");
            for (i, sub) in subs.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                render(sub, out);
            }
            out.push(')');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(pattern: &str) -> String {
        translate(pattern).unwrap_err().to_string()
    }

    #[test]
    fn go_error_texts() {
        assert_eq!(err("["), "error parsing regexp: missing closing ]: `[`");
        assert_eq!(err("[a"), "error parsing regexp: missing closing ]: `[a`");
        assert_eq!(err("a)"), "error parsing regexp: unexpected ): `a)`");
        assert_eq!(err("(a"), "error parsing regexp: missing closing ): `(a`");
        assert_eq!(
            err("*"),
            "error parsing regexp: missing argument to repetition operator: `*`"
        );
        assert_eq!(
            err("a**"),
            "error parsing regexp: invalid nested repetition operator: `**`"
        );
        assert_eq!(
            err("a{2}{3}"),
            "error parsing regexp: invalid nested repetition operator: `{2}{3}`"
        );
        assert_eq!(
            err("a{1001}"),
            "error parsing regexp: invalid repeat count: `{1001}`"
        );
        assert_eq!(
            err("(a{100}){100}"),
            "error parsing regexp: invalid repeat count: `{100}`"
        );
        assert_eq!(
            err("[z-a]"),
            "error parsing regexp: invalid character class range: `z-a`"
        );
        assert_eq!(
            err(r"\8"),
            "error parsing regexp: invalid escape sequence: `\\8`"
        );
        assert_eq!(
            err("\\"),
            "error parsing regexp: trailing backslash at end of expression: ``"
        );
        assert_eq!(
            err("(?x)"),
            "error parsing regexp: invalid or unsupported Perl syntax: `(?x`"
        );
        assert_eq!(
            err("(?P<>a)"),
            "error parsing regexp: invalid named capture: `(?P<>`"
        );
        assert_eq!(
            err("[[:foo:]]"),
            "error parsing regexp: invalid character class range: `[:foo:]`"
        );
        assert_eq!(
            err(r"\p{Old_Italic}"),
            "error parsing regexp: invalid character class range: `\\p{Old_Italic}`"
        );
    }

    #[test]
    fn translations() {
        let t = translate(r"(?P<year>\d{4})-(\w+)|(?i)x").unwrap();
        assert_eq!(t.names, [None, Some("year".to_string()), None]);
        assert!(translate(r"\p{greek}\pL\P{^Lu}[\d\W[:^alpha:]]").is_ok());
        assert!(translate("a(?U)*").is_ok());
        // Deep nesting within Go's limit.
        let deep = format!("{}a{}", "(".repeat(900), ")".repeat(900));
        assert!(translate(&deep).is_ok());
        let too_deep = format!("{}a{}", "(".repeat(1100), ")".repeat(1100));
        assert_eq!(translate(&too_deep).unwrap_err().code, ERR_NESTING_DEPTH);
    }
}
