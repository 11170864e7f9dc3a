//! The parser: Go's `text/template/parse` grammar over the tokens of [`crate::lex`],
//! building [`crate::ast`] trees with the positions and error texts Go produces.
//!
//! Go's parser panics out of deep recursion on the first error; here every step returns a
//! `Result` instead. Its error line is that of the most recently read token of the tree
//! being parsed (Go's `t.token[0].line`), so the parser tracks that token per tree.

use std::fmt;
use std::mem;
use std::sync::Arc;

use crate::ast::{
    ActionNode, BranchNode, CommandNode, ListNode, Node, Operand, PipeNode, Pos, TemplateNode,
    TextNode, Tree, VariableNode,
};
use crate::error::{line_col, Error, Location};
use crate::gofmt::quote;
use crate::lex::{self, Kind, LexOptions, Token, Tokens};
use crate::literal;
use crate::value::Str;

/// The result of parsing one text: its top-level tree and the `define`/`block` trees it
/// holds, in source order.
///
/// As in Go's tree set, no two trees share a name: a later definition replaces an empty
/// earlier one, and an empty one never replaces another. When a definition is named like
/// the text itself and the top level is empty, that definition is `main`.
pub(crate) struct Parsed {
    pub main: Tree,
    pub defines: Vec<Tree>,
}

/// Delimiters and the function check the parser needs.
pub(crate) struct ParseOptions<'a> {
    pub left_delim: &'a str,
    pub right_delim: &'a str,
    /// Whether a name is a defined function (builtin or registered).
    pub is_function: &'a dyn Fn(&str) -> bool,
}

/// Go's `maxStackDepth`: how deeply parenthesized pipelines may nest.
const MAX_PAREN_DEPTH: usize = 10_000;
/// How deeply control structures (`if`, `range`, `with`, `else if` chains, `block`
/// bodies) may nest. Go has no limit; every recursive walk of the tree (execution,
/// printing, dropping) grows its stack as needed, so this only bounds absurd inputs.
const MAX_CONTROL_DEPTH: usize = 100_000;
/// Deep nesting runs on stack segments that `stacker` adds when fewer than
/// `STACK_RED_ZONE` bytes remain, as Go's goroutine stacks grow on demand.
const STACK_RED_ZONE: usize = 64 * 1024;
const STACK_GROWTH: usize = 2 * 1024 * 1024;

// The crate's `Error` is large; internally the parser passes it boxed.
pub(crate) fn parse(name: &str, text: &str, opts: &ParseOptions<'_>) -> Result<Parsed, Error> {
    // Like Go, an empty delimiter means the default one.
    let lex_options = LexOptions {
        left_delim: Some(opts.left_delim)
            .filter(|d| !d.is_empty())
            .unwrap_or(lex::DEFAULT_LEFT_DELIM),
        right_delim: Some(opts.right_delim)
            .filter(|d| !d.is_empty())
            .unwrap_or(lex::DEFAULT_RIGHT_DELIM),
        break_ok: !(opts.is_function)("break"),
        continue_ok: !(opts.is_function)("continue"),
    };
    let mut parser = Parser {
        src: text,
        source: Arc::from(text),
        name: Str::from(name),
        lexed: lex::lex(text, &lex_options),
        cursor: 0,
        tree: TreeState::new(),
        control_depth: 0,
        is_function: opts.is_function,
        defines: Vec::new(),
    };
    parser.parse_text().map_err(|error| *error)
}

/// Go's `parse.IsEmptyTree`: whether a tree holds nothing but whitespace text.
pub(crate) fn is_empty_tree(tree: &Tree) -> bool {
    tree.root.nodes.iter().all(|node| match node {
        Node::Text(text) => text.text().trim().is_empty(),
        _ => false,
    })
}

type PResult<T> = Result<T, Box<Error>>;

struct Parser<'a> {
    src: &'a str,
    source: Arc<str>,
    /// The name of the text, which error messages and every tree's `parse_name` carry.
    name: Str,
    lexed: Tokens,
    /// Index of the next token to read.
    cursor: usize,
    tree: TreeState,
    control_depth: usize,
    is_function: &'a dyn Fn(&str) -> bool,
    defines: Vec<Tree>,
}

/// What Go keeps per tree while parsing; a `define` or `block` body starts afresh.
struct TreeState {
    /// Variables in scope; `$` always is.
    vars: Vec<Str>,
    range_depth: usize,
    paren_depth: usize,
    /// Line of the `{{` of the action being parsed, or 0: lexer errors on a later line
    /// say where the action started.
    action_line: usize,
    /// The furthest token read, where errors are reported.
    last_read: Option<usize>,
}

impl TreeState {
    fn new() -> TreeState {
        TreeState {
            vars: vec![Str::from("$")],
            range_depth: 0,
            paren_depth: 0,
            action_line: 0,
            last_read: None,
        }
    }
}

/// What a text-or-action step produced: a node, or the `{{end}}`/`{{else}}` that closes
/// the list being parsed.
enum Item {
    Node(Node),
    Stop(Stop),
}

enum Stop {
    End,
    /// `pos` is that of `}}`, or of the `if`/`with` of an `{{else if}}`/`{{else with}}`.
    Else {
        pos: Pos,
    },
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stop::End => "{{end}}",
            Stop::Else { .. } => "{{else}}",
        })
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BranchKind {
    If,
    Range,
    With,
}

impl BranchKind {
    /// The keyword, which is also the context in error messages.
    fn name(self) -> &'static str {
        match self {
            BranchKind::If => "if",
            BranchKind::Range => "range",
            BranchKind::With => "with",
        }
    }

    fn node(self, branch: BranchNode) -> Node {
        match self {
            BranchKind::If => Node::If(branch),
            BranchKind::Range => Node::Range(branch),
            BranchKind::With => Node::With(branch),
        }
    }

    /// The keyword that may follow `else` to chain a branch of the same kind.
    fn chain_keyword(self) -> Option<Kind> {
        match self {
            BranchKind::If => Some(Kind::If),
            BranchKind::With => Some(Kind::With),
            BranchKind::Range => None,
        }
    }
}

impl<'a> Parser<'a> {
    // ---- tokens ----------------------------------------------------------------------

