//! The YAML parser: tokens to events, libyaml's state machine as go-yaml v2 has it.

use std::borrow::Cow;

use crate::scanner::{Mark, Result, ScalarStyle, Scanner, Stage, SyntaxError, Tok, TokenKind};

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum EventKind<'a> {
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    Alias(String),
    Scalar {
        /// Borrowed from the input where the scanner could (see `TokenKind::Scalar`).
        value: Cow<'a, str>,
        style: ScalarStyle,
        /// The plain scalar may be resolved (no tag, or the non-specific `!`).
        plain_implicit: bool,
    },
    SequenceStart,
    SequenceEnd,
    MappingStart,
    MappingEnd,
}

#[derive(Clone, Debug)]
pub(crate) struct Event<'a> {
    pub kind: EventKind<'a>,
    /// The node's anchor and tag; boxed, as most nodes have neither and events are
    /// moved about a lot.
    pub props: Option<Box<Props>>,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Props {
    pub anchor: Option<String>,
    /// The full tag (`tag:yaml.org,2002:str`, `!foo`, `!`), empty when there is none.
    pub tag: String,
}

impl Event<'_> {
    /// The full tag, empty when there is none.
    pub fn tag(&self) -> &str {
        self.props.as_ref().map_or("", |p| &p.tag)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    StreamStart,
    ImplicitDocumentStart,
    DocumentStart,
    DocumentContent,
    DocumentEnd,
    BlockNode,
    BlockSequenceFirstEntry,
    BlockSequenceEntry,
    IndentlessSequenceEntry,
    BlockMappingFirstKey,
    BlockMappingKey,
    BlockMappingValue,
    FlowSequenceFirstEntry,
    FlowSequenceEntry,
    FlowSequenceEntryMappingKey,
    FlowSequenceEntryMappingValue,
    FlowSequenceEntryMappingEnd,
    FlowMappingFirstKey,
    FlowMappingKey,
    FlowMappingValue,
    FlowMappingEmptyValue,
    End,
}

/// What the parser needs to know about the next token to decide what to do with it.
#[derive(Clone, Copy)]
struct Head {
    tok: Tok,
    start: Mark,
}

fn parser_error(problem: &str, problem_mark: Mark, context_mark: Mark) -> Box<SyntaxError> {
    Box::new(SyntaxError {
        stage: Stage::Parser,
        problem: problem.to_string(),
        problem_mark,
        context_mark,
    })
}

pub(crate) struct Parser<'a> {
    scanner: Scanner<'a>,
    state: State,
    states: Vec<State>,
    marks: Vec<Mark>,
    /// Handles and prefixes; the two default ones are borrowed (every document has
    /// them).
    tag_directives: Vec<(Cow<'static, str>, Cow<'static, str>)>,
}

const DEFAULT_TAG_DIRECTIVES: [(&str, &str); 2] = [("!", "!"), ("!!", "tag:yaml.org,2002:")];

impl<'a> Parser<'a> {
    pub fn new(input: &'a str) -> Parser<'a> {
        Parser {
            scanner: Scanner::new(input),
            state: State::StreamStart,
            // Room for the nesting of most documents, so that these grow rarely.
            states: Vec::with_capacity(16),
            marks: Vec::with_capacity(16),
            tag_directives: Vec::with_capacity(2),
        }
    }

    /// The next token's kind and position. Its text, if any, stays in the scanner's
    /// queue until [`Parser::take`] moves it out.
    fn peek(&mut self) -> Result<Head> {
        let token = self.scanner.peek()?;
        Ok(Head {
            tok: token.kind.tok(),
            start: token.start,
        })
    }

    /// Consumes the token `peek` looked at, with its text.
    fn take(&mut self) -> TokenKind<'a> {
        match self.scanner.take_token() {
            Some(token) => token.kind,
            None => TokenKind::StreamEnd,
        }
    }

    fn skip(&mut self) {
        self.scanner.skip_token();
    }

    fn pop_state(&mut self) {
        self.state = self.states.pop().unwrap_or(State::End);
    }

