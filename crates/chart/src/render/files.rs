//! `.Files`: the chart's non-template files as templates see them (Helm's engine type
//! `files`, a `map[string][]byte` with methods).
//!
//! - `.Files.Get "path"` is the file's text, `""` when there is no such file;
//!   `.Files.GetBytes "path"` its bytes; `.Files.Lines "path"` its lines (one final
//!   newline dropped).
//! - `.Files.Glob "pattern"` keeps the files whose path matches a gobwas/glob pattern
//!   with `/` as separator: `*` and `?` stay within one path segment, `**` crosses
//!   segments, `[abc]`, `[!a-z]`, `{x,y}` and `\` escapes as in gobwas. A pattern gobwas
//!   cannot compile matches every file, as in Helm.
//! - `.AsConfig` and `.AsSecrets` turn the files into YAML `data:` entries keyed by base
//!   name (text, or base64), written as `sigs.k8s.io/yaml` writes them.
//! - The object ranges, indexes and prints as the Go map does (sorted by path), and
//!   `printf "%T"` says `engine.files`.
//!
//! Differences from Helm, on purpose:
//! - **Sandbox.** A path that leaves the chart (`../x`, `a/../../x`, `/etc/passwd`)
//!   makes `Get`, `GetBytes` and `Lines` fail with
//!   `.Files.Get: path "../../etc/passwd" is outside the chart` where Helm returns an
//!   empty result. A chart has no business asking, and in a pull request the question
//!   is more likely an attack than a typo.
//! - Template text is UTF-8 here: `Get`, `Lines` and `AsConfig` replace invalid UTF-8
//!   with U+FFFD where Helm would copy the bytes through (`GetBytes` and `AsSecrets`
//!   are exact).
//! - When two globbed files share a base name, `AsConfig`/`AsSecrets` keep the one
//!   whose path sorts last; Helm keeps whichever its map iteration visits last.

use std::collections::BTreeMap;
use std::sync::Arc;

use helmpilot_template::{GoType, List, Member, Object, Signature, Str, Value};

use crate::chart::ChartFile;
use crate::funcs::encoding::base64_encode;

/// Helm's `.Files` object.
#[derive(Clone, Debug, Default)]
pub struct Files {
    files: Arc<BTreeMap<String, Arc<[u8]>>>,
}

impl Files {
    /// The files of a chart (`Chart::files`); of two files with one path the later wins,
    /// as in Helm's map.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use helmpilot_chart::chart::ChartFile;
    /// use helmpilot_chart::render::files::Files;
    /// let files = Files::new(&[ChartFile { name: "conf/app.ini".into(), data: Arc::from(&b"a=1\n"[..]) }]);
    /// assert_eq!(files.get("conf/app.ini").unwrap(), "a=1\n");
    /// assert_eq!(files.glob("conf/*").as_config(), "app.ini: |\n  a=1");
    /// assert!(files.get("../secret").is_err());
    /// ```
    pub fn new(files: &[ChartFile]) -> Files {
        let map = files
            .iter()
            .map(|f| (f.name.clone(), f.data.clone()))
            .collect();
        Files {
            files: Arc::new(map),
        }
    }

    /// The template value: a host object for the engine.
    pub fn into_value(self) -> Value {
        Value::Object(Arc::new(self))
    }

    /// The number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are no files.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// `GetBytes`: the file's bytes, empty when there is no such file.
    pub fn get_bytes(&self, name: &str) -> Result<Arc<[u8]>, String> {
        check_inside("GetBytes", name)?;
        Ok(self
            .files
            .get(name)
            .cloned()
            .unwrap_or_else(|| Arc::from(&[][..])))
    }

    /// `Get`: the file's text, `""` when there is no such file.
    pub fn get(&self, name: &str) -> Result<String, String> {
        check_inside("Get", name)?;
        Ok(self
            .files
            .get(name)
            .map(|data| String::from_utf8_lossy(data).into_owned())
            .unwrap_or_default())
    }

    /// `Lines`: the file split at `\n`, one trailing newline dropped; no lines when
    /// there is no such file.
    pub fn lines(&self, name: &str) -> Result<Vec<String>, String> {
        check_inside("Lines", name)?;
        let Some(data) = self.files.get(name) else {
            return Ok(Vec::new());
        };
        if data.is_empty() {
            // Helm indexes the last byte of the empty text: a Go panic, reported as the
            // call's error.
            return Err("runtime error: index out of range [-1]".into());
        }
        let text = String::from_utf8_lossy(data);
        let text = text.strip_suffix('\n').unwrap_or(&text);
        Ok(text.split('\n').map(str::to_string).collect())
    }

