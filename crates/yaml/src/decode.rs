//! Events to values, as go-yaml v2's `yaml.Unmarshal` does it into an `interface{}`:
//! only the first document is read, anchors and aliases are resolved (with go-yaml's
//! guard against alias bombs), `<<` merge keys are applied, plain scalars are typed by
//! the YAML 1.1 resolver and duplicate keys silently keep the last value.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use crate::parser::{Event, EventKind, Parser};
use crate::resolve::{resolve, Resolved, BINARY_TAG, MERGE_TAG};
use crate::scanner::SyntaxError;
use crate::value::{Yaml, YamlMap};
use crate::{go_sharp_v, lossy_utf8};

#[derive(Debug)]
enum NodeKind {
    Scalar {
        value: String,
        tag: String,
        /// go-yaml's `implicit`: a plain scalar (or one tagged `!`), open to resolution.
        implicit: bool,
        /// Under an anchor, so aliases may decode it again: its text must stay. Any
        /// other scalar is decoded exactly once, and gives its text away.
        shared: bool,
    },
    /// The children: a range of [`Document::children`].
    Sequence(Children),
    /// Keys and values alternating: a range of [`Document::children`].
    Mapping(Children),
    /// An alias and the node its anchor names.
    Alias { name: String, target: usize },
}

/// Where a collection's children are in [`Document::children`].
#[derive(Clone, Copy, Debug, Default)]
struct Children {
    start: usize,
    len: usize,
}

/// The first document's node graph; nodes refer to each other by index.
struct Document {
    nodes: Vec<NodeKind>,
    /// The child node ids of every collection, each collection's contiguous.
    children: Vec<usize>,
}

/// An error from the first stage (syntax) or the second (building values), as
/// go-yaml's `err.Error()` prints it, without the `yaml: ` prefix.
pub(crate) enum DecodeError {
    Syntax(Box<SyntaxError>),
    Other(String),
}

impl DecodeError {
    pub fn message(&self) -> String {
        match self {
            DecodeError::Syntax(e) => e.message(),
            DecodeError::Other(m) => m.clone(),
        }
    }
}

impl From<Box<SyntaxError>> for DecodeError {
    fn from(e: Box<SyntaxError>) -> DecodeError {
        DecodeError::Syntax(e)
    }
}

type Result<T> = std::result::Result<T, DecodeError>;

/// Builds the node graph of the first document, as go-yaml's `parser.parse` does: the
/// rest of the stream is never looked at.
struct Builder<'a> {
    parser: Parser<'a>,
    peeked: Option<Event<'a>>,
    nodes: Vec<NodeKind>,
    children: Vec<usize>,
    /// Children of the collections being built, innermost last; each collection moves
    /// its own into `children` when it ends.
    pending: Vec<usize>,
    /// How many anchored collections enclose the node being built.
    anchored_depth: usize,
    anchors: HashMap<String, usize>,
}

