//! Values to YAML text, as go-yaml's encoder and libyaml's emitter write it.
//!
//! The encoder half decides what each value asks for (a string that would read back as
//! something else asks for double quotes, one with a line break for a literal block) and
//! the order of mapping keys (go-yaml's "natural" order: `a2` before `a10`). The emitter
//! half is libyaml's: it checks what a scalar's characters allow (plain, single-quoted,
//! double-quoted, block), falls back accordingly, folds long plain and quoted scalars at
//! 80 columns (go-yaml v2), and lays out block collections. Two flavours:
//! go-yaml v2 (sigs.k8s.io/yaml, Helm's `toYaml`) writes sequences inside mappings at
//! the key's column; go-yaml v3 (Helm's `toYamlPretty`) indents them, never folds, and
//! treats tabs as allowed in block scalars.

use crate::gofloat::format_float_g;
use crate::gosort;
use crate::resolve::plain_keeps_string;
use crate::value::Yaml;

/// Which go-yaml writes the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// go-yaml v2 `yaml.Marshal`.
    V2,
    /// go-yaml v3 `Encoder` with `SetIndent(indent)`.
    V3 { indent: usize },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

/// What the encoder hands the emitter: scalars with the style they ask for.
enum Node {
    Scalar(String, Style),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

// ----- encoder -----

fn encode(value: &Yaml, flavor: Flavor) -> Node {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || match value {
        Yaml::Null => Node::Scalar("null".to_string(), Style::Plain),
        Yaml::Bool(b) => Node::Scalar(b.to_string(), Style::Plain),
        Yaml::Int(n) => Node::Scalar(n.to_string(), Style::Plain),
        Yaml::Uint(n) => Node::Scalar(n.to_string(), Style::Plain),
        Yaml::Float(f) => {
            let s = match format_float_g(*f, false).as_str() {
                "+Inf" => ".inf".to_string(),
                "-Inf" => "-.inf".to_string(),
                "NaN" => ".nan".to_string(),
                other => other.to_string(),
            };
            Node::Scalar(s, Style::Plain)
        }
        Yaml::Str(s) => {
            let style = if s.contains('\n') {
                Style::Literal
            } else if plain_keeps_string(s, matches!(flavor, Flavor::V3 { .. })) {
                Style::Plain
            } else {
                Style::DoubleQuoted
            };
            Node::Scalar(s.clone(), style)
        }
        // go-yaml's `timev`: the RFC 3339 text, asked for plain even though it would
        // resolve as a timestamp (the emitter's own checks still apply).
        Yaml::Time(text) => Node::Scalar(text.clone(), Style::Plain),
        Yaml::Struct(fields) => Node::Map(
            fields
                .iter()
                .map(|(k, v)| (encode(&Yaml::Str(k.clone()), flavor), encode(v, flavor)))
                .collect(),
        ),
        Yaml::Seq(items) => Node::Seq(items.iter().map(|v| encode(v, flavor)).collect()),
        Yaml::Map(map) => {
            let mut entries: Vec<(&Yaml, &Yaml)> = map.iter().collect();
            let v3 = matches!(flavor, Flavor::V3 { .. });
            // The key order is not a strict weak order: only Go's own algorithm gives Go's order.
            gosort::sort(&mut entries, &|a, b| key_less(a.0, b.0, v3));
            Node::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| (encode(k, flavor), encode(v, flavor)))
                    .collect(),
            )
        }
    })
}

/// Go reflect kinds, whose numeric order go-yaml uses to order keys of different types.
fn kind(v: &Yaml) -> u8 {
    match v {
        Yaml::Bool(_) => 1,
        Yaml::Int(_) => 2,
        Yaml::Uint(_) => 11,
        Yaml::Float(_) => 14,
        Yaml::Null => 20,
        Yaml::Map(_) => 21,
        Yaml::Seq(_) => 23,
        Yaml::Str(_) => 24,
        Yaml::Time(_) | Yaml::Struct(_) => 25,
    }
}

fn key_float(v: &Yaml) -> Option<f64> {
    match v {
        Yaml::Int(n) => Some(*n as f64),
        Yaml::Uint(n) => Some(*n as f64),
        Yaml::Float(f) => Some(*f),
        Yaml::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric())
}