    fn event(kind: EventKind<'a>) -> Event<'a> {
        Event { kind, props: None }
    }

    /// The next event. After the stream end it keeps returning the stream end.
    pub fn next_event(&mut self) -> Result<Event<'a>> {
        if self.scanner.stream_end_produced() || self.state == State::End {
            return Ok(Parser::event(EventKind::StreamEnd));
        }
        match self.state {
            State::StreamStart => self.parse_stream_start(),
            State::ImplicitDocumentStart => self.parse_document_start(true),
            State::DocumentStart => self.parse_document_start(false),
            State::DocumentContent => self.parse_document_content(),
            State::DocumentEnd => self.parse_document_end(),
            State::BlockNode => self.parse_node(true, false),
            State::BlockSequenceFirstEntry => self.parse_block_sequence_entry(true),
            State::BlockSequenceEntry => self.parse_block_sequence_entry(false),
            State::IndentlessSequenceEntry => self.parse_indentless_sequence_entry(),
            State::BlockMappingFirstKey => self.parse_block_mapping_key(true),
            State::BlockMappingKey => self.parse_block_mapping_key(false),
            State::BlockMappingValue => self.parse_block_mapping_value(),
            State::FlowSequenceFirstEntry => self.parse_flow_sequence_entry(true),
            State::FlowSequenceEntry => self.parse_flow_sequence_entry(false),
            State::FlowSequenceEntryMappingKey => self.parse_flow_sequence_entry_mapping_key(),
            State::FlowSequenceEntryMappingValue => self.parse_flow_sequence_entry_mapping_value(),
            State::FlowSequenceEntryMappingEnd => self.parse_flow_sequence_entry_mapping_end(),
            State::FlowMappingFirstKey => self.parse_flow_mapping_key(true),
            State::FlowMappingKey => self.parse_flow_mapping_key(false),
            State::FlowMappingValue => self.parse_flow_mapping_value(false),
            State::FlowMappingEmptyValue => self.parse_flow_mapping_value(true),
            State::End => Ok(Parser::event(EventKind::StreamEnd)),
        }
    }