impl<'a> Builder<'a> {
    fn peek(&mut self) -> Result<&Event<'a>> {
        if self.peeked.is_none() {
            self.peeked = Some(self.parser.next_event()?);
        }
        Ok(self.peeked.as_ref().expect("just set"))
    }

    fn next(&mut self) -> Result<Event<'a>> {
        match self.peeked.take() {
            Some(e) => Ok(e),
            None => Ok(self.parser.next_event()?),
        }
    }

    fn push(&mut self, kind: NodeKind, anchor: Option<String>) -> usize {
        let id = self.nodes.len();
        self.nodes.push(kind);
        if let Some(name) = anchor {
            self.anchors.insert(name, id);
        }
        id
    }

    /// Parses one node (and everything under it).
    fn node(&mut self) -> Result<usize> {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.node_inner())
    }

    fn node_inner(&mut self) -> Result<usize> {
        let Event { kind, props } = self.next()?;
        let (anchor, tag) = match props {
            Some(props) => (props.anchor, props.tag),
            None => (None, String::new()),
        };
        match kind {
            EventKind::Alias(name) => match self.anchors.get(&name) {
                Some(&target) => Ok(self.push(NodeKind::Alias { name, target }, None)),
                None => Err(DecodeError::Other(format!(
                    "unknown anchor '{name}' referenced"
                ))),
            },
            EventKind::Scalar {
                value,
                plain_implicit,
                ..
            } => {
                let shared = self.anchored_depth > 0 || anchor.is_some();
                let kind = NodeKind::Scalar {
                    value: value.into_owned(),
                    tag,
                    implicit: plain_implicit,
                    shared,
                };
                Ok(self.push(kind, anchor))
            }
            EventKind::SequenceStart => {
                // The anchor is registered before the children, so an alias inside can
                // name its own parent (decoding then reports the cycle).
                let anchored = anchor.is_some();
                let id = self.push(NodeKind::Sequence(Children::default()), anchor);
                self.anchored_depth += usize::from(anchored);
                let base = self.pending.len();
                while self.peek()?.kind != EventKind::SequenceEnd {
                    let child = self.node()?;
                    self.pending.push(child);
                }
                self.next()?;
                self.anchored_depth -= usize::from(anchored);
                self.nodes[id] = NodeKind::Sequence(self.collect_children(base));
                Ok(id)
            }
            EventKind::MappingStart => {
                let anchored = anchor.is_some();
                let id = self.push(NodeKind::Mapping(Children::default()), anchor);
                self.anchored_depth += usize::from(anchored);
                let base = self.pending.len();
                while self.peek()?.kind != EventKind::MappingEnd {
                    let key = self.node()?;
                    self.pending.push(key);
                    let value = self.node()?;
                    self.pending.push(value);
                }
                self.next()?;
                self.anchored_depth -= usize::from(anchored);
                self.nodes[id] = NodeKind::Mapping(self.collect_children(base));
                Ok(id)
            }
            other => Err(DecodeError::Other(format!(
                "attempted to parse unknown event: {other:?}"
            ))),
        }
    }

    /// Moves the children pending above `base` into the document's children.
    fn collect_children(&mut self, base: usize) -> Children {
        let start = self.children.len();
        self.children.extend(self.pending.drain(base..));
        Children {
            start,
            len: self.children.len() - start,
        }
    }
}

impl<'a> Builder<'a> {
    fn new(input: &'a str) -> Builder<'a> {
        Builder {
            parser: Parser::new(input),
            peeked: None,
            nodes: Vec::new(),
            children: Vec::new(),
            pending: Vec::new(),
            anchored_depth: 0,
            anchors: HashMap::new(),
        }
    }

    /// Parses the next document (go-yaml's `parser.parse`); `None` at the end of the
    /// stream. Anchors do not carry over from one document to the next.
    fn next_document(&mut self) -> Result<Option<(Document, usize)>> {
        if self.peek()?.kind == EventKind::StreamStart {
            self.next()?;
        }
        if self.peek()?.kind == EventKind::StreamEnd {
            return Ok(None);
        }
        // DOCUMENT-START, the root, DOCUMENT-END.
        self.next()?;
        let root = self.node()?;
        self.next()?;
        self.anchors.clear();
        let nodes = std::mem::take(&mut self.nodes);
        let children = std::mem::take(&mut self.children);
        Ok(Some((Document { nodes, children }, root)))
    }
}

// go-yaml's limits on alias expansion: a document may draw most of its values from
// aliases while small, less and less as it grows.
const ALIAS_RATIO_RANGE_LOW: usize = 400_000;
const ALIAS_RATIO_RANGE_HIGH: usize = 4_000_000;

fn allowed_alias_ratio(decode_count: usize) -> f64 {
    if decode_count <= ALIAS_RATIO_RANGE_LOW {
        0.99
    } else if decode_count >= ALIAS_RATIO_RANGE_HIGH {
        0.10
    } else {
        let range = (ALIAS_RATIO_RANGE_HIGH - ALIAS_RATIO_RANGE_LOW) as f64;
        0.99 - 0.89 * ((decode_count - ALIAS_RATIO_RANGE_LOW) as f64 / range)
    }
}

struct Decoder {
    doc: Document,
    /// Alias nodes being expanded (an alias inside its own target is a cycle).
    active_aliases: HashSet<usize>,
    decode_count: usize,
    alias_count: usize,
    alias_depth: usize,
}

fn fail(message: String) -> DecodeError {
    DecodeError::Other(message)
}

impl Decoder {
    fn value(&mut self, id: usize) -> Result<Yaml> {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.value_inner(id))
    }