    /// `Glob`: the files whose path matches `pattern`.
    pub fn glob(&self, pattern: &str) -> Files {
        let glob = Glob::compile(pattern);
        let map = self
            .files
            .iter()
            // Helm falls back to `**`, every file, when the pattern does not compile.
            .filter(|(name, _)| glob.as_ref().map_or(true, |g| g.matches(name)))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Files {
            files: Arc::new(map),
        }
    }

    /// `AsConfig`: `base name: text` entries as YAML (no final newline).
    pub fn as_config(&self) -> String {
        self.to_yaml(|data| String::from_utf8_lossy(data).into_owned())
    }

    /// `AsSecrets`: `base name: base64` entries as YAML (no final newline).
    pub fn as_secrets(&self) -> String {
        self.to_yaml(base64_encode)
    }

    fn to_yaml(&self, encode: impl Fn(&[u8]) -> String) -> String {
        let mut map = serde_json::Map::new();
        for (name, data) in self.files.iter() {
            map.insert(
                base_name(name).to_string(),
                serde_json::Value::String(encode(data)),
            );
        }
        // Helm's toYAML swallows errors into "".
        match helmpilot_yaml::marshal(&serde_json::Value::Object(map)) {
            Ok(text) => text.strip_suffix('\n').unwrap_or(&text).to_string(),
            Err(_) => String::new(),
        }
    }
}

/// Refuses a path that leaves the chart (the module's sandbox rule).
fn check_inside(method: &str, name: &str) -> Result<(), String> {
    let cleaned = crate::chart::archive::go_clean(name);
    if name.starts_with('/') || cleaned == ".." || cleaned.starts_with("../") {
        return Err(format!(
            ".Files.{method}: path {} is outside the chart",
            helmpilot_template::gofmt::quote(name)
        ));
    }
    Ok(())
}

