//! Go's `Node.String()` for the parse tree.
//!
//! Exec errors quote nodes the way Go prints them (`executing "t" at <.a.b>`), and a few
//! parse errors quote node text (`unexpected . after term "\"x\""`), so every `Display` here
//! reproduces Go's output byte for byte. Text nodes print raw, as Go's `TextNode.String()`
//! does outside its own tests.

use std::fmt::{self, Display, Formatter, Write};

use crate::ast::{
    ActionNode, BranchNode, CommandNode, ListNode, Node, NumberNode, Operand, PipeNode,
    TemplateNode, TextNode, VariableNode,
};
use crate::gofmt::quote;

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
        f.write_str(self.text())
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

#[cfg(test)]
mod tests {
    use crate::parse::{parse, ParseOptions};

    /// The top-level tree of `text`, printed. Every name is a function here.
    fn printed(text: &str) -> String {
        let is_function = |_: &str| true;
        let options = ParseOptions {
            left_delim: "",
            right_delim: "",
            is_function: &is_function,
        };
        let parsed = parse("test", text, &options).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        parsed.main.root.to_string()
    }

    #[test]
    fn prints_like_go() {
        // Go's parse_test.go pairs; Go's tests print text quoted, here it prints raw.
        let cases = [
            ("", ""),
            ("{{/*\n\n\n*/}}", ""),
            (" \t\n", " \t\n"),
            ("some text", "some text"),
            ("{{.X}}", "{{.X}}"),
            ("{{printf}}", "{{printf}}"),
            ("{{$}}", "{{$}}"),
            (
                "{{with $x := 3}}{{$x 23}}{{end}}",
                "{{with $x := 3}}{{$x 23}}{{end}}",
            ),
            ("{{$.I}}", "{{$.I}}"),
            ("{{printf `%d` 23}}", "{{printf `%d` 23}}"),
            ("{{.X|.Y}}", "{{.X | .Y}}"),
            ("{{$x := .X|.Y}}", "{{$x := .X | .Y}}"),
            (
                "{{.X (.Y .Z) (.A | .B .C) (.E)}}",
                "{{.X (.Y .Z) (.A | .B .C) (.E)}}",
            ),
            ("{{(.Y .Z).Field}}", "{{(.Y .Z).Field}}"),
            ("{{if .X}}hello{{end}}", "{{if .X}}hello{{end}}"),
            (
                "{{if .X}}true{{else}}false{{end}}",
                "{{if .X}}true{{else}}false{{end}}",
            ),
            (
                "{{if .X}}true{{else if .Y}}false{{end}}",
                "{{if .X}}true{{else}}{{if .Y}}false{{end}}{{end}}",
            ),
            (
                "+{{if .X}}X{{else if .Y}}Y{{else if .Z}}Z{{end}}+",
                "+{{if .X}}X{{else}}{{if .Y}}Y{{else}}{{if .Z}}Z{{end}}{{end}}{{end}}+",
            ),
            ("{{range .X}}hello{{end}}", "{{range .X}}hello{{end}}"),
            (
                "{{range .X.Y.Z}}hello{{end}}",
                "{{range .X.Y.Z}}hello{{end}}",
            ),
            (
                "{{range .X}}hello{{range .Y}}goodbye{{end}}{{end}}",
                "{{range .X}}hello{{range .Y}}goodbye{{end}}{{end}}",
            ),
            (
                "{{range .X}}true{{else}}false{{end}}",
                "{{range .X}}true{{else}}false{{end}}",
            ),
            (
                "{{range .X|.M}}true{{else}}false{{end}}",
                "{{range .X | .M}}true{{else}}false{{end}}",
            ),
            ("{{range .SI}}{{.}}{{end}}", "{{range .SI}}{{.}}{{end}}"),
            (
                "{{range $x := .SI}}{{.}}{{end}}",
                "{{range $x := .SI}}{{.}}{{end}}",
            ),
            (
                "{{range $x, $y := .SI}}{{.}}{{end}}",
                "{{range $x, $y := .SI}}{{.}}{{end}}",
            ),
            (
                "{{range .SI}}{{.}}{{break}}{{end}}",
                "{{range .SI}}{{.}}{{break}}{{end}}",
            ),
            (
                "{{range .SI}}{{.}}{{continue}}{{end}}",
                "{{range .SI}}{{.}}{{continue}}{{end}}",
            ),
            (
                "{{range .SI 1 -3.2i true false 'a' nil}}{{end}}",
                "{{range .SI 1 -3.2i true false 'a' nil}}{{end}}",
            ),
            ("{{template `x`}}", r#"{{template "x"}}"#),
            ("{{template `x` .Y}}", r#"{{template "x" .Y}}"#),
            ("{{with .X}}hello{{end}}", "{{with .X}}hello{{end}}"),
            (
                "{{with .X}}hello{{else}}goodbye{{end}}",
                "{{with .X}}hello{{else}}goodbye{{end}}",
            ),
            (
                "{{with .X}}hello{{else with .Y}}goodbye{{end}}",
                "{{with .X}}hello{{else}}{{with .Y}}goodbye{{end}}{{end}}",
            ),
            (
                "{{with .X}}X{{else with .Y}}Y{{else with .Z}}Z{{end}}",
                "{{with .X}}X{{else}}{{with .Y}}Y{{else}}{{with .Z}}Z{{end}}{{end}}{{end}}",
            ),
            ("x \r\n\t{{- 3}}", "x{{3}}"),
            ("{{3 -}}\n\n\ty", "{{3}}y"),
            ("x \r\n\t{{- 3 -}}\n\n\ty", "x{{3}}y"),
            ("x\n{{-  3   -}}\ny", "x{{3}}y"),
            ("x \r\n\t{{- /* hi */}}", "x"),
            ("{{/* hi */ -}}\n\n\ty", "y"),
            ("x \r\n\t{{- /* */ -}}\n\n\ty", "xy"),
            (
                r#"{{block "foo" .}}hello{{end}}"#,
                r#"{{template "foo" .}}"#,
            ),
            ("{{ $x \n := \n 1 \n }}", "{{$x := 1}}"),
            ("{{\n\"x\"\n|\nprintf\n}}", r#"{{"x" | printf}}"#),
            ("{{/*\nhello\n*/}}", ""),
            ("{{-\n/*\nhello\n*/\n-}}", ""),
            (
                "{{range .SI}}{{.}}{{ continue }}{{end}}",
                "{{range .SI}}{{.}}{{continue}}{{end}}",
            ),
            (
                "{{range .SI}}{{.}}{{ break }}{{end}}",
                "{{range .SI}}{{.}}{{break}}{{end}}",
            ),
            ("{{$x := 0}}{{$x}}", "{{$x := 0}}{{$x}}"),
            ("{{$x:=.}}{{$x +2}}", "{{$x := .}}{{$x +2}}"),
            (
                "{{range $x := 0}}{{$x}}{{end}}",
                "{{range $x := 0}}{{$x}}{{end}}",
            ),
            (
                "{{range $x = 0}}{{$x}}{{end}}",
                "{{range $x = 0}}{{$x}}{{end}}",
            ),
            ("{{ (( 1 )) }}", "{{((1))}}"),
            ("{{ ((( 1 ))) | printf }}", "{{(((1))) | printf}}"),
            (
                "{{ if ((( true ))) }}YES{{ end }}",
                "{{if (((true)))}}YES{{end}}",
            ),
            ("{{fn 1 2}}", "{{fn 1 2}}"),
        ];
        for (text, expected) in cases {
            assert_eq!(printed(text), expected, "{text:?}");
        }
    }

    #[test]
    fn prints_literals_as_written() {
        assert_eq!(
            printed(r#"{{print "a\tb" `c\d` 0x1F 1_000 'x' 1.5e3 1+2i}}"#),
            r#"{{print "a\tb" `c\d` 0x1F 1_000 'x' 1.5e3 1+2i}}"#
        );
        assert_eq!(
            printed("{{$x = 1}}{{range $i, $v = .}}{{end}}"),
            "{{$x = 1}}{{range $i, $v = .}}{{end}}"
        );
        assert_eq!(
            printed("{{print.a}}{{$.x.y}}{{(1).a}}"),
            "{{print.a}}{{$.x.y}}{{(1).a}}"
        );
    }

    #[test]
    fn quotes_template_names_like_go() {
        assert_eq!(
            printed(r#"{{template "a\"b\n"}}"#),
            r#"{{template "a\"b\n"}}"#
        );
        assert_eq!(printed(r"{{template `x\y` .}}"), r#"{{template "x\\y" .}}"#);
        assert_eq!(
            printed("{{template \"é\\u00a0\"}}"),
            "{{template \"é\\u00a0\"}}"
        );
    }
}