    fn count(&mut self) -> Result<()> {
        self.decode_count += 1;
        if self.alias_depth > 0 {
            self.alias_count += 1;
        }
        if self.alias_count > 100
            && self.decode_count > 1000
            && self.alias_count as f64 / self.decode_count as f64
                > allowed_alias_ratio(self.decode_count)
        {
            return Err(fail("document contains excessive aliasing".to_string()));
        }
        Ok(())
    }

    fn value_inner(&mut self, id: usize) -> Result<Yaml> {
        self.count()?;
        match &mut self.doc.nodes[id] {
            NodeKind::Alias { name, target } => {
                let target = *target;
                if !self.active_aliases.insert(id) {
                    return Err(fail(format!("anchor '{name}' value contains itself")));
                }
                self.alias_depth += 1;
                let result = self.value(target);
                self.alias_depth -= 1;
                self.active_aliases.remove(&id);
                result
            }
            NodeKind::Scalar {
                value,
                tag,
                implicit,
                shared,
            } => {
                let text = if *shared {
                    value.clone()
                } else {
                    std::mem::take(value)
                };
                scalar(Cow::Owned(text), tag, *implicit)
            }
            NodeKind::Sequence(children) => {
                let children = *children;
                let mut items = Vec::with_capacity(children.len);
                for i in children.start..children.start + children.len {
                    items.push(self.value(self.doc.children[i])?);
                }
                Ok(Yaml::Seq(items))
            }
            NodeKind::Mapping(children) => {
                let mut map = YamlMap::with_capacity(children.len / 2);
                self.mapping_into(id, &mut map)?;
                Ok(Yaml::Map(map))
            }
        }
    }

    /// Decodes the mapping `id` into `map`, applying merge keys in place.
    fn mapping_into(&mut self, id: usize, map: &mut YamlMap) -> Result<()> {
        let NodeKind::Mapping(children) = self.doc.nodes[id] else {
            return Ok(());
        };
        let end = children.start + children.len;
        for pair in (children.start..end).step_by(2) {
            // Keys and values come in pairs: the builder pushes both or fails.
            if pair + 1 >= end {
                break;
            }
            let (key, value) = (self.doc.children[pair], self.doc.children[pair + 1]);
            if self.is_merge(key) {
                self.merge(value, map)?;
                continue;
            }
            let k = self.value(key)?;
            if matches!(k, Yaml::Map(_) | Yaml::Seq(_)) {
                return Err(fail(format!("invalid map key: {}", go_sharp_v(&k))));
            }
            let v = self.value(value)?;
            map.insert(k, v);
        }
        Ok(())
    }

    fn is_merge(&self, id: usize) -> bool {
        matches!(&self.doc.nodes[id],
            NodeKind::Scalar { value, tag, implicit, .. } if value == "<<" && (*implicit || tag == MERGE_TAG))
    }