/// Go's `path.Base`.
fn base_name(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return if path.is_empty() { "." } else { "/" };
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

const METHODS_WITH_PATH: &[&str] = &["Get", "GetBytes", "Glob", "Lines"];

impl Object for Files {
    fn type_name(&self) -> &str {
        "engine.files"
    }

    fn member(&self, name: &str) -> Member {
        if METHODS_WITH_PATH.contains(&name) {
            return Member::Method(Signature::fixed(&[GoType::String]));
        }
        if matches!(name, "AsConfig" | "AsSecrets") {
            return Member::Method(Signature::fixed(&[]));
        }
        // Any other name is a map key; a missing one reads as a nil []byte
        // (Helm renders with missingkey=zero).
        Member::Field(Value::Bytes(
            self.files
                .get(name)
                .cloned()
                .unwrap_or_else(|| Arc::from(&[][..])),
        ))
    }

    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        let path = args.first().and_then(Value::as_str).unwrap_or_default();
        Ok(match name {
            "Get" => Value::from(self.get(path)?),
            "GetBytes" => Value::Bytes(self.get_bytes(path)?),
            "Glob" => self.glob(path).into_value(),
            "Lines" => Value::List(List::strings(self.lines(path)?)),
            "AsConfig" => Value::from(self.as_config()),
            "AsSecrets" => Value::from(self.as_secrets()),
            _ => return Err(format!("{name} is not a method")),
        })
    }

    fn format(&self) -> String {
        Value::Object(Arc::new(self.clone())).to_string()
    }

    fn map_entries(&self) -> Option<Vec<(Str, Value)>> {
        Some(
            self.files
                .iter()
                .map(|(k, v)| (Str::from(k.as_str()), Value::Bytes(v.clone())))
                .collect(),
        )
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

// ---- gobwas/glob ------------------------------------------------------------------------

/// A compiled gobwas/glob pattern with `/` as the separator.
#[derive(Debug, Clone, PartialEq)]
pub struct Glob {
    nodes: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(Vec<char>),
    /// `*`: any run of characters without `/`.
    Any,
    /// `**`: any run of characters.
    Super,
    /// `?`: one character other than `/`.
    Single,
    /// `[abc]` / `[!abc]`: one character (any, `/` included) in or not in the list.
    List {
        chars: Vec<char>,
        not: bool,
    },
    /// `[a-z]` / `[!a-z]`.
    Range {
        lo: char,
        hi: char,
        not: bool,
    },
    /// `{a,b}`: one of the alternatives.
    AnyOf(Vec<Vec<Node>>),
}

impl Glob {
    /// Compiles a pattern; `None` where gobwas/glob reports an error.
    ///
    /// ```
    /// use helmpilot_chart::render::files::Glob;
    /// let glob = Glob::compile("conf/{*.ini,**.json}").unwrap();
    /// assert!(glob.matches("conf/a.ini"));
    /// assert!(!glob.matches("conf/x/a.ini"));
    /// assert!(glob.matches("conf/x/a.json"));
    /// assert!(Glob::compile("[a-z").is_none());
    /// ```
    pub fn compile(pattern: &str) -> Option<Glob> {
        let tokens = lex(pattern)?;
        let nodes = parse(&tokens)?;
        Some(Glob { nodes })
    }

    /// Whether `name` matches the whole pattern.
    pub fn matches(&self, name: &str) -> bool {
        let chars: Vec<char> = name.chars().collect();
        let mut start = vec![false; chars.len() + 1];
        start[0] = true;
        let end = advance(&self.nodes, &chars, start);
        end[chars.len()]
    }
}

/// The positions reachable after matching `nodes` from any position in `from`: a set
/// simulation, so that no pattern can make matching take exponential time.
fn advance(nodes: &[Node], name: &[char], from: Vec<bool>) -> Vec<bool> {
    let mut current = from;
    for node in nodes {
        let mut next = vec![false; name.len() + 1];
        match node {
            Node::Text(text) => {
                for (pos, _) in current.iter().enumerate().filter(|(_, on)| **on) {
                    if name[pos..].starts_with(text) {
                        next[pos + text.len()] = true;
                    }
                }
            }
            Node::Any => {
                let mut reach = false;
                for pos in 0..=name.len() {
                    reach |= current[pos];
                    next[pos] = reach;
                    if pos < name.len() && name[pos] == '/' {
                        reach = false;
                    }
                }
            }
            Node::Super => {
                if let Some(first) = current.iter().position(|on| *on) {
                    next[first..].iter_mut().for_each(|slot| *slot = true);
                }
            }
            Node::Single | Node::List { .. } | Node::Range { .. } => {
                for pos in 0..name.len() {
                    if current[pos] && single_matches(node, name[pos]) {
                        next[pos + 1] = true;
                    }
                }
            }
            Node::AnyOf(alternatives) => {
                for alternative in alternatives {
                    let reached = advance(alternative, name, current.clone());
                    for (slot, hit) in next.iter_mut().zip(reached) {
                        *slot |= hit;
                    }
                }
            }
        }
        current = next;
    }
    current
}

fn single_matches(node: &Node, c: char) -> bool {
    match node {
        Node::Single => c != '/',
        Node::List { chars, not } => chars.contains(&c) != *not,
        Node::Range { lo, hi, not } => (*lo <= c && c <= *hi) != *not,
        _ => false,
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Text(Vec<char>),
    Any,
    Super,
    Single,
    /// A whole `[...]` class, already checked.
    Class(Node),
    TermsOpen,
    Comma,
    TermsClose,
}

/// gobwas/glob's lexer; `None` on its errors.
fn lex(pattern: &str) -> Option<Vec<Token>> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut terms_level = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '{' => {
                terms_level += 1;
                tokens.push(Token::TermsOpen);
                i += 1;
            }
            ',' if terms_level > 0 => {
                tokens.push(Token::Comma);
                i += 1;
            }
            '}' if terms_level > 0 => {
                terms_level -= 1;
                tokens.push(Token::TermsClose);
                i += 1;
            }
            '[' => {
                let (class, next) = lex_class(&chars, i + 1)?;
                tokens.push(Token::Class(class));
                i = next;
            }
            '?' => {
                tokens.push(Token::Single);
                i += 1;
            }
            '*' => {
                if chars.get(i + 1) == Some(&'*') {
                    tokens.push(Token::Super);
                    i += 2;
                } else {
                    tokens.push(Token::Any);
                    i += 1;
                }
            }
            _ => {
                let in_terms = terms_level > 0;
                let (text, next) = lex_text(&chars, i, |c| {
                    matches!(c, '?' | '*' | '[' | '{') || (in_terms && matches!(c, '}' | ','))
                });
                if !text.is_empty() {
                    tokens.push(Token::Text(text));
                }
                i = next;
            }
        }
    }
    Some(tokens)
}

/// Text up to an unescaped breaker; `\` escapes the next character (a final `\` is
/// dropped).
fn lex_text(chars: &[char], start: usize, breaker: impl Fn(char) -> bool) -> (Vec<char>, usize) {
    let mut text = Vec::new();
    let mut escaped = false;
    let mut i = start;
    while i < chars.len() {
        let c = chars[i];
        if !escaped {
            if c == '\\' {
                escaped = true;
                i += 1;
                continue;
            }
            if breaker(c) {
                break;
            }
        }
        escaped = false;
        text.push(c);
        i += 1;
    }
    (text, i)
}