    fn parse_stream_start(&mut self) -> Result<Event<'a>> {
        let token = self.peek()?;
        if token.tok != Tok::StreamStart {
            return Err(parser_error(
                "did not find expected <stream-start>",
                token.start,
                Mark::default(),
            ));
        }
        self.state = State::ImplicitDocumentStart;
        self.skip();
        Ok(Parser::event(EventKind::StreamStart))
    }

    fn parse_document_start(&mut self, implicit: bool) -> Result<Event<'a>> {
        let mut token = self.peek()?;
        if !implicit {
            while token.tok == Tok::DocumentEnd {
                self.skip();
                token = self.peek()?;
            }
        }
        let directive_or_marker = matches!(
            token.tok,
            Tok::VersionDirective | Tok::TagDirective | Tok::DocumentStart | Tok::StreamEnd
        );
        if implicit && !directive_or_marker {
            self.process_directives()?;
            self.states.push(State::DocumentEnd);
            self.state = State::BlockNode;
            return Ok(Parser::event(EventKind::DocumentStart));
        }
        if token.tok != Tok::StreamEnd {
            self.process_directives()?;
            let token = self.peek()?;
            if token.tok != Tok::DocumentStart {
                return Err(parser_error(
                    "did not find expected <document start>",
                    token.start,
                    Mark::default(),
                ));
            }
            self.states.push(State::DocumentEnd);
            self.state = State::DocumentContent;
            self.skip();
            return Ok(Parser::event(EventKind::DocumentStart));
        }
        self.state = State::End;
        self.skip();
        Ok(Parser::event(EventKind::StreamEnd))
    }

    fn parse_document_content(&mut self) -> Result<Event<'a>> {
        let token = self.peek()?;
        if matches!(
            token.tok,
            Tok::VersionDirective
                | Tok::TagDirective
                | Tok::DocumentStart
                | Tok::DocumentEnd
                | Tok::StreamEnd
        ) {
            self.pop_state();
            return Ok(empty_scalar());
        }
        self.parse_node(true, false)
    }

    fn parse_document_end(&mut self) -> Result<Event<'a>> {
        let token = self.peek()?;
        if token.tok == Tok::DocumentEnd {
            self.skip();
        }
        self.tag_directives.clear();
        self.state = State::DocumentStart;
        Ok(Parser::event(EventKind::DocumentEnd))
    }

    fn parse_node(&mut self, block: bool, indentless_sequence: bool) -> Result<Event<'a>> {
        let mut token = self.peek()?;
        if token.tok == Tok::Alias {
            self.pop_state();
            let name = match self.take() {
                TokenKind::Alias(name) => name,
                _ => String::new(),
            };
            return Ok(Parser::event(EventKind::Alias(name)));
        }
        let start = token.start;
        let mut anchor = None;
        let mut tag_parts: Option<(String, String, Mark)> = None;
        if token.tok == Tok::Anchor {
            if let TokenKind::Anchor(name) = self.take() {
                anchor = Some(name);
            }
            token = self.peek()?;
            if token.tok == Tok::Tag {
                if let TokenKind::Tag(parts) = self.take() {
                    let (handle, suffix) = *parts;
                    tag_parts = Some((handle, suffix, token.start));
                }
                token = self.peek()?;
            }
        } else if token.tok == Tok::Tag {
            if let TokenKind::Tag(parts) = self.take() {
                let (handle, suffix) = *parts;
                tag_parts = Some((handle, suffix, token.start));
            }
            token = self.peek()?;
            if token.tok == Tok::Anchor {
                if let TokenKind::Anchor(name) = self.take() {
                    anchor = Some(name);
                }
                token = self.peek()?;
            }
        }
        let mut tag = String::new();
        if let Some((handle, suffix, tag_mark)) = tag_parts {
            if handle.is_empty() {
                tag = suffix;
            } else {
                let prefix = self
                    .tag_directives
                    .iter()
                    .find(|(h, _)| *h == handle)
                    .map(|(_, p)| p.as_ref());
                match prefix {
                    Some(prefix) if !(prefix.is_empty() && suffix.is_empty()) => {
                        tag = format!("{prefix}{suffix}");
                    }
                    _ => return Err(parser_error("found undefined tag handle", tag_mark, start)),
                }
            }
        }
        let node_event = |kind: EventKind<'a>, anchor: Option<String>, tag: String| Event {
            kind,
            props: (anchor.is_some() || !tag.is_empty()).then(|| Box::new(Props { anchor, tag })),
        };
        if indentless_sequence && token.tok == Tok::BlockEntry {
            self.state = State::IndentlessSequenceEntry;
            return Ok(node_event(EventKind::SequenceStart, anchor, tag));
        }
        if token.tok == Tok::Scalar {
            self.pop_state();
            let (value, style) = match self.take() {
                TokenKind::Scalar(value, style) => (value, style),
                _ => (Cow::Borrowed(""), ScalarStyle::Plain),
            };
            let plain_implicit = (tag.is_empty() && style == ScalarStyle::Plain) || tag == "!";
            let kind = EventKind::Scalar {
                value,
                style,
                plain_implicit,
            };
            return Ok(node_event(kind, anchor, tag));
        }
        match token.tok {
            Tok::FlowSequenceStart => {
                self.state = State::FlowSequenceFirstEntry;
                return Ok(node_event(EventKind::SequenceStart, anchor, tag));
            }
            Tok::FlowMappingStart => {
                self.state = State::FlowMappingFirstKey;
                return Ok(node_event(EventKind::MappingStart, anchor, tag));
            }
            Tok::BlockSequenceStart if block => {
                self.state = State::BlockSequenceFirstEntry;
                return Ok(node_event(EventKind::SequenceStart, anchor, tag));
            }
            Tok::BlockMappingStart if block => {
                self.state = State::BlockMappingFirstKey;
                return Ok(node_event(EventKind::MappingStart, anchor, tag));
            }
            _ => {}
        }
        if anchor.is_some() || !tag.is_empty() {
            // An anchor or tag with no content: an empty scalar.
            self.pop_state();
            let plain_implicit = tag.is_empty();
            let kind = EventKind::Scalar {
                value: Cow::Borrowed(""),
                style: ScalarStyle::Plain,
                plain_implicit,
            };
            return Ok(node_event(kind, anchor, tag));
        }
        Err(parser_error(
            "did not find expected node content",
            token.start,
            start,
        ))
    }

    fn parse_block_sequence_entry(&mut self, first: bool) -> Result<Event<'a>> {
        if first {
            let token = self.peek()?;
            self.marks.push(token.start);
            self.skip();
        }
        let token = self.peek()?;
        if token.tok == Tok::BlockEntry {
            self.skip();
            let token = self.peek()?;
            if token.tok != Tok::BlockEntry && token.tok != Tok::BlockEnd {
                self.states.push(State::BlockSequenceEntry);
                return self.parse_node(true, false);
            }
            self.state = State::BlockSequenceEntry;
            return Ok(empty_scalar());
        }
        if token.tok == Tok::BlockEnd {
            self.pop_state();
            self.marks.pop();
            self.skip();
            return Ok(Parser::event(EventKind::SequenceEnd));
        }
        let context = self.marks.pop().unwrap_or_default();
        Err(parser_error(
            "did not find expected '-' indicator",
            token.start,
            context,
        ))
    }

    fn parse_indentless_sequence_entry(&mut self) -> Result<Event<'a>> {
        let token = self.peek()?;
        if token.tok == Tok::BlockEntry {
            self.skip();
            let token = self.peek()?;
            if !matches!(
                token.tok,
                Tok::BlockEntry | Tok::Key | Tok::Value | Tok::BlockEnd
            ) {
                self.states.push(State::IndentlessSequenceEntry);
                return self.parse_node(true, false);
            }
            self.state = State::IndentlessSequenceEntry;
            return Ok(empty_scalar());
        }
        self.pop_state();
        Ok(Parser::event(EventKind::SequenceEnd))
    }

    fn parse_block_mapping_key(&mut self, first: bool) -> Result<Event<'a>> {
        if first {
            let token = self.peek()?;
            self.marks.push(token.start);
            self.skip();
        }
        let token = self.peek()?;
        if token.tok == Tok::Key {
            self.skip();
            let token = self.peek()?;
            if !matches!(token.tok, Tok::Key | Tok::Value | Tok::BlockEnd) {
                self.states.push(State::BlockMappingValue);
                return self.parse_node(true, true);
            }
            self.state = State::BlockMappingValue;
            return Ok(empty_scalar());
        }
        if token.tok == Tok::BlockEnd {
            self.pop_state();
            self.marks.pop();
            self.skip();
            return Ok(Parser::event(EventKind::MappingEnd));
        }
        let context = self.marks.pop().unwrap_or_default();
        Err(parser_error(
            "did not find expected key",
            token.start,
            context,
        ))
    }

    fn parse_block_mapping_value(&mut self) -> Result<Event<'a>> {
        let token = self.peek()?;
        if token.tok == Tok::Value {
            self.skip();
            let token = self.peek()?;
            if !matches!(token.tok, Tok::Key | Tok::Value | Tok::BlockEnd) {
                self.states.push(State::BlockMappingKey);
                return self.parse_node(true, true);
            }
            self.state = State::BlockMappingKey;
            return Ok(empty_scalar());
        }
        self.state = State::BlockMappingKey;
        Ok(empty_scalar())
    }

    fn parse_flow_sequence_entry(&mut self, first: bool) -> Result<Event<'a>> {
        if first {
            let token = self.peek()?;
            self.marks.push(token.start);
            self.skip();
        }
        let mut token = self.peek()?;
        if token.tok != Tok::FlowSequenceEnd {
            if !first {
                if token.tok == Tok::FlowEntry {
                    self.skip();
                    token = self.peek()?;
                } else {
                    let context = self.marks.pop().unwrap_or_default();
                    return Err(parser_error(
                        "did not find expected ',' or ']'",
                        token.start,
                        context,
                    ));
                }
            }
            if token.tok == Tok::Key {
                // `[a: b]`: a single-pair mapping inside the sequence.
                self.state = State::FlowSequenceEntryMappingKey;
                self.skip();
                return Ok(Parser::event(EventKind::MappingStart));
            }
            if token.tok != Tok::FlowSequenceEnd {
                self.states.push(State::FlowSequenceEntry);
                return self.parse_node(false, false);
            }
        }
        self.pop_state();
        self.marks.pop();
        self.skip();
        Ok(Parser::event(EventKind::SequenceEnd))
    }

    fn parse_flow_sequence_entry_mapping_key(&mut self) -> Result<Event<'a>> {
        let token = self.peek()?;
        if !matches!(
            token.tok,
            Tok::Value | Tok::FlowEntry | Tok::FlowSequenceEnd
        ) {
            self.states.push(State::FlowSequenceEntryMappingValue);
            return self.parse_node(false, false);
        }
        self.skip();
        self.state = State::FlowSequenceEntryMappingValue;
        Ok(empty_scalar())
    }

    fn parse_flow_sequence_entry_mapping_value(&mut self) -> Result<Event<'a>> {
        let mut token = self.peek()?;
        if token.tok == Tok::Value {
            self.skip();
            token = self.peek()?;
            if token.tok != Tok::FlowEntry && token.tok != Tok::FlowSequenceEnd {
                self.states.push(State::FlowSequenceEntryMappingEnd);
                return self.parse_node(false, false);
            }
        }
        self.state = State::FlowSequenceEntryMappingEnd;
        Ok(empty_scalar())
    }

    fn parse_flow_sequence_entry_mapping_end(&mut self) -> Result<Event<'a>> {
        // libyaml looks at the next token here, which may report an error.
        self.peek()?;
        self.state = State::FlowSequenceEntry;
        Ok(Parser::event(EventKind::MappingEnd))
    }

    fn parse_flow_mapping_key(&mut self, first: bool) -> Result<Event<'a>> {
        if first {
            let token = self.peek()?;
            self.marks.push(token.start);
            self.skip();
        }
        let mut token = self.peek()?;
        if token.tok != Tok::FlowMappingEnd {
            if !first {
                if token.tok == Tok::FlowEntry {
                    self.skip();
                    token = self.peek()?;
                } else {
                    let context = self.marks.pop().unwrap_or_default();
                    return Err(parser_error(
                        "did not find expected ',' or '}'",
                        token.start,
                        context,
                    ));
                }
            }
            if token.tok == Tok::Key {
                self.skip();
                let token = self.peek()?;
                if !matches!(token.tok, Tok::Value | Tok::FlowEntry | Tok::FlowMappingEnd) {
                    self.states.push(State::FlowMappingValue);
                    return self.parse_node(false, false);
                }
                self.state = State::FlowMappingValue;
                return Ok(empty_scalar());
            }
            if token.tok != Tok::FlowMappingEnd {
                self.states.push(State::FlowMappingEmptyValue);
                return self.parse_node(false, false);
            }
        }
        self.pop_state();
        self.marks.pop();
        self.skip();
        Ok(Parser::event(EventKind::MappingEnd))
    }

    fn parse_flow_mapping_value(&mut self, empty: bool) -> Result<Event<'a>> {
        let mut token = self.peek()?;
        if empty {
            self.state = State::FlowMappingKey;
            return Ok(empty_scalar());
        }
        if token.tok == Tok::Value {
            self.skip();
            token = self.peek()?;
            if token.tok != Tok::FlowEntry && token.tok != Tok::FlowMappingEnd {
                self.states.push(State::FlowMappingKey);
                return self.parse_node(false, false);
            }
        }
        self.state = State::FlowMappingKey;
        Ok(empty_scalar())
    }

    fn process_directives(&mut self) -> Result<()> {
        let mut version_seen = false;
        let mut token = self.peek()?;
        loop {
            match token.tok {
                Tok::VersionDirective => {
                    let TokenKind::VersionDirective(major, minor) = self.take() else {
                        break;
                    };
                    if version_seen {
                        return Err(parser_error(
                            "found duplicate %YAML directive",
                            token.start,
                            Mark::default(),
                        ));
                    }
                    if major != 1 || minor != 1 {
                        return Err(parser_error(
                            "found incompatible YAML document",
                            token.start,
                            Mark::default(),
                        ));
                    }
                    version_seen = true;
                }
                Tok::TagDirective => {
                    let TokenKind::TagDirective(parts) = self.take() else {
                        break;
                    };
                    let (handle, prefix) = *parts;
                    if self.tag_directives.iter().any(|(h, _)| *h == handle) {
                        return Err(parser_error(
                            "found duplicate %TAG directive",
                            token.start,
                            Mark::default(),
                        ));
                    }
                    self.tag_directives
                        .push((Cow::Owned(handle), Cow::Owned(prefix)));
                }
                _ => break,
            }
            token = self.peek()?;
        }
        for (handle, prefix) in DEFAULT_TAG_DIRECTIVES {
            if !self.tag_directives.iter().any(|(h, _)| h == handle) {
                self.tag_directives
                    .push((Cow::Borrowed(handle), Cow::Borrowed(prefix)));
            }
        }
        Ok(())
    }
}

fn empty_scalar<'a>() -> Event<'a> {
    Event {
        kind: EventKind::Scalar {
            value: Cow::Borrowed(""),
            style: ScalarStyle::Plain,
            plain_implicit: true,
        },
        props: None,
    }
}