    /// Decodes `id` (an alias or a mapping) into `map`: go-yaml's decoding into an
    /// existing map, counted like any other decode.
    fn merge_one(&mut self, id: usize, map: &mut YamlMap) -> Result<()> {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
            self.count()?;
            match &self.doc.nodes[id] {
                NodeKind::Alias { name, target } => {
                    let target = *target;
                    if !self.active_aliases.insert(id) {
                        return Err(fail(format!("anchor '{name}' value contains itself")));
                    }
                    self.alias_depth += 1;
                    let result = self.merge_one(target, map);
                    self.alias_depth -= 1;
                    self.active_aliases.remove(&id);
                    result
                }
                NodeKind::Mapping(_) => self.mapping_into(id, map),
                // Unreachable: callers check the kind first.
                _ => Err(fail(
                    "map merge requires map or sequence of maps as the value".to_string(),
                )),
            }
        })
    }

    fn merge(&mut self, id: usize, map: &mut YamlMap) -> Result<()> {
        let want_map = || fail("map merge requires map or sequence of maps as the value".into());
        let is_map_or_alias_to_map = |d: &Self, n: usize| match &d.doc.nodes[n] {
            NodeKind::Mapping(_) => true,
            NodeKind::Alias { target, .. } => {
                matches!(d.doc.nodes[*target], NodeKind::Mapping(_))
            }
            _ => false,
        };
        match &self.doc.nodes[id] {
            NodeKind::Mapping(_) | NodeKind::Alias { .. } => {
                if !is_map_or_alias_to_map(self, id) {
                    return Err(want_map());
                }
                self.merge_one(id, map)
            }
            NodeKind::Sequence(children) => {
                let children = *children;
                // Earlier maps take precedence, so they are applied last.
                for i in (children.start..children.start + children.len).rev() {
                    let child = self.doc.children[i];
                    if !is_map_or_alias_to_map(self, child) {
                        return Err(want_map());
                    }
                    self.merge_one(child, map)?;
                }
                Ok(())
            }
            NodeKind::Scalar { .. } => Err(want_map()),
        }
    }
}

/// A scalar as go-yaml decodes it into `interface{}`. The text is copied only when
/// it becomes a string value.
fn scalar(value: Cow<'_, str>, tag: &str, implicit: bool) -> Result<Yaml> {
    if tag.is_empty() && !implicit {
        return Ok(Yaml::Str(value.into_owned()));
    }
    let resolved = resolve(tag, &value).map_err(fail)?;
    Ok(match resolved {
        Resolved::Null => Yaml::Null,
        Resolved::Bool(b) => Yaml::Bool(b),
        Resolved::Int(n) => Yaml::Int(n),
        Resolved::Uint(n) => Yaml::Uint(n),
        Resolved::Float(f) => Yaml::Float(f),
        // go-yaml keeps timestamps as strings when decoding into interface{}.
        Resolved::Timestamp => Yaml::Str(value.into_owned()),
        Resolved::Str(tag_used) if tag_used == BINARY_TAG => {
            let bytes = decode_base64(&value)
                .ok_or_else(|| fail("!!binary value contains invalid base64 data".to_string()))?;
            Yaml::Str(lossy_utf8(&bytes))
        }
        Resolved::Str(_) => Yaml::Str(value.into_owned()),
    })
}

/// Go's `base64.StdEncoding.DecodeString`: padded standard alphabet; line breaks
/// (CR, LF) anywhere are ignored.
fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let mut vals = Vec::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'\r' | b'\n' => continue,
            b'A'..=b'Z' => vals.push(b - b'A'),
            b'a'..=b'z' => vals.push(b - b'a' + 26),
            b'0'..=b'9' => vals.push(b - b'0' + 52),
            b'+' => vals.push(62),
            b'/' => vals.push(63),
            b'=' => vals.push(64),
            _ => return None,
        }
    }
    if vals.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(vals.len() / 4 * 3);
    let quads = vals.len() / 4;
    for (qi, q) in vals.chunks(4).enumerate() {
        let pad = q.iter().rev().take_while(|&&v| v == 64).count();
        let last = qi + 1 == quads;
        if q[..4 - pad].contains(&64) || pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let n = q
            .iter()
            .take(4 - pad)
            .fold(0u32, |acc, &v| (acc << 6) | u32::from(v))
            << (6 * pad);
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        // Go rejects non-zero bits in the padding position only in strict mode; the
        // standard decoder ignores them.
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Some(out)
}