    fn read(&mut self, index: usize) -> Token {
        let tokens = &self.lexed.tokens;
        // The stream ends with EOF or an error, which the parser never reads past; clamp
        // anyway rather than index out of bounds.
        let index = index.min(tokens.len() - 1);
        self.tree.last_read = Some(self.tree.last_read.map_or(index, |last| last.max(index)));
        tokens[index]
    }

    fn next(&mut self) -> Token {
        let token = self.read(self.cursor);
        self.cursor = (self.cursor + 1).min(self.lexed.tokens.len());
        token
    }

    fn peek(&mut self) -> Token {
        self.read(self.cursor)
    }

    fn backup(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    fn next_non_space(&mut self) -> Token {
        loop {
            let token = self.next();
            if token.kind != Kind::Space {
                return token;
            }
        }
    }

    fn peek_non_space(&mut self) -> Token {
        let token = self.next_non_space();
        self.backup();
        token
    }

    fn text(&self, token: Token) -> &'a str {
        token.text(self.src)
    }

    fn expect(&mut self, kind: Kind, context: &str) -> PResult<Token> {
        let token = self.next_non_space();
        if token.kind != kind {
            return self.unexpected(token, context);
        }
        Ok(token)
    }

    // ---- errors ----------------------------------------------------------------------

    fn fail<T>(&self, message: impl Into<String>) -> PResult<T> {
        Err(self.error_at(self.tree.last_read, message.into()))
    }

    fn error_at(&self, token: Option<usize>, message: String) -> Box<Error> {
        let token = token.and_then(|i| self.lexed.tokens.get(i));
        let (line, pos, end) = token.map_or((0, 0, 0), |t| (t.line, t.pos, t.end));
        let location = Location {
            parse_name: self.name.clone(),
            line,
            col: line_col(self.src, pos).1,
            span: pos..end,
        };
        Box::new(Error::parse(&self.name, location, message))
    }

    /// `unexpected <token> in <context>`, or the lexer's message for an error token.
    fn unexpected<T>(&self, token: Token, context: &str) -> PResult<T> {
        if token.kind == Kind::Error {
            return self.fail(self.lex_error_message(token));
        }
        self.fail(format!(
            "unexpected {} in {context}",
            self.lexed.describe(self.src, token)
        ))
    }

    fn lex_error_message(&self, token: Token) -> String {
        let message = self.lexed.error.clone().unwrap_or_default();
        let started = self.tree.action_line;
        if started == 0 || started == token.line {
            return message;
        }
        // "unclosed action started at", not "unclosed action in action started at".
        let joint = if message.ends_with(" action") {
            ""
        } else {
            " in action"
        };
        format!("{message}{joint} started at {}:{started}", self.name)
    }

    // ---- trees -----------------------------------------------------------------------

    /// The top level: text, actions and `{{define}}`s up to EOF.
    fn parse_text(&mut self) -> PResult<Parsed> {
        let mut root = ListNode {
            pos: self.peek().pos,
            nodes: Vec::new(),
        };
        while self.peek().kind != Kind::Eof {
            if self.peek().kind == Kind::LeftDelim {
                let delim = self.cursor;
                self.next();
                if self.next_non_space().kind == Kind::Define {
                    self.in_new_tree(Parser::definition)?;
                    continue;
                }
                self.cursor = delim;
            }
            match self.text_or_action()? {
                Item::Node(node) => root.nodes.push(node),
                Item::Stop(stop) => return self.fail(format!("unexpected {stop}")),
            }
        }
        let main = self.new_tree(self.name.clone(), root);
        let main = self.add_main(main)?;
        Ok(Parsed {
            main,
            defines: mem::take(&mut self.defines),
        })
    }

    fn new_tree(&self, name: Str, root: ListNode) -> Tree {
        Tree {
            name,
            parse_name: self.name.clone(),
            source: self.source.clone(),
            root,
        }
    }

    /// Runs `parse` with the fresh per-tree state of a `define` or `block` body.
    fn in_new_tree<T>(
        &mut self,
        parse: impl FnOnce(&mut Self) -> PResult<T>,
    ) -> PResult<(T, TreeState)> {
        let outer = mem::replace(&mut self.tree, TreeState::new());
        let result = parse(self);
        let inner = mem::replace(&mut self.tree, outer);
        Ok((result?, inner))
    }

    /// `{{define "name"}} list {{end}}`; the `define` keyword is past.
    fn definition(&mut self) -> PResult<()> {
        const CONTEXT: &str = "define clause";
        let token = self.next_non_space();
        if !matches!(token.kind, Kind::String | Kind::RawString) {
            return self.unexpected(token, CONTEXT);
        }
        let name = self.unquote(token)?;
        self.expect(Kind::RightDelim, CONTEXT)?;
        let (root, stop) = self.item_list()?;
        if let Stop::Else { .. } = stop {
            return self.fail(format!("unexpected {stop} in {CONTEXT}"));
        }
        let tree = self.new_tree(name, root);
        self.add_define(tree, self.tree.last_read)
    }

    /// Go's `Tree.add` for a definition: a name may be defined again only over an empty
    /// tree, and an empty definition never replaces another.
    fn add_define(&mut self, tree: Tree, at: Option<usize>) -> PResult<()> {
        match self.defines.iter().position(|t| t.name == tree.name) {
            None => self.defines.push(tree),
            Some(i) if is_empty_tree(&self.defines[i]) => self.defines[i] = tree,
            Some(_) if !is_empty_tree(&tree) => {
                return Err(self.multiple_definition(&tree.name, at))
            }
            Some(_) => {}
        }
        Ok(())
    }

    /// Go's `Tree.add` for the top level, which comes last.
    fn add_main(&mut self, main: Tree) -> PResult<Tree> {
        let Some(i) = self.defines.iter().position(|t| t.name == main.name) else {
            return Ok(main);
        };
        if is_empty_tree(&self.defines[i]) {
            self.defines.remove(i);
            return Ok(main);
        }
        if !is_empty_tree(&main) {
            return Err(self.multiple_definition(&main.name, self.tree.last_read));
        }
        Ok(self.defines.remove(i))
    }

    fn multiple_definition(&self, name: &str, at: Option<usize>) -> Box<Error> {
        self.error_at(
            at,
            format!("template: multiple definition of template {}", quote(name)),
        )
    }

    // ---- lists and actions -----------------------------------------------------------

