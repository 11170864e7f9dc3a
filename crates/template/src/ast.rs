//! The parse tree, shaped like Go's `text/template/parse` nodes so that error positions and
//! the node text quoted in error messages (`executing "x" at <.a.b>`) come out as Go's do.
//!
//! Every node carries `pos`, the byte offset of the token Go records for that node in the
//! template source; `line` is kept where Go keeps it.

use std::sync::Arc;

use crate::value::Str;

/// Byte offset into the template source.
pub type Pos = usize;

/// One parsed template: the body of a file or of a `{{define}}` / `{{block}}`.
#[derive(Clone, Debug)]
pub struct Tree {
    /// The template's own name (`"x"` for `{{define "x"}}`).
    pub name: Str,
    /// The name of the top-level template being parsed, for error locations.
    pub parse_name: Str,
    /// The full source the positions refer to (the whole file, for defines too).
    pub source: Arc<str>,
    pub root: ListNode,
}

#[derive(Clone, Debug)]
pub struct ListNode {
    pub pos: Pos,
    pub nodes: Vec<Node>,
}

#[derive(Clone, Debug)]
pub enum Node {
    Text(TextNode),
    Action(ActionNode),
    If(BranchNode),
    Range(BranchNode),
    With(BranchNode),
    Template(TemplateNode),
    Break { pos: Pos, line: usize },
    Continue { pos: Pos, line: usize },
}

/// Text between actions. It is always a slice of the template source, so it shares the
/// source rather than copying it (a chart has thousands of text nodes).
#[derive(Clone, Debug)]
pub struct TextNode {
    pub pos: Pos,
    pub end: Pos,
    pub source: Arc<str>,
}

impl TextNode {
    pub fn text(&self) -> &str {
        self.source.get(self.pos..self.end).unwrap_or_default()
    }
}

#[derive(Clone, Debug)]
pub struct ActionNode {
    pub pos: Pos,
    pub line: usize,
    pub pipe: PipeNode,
}

/// `if`, `range` and `with`. `{{else if}}` / `{{else with}}` are parsed, as Go does, into an
/// else list holding a single nested branch node.
#[derive(Clone, Debug)]
pub struct BranchNode {
    pub pos: Pos,
    pub line: usize,
    pub pipe: PipeNode,
    pub list: ListNode,
    pub else_list: Option<ListNode>,
}

#[derive(Clone, Debug)]
pub struct TemplateNode {
    pub pos: Pos,
    pub line: usize,
    /// The unquoted template name.
    pub name: Str,
    pub pipe: Option<PipeNode>,
}

/// `$x := cmd | cmd`, `$x = cmd`, `$i, $v := ...` or a bare pipeline.
#[derive(Clone, Debug)]
pub struct PipeNode {
    pub pos: Pos,
    pub line: usize,
    /// `=` rather than `:=`.
    pub is_assign: bool,
    /// Declared or assigned variables (names include the `$`).
    pub decl: Vec<VariableNode>,
    pub cmds: Vec<CommandNode>,
}

#[derive(Clone, Debug)]
pub struct CommandNode {
    pub pos: Pos,
    pub args: Vec<Operand>,
}

/// A variable reference with an optional field chain: `$`, `$x`, `$x.a.b`.
#[derive(Clone, Debug)]
pub struct VariableNode {
    pub pos: Pos,
    /// `["$x", "a", "b"]` for `$x.a.b`.
    pub ident: Vec<Str>,
}

/// The arguments of a command.
#[derive(Clone, Debug)]
pub enum Operand {
    Bool {
        pos: Pos,
        value: bool,
    },
    Dot {
        pos: Pos,
    },
    Nil {
        pos: Pos,
    },
    Number(NumberNode),
    /// `quoted` is the source text with its quotes (Go prints it back in errors).
    String {
        pos: Pos,
        quoted: Str,
        text: Str,
    },
    /// `.a.b.c`: `["a", "b", "c"]`.
    Field {
        pos: Pos,
        ident: Vec<Str>,
    },
    Variable(VariableNode),
    /// A function name.
    Identifier {
        pos: Pos,
        name: Str,
    },
    /// A field chain on a term that is not dot or a variable: `(pipe).a.b`.
    Chain {
        pos: Pos,
        node: Box<Operand>,
        field: Vec<Str>,
    },
    /// A parenthesised pipeline.
    Pipe(Box<PipeNode>),
}

/// A numeric constant. Like Go, one literal may be usable as several types (`1` is an int,
/// a uint and a float; `1.0` is also an int); execution picks by context.
#[derive(Clone, Debug)]
pub struct NumberNode {
    pub pos: Pos,
    pub is_int: bool,
    pub is_uint: bool,
    pub is_float: bool,
    pub is_complex: bool,
    pub int64: i64,
    pub uint64: u64,
    pub float64: f64,
    /// The value of a complex constant (`1i`, `1+2i`) as (real, imaginary); Go prints it
    /// as `(1+2i)`.
    pub complex128: (f64, f64),
    /// The source text, as Go prints the node back.
    pub text: Str,
}

impl Operand {
    pub fn pos(&self) -> Pos {
        match self {
            Operand::Bool { pos, .. }
            | Operand::Dot { pos }
            | Operand::Nil { pos }
            | Operand::String { pos, .. }
            | Operand::Field { pos, .. }
            | Operand::Identifier { pos, .. }
            | Operand::Chain { pos, .. } => *pos,
            Operand::Number(n) => n.pos,
            Operand::Variable(v) => v.pos,
            Operand::Pipe(p) => p.pos,
        }
    }
}

impl Node {
    pub fn pos(&self) -> Pos {
        match self {
            Node::Text(t) => t.pos,
            Node::Action(a) => a.pos,
            Node::If(b) | Node::Range(b) | Node::With(b) => b.pos,
            Node::Template(t) => t.pos,
            Node::Break { pos, .. } | Node::Continue { pos, .. } => *pos,
        }
    }
}

/// Parenthesised pipelines nest up to Go's limit of 10,000; dropping such a tree
/// recursively would overflow a thread's stack, so each level makes sure there is room.
impl Drop for PipeNode {
    fn drop(&mut self) {
        if self.cmds.is_empty() {
            return;
        }
        let cmds = std::mem::take(&mut self.cmds);
        stacker::maybe_grow(64 * 1024, 1024 * 1024, move || drop(cmds));
    }
}

/// Control structures nest without a practical limit (as in Go); dropping them must not
/// overflow the stack either.
impl Drop for BranchNode {
    fn drop(&mut self) {
        if self.list.nodes.is_empty() && self.else_list.is_none() {
            return;
        }
        let list = std::mem::take(&mut self.list.nodes);
        let else_list = self.else_list.take();
        stacker::maybe_grow(64 * 1024, 1024 * 1024, move || drop((list, else_list)));
    }
}