fn decode_document(doc: Document, root: usize) -> Result<Yaml> {
    let mut decoder = Decoder {
        doc,
        active_aliases: HashSet::new(),
        // The document node itself counts as one decode in go-yaml.
        decode_count: 1,
        alias_count: 0,
        alias_depth: 0,
    };
    decoder.value(root)
}

// ----- the direct way -----
//
// Most documents have no anchor, alias or merge key. For them go-yaml's two stages (build
// the node graph, then decode it) come down to one walk in document order, with one
// rule kept: the whole document is parsed before anything is decoded, so a syntax error
// anywhere wins over a decoding error before it. The builder below makes the values
// as the events come and holds back the first decoding error until the document is
// parsed. At the first anchor, alias or merge key it gives up, and the stream is read
// again the graph way, which then decides everything.

/// Why the direct way stopped.
enum Stop {
    /// The document needs the node graph.
    Graph,
    /// A parse-stage error: the result, whatever comes after it.
    Error(DecodeError),
}

impl From<DecodeError> for Stop {
    fn from(e: DecodeError) -> Stop {
        Stop::Error(e)
    }
}

impl Builder<'_> {
    /// [`Builder::next_document`] and [`decode_document`] in one walk, for a document
    /// that does not need the graph.
    fn next_value(&mut self) -> std::result::Result<Option<Result<Yaml>>, Stop> {
        if self.peek()?.kind == EventKind::StreamStart {
            self.next()?;
        }
        if self.peek()?.kind == EventKind::StreamEnd {
            return Ok(None);
        }
        self.next()?;
        let mut held = None;
        let root = self.direct_node(&mut held)?;
        self.next()?;
        Ok(Some(match held {
            Some(e) => Err(e),
            None => Ok(root),
        }))
    }

    /// The value of the next node. A decoding error goes to `held` (if it holds none
    /// yet) and parsing goes on, with `Null` standing in for the value.
    fn direct_node(&mut self, held: &mut Option<DecodeError>) -> std::result::Result<Yaml, Stop> {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.direct_node_inner(held))
    }

    fn direct_node_inner(
        &mut self,
        held: &mut Option<DecodeError>,
    ) -> std::result::Result<Yaml, Stop> {
        let Event { kind, props } = self.next()?;
        if props.as_ref().is_some_and(|p| p.anchor.is_some()) {
            return Err(Stop::Graph);
        }
        let tag = props.as_ref().map_or("", |p| p.tag.as_str());
        match kind {
            EventKind::Alias(_) => Err(Stop::Graph),
            EventKind::Scalar {
                value,
                plain_implicit,
                ..
            } => match scalar(value, tag, plain_implicit) {
                Ok(v) => Ok(v),
                Err(e) => {
                    held.get_or_insert(e);
                    Ok(Yaml::Null)
                }
            },
            EventKind::SequenceStart => {
                let mut items = Vec::new();
                while self.peek()?.kind != EventKind::SequenceEnd {
                    items.push(self.direct_node(held)?);
                }
                self.next()?;
                Ok(Yaml::Seq(items))
            }
            EventKind::MappingStart => {
                let mut map = YamlMap::new();
                while self.peek()?.kind != EventKind::MappingEnd {
                    let key = self.peek()?;
                    if let EventKind::Scalar {
                        value,
                        plain_implicit,
                        ..
                    } = &key.kind
                    {
                        if value == "<<" && (*plain_implicit || key.tag() == MERGE_TAG) {
                            return Err(Stop::Graph);
                        }
                    }
                    let k = self.direct_node(held)?;
                    if held.is_none() && matches!(k, Yaml::Map(_) | Yaml::Seq(_)) {
                        *held = Some(fail(format!("invalid map key: {}", go_sharp_v(&k))));
                    }
                    let v = self.direct_node(held)?;
                    if held.is_none() {
                        map.insert(k, v);
                    }
                }
                self.next()?;
                Ok(Yaml::Map(map))
            }
            other => Err(Stop::Error(DecodeError::Other(format!(
                "attempted to parse unknown event: {other:?}"
            )))),
        }
    }
}