    /// Nodes up to the `{{end}}` or `{{else}}` that closes them.
    fn item_list(&mut self) -> PResult<(ListNode, Stop)> {
        let mut list = ListNode {
            pos: self.peek_non_space().pos,
            nodes: Vec::new(),
        };
        while self.peek_non_space().kind != Kind::Eof {
            match self.text_or_action()? {
                Item::Node(node) => list.nodes.push(node),
                Item::Stop(stop) => return Ok((list, stop)),
            }
        }
        self.fail("unexpected EOF")
    }

    fn text_or_action(&mut self) -> PResult<Item> {
        let token = self.next_non_space();
        match token.kind {
            Kind::Text => {
                let text = TextNode {
                    pos: token.pos,
                    end: token.end,
                    source: self.source.clone(),
                };
                Ok(Item::Node(Node::Text(text)))
            }
            Kind::LeftDelim => {
                self.tree.action_line = token.line;
                let item = self.action();
                self.tree.action_line = 0;
                item
            }
            _ => self.unexpected(token, "input"),
        }
    }

    /// What follows `{{`: a control keyword or a pipeline.
    fn action(&mut self) -> PResult<Item> {
        let token = self.next_non_space();
        let node = match token.kind {
            Kind::Block => self.block()?,
            Kind::Break | Kind::Continue => self.loop_control(token)?,
            Kind::Else => return self.else_action().map(Item::Stop),
            Kind::End => {
                self.expect(Kind::RightDelim, "end")?;
                return Ok(Item::Stop(Stop::End));
            }
            Kind::If => self.branch(BranchKind::If)?,
            Kind::Range => self.branch(BranchKind::Range)?,
            Kind::With => self.branch(BranchKind::With)?,
            Kind::Template => self.template()?,
            _ => {
                self.backup();
                let first = self.peek();
                // Variables declared here stay in scope until the enclosing `{{end}}`.
                let pipe = self.pipeline("command", Kind::RightDelim)?;
                Node::Action(ActionNode {
                    pos: first.pos,
                    line: first.line,
                    pipe,
                })
            }
        };
        Ok(Item::Node(node))
    }

    /// `{{break}}` or `{{continue}}`, allowed only inside a range body.
    fn loop_control(&mut self, keyword: Token) -> PResult<Node> {
        let (pos, line) = (keyword.pos, keyword.line);
        let (name, node) = match keyword.kind {
            Kind::Break => ("{{break}}", Node::Break { pos, line }),
            _ => ("{{continue}}", Node::Continue { pos, line }),
        };
        let token = self.next_non_space();
        if token.kind != Kind::RightDelim {
            return self.unexpected(token, name);
        }
        if self.tree.range_depth == 0 {
            return self.fail(format!("{name} outside {{{{range}}}}"));
        }
        Ok(node)
    }

    /// `{{else}}`, or the `else` of `{{else if ...}}`/`{{else with ...}}`, whose keyword is
    /// left for the enclosing branch to find.
    fn else_action(&mut self) -> PResult<Stop> {
        let peek = self.peek_non_space();
        if matches!(peek.kind, Kind::If | Kind::With) {
            return Ok(Stop::Else { pos: peek.pos });
        }
        let token = self.expect(Kind::RightDelim, "else")?;
        Ok(Stop::Else { pos: token.pos })
    }

    /// `{{if pipeline}} list [{{else}} list] {{end}}`, and likewise range and with; the
    /// keyword is past. Variables declared in it go out of scope at its end.
    fn branch(&mut self, kind: BranchKind) -> PResult<Node> {
        self.nested(|p| {
            let vars = p.tree.vars.len();
            let branch = p.branch_body(kind);
            p.tree.vars.truncate(vars);
            Ok(kind.node(branch?))
        })
    }

    fn branch_body(&mut self, kind: BranchKind) -> PResult<BranchNode> {
        let pipe = self.pipeline(kind.name(), Kind::RightDelim)?;
        let in_range = usize::from(kind == BranchKind::Range);
        self.tree.range_depth += in_range;
        let body = self.item_list();
        self.tree.range_depth -= in_range;
        let (list, stop) = body?;
        let else_list = match stop {
            Stop::End => None,
            Stop::Else { pos } => Some(self.else_list(kind, pos)?),
        };
        Ok(BranchNode {
            pos: pipe.pos,
            line: pipe.line,
            pipe,
            list,
            else_list,
        })
    }

    /// The list after `{{else}}`. `{{else if}}` in an if and `{{else with}}` in a with open
    /// a nested branch that shares the closing `{{end}}`, as if written `{{else}}{{if
    /// ...}}...{{end}}{{end}}`.
    fn else_list(&mut self, kind: BranchKind, else_pos: Pos) -> PResult<ListNode> {
        if kind
            .chain_keyword()
            .is_some_and(|keyword| self.peek().kind == keyword)
        {
            self.next();
            let nested = self.branch(kind)?;
            return Ok(ListNode {
                pos: else_pos,
                nodes: vec![nested],
            });
        }
        let (list, stop) = self.item_list()?;
        match stop {
            Stop::End => Ok(list),
            Stop::Else { .. } => self.fail(format!("expected end; found {stop}")),
        }
    }

