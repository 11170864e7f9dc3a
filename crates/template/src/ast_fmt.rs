//! Go's `Node.String()` for the parse tree.
//!
//! Exec errors quote nodes the way Go prints them (`executing "t" at <.a.b>`), and a few
//! parse errors quote node text (`unexpected . after term "\"x\""`), so every `Display` here
//! reproduces Go's output byte for byte. Text nodes print raw, as Go's `TextNode.String()`
//! does outside its own tests.

use std::fmt::{self, Display, Formatter, Write};

use crate::gofmt::quote;
use crate::ast::{
    ActionNode, BranchNode, CommandNode, ListNode, Node, NumberNode, Operand, PipeNode,
    TemplateNode, TextNode, VariableNode,
};

impl Display for ListNode {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.nodes.iter().try_for_each(|node| node.fmt(f))
    }
}

impl Display for Node {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Node::Text(text) => text.fmt(f),
            Node::Action(action) => action.fmt(f),
            Node::If(branch) => write_branch(f, "if", branch),
            Node::Range(branch) => write_branch(f, "range", branch),
            Node::With(branch) => write_branch(f, "with", branch),
            Node::Template(template) => template.fmt(f),
            Node::Break { .. } => f.write_str("{{break}}"),
            Node::Continue { .. } => f.write_str("{{continue}}"),
        }
    }
}

/// `{{if pipe}}list{{else}}list{{end}}`; an `else if` chain prints as nested ifs, as in Go.
fn write_branch(f: &mut Formatter<'_>, keyword: &str, branch: &BranchNode) -> fmt::Result {
    nested(|| {
        write!(f, "{{{{{keyword} {}}}}}{}", branch.pipe, branch.list)?;
        if let Some(else_list) = &branch.else_list {
            write!(f, "{{{{else}}}}{else_list}")?;
        }
        f.write_str("{{end}}")
    })
}

/// Runs one level of printing a nested structure: trees may nest thousands of levels deep
/// (parentheses, if chains), so the stack grows on demand as it does for parsing.
fn nested(print: impl FnOnce() -> fmt::Result) -> fmt::Result {
    const STACK_RED_ZONE: usize = 64 * 1024;
    const STACK_GROWTH: usize = 2 * 1024 * 1024;
    stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, print)
}

impl Display for TextNode {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Display for ActionNode {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{{{{{}}}}}", self.pipe)
    }
}

impl Display for TemplateNode {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{{{{template {}", quote(&self.name))?;
        if let Some(pipe) = &self.pipe {
            write!(f, " {pipe}")?;
        }
        f.write_str("}}")
    }
}

impl Display for PipeNode {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            write_joined(f, &self.decl, ", ")?;
            f.write_str(if self.is_assign { " = " } else { " := " })?;
        }
        write_joined(f, &self.cmds, " | ")
    }
}

impl Display for CommandNode {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, arg) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_char(' ')?;
            }
            // A pipeline prints bare on its own; as an argument it gets its parentheses back.
            match arg {
                Operand::Pipe(pipe) => nested(|| write!(f, "({pipe})"))?,
                other => other.fmt(f)?,
            }
        }
        Ok(())
    }
}

impl Display for VariableNode {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_joined(f, &self.ident, ".")
    }
}

impl Display for NumberNode {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Display for Operand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Bool { value, .. } => write!(f, "{value}"),
            Operand::Dot { .. } => f.write_char('.'),
            Operand::Nil { .. } => f.write_str("nil"),
            Operand::Number(number) => number.fmt(f),
            Operand::String { quoted, .. } => f.write_str(quoted),
            Operand::Field { ident, .. } => write_fields(f, ident),
            Operand::Variable(variable) => variable.fmt(f),
            Operand::Identifier { name, .. } => f.write_str(name),
            Operand::Chain { node, field, .. } => {
                match node.as_ref() {
                    Operand::Pipe(pipe) => nested(|| write!(f, "({pipe})"))?,
                    other => other.fmt(f)?,
                }
                write_fields(f, field)
            }
            Operand::Pipe(pipe) => nested(|| pipe.fmt(f)),
        }
    }
}

fn write_joined<T: Display>(f: &mut Formatter<'_>, items: &[T], separator: &str) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(separator)?;
        }
        item.fmt(f)?;
    }
    Ok(())
}

/// `.a.b` for `["a", "b"]`.
fn write_fields<T: Display>(f: &mut Formatter<'_>, fields: &[T]) -> fmt::Result {
    fields.iter().try_for_each(|field| write!(f, ".{field}"))
}