/// Whether the text has what anchors (`&name`), aliases (`*name`) and merge keys
/// (`<<`) are written with, so that the direct way would likely give up half way and
/// the stream be read twice. Only a guess to save time: the direct way checks the
/// events itself (a merge key may be spelled with escapes) and gives up when it must.
/// A `&` or `*` counts only where a token may start (after a blank, a line break or
/// `[`, `{`, `,`, or at the start) and when a name follows, so that `a * b` or
/// `"0 3 * * *"` in a manifest keep the direct way.
fn may_need_graph(input: &str) -> bool {
    let bytes = input.as_bytes();
    // Blocks without any of the three bytes, nearly all of them, are passed over in
    // one test each (a fixed-size branch-free loop, which becomes vector compares).
    const BLOCK: usize = 32;
    let mut start = 0;
    for block in bytes.chunks(BLOCK) {
        let mut seen = 0u8;
        if let Ok(block) = <&[u8; BLOCK]>::try_from(block) {
            for &b in block {
                seen |= u8::from(b == b'&') | u8::from(b == b'*') | u8::from(b == b'<');
            }
        } else {
            seen = 1;
        }
        if seen != 0 && graph_syntax_in(bytes, start, start + block.len()) {
            return true;
        }
        start += block.len();
    }
    false
}

/// Whether an anchor, alias or merge key (as [`may_need_graph`] spots them) starts in
/// `bytes[from..to]`.
fn graph_syntax_in(bytes: &[u8], from: usize, to: usize) -> bool {
    (from..to).any(|at| {
        let next = bytes.get(at + 1).copied().unwrap_or(0);
        match bytes[at] {
            b'<' => next == b'<',
            b'&' | b'*' => {
                let token_start = at == 0
                    || matches!(
                        bytes[at - 1],
                        b' ' | b'\t' | b'\n' | b'\r' | b'[' | b'{' | b','
                    );
                token_start && (next.is_ascii_alphanumeric() || next == b'_' || next == b'-')
            }
            _ => false,
        }
    })
}

/// go-yaml v2's `yaml.Unmarshal` into `interface{}`: the first document's value, or
/// `None` when the stream has no document. The rest of the stream is never read.
pub(crate) fn decode_first(input: &str) -> Result<Option<Yaml>> {
    if !may_need_graph(input) {
        match Builder::new(input).next_value() {
            Ok(None) => return Ok(None),
            Ok(Some(value)) => return value.map(Some),
            Err(Stop::Error(e)) => return Err(e),
            Err(Stop::Graph) => {}
        }
    }
    match Builder::new(input).next_document()? {
        Some((doc, root)) => decode_document(doc, root).map(Some),
        None => Ok(None),
    }
}

/// Every document of the stream, as go-yaml v2's `Decoder` reads them one by one.
pub(crate) fn decode_all(input: &str) -> Result<Vec<Yaml>> {
    if !may_need_graph(input) {
        let mut builder = Builder::new(input);
        let mut docs = Vec::new();
        loop {
            match builder.next_value() {
                Ok(None) => return Ok(docs),
                Ok(Some(value)) => docs.push(value?),
                Err(Stop::Error(e)) => return Err(e),
                Err(Stop::Graph) => break,
            }
        }
    }
    // Read again from the start: the documents before come out the same either way.
    let mut builder = Builder::new(input);
    let mut docs = Vec::new();
    while let Some((doc, root)) = builder.next_document()? {
        docs.push(decode_document(doc, root)?);
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_like_go() {
        assert_eq!(decode_base64("aGk=").unwrap(), b"hi");
        assert_eq!(decode_base64("aG\nk=").unwrap(), b"hi");
        assert!(decode_base64("aGk").is_none());
        assert!(decode_base64("a=Gk").is_none());
        assert!(decode_base64("aG k=").is_none());
        assert_eq!(decode_base64("").unwrap(), b"");
    }
}