    /// Counts a level of control nesting around `parse`, growing the stack as needed.
    fn nested<T>(&mut self, parse: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        if self.control_depth >= MAX_CONTROL_DEPTH {
            return self.fail("max control structure depth exceeded");
        }
        self.control_depth += 1;
        let result = stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || parse(self));
        self.control_depth -= 1;
        result
    }

    /// `{{block "name" pipeline}} list {{end}}`: defines the template and invokes it.
    fn block(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "block clause";
        let token = self.next_non_space();
        let name = self.template_name(token, CONTEXT)?;
        let pipe = self.pipeline(CONTEXT, Kind::RightDelim)?;
        let ((root, stop), body) = self.nested(|p| p.in_new_tree(Parser::item_list))?;
        // Go reports a stray else against the enclosing tree, and a redefinition against
        // the body's.
        if let Stop::Else { .. } = stop {
            return self.fail(format!("unexpected {stop} in {CONTEXT}"));
        }
        let tree = self.new_tree(name.clone(), root);
        self.add_define(tree, body.last_read)?;
        Ok(Node::Template(TemplateNode {
            pos: token.pos,
            line: token.line,
            name,
            pipe: Some(pipe),
        }))
    }

    /// `{{template "name" [pipeline]}}`.
    fn template(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "template clause";
        let token = self.next_non_space();
        let name = self.template_name(token, CONTEXT)?;
        let pipe = if self.next_non_space().kind == Kind::RightDelim {
            None
        } else {
            self.backup();
            Some(self.pipeline(CONTEXT, Kind::RightDelim)?)
        };
        Ok(Node::Template(TemplateNode {
            pos: token.pos,
            line: token.line,
            name,
            pipe,
        }))
    }

    fn template_name(&self, token: Token, context: &str) -> PResult<Str> {
        match token.kind {
            Kind::String | Kind::RawString => self.unquote(token),
            _ => self.unexpected(token, context),
        }
    }

    fn unquote(&self, token: Token) -> PResult<Str> {
        match literal::unquote(self.text(token)) {
            Ok(text) => Ok(Str::from(text)),
            Err(message) => self.fail(message),
        }
    }

    // ---- pipelines -------------------------------------------------------------------

    /// `[declarations] command ('|' command)*` up to `end`.
    fn pipeline(&mut self, context: &str, end: Kind) -> PResult<PipeNode> {
        let first = self.peek_non_space();
        let mut pipe = PipeNode {
            pos: first.pos,
            line: first.line,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        self.declarations(&mut pipe, context)?;
        loop {
            let token = self.next_non_space();
            if token.kind == end {
                self.check_pipeline(&pipe, context)?;
                return Ok(pipe);
            }
            if !starts_operand(token.kind) {
                return self.unexpected(token, context);
            }
            self.backup();
            pipe.cmds.push(self.command()?);
        }
    }

    /// `$x :=`, `$x =`, and in a range `$i, $v :=` or `$i, $v =`. A variable not followed
    /// by one of these is left to be read as an operand.
    fn declarations(&mut self, pipe: &mut PipeNode, context: &str) -> PResult<()> {
        loop {
            let variable = self.peek_non_space();
            if variable.kind != Kind::Variable {
                return Ok(());
            }
            let at_variable = self.cursor;
            self.next();
            let next = self.peek_non_space();
            match next.kind {
                Kind::Assign | Kind::Declare => {
                    pipe.is_assign = next.kind == Kind::Assign;
                    self.next_non_space();
                    self.declare(pipe, variable);
                    return Ok(());
                }
                Kind::Char if self.text(next) == "," => {
                    self.next_non_space();
                    self.declare(pipe, variable);
                    if context != "range" || pipe.decl.len() >= 2 {
                        return self.fail(format!("too many declarations in {context}"));
                    }
                    let second = self.peek_non_space().kind;
                    if !matches!(second, Kind::Variable | Kind::RightDelim | Kind::RightParen) {
                        return self.fail("range can only initialize variables");
                    }
                }
                _ => {
                    self.cursor = at_variable;
                    return Ok(());
                }
            }
        }
    }

    /// Records a declared (or assigned: Go does not check) variable as in scope.
    fn declare(&mut self, pipe: &mut PipeNode, variable: Token) {
        let name = Str::from(self.text(variable));
        self.tree.vars.push(name.clone());
        pipe.decl.push(VariableNode {
            pos: variable.pos,
            ident: vec![name],
        });
    }

    fn check_pipeline(&self, pipe: &PipeNode, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return self.fail(format!("missing value for {context}"));
        }
        // Only the first command may start with a constant or dot: later ones receive the
        // previous result as their last argument.
        for (i, cmd) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                cmd.args.first(),
                Some(
                    Operand::Bool { .. }
                        | Operand::Dot { .. }
                        | Operand::Nil { .. }
                        | Operand::Number(_)
                        | Operand::String { .. }
                )
            ) {
                return self.fail(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                ));
            }
        }
        Ok(())
    }

    /// Space-separated operands up to `|` (consumed), `}}` or `)` (left for the pipeline).
    fn command(&mut self) -> PResult<CommandNode> {
        let mut cmd = CommandNode {
            pos: self.peek_non_space().pos,
            args: Vec::new(),
        };
        loop {
            self.peek_non_space();
            if let Some(operand) = self.operand()? {
                cmd.args.push(operand);
            }
            let token = self.next();
            match token.kind {
                Kind::Space => continue,
                Kind::RightDelim | Kind::RightParen => self.backup(),
                Kind::Pipe => {}
                _ => return self.unexpected(token, "operand"),
            }
            break;
        }
        Ok(cmd)
    }

    /// A term and the fields chained onto it (`.a.b`, `$x.a`, `(pipe).a`).
    fn operand(&mut self) -> PResult<Option<Operand>> {
        let Some(term) = self.term()? else {
            return Ok(None);
        };
        if self.peek().kind != Kind::Field {
            return Ok(Some(term));
        }
        // Go positions the result at the first chained field, even when it folds the
        // chain into the field or variable it follows.
        let pos = self.peek().pos;
        let mut fields = Vec::new();
        while self.peek().kind == Kind::Field {
            let field = self.next();
            fields.push(Str::from(&self.text(field)[1..]));
        }
        let operand = match term {
            Operand::Field { mut ident, .. } => {
                ident.extend(fields);
                Operand::Field { pos, ident }
            }
            Operand::Variable(VariableNode { mut ident, .. }) => {
                ident.extend(fields);
                Operand::Variable(VariableNode { pos, ident })
            }
            Operand::Bool { .. }
            | Operand::String { .. }
            | Operand::Number(_)
            | Operand::Nil { .. }
            | Operand::Dot { .. } => {
                return self.fail(format!(
                    "unexpected . after term {}",
                    quote(&term.to_string())
                ));
            }
            node => Operand::Chain {
                pos,
                node: Box::new(node),
                field: fields,
            },
        };
        Ok(Some(operand))
    }

    /// A literal, function name, dot, field, variable or parenthesized pipeline; `None`
    /// (with nothing consumed) for any other token.
    fn term(&mut self) -> PResult<Option<Operand>> {
        let token = self.next_non_space();
        let (pos, text) = (token.pos, self.text(token));
        let operand = match token.kind {
            Kind::Identifier => {
                if !(self.is_function)(text) {
                    return self.fail(format!("function {} not defined", quote(text)));
                }
                Operand::Identifier {
                    pos,
                    name: Str::from(text),
                }
            }
            Kind::Dot => Operand::Dot { pos },
            Kind::Nil => Operand::Nil { pos },
            Kind::Variable => self.use_variable(token)?,
            Kind::Field => Operand::Field {
                pos,
                ident: vec![Str::from(&text[1..])],
            },
            Kind::Bool => Operand::Bool {
                pos,
                value: text == "true",
            },
            Kind::CharConstant | Kind::Complex | Kind::Number => {
                match literal::number(pos, token.kind, text) {
                    Ok(number) => Operand::Number(number),
                    Err(message) => return self.fail(message),
                }
            }
            Kind::LeftParen => self.parenthesized()?,
            Kind::String | Kind::RawString => Operand::String {
                pos,
                quoted: Str::from(text),
                text: self.unquote(token)?,
            },
            _ => {
                self.backup();
                return Ok(None);
            }
        };
        Ok(Some(operand))
    }

    fn parenthesized(&mut self) -> PResult<Operand> {
        if self.tree.paren_depth >= MAX_PAREN_DEPTH {
            return self.fail("max expression depth exceeded");
        }
        self.tree.paren_depth += 1;
        let pipe = stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || {
            self.pipeline("parenthesized pipeline", Kind::RightParen)
        });
        self.tree.paren_depth -= 1;
        Ok(Operand::Pipe(Box::new(pipe?)))
    }

    fn use_variable(&self, token: Token) -> PResult<Operand> {
        let name = self.text(token);
        if !self.tree.vars.iter().any(|v| &**v == name) {
            return self.fail(format!("undefined variable {}", quote(name)));
        }
        Ok(Operand::Variable(VariableNode {
            pos: token.pos,
            ident: vec![Str::from(name)],
        }))
    }
}