/// A character class after its `[`: one range `a-z` or one list of characters,
/// optionally negated by a leading `!`, then `]`. gobwas allows nothing else.
fn lex_class(chars: &[char], start: usize) -> Option<(Node, usize)> {
    let mut i = start;
    let mut not = false;
    if chars.get(i) == Some(&'!') {
        not = true;
        i += 1;
    }
    let first = *chars.get(i)?;
    if chars.get(i + 1) == Some(&'-') {
        let hi = *chars.get(i + 2)?;
        if chars.get(i + 3) != Some(&']') {
            return None;
        }
        // gobwas takes a NUL bound as "no range" and then finds no list either.
        if first == '\0' || hi == '\0' || hi < first {
            return None;
        }
        return Some((Node::Range { lo: first, hi, not }, i + 4));
    }
    let (list, next) = lex_text(chars, i, |c| c == ']');
    if chars.get(next) != Some(&']') || list.is_empty() {
        return None;
    }
    Some((Node::List { chars: list, not }, next + 1))
}

/// gobwas/glob's parser over the tokens: alternatives nest in `{...}`.
fn parse(tokens: &[Token]) -> Option<Vec<Node>> {
    // A stack of open `{`: each holds its finished alternatives and the one being built.
    let mut stack: Vec<(Vec<Vec<Node>>, Vec<Node>)> = Vec::new();
    let mut current: Vec<Node> = Vec::new();
    for token in tokens {
        match token {
            Token::Text(text) => current.push(Node::Text(text.clone())),
            Token::Any => current.push(Node::Any),
            Token::Super => current.push(Node::Super),
            Token::Single => current.push(Node::Single),
            Token::Class(node) => current.push(node.clone()),
            Token::TermsOpen => {
                stack.push((Vec::new(), std::mem::take(&mut current)));
            }
            Token::Comma => {
                let (alternatives, _) = stack.last_mut()?;
                alternatives.push(std::mem::take(&mut current));
            }
            Token::TermsClose => {
                let (mut alternatives, outer) = stack.pop()?;
                alternatives.push(std::mem::take(&mut current));
                current = outer;
                current.push(Node::AnyOf(alternatives));
            }
        }
    }
    // gobwas accepts unclosed braces: the open alternatives stand as they are.
    while let Some((mut alternatives, outer)) = stack.pop() {
        alternatives.push(std::mem::take(&mut current));
        current = outer;
        current.push(Node::AnyOf(alternatives));
    }
    Some(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_semantics() {
        let cases: &[(&str, &str, bool)] = &[
            ("files/*", "files/a.txt", true),
            ("files/*", "files/sub/b.txt", false),
            ("files/**", "files/sub/b.txt", true),
            ("**.txt", "files/sub/b.txt", true),
            ("*.txt", "files/a.txt", false),
            ("files/?.txt", "files/a.txt", true),
            ("files?a.txt", "files/a.txt", false),
            ("files[/]a.txt", "files/a.txt", true),
            ("files/[!b].txt", "files/a.txt", true),
            ("files/[a-c].txt", "files/b.txt", true),
            ("files/[!a-c].txt", "files/b.txt", false),
            ("files/{a,b}.txt", "files/b.txt", true),
            ("files/{a,{b,c}x}.txt", "files/cx.txt", true),
            ("files/{a,}.txt", "files/.txt", true),
            ("files/\\*.txt", "files/*.txt", true),
            ("files/\\*.txt", "files/a.txt", false),
            ("a}b", "a}b", true),
            ("a,b", "a,b", true),
            ("{a,b", "b", true),
        ];
        for (pattern, name, want) in cases {
            let glob = Glob::compile(pattern).unwrap_or_else(|| panic!("{pattern}"));
            assert_eq!(glob.matches(name), *want, "{pattern} vs {name}");
        }
        for bad in ["[]", "[a-z", "[a-zA-Z]", "[z-a]", "[!]", "x["] {
            assert!(Glob::compile(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn base64_like_go() {
        assert_eq!(base64_encode(b""), "");
        assert_eq!(base64_encode(b"a"), "YQ==");
        assert_eq!(base64_encode(b"ab"), "YWI=");
        assert_eq!(base64_encode(b"abc"), "YWJj");
        assert_eq!(base64_encode(&[0xff, 0xfe, 0x00, 0x10]), "//4AEA==");
    }

    #[test]
    fn sandbox() {
        let files = Files::new(&[]);
        assert_eq!(
            files.get("../../etc/passwd").unwrap_err(),
            ".Files.Get: path \"../../etc/passwd\" is outside the chart"
        );
        assert!(files.lines("/etc/passwd").is_err());
        assert!(files.get_bytes("a/../../b").is_err());
        assert_eq!(files.get("a/../b").unwrap(), "");
    }
}