/// go-yaml's `keyList.Less`: numbers by value, strings in "natural" order (runs of
/// digits compare as numbers, other characters sort before letters).
fn key_less(a: &Yaml, b: &Yaml, v3: bool) -> bool {
    if let (Some(af), Some(bf)) = (key_float(a), key_float(b)) {
        if af != bf {
            return af < bf;
        }
        if kind(a) != kind(b) {
            return kind(a) < kind(b);
        }
        return match (a, b) {
            (Yaml::Int(x), Yaml::Int(y)) => x < y,
            (Yaml::Uint(x), Yaml::Uint(y)) => x < y,
            (Yaml::Float(x), Yaml::Float(y)) => x < y,
            (Yaml::Bool(x), Yaml::Bool(y)) => !x & y,
            _ => false,
        };
    }
    let (Yaml::Str(a), Yaml::Str(b)) = (a, b) else {
        return kind(a) < kind(b);
    };
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut digits = false;
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            digits = is_digit(ar[i]);
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            // v3 fixed the order of a letter against a digit continuing a number.
            return if v3 && digits { al } else { bl };
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && is_digit(ar[j - 1]) {
                if ar[j - 1] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
                j -= 1;
            }
        }
        let digit_value = |c: char| i64::from(c as u32).wrapping_sub('0' as i64);
        let mut ai = i;
        while ai < ar.len() && is_digit(ar[ai]) {
            an = an.wrapping_mul(10).wrapping_add(digit_value(ar[ai]));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && is_digit(br[bi]) {
            bn = bn.wrapping_mul(10).wrapping_add(digit_value(br[bi]));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

// ----- emitter -----

/// Who is emitting a node; go-yaml v3 indents a node's content depending on it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Parent {
    Document,
    SequenceItem,
    MappingSimpleValue,
    MappingValue,
    MappingKey,
    FlowItem,
}

/// What libyaml's analysis found a scalar's characters allow.
struct Analysis {
    multiline: bool,
    flow_plain_allowed: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn is_blankz(c: char) -> bool {
    is_blank(c) || is_break(c) || c == '\0'
}

/// libyaml's printable test (in UTF-8 terms it excludes all 4-byte characters).
fn is_printable(c: char) -> bool {
    matches!(c as u32, 0x0A | 0x20..=0x7E | 0xA0..=0xD7FF | 0xE000..=0xFFFD) && c != '\u{FEFF}'
}

struct Emitter {
    out: String,
    v3: bool,
    best_indent: i64,
    best_width: usize,
    indent: i64,
    indents: Vec<i64>,
    flow_level: usize,
    column: usize,
    whitespace: bool,
    indention: bool,
    sequence_context: bool,
    mapping_context: bool,
    simple_key_context: bool,
}

impl Emitter {
    fn new(flavor: Flavor) -> Emitter {
        let (v3, best_indent, best_width) = match flavor {
            Flavor::V2 => (false, 2, 80),
            // go-yaml v3 disables line folding; libyaml accepts indents of 2 to 9.
            Flavor::V3 { indent } => {
                let indent = if (2..=9).contains(&indent) { indent } else { 2 };
                (true, indent as i64, usize::MAX)
            }
        };
        Emitter {
            out: String::new(),
            v3,
            best_indent,
            best_width,
            indent: -1,
            indents: Vec::new(),
            flow_level: 0,
            column: 0,
            whitespace: true,
            indention: true,
            sequence_context: false,
            mapping_context: false,
            simple_key_context: false,
        }
    }

    // ----- low-level writing -----

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
        if self.v3 {
            self.indention = true;
        }
    }

    /// Copies a line break from a scalar: LF as a line break, others verbatim.
    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
            if self.v3 {
                self.indention = true;
            }
        }
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        if !self.v3 {
            self.indention = true;
        }
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        for c in indicator.chars() {
            self.put(c);
        }
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool, parent: Parent) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { self.best_indent } else { 0 };
        } else if !indentless {
            if self.v3 {
                if parent == Parent::SequenceItem {
                    // The first indent inside a sequence just skips the "- ".
                    self.indent += 2;
                } else {
                    self.indent =
                        self.best_indent * ((self.indent + self.best_indent) / self.best_indent);
                }
            } else {
                self.indent += self.best_indent;
            }
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    // ----- structure -----

    fn document(&mut self, root: &Node) {
        self.node(root, Parent::Document, false, false, false);
        self.write_indent();
    }

    fn node(&mut self, node: &Node, parent: Parent, sequence: bool, mapping: bool, simple: bool) {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
            self.sequence_context = sequence;
            self.mapping_context = mapping;
            self.simple_key_context = simple;
            match node {
                Node::Scalar(value, style) => self.scalar(value, *style, parent),
                Node::Seq(items) => {
                    if self.flow_level > 0 || items.is_empty() {
                        self.flow_sequence(items, parent);
                    } else {
                        self.block_sequence(items, parent);
                    }
                }
                Node::Map(entries) => {
                    if self.flow_level > 0 || entries.is_empty() {
                        self.flow_mapping(entries, parent);
                    } else {
                        self.block_mapping(entries, parent);
                    }
                }
            }
        });
    }

    fn block_sequence(&mut self, items: &[Node], parent: Parent) {
        // go-yaml v2 writes a sequence that is a mapping value at the key's column.
        let indentless = !self.v3 && self.mapping_context && !self.indention;
        self.increase_indent(false, indentless, parent);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(item, Parent::SequenceItem, true, false, false);
        }
        self.pop_indent();
    }

    fn block_mapping(&mut self, entries: &[(Node, Node)], parent: Parent) {
        self.increase_indent(false, false, parent);
        for (key, value) in entries {
            self.write_indent();
            if self.is_simple_key(key) {
                self.node(key, Parent::MappingSimpleValue, false, true, true);
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.node(key, Parent::MappingValue, false, true, false);
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.node(value, Parent::MappingKey, false, true, false);
        }
        self.pop_indent();
    }

    fn flow_sequence(&mut self, items: &[Node], parent: Parent) {
        self.write_indicator("[", true, true, false);
        self.increase_indent(true, false, parent);
        self.flow_level += 1;
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.write_indicator(",", false, false, false);
            }
            if self.column > self.best_width {
                self.write_indent();
            }
            self.node(item, Parent::FlowItem, true, false, false);
        }
        self.flow_level -= 1;
        self.pop_indent();
        self.write_indicator("]", false, false, false);
    }

    fn flow_mapping(&mut self, entries: &[(Node, Node)], parent: Parent) {
        self.write_indicator("{", true, true, false);
        self.increase_indent(true, false, parent);
        self.flow_level += 1;
        for (i, (key, value)) in entries.iter().enumerate() {
            if i > 0 {
                self.write_indicator(",", false, false, false);
            }
            if self.column > self.best_width {
                self.write_indent();
            }
            if self.is_simple_key(key) {
                self.node(key, Parent::FlowItem, false, true, true);
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, false);
                self.node(key, Parent::FlowItem, false, true, false);
                if self.column > self.best_width {
                    self.write_indent();
                }
                self.write_indicator(":", true, false, false);
            }
            self.node(value, Parent::FlowItem, false, true, false);
        }
        self.flow_level -= 1;
        self.pop_indent();
        self.write_indicator("}", false, false, false);
    }

    /// libyaml's `check_simple_key`: a single-line scalar of at most 128 bytes, or an
    /// empty collection.
    fn is_simple_key(&self, key: &Node) -> bool {
        match key {
            Node::Scalar(value, _) => !self.analyze(value).multiline && value.len() <= 128,
            Node::Seq(items) => items.is_empty(),
            Node::Map(entries) => entries.is_empty(),
        }
    }

    // ----- scalars -----

    fn analyze(&self, value: &str) -> Analysis {
        if value.is_empty() {
            return Analysis {
                multiline: false,
                flow_plain_allowed: false,
                block_plain_allowed: true,
                single_quoted_allowed: true,
                block_allowed: false,
            };
        }
        let chars: Vec<char> = value.chars().collect();
        let mut block_indicators = false;
        let mut flow_indicators = false;
        let mut line_breaks = false;
        let mut special_characters = false;
        let mut tab_characters = false;
        let mut leading_space = false;
        let mut leading_break = false;
        let mut trailing_space = false;
        let mut trailing_break = false;
        let mut break_space = false;
        let mut space_break = false;
        let mut previous_space = false;
        let mut previous_break = false;

        if value.starts_with("---") || value.starts_with("...") {
            block_indicators = true;
            flow_indicators = true;
        }
        let mut preceded_by_whitespace = true;
        let n = chars.len();
        for (i, &c) in chars.iter().enumerate() {
            let followed_by_whitespace = i + 1 >= n || is_blank(chars[i + 1]);
            if i == 0 {
                match c {
                    '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\''
                    | '"' | '%' | '@' | '`' => {
                        flow_indicators = true;
                        block_indicators = true;
                    }
                    '?' | ':' => {
                        flow_indicators = true;
                        if followed_by_whitespace {
                            block_indicators = true;
                        }
                    }
                    '-' if followed_by_whitespace => {
                        flow_indicators = true;
                        block_indicators = true;
                    }
                    _ => {}
                }
            } else {
                match c {
                    ',' | '?' | '[' | ']' | '{' | '}' => flow_indicators = true,
                    ':' => {
                        flow_indicators = true;
                        if followed_by_whitespace {
                            block_indicators = true;
                        }
                    }
                    '#' if preceded_by_whitespace => {
                        flow_indicators = true;
                        block_indicators = true;
                    }
                    _ => {}
                }
            }
            if self.v3 && c == '\t' {
                tab_characters = true;
            } else if !is_printable(c) {
                special_characters = true;
            }
            if c == ' ' {
                if i == 0 {
                    leading_space = true;
                }
                if i + 1 == n {
                    trailing_space = true;
                }
                if previous_break {
                    break_space = true;
                }
                previous_space = true;
                previous_break = false;
            } else if is_break(c) {
                line_breaks = true;
                if i == 0 {
                    leading_break = true;
                }
                if i + 1 == n {
                    trailing_break = true;
                }
                if previous_space {
                    space_break = true;
                }
                previous_space = false;
                previous_break = true;
            } else {
                previous_space = false;
                previous_break = false;
            }
            preceded_by_whitespace = is_blankz(c);
        }

        let mut a = Analysis {
            multiline: line_breaks,
            flow_plain_allowed: true,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: true,
        };
        if leading_space || leading_break || trailing_space || trailing_break {
            a.flow_plain_allowed = false;
            a.block_plain_allowed = false;
        }
        if trailing_space {
            a.block_allowed = false;
        }
        if break_space {
            a.flow_plain_allowed = false;
            a.block_plain_allowed = false;
            a.single_quoted_allowed = false;
        }
        if space_break || tab_characters || special_characters {
            a.flow_plain_allowed = false;
            a.block_plain_allowed = false;
            a.single_quoted_allowed = false;
        }
        if space_break || special_characters {
            a.block_allowed = false;
        }
        if line_breaks {
            a.flow_plain_allowed = false;
            a.block_plain_allowed = false;
        }
        if flow_indicators {
            a.flow_plain_allowed = false;
        }
        if block_indicators {
            a.block_plain_allowed = false;
        }
        a
    }

    fn select_style(&self, value: &str, requested: Style, a: &Analysis) -> Style {
        let mut style = requested;
        if self.simple_key_context && a.multiline {
            style = Style::DoubleQuoted;
        }
        if style == Style::Plain {
            if (self.flow_level > 0 && !a.flow_plain_allowed)
                || (self.flow_level == 0 && !a.block_plain_allowed)
            {
                style = Style::SingleQuoted;
            }
            if value.is_empty() && (self.flow_level > 0 || self.simple_key_context) {
                style = Style::SingleQuoted;
            }
        }
        if style == Style::SingleQuoted && !a.single_quoted_allowed {
            style = Style::DoubleQuoted;
        }
        if style == Style::Literal
            && (!a.block_allowed || self.flow_level > 0 || self.simple_key_context)
        {
            style = Style::DoubleQuoted;
        }
        style
    }

    fn scalar(&mut self, value: &str, requested: Style, parent: Parent) {
        let analysis = self.analyze(value);
        let style = self.select_style(value, requested, &analysis);
        self.increase_indent(true, false, parent);
        let chars: Vec<char> = value.chars().collect();
        let allow_breaks = !self.simple_key_context;
        match style {
            Style::Plain => self.write_plain(&chars, allow_breaks),
            Style::SingleQuoted => self.write_single_quoted(&chars, allow_breaks),
            Style::DoubleQuoted => self.write_double_quoted(&chars, allow_breaks),
            Style::Literal => self.write_literal(&chars),
        }
        self.pop_indent();
    }

    fn write_plain(&mut self, value: &[char], allow_breaks: bool) {
        // go-yaml v3 writes nothing at all for an empty plain scalar.
        let empty_v3 = self.v3 && value.is_empty();
        if !self.whitespace && !empty_v3 {
            self.put(' ');
        }
        let mut spaces = false;
        let mut breaks = false;
        let n = value.len();
        for i in 0..n {
            let c = value[i];
            let next_is_space = i + 1 < n && value[i + 1] == ' ';
            if c == ' ' {
                if allow_breaks && !spaces && self.column > self.best_width && !next_is_space {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                if !self.v3 {
                    self.indention = true;
                }
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        if !empty_v3 {
            self.whitespace = false;
        }
        self.indention = false;
    }

    fn write_single_quoted(&mut self, value: &[char], allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let mut spaces = false;
        let mut breaks = false;
        let n = value.len();
        for i in 0..n {
            let c = value[i];
            if c == ' ' {
                let next_is_space = i + 1 < n && value[i + 1] == ' ';
                if allow_breaks
                    && !spaces
                    && self.column > self.best_width
                    && i > 0
                    && i + 1 < n
                    && !next_is_space
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                if !self.v3 {
                    self.indention = true;
                }
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double_quoted(&mut self, value: &[char], allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        // libyaml tests for a byte order mark at the start of the value rather than at
        // the current character, so a value starting with one has every character
        // escaped.
        let starts_with_bom = value.first() == Some(&'\u{FEFF}');
        let mut spaces = false;
        let n = value.len();
        for i in 0..n {
            let c = value[i];
            if !is_printable(c) || starts_with_bom || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                let code = c as u32;
                let short = match code {
                    0x00 => Some('0'),
                    0x07 => Some('a'),
                    0x08 => Some('b'),
                    0x09 => Some('t'),
                    0x0A => Some('n'),
                    0x0B => Some('v'),
                    0x0C => Some('f'),
                    0x0D => Some('r'),
                    0x1B => Some('e'),
                    0x22 => Some('"'),
                    0x5C => Some('\\'),
                    0x85 => Some('N'),
                    0xA0 => Some('_'),
                    0x2028 => Some('L'),
                    0x2029 => Some('P'),
                    _ => None,
                };
                match short {
                    Some(e) => self.put(e),
                    None => {
                        let (letter, width) = if code <= 0xFF {
                            ('x', 2)
                        } else if code <= 0xFFFF {
                            ('u', 4)
                        } else {
                            ('U', 8)
                        };
                        self.put(letter);
                        for k in (0..width).rev() {
                            let digit = (code >> (4 * k)) & 0xF;
                            self.put(
                                char::from_digit(digit, 16).map_or('0', |d| d.to_ascii_uppercase()),
                            );
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column > self.best_width && i > 0 && i + 1 < n {
                    self.write_indent();
                    if value[i + 1] == ' ' {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_block_hints(&mut self, value: &[char]) {
        if value.first().is_some_and(|&c| c == ' ' || is_break(c)) {
            let hint = char::from_digit(self.best_indent as u32, 10).unwrap_or('2');
            self.write_indicator(&hint.to_string(), false, false, false);
        }
        let chomp = match value {
            [] => Some('-'),
            [.., last] if !is_break(*last) => Some('-'),
            [_] => Some('+'),
            [.., prev, _] if is_break(*prev) => Some('+'),
            _ => None,
        };
        if let Some(c) = chomp {
            self.write_indicator(&c.to_string(), false, false, false);
        }
    }

    fn write_literal(&mut self, value: &[char]) {
        self.write_indicator("|", true, false, false);
        self.write_block_hints(value);
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for &c in value {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

/// Writes `value` as one YAML document, as the given go-yaml flavour does.
pub(crate) fn emit(value: &Yaml, flavor: Flavor) -> String {
    let node = encode(value, flavor);
    let mut emitter = Emitter::new(flavor);
    emitter.document(&node);
    emitter.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::YamlMap;

    fn s(x: &str) -> Yaml {
        Yaml::Str(x.to_string())
    }

    fn v2(v: &Yaml) -> String {
        emit(v, Flavor::V2)
    }

    #[test]
    fn scalars_pick_go_yaml_styles() {
        assert_eq!(v2(&s("plain")), "plain\n");
        assert_eq!(v2(&s("true")), "\"true\"\n");
        assert_eq!(v2(&s("yes")), "\"yes\"\n");
        assert_eq!(v2(&s("1.5")), "\"1.5\"\n");
        assert_eq!(v2(&s("")), "\"\"\n");
        assert_eq!(v2(&s("a: b")), "'a: b'\n");
        assert_eq!(v2(&s(" lead")), "' lead'\n");
        assert_eq!(v2(&s("it's: x")), "'it''s: x'\n");
        assert_eq!(v2(&s("tab\there")), "\"tab\\there\"\n");
        assert_eq!(v2(&s("a\nb")), "|-\n  a\n  b\n");
        assert_eq!(v2(&s("a\nb\n")), "|\n  a\n  b\n");
        assert_eq!(v2(&s("a\n\n")), "|+\n  a\n\n");
        assert_eq!(v2(&s(" a\nb")), "|2-\n   a\n  b\n");
        assert_eq!(v2(&s("trailing \nx")), "\"trailing \\nx\"\n");
        assert_eq!(v2(&s("\u{1F600}")), "\"\\U0001F600\"\n");
        assert_eq!(v2(&s("1:20")), "\"1:20\"\n");
        assert_eq!(v2(&Yaml::Float(1e21)), "1e+21\n");
        assert_eq!(v2(&Yaml::Null), "null\n");
    }

    #[test]
    fn collections_like_go_yaml() {
        let map: YamlMap = [
            (
                s("b"),
                Yaml::Seq(vec![Yaml::Int(1), Yaml::Seq(vec![Yaml::Int(2)])]),
            ),
            (s("a10"), Yaml::Map(YamlMap::new())),
            (s("a2"), Yaml::Seq(vec![])),
        ]
        .into_iter()
        .collect();
        let v = Yaml::Map(map);
        assert_eq!(v2(&v), "a2: []\na10: {}\nb:\n- 1\n- - 2\n");
        assert_eq!(
            emit(&v, Flavor::V3 { indent: 2 }),
            "a2: []\na10: {}\nb:\n  - 1\n  - - 2\n"
        );
    }

    #[test]
    fn times_are_plain_and_structs_keep_field_order() {
        let v3 = |v: &Yaml| emit(v, Flavor::V3 { indent: 2 });
        let time = "2024-02-29T10:11:12.5+01:30";
        // A string with a timestamp's text must be quoted; the time itself is not.
        assert_eq!(v3(&s(time)), format!("\"{time}\"\n"));
        assert_eq!(v3(&Yaml::Time(time.to_string())), format!("{time}\n"));
        let fields = vec![
            ("zone".to_string(), Yaml::Time(time.to_string())),
            ("name".to_string(), s("yes")),
        ];
        assert_eq!(
            v3(&Yaml::Struct(fields)),
            format!("zone: {time}\nname: \"yes\"\n")
        );
        assert_eq!(v3(&Yaml::Struct(Vec::new())), "{}\n");
    }

    #[test]
    fn long_plain_scalars_fold_at_80_columns_in_v2() {
        let words = vec!["word"; 30].join(" ");
        let out = v2(&Yaml::Map([(s("k"), s(&words))].into_iter().collect()));
        let first = out.lines().next().unwrap();
        assert_eq!(first.len(), 82);
        assert!(out.lines().nth(1).unwrap().starts_with("  word"));
        let v3 = emit(
            &Yaml::Map([(s("k"), s(&words))].into_iter().collect()),
            Flavor::V3 { indent: 2 },
        );
        assert_eq!(v3.lines().count(), 1);
    }

    #[test]
    fn natural_key_order() {
        let less = |a: &str, b: &str| key_less(&s(a), &s(b), false);
        assert!(less("a2", "a10"));
        assert!(less("a", "b"));
        assert!(less("a_", "b"));
        assert!(less("_", "a"));
        assert!(less("1", "01"));
        assert!(!less("a10", "a2"));
    }
}