/// Tokens that can begin a command.
fn starts_operand(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Bool
            | Kind::CharConstant
            | Kind::Complex
            | Kind::Dot
            | Kind::Field
            | Kind::Identifier
            | Kind::Number
            | Kind::Nil
            | Kind::RawString
            | Kind::String
            | Kind::Variable
            | Kind::LeftParen
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const FUNCTIONS: &[&str] = &[
        "printf", "print", "contains", "and", "not", "len", "index", "eq", "fn",
    ];

    fn parse_with(
        text: &str,
        left: &str,
        right: &str,
        functions: &[&str],
    ) -> Result<Parsed, Box<Error>> {
        let is_function = |name: &str| functions.contains(&name);
        let options = ParseOptions {
            left_delim: left,
            right_delim: right,
            is_function: &is_function,
        };
        parse("test", text, &options).map_err(Box::new)
    }

    fn parse_ok(text: &str) -> Parsed {
        parse_with(text, "", "", FUNCTIONS).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    fn error(text: &str) -> Error {
        match parse_with(text, "", "", FUNCTIONS) {
            Ok(parsed) => panic!("{text:?} parsed as {}", parsed.main.root),
            Err(e) => *e,
        }
    }

    /// The full error text: `template: test:LINE: MESSAGE`.
    fn error_text(text: &str) -> String {
        error(text).to_string()
    }

    #[test]
    fn go_parse_error_messages() {
        let cases = [
            ("{{}}", "1: missing value for command"),
            ("{{\n}}", "2: missing value for command"),
            ("hello{{range", "1: unclosed action"),
            ("{{end}}", "1: unexpected {{end}}"),
            ("{{else}}", "1: unexpected {{else}}"),
            ("{{if .X}}hello{{end}}{{else}}", "1: unexpected {{else}}"),
            (
                "{{if .X}}1{{else}}2{{else}}3{{end}}",
                "1: expected end; found {{else}}",
            ),
            ("hello{{range .x}}", "1: unexpected EOF"),
            ("hello{{range .x}}{{else}}", "1: unexpected EOF"),
            (
                "hello{{undefined}}",
                r#"1: function "undefined" not defined"#,
            ),
            ("{{$x}}", r#"1: undefined variable "$x""#),
            (
                "{{with $x := 4}}{{end}}{{$x}}",
                r#"1: undefined variable "$x""#,
            ),
            (
                "{{template $v}}",
                r#"1: unexpected "$v" in template clause"#,
            ),
            ("{{with $x.Y := 4}}{{end}}", r#"1: undefined variable "$x""#),
            (
                "{{template .X}}",
                r#"1: unexpected ".X" in template clause"#,
            ),
            ("{{printf 3, 4}}", r#"1: unexpected "," in operand"#),
            (
                "{{with $v, $u := 3}}{{end}}",
                "1: too many declarations in with",
            ),
            (
                "{{range $u, $v, $w := 3}}{{end}}",
                "1: too many declarations in range",
            ),
            ("{{printf (printf .).}}", "1: unexpected <.> in operand"),
            ("{{printf 3`x`}}", r#"1: unexpected "`x`" in operand"#),
            ("{{printf `x`.}}", "1: unexpected <.> in operand"),
            (
                "{{if .X}}a{{else if .Y}}b{{end}}{{end}}",
                "1: unexpected {{end}}",
            ),
            (
                "{{range .}}{{end}} {{break}}",
                "1: {{break}} outside {{range}}",
            ),
            (
                "{{range .}}{{end}} {{continue}}",
                "1: {{continue}} outside {{range}}",
            ),
            (
                "{{range .}}{{else}}{{break}}{{end}}",
                "1: {{break}} outside {{range}}",
            ),
            (
                "{{range .}}{{else}}{{continue}}{{end}}",
                "1: {{continue}} outside {{range}}",
            ),
            (
                "{{range .}}{{break 1}}{{end}}",
                r#"1: unexpected "1" in {{break}}"#,
            ),
            (
                "{{range .}}{{continue 1}}{{end}}",
                r#"1: unexpected "1" in {{continue}}"#,
            ),
            ("{{$x += 1}}{{$x}}", r#"1: undefined variable "$x""#),
            (
                "{{range $x := $y := 3}}{{end}}",
                r#"1: undefined variable "$y""#,
            ),
            ("{{$x:=.}}{{$x!2}}", "1: bad character U+0021 '!'"),
            ("{{$x:=.}}{{$x+2}}", "1: bad character U+002B '+'"),
            ("{{1.E}}", r#"1: illegal number syntax: "1.E""#),
            ("{{0.1.E}}", r#"1: unexpected . after term "0.1""#),
            ("{{true.E}}", r#"1: unexpected . after term "true""#),
            ("{{'a'.any}}", r#"1: unexpected . after term "'a'""#),
            (
                r#"{{"hello".guys}}"#,
                r#"1: unexpected . after term "\"hello\"""#,
            ),
            ("{{..E}}", r#"1: unexpected . after term ".""#),
            ("{{nil.E}}", r#"1: unexpected . after term "nil""#),
            ("{{12|.}}", "1: non executable command in pipeline stage 2"),
            (
                "{{.|12|printf}}",
                "1: non executable command in pipeline stage 2",
            ),
            (
                "{{.|printf|\"error\"}}",
                "1: non executable command in pipeline stage 3",
            ),
            (
                "{{12|printf|'e'}}",
                "1: non executable command in pipeline stage 3",
            ),
            (
                "{{.|true}}",
                "1: non executable command in pipeline stage 2",
            ),
            (
                "{{'c'|nil}}",
                "1: non executable command in pipeline stage 2",
            ),
            (
                r#"{{printf "%d" ( ) }}"#,
                "1: missing value for parenthesized pipeline",
            ),
            (
                r#"{{block "foo"}}hello{{end}}"#,
                "1: missing value for block clause",
            ),
            ("line1\n{{", "2: unclosed action"),
            ("line1\n{{define `x`}}line2\n{{", "3: unclosed action"),
            (
                "line1\n{{\"x\"\n\"y\"\n",
                "4: unclosed action started at test:2",
            ),
            ("{{\n\n\n\n\n", "6: unclosed action started at test:1"),
            ("line1\n{{\nx\n}}", r#"3: function "x" not defined"#),
            ("{{foo}}", r#"1: function "foo" not defined"#),
            ("{{/*}}", "1: unclosed comment"),
            ("{{/*\nhello\n}}", "1: unclosed comment"),
            ("{{.X (1 2 3}}", "1: unclosed left paren"),
            ("{{.X 1 2 3 ) }}", "1: unexpected right paren"),
            ("{{(.X 1 2 3", "1: unclosed action"),
            ("{{`x`3}}", r#"1: unexpected "3" in operand"#),
            ("{{a#}}", "1: bad character U+0023 '#'"),
            ("{{'a}}", "1: unterminated character constant"),
            (r#"{{"a}}"#, "1: unterminated quoted string"),
            ("{{`a}}", "1: unterminated raw quoted string"),
            ("{{0xi}}", r#"1: illegal number syntax: "0xi""#),
            ("{{3k}}", r#"1: bad number syntax: "3k""#),
            (
                "{{define `a`}}a{{end}}{{define `a`}}b{{end}}",
                r#"1: template: multiple definition of template "a""#,
            ),
            (
                "{{$x := 23}}{{with $x.y := 3}}{{$x 23}}{{end}}",
                r#"1: unexpected ":=" in operand"#,
            ),
            ("{{$a,$b,$c := 23}}", "1: too many declarations in command"),
            ("{{ $v := `\n` }} {{", "2: unclosed action"),
            ("{{range $k}}{{end}}", r#"1: undefined variable "$k""#),
            ("{{range $k, $v}}{{end}}", r#"1: undefined variable "$v""#),
            ("{{range $k,}}{{end}}", "1: missing value for range"),
            ("{{range $k, $v := }}{{end}}", "1: missing value for range"),
            (
                "{{range $k, .}}{{end}}",
                "1: range can only initialize variables",
            ),
            (
                "{{range $k, 123 := .}}{{end}}",
                "1: range can only initialize variables",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(
                error_text(text),
                format!("template: test:{expected}"),
                "{text:?}"
            );
        }
    }

    #[test]
    fn helm_observed_error_messages() {
        // Texts checked against Helm (Go 1.26).
        let cases = [
            ("{{ 1.2.3 }}", r#"1: unexpected ".3" in operand"#),
            (r#"{{ "\q" }}"#, "1: invalid syntax"),
            ("{{ '' }}", "1: invalid syntax"),
            (
                "{{range .}}{{else if .x}}{{end}}",
                "1: unexpected <if> in input",
            ),
            (
                "{{if .x}}a{{else with .y}}b{{end}}",
                "1: unexpected <with> in input",
            ),
            ("{{ (1 -}}", "1: unclosed left paren"),
            ("{{/* a */ }}", "1: comment ends before closing delimiter"),
            ("{{ # }}", r##"1: unexpected "#" in command"##),
            ("{{ \u{1} }}", "1: unrecognized character in action: U+0001"),
            (
                "{{if .}}{{define \"x\"}}{{end}}{{end}}",
                "1: unexpected <define> in command",
            ),
            (
                "line1\n{{ if .x }}\n{{ else }}\n{{ else }}\n{{ end }}",
                "4: expected end; found {{else}}",
            ),
            ("a\n{{ if .x }}\nb", "3: unexpected EOF"),
            ("a\n{{ \"x\n\" }}", "2: unterminated quoted string"),
            ("a\n{{ (1\n\n", "4: unclosed action started at test:2"),
            (
                "{{block \"x\" .}}\n\n{{else}}{{end}}",
                "1: unexpected {{else}} in block clause",
            ),
            (
                "{{define \"a\"}}a{{end}}\n{{define \"a\"}}\nb\n{{end\n}}\n",
                r#"5: template: multiple definition of template "a""#,
            ),
            ("{{define \"x\"}}\n{{/* unclosed", "2: unclosed comment"),
            ("{{block \"x\" .}}\n{{/* unclosed", "2: unclosed comment"),
            (
                "{{if 1}}\n{{/* unclosed",
                "2: unclosed comment in action started at test:1",
            ),
            (
                "{{ $x := 1 }}{{ if 1 }}{{ $y := 2 }}{{ end }}{{ $y }}",
                r#"1: undefined variable "$y""#,
            ),
            (
                r#"{{ template "a" | }}"#,
                r#"1: unexpected "|" in template clause"#,
            ),
            (
                "{{ 1 | 2 }}",
                "1: non executable command in pipeline stage 2",
            ),
            ("{{ 08 }}", r#"1: integer overflow: "08""#),
            ("{{ 'ab' }}", "1: malformed character constant: 'ab'"),
            (
                "x{{define \"test\"}}y{{end}}",
                r#"1: template: multiple definition of template "test""#,
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(
                error_text(text),
                format!("template: test:{expected}"),
                "{text:?}"
            );
        }
    }

    #[test]
    fn errors_carry_the_location_of_the_last_token_read() {
        let err = error("a\n  {{ foo }}");
        let location = err.location.clone().unwrap();
        assert_eq!(err.message, r#"function "foo" not defined"#);
        assert_eq!(err.template.as_deref(), Some("test"));
        assert_eq!(
            (
                &*location.parse_name,
                location.line,
                location.col,
                location.span
            ),
            ("test", 2, 5, 7..10)
        );
        // Go reads one token ahead of an undefined variable followed by a space.
        let location = error("{{ $x 1 }}").location.clone().unwrap();
        assert_eq!((location.line, location.span), (1, 6..7));
    }

    #[test]
    fn accepts_what_go_accepts() {
        for text in [
            "{{ 1 | }}",
            "{{ $x = 1 }}{{ $x }}",
            "{{ range $i, $v = . }}{{ end }}",
            "{{ with $x := 1 }}{{ $x }}{{ else }}{{ $x }}{{ end }}",
            "{{ define \"a\" }}{{ end }}{{ template \"a\" }}{{ template \"a\" 1 }}",
            "{{ template \"a\" $x := 1 }}",
            "{{ (1).x }}",
            "{{ print 0b101 0o17 017 1_000 .5 1e3 0x1F -0 1i 1+2i 0x1p-2 }}",
            "{{- /* c */ -}}  x",
            "{{ $ }}{{ $.x.y }}",
            "{{ print\n.x\n| printf }}",
        ] {
            parse_ok(text);
        }
    }

    #[test]
    fn break_is_a_function_when_one_is_defined() {
        let text = "{{range .X}}{{break 20}}{{end}}";
        assert!(parse_with(text, "", "", &["break"]).is_ok());
        assert!(parse_with(text, "", "", &[]).is_err());
        assert!(parse_with("{{continue 1}}", "", "", &["continue"]).is_ok());
    }

    #[test]
    fn custom_delimiters() {
        let parsed =
            parse_with("<<if .x>>a<<- .y ->> b<<end>>{{x}}", "<<", ">>", FUNCTIONS).unwrap();
        assert_eq!(
            parsed.main.root.to_string(),
            "{{if .x}}a{{.y}}b{{end}}{{x}}"
        );
    }

    fn first_action(text: &str) -> ActionNode {
        match parse_ok(text)
            .main
            .root
            .nodes
            .into_iter()
            .find(|n| matches!(n, Node::Action(_)))
        {
            Some(Node::Action(action)) => action,
            _ => panic!("no action in {text:?}"),
        }
    }

    /// The first argument of the last action of `text`.
    fn first_arg(text: &str) -> Operand {
        let last_action = parse_ok(text)
            .main
            .root
            .nodes
            .into_iter()
            .rev()
            .find_map(|n| match n {
                Node::Action(action) => Some(action),
                _ => None,
            });
        std::mem::take(&mut last_action.unwrap().pipe.cmds)
            .into_iter()
            .next()
            .unwrap()
            .args
            .into_iter()
            .next()
            .unwrap()
    }

    #[test]
    fn field_chains_take_the_position_of_the_first_chained_field() {
        assert!(
            matches!(first_arg("{{ .Values.a.b }}"), Operand::Field { pos: 10, ref ident } if ident.len() == 3)
        );
        assert!(matches!(
            first_arg("{{ .a }}"),
            Operand::Field { pos: 3, .. }
        ));
        let Operand::Variable(variable) = first_arg("{{ $x := 1 }}{{ $x.a.b }}") else {
            panic!()
        };
        assert_eq!(
            (variable.pos, variable.to_string()),
            (18, "$x.a.b".to_string())
        );
        let Operand::Variable(variable) = first_arg("{{ $.a }}") else {
            panic!()
        };
        assert_eq!((variable.pos, variable.ident.len()), (4, 2));
        let Operand::Chain { pos, node, field } = first_arg("{{ (print .).a.b }}") else {
            panic!()
        };
        assert_eq!((pos, field.len()), (12, 2));
        assert!(matches!(*node, Operand::Pipe(ref p) if p.pos == 4));
        assert!(matches!(
            first_arg("{{ print.a }}"),
            Operand::Chain { pos: 8, .. }
        ));
    }

    #[test]
    fn node_positions_and_lines() {
        let action = first_action("ab\n{{  printf  .x }}");
        assert_eq!(
            (action.pos, action.line, action.pipe.pos, action.pipe.line),
            (7, 2, 7, 2)
        );
        let cmd = &action.pipe.cmds[0];
        assert_eq!((cmd.pos, cmd.args[0].pos(), cmd.args[1].pos()), (7, 7, 15));
        let action = first_action("{{ $x := 1 | printf }}");
        assert_eq!(
            (
                action.pos,
                action.pipe.decl[0].pos,
                action.pipe.cmds[0].pos,
                action.pipe.cmds[1].pos
            ),
            (3, 3, 9, 13)
        );

        let parsed = parse_ok("x{{ if .a }} y {{ else if .b }}z{{ end }}");
        let Node::If(branch) = &parsed.main.root.nodes[1] else {
            panic!()
        };
        assert_eq!((branch.pos, branch.line, branch.list.pos), (7, 1, 12));
        let else_list = branch.else_list.as_ref().unwrap();
        assert_eq!(else_list.pos, 23);
        let Node::If(nested) = &else_list.nodes[0] else {
            panic!()
        };
        assert_eq!((nested.pos, nested.list.pos), (26, 31));

        let parsed = parse_ok("{{range .}}\n{{ break }}{{else}} e{{end}}");
        let Node::Range(branch) = &parsed.main.root.nodes[0] else {
            panic!()
        };
        assert!(matches!(
            branch.list.nodes[1],
            Node::Break { pos: 15, line: 2 }
        ));
        assert_eq!(branch.else_list.as_ref().unwrap().pos, 31);

        let parsed = parse_ok("{{ template \"t\" . }}\n{{ block `b` 1 }}x{{ end }}");
        let Node::Template(template) = &parsed.main.root.nodes[0] else {
            panic!()
        };
        assert_eq!((template.pos, template.line, &*template.name), (12, 1, "t"));
        let Node::Template(block) = &parsed.main.root.nodes[2] else {
            panic!()
        };
        assert_eq!((block.pos, block.line, &*block.name), (30, 2, "b"));
        assert_eq!(parsed.main.root.pos, 0);
        assert!(
            matches!(&parsed.main.root.nodes[1], Node::Text(t) if t.pos == 20 && t.text() == "\n")
        );
    }

    #[test]
    fn text_positions_follow_trimming() {
        let parsed = parse_ok("a  {{- 1 -}}  b");
        let positions: Vec<Pos> = parsed.main.root.nodes.iter().map(Node::pos).collect();
        assert_eq!(positions, [0, 7, 14]);
    }

    #[test]
    fn defines_and_blocks_become_trees() {
        let parsed =
            parse_ok("a{{block \"inner\" .}}bar{{.}}baz{{end}}b{{define `x`}} {{1}}{{end}}");
        assert_eq!(parsed.main.root.to_string(), "a{{template \"inner\" .}}b");
        let names: Vec<&str> = parsed.defines.iter().map(|t| &*t.name).collect();
        assert_eq!(names, ["inner", "x"]);
        let inner = &parsed.defines[0];
        assert_eq!(inner.root.to_string(), "bar{{.}}baz");
        assert_eq!(
            (&*inner.parse_name, &*inner.source, inner.root.pos),
            ("test", &*parsed.main.source, 20)
        );
        assert_eq!(parsed.defines[1].root.pos, 53);
        assert_eq!(&*parsed.main.name, "test");
    }

    #[test]
    fn definitions_follow_go_tree_set_rules() {
        // An empty redefinition keeps the first; a full one replaces an empty one.
        let parsed = parse_ok("{{define `a`}}a{{end}}{{define `a`}} {{end}}{{define `b`}}{{end}}{{define `b`}}b{{end}}");
        let bodies: Vec<String> = parsed
            .defines
            .iter()
            .map(|t| format!("{}={}", t.name, t.root))
            .collect();
        assert_eq!(bodies, ["a=a", "b=b"]);
        // A definition named like the text wins over an empty top level, and loses to an
        // empty one.
        let parsed = parse_ok("  {{define `test`}}y{{end}}");
        assert_eq!(
            (parsed.main.root.to_string(), parsed.defines.len()),
            ("y".to_string(), 0)
        );
        let parsed = parse_ok("x{{define `test`}}{{end}}");
        assert_eq!(
            (parsed.main.root.to_string(), parsed.defines.len()),
            ("x".to_string(), 0)
        );
    }

    #[test]
    fn variables_are_scoped_to_their_control_structure() {
        parse_ok("{{ $x := 1 }}{{ if 1 }}{{ $x }}{{ $y := 2 }}{{ $y }}{{ else }}{{ $x }}{{ end }}{{ $x }}");
        parse_ok("{{ range $i, $v := . }}{{ $i }}{{ $v }}{{ end }}");
        assert_eq!(
            error_text("{{ range $v := . }}{{ end }}{{ $v }}"),
            r#"template: test:1: undefined variable "$v""#
        );
        // A define or block body sees only `$`.
        assert_eq!(
            error_text("{{ $x := 1 }}{{ block `b` . }}{{ $x }}{{ end }}"),
            r#"template: test:1: undefined variable "$x""#
        );
        parse_ok("{{ $x := 1 }}{{ block `b` . }}{{ $ }}{{ end }}{{ $x }}");
    }

    #[test]
    fn empty_trees() {
        let cases = [
            ("", true),
            ("hello", false),
            (" \t\n \t\n", true),
            ("{{/* comment */}}", true),
            ("{{define \"x\"}}something{{end}}", true),
            (
                "{{define `x`}}something{{end}}\n\n{{define `y`}}something{{end}}\n\n",
                true,
            ),
            (
                "{{define `x`}}something{{end}}\nx\n{{define `y`}}something{{end}}\ny\n",
                false,
            ),
            ("{{define `x`}}something{{end}}{{if 3}}foo{{end}}", false),
        ];
        for (text, empty) in cases {
            assert_eq!(is_empty_tree(&parse_ok(text).main), empty, "{text:?}");
        }
    }

    /// Runs `test` on a thread with a stack large enough to drop the deepest trees that
    /// parse: unoptimized drop glue takes a few hundred bytes per level.
    fn with_large_stack(test: impl FnOnce() + Send + 'static) {
        let thread = std::thread::Builder::new()
            .stack_size(32 << 20)
            .spawn(test)
            .unwrap();
        thread.join().unwrap();
    }

    #[test]
    fn parentheses_nest_up_to_go_limit() {
        with_large_stack(|| {
            let nested = |depth: usize| {
                format!(
                    "{{{{ print {}1{} }}}}",
                    "(".repeat(depth),
                    ")".repeat(depth)
                )
            };
            let parsed = parse_ok(&nested(MAX_PAREN_DEPTH));
            assert_eq!(parsed.main.root.to_string().len(), 2 * MAX_PAREN_DEPTH + 11);
            assert_eq!(
                error_text(&nested(MAX_PAREN_DEPTH + 1)),
                "template: test:1: max expression depth exceeded"
            );
        });
    }

    #[test]
    fn control_structures_nest_up_to_a_limit() {
        with_large_stack(|| {
            let nested =
                |depth: usize| format!("{}x{}", "{{if 1}}".repeat(depth), "{{end}}".repeat(depth));
            let parsed = parse_ok(&nested(MAX_CONTROL_DEPTH));
            assert_eq!(parsed.main.root.to_string(), nested(MAX_CONTROL_DEPTH));
            let err = error(&nested(MAX_CONTROL_DEPTH + 1));
            assert_eq!(
                err.to_string(),
                "template: test:1: max control structure depth exceeded"
            );
            assert_eq!(
                err.location.as_ref().unwrap().span.start,
                8 * MAX_CONTROL_DEPTH + 2
            );
            // An else-if chain nests too.
            let chain =
                |depth: usize| format!("{{{{if 0}}}}{}{{{{end}}}}", "{{else if 0}}".repeat(depth));
            parse_ok(&chain(MAX_CONTROL_DEPTH - 1));
            assert!(parse_with(&chain(MAX_CONTROL_DEPTH), "", "", FUNCTIONS).is_err());
        });
    }

    #[test]
    fn never_panics_on_truncated_input() {
        let text = "a {{- if .x -}} {{ range $i, $v := .y }}{{ printf \"%d\" (len $v) | print }}{{ break }}{{ end }}\
                    {{ else with $z := 'c' }}{{ template `t` . }}{{ block \"b\" 1.5e3 }}{{/* c */}}{{ end }}{{ end }}";
        for end in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            let _ = parse_with(&text[..end], "", "", FUNCTIONS);
            let _ = parse_with(&text[end..], "", "", FUNCTIONS);
        }
    }
}
