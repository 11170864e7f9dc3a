//! Execution: walks a parsed tree and writes the output, with Go's semantics.
//!
//! Go's executor works on `reflect.Value`s, and a few of its observable behaviours depend on
//! reflection details: whether a value is "invalid" (printed `<no value>`), or held in an
//! `interface {}` (a map or list element: field access on a nil one is a "nil pointer"
//! error and type errors name `interface {}`). [`Rv`] keeps exactly that much.
//!
//! Like Go, the executor tracks the node it is working on (`at`) and reports errors against
//! it, so error positions and quoted node texts match Go's, quirks included.

use std::cell::Cell;
use std::rc::Rc;

use crate::ast::{
    BranchNode, CommandNode, ListNode, Node, NumberNode, Operand, PipeNode, TemplateNode, Tree,
    VariableNode,
};
use crate::builtins::{self, Builtin};
use crate::error::{line_col, Error, ErrorInfo, ErrorKind, Location};
use crate::funcs::{CallContext, Function, GoType, Signature};
use crate::gofmt;
use crate::template::{MissingKey, Templates};
use crate::value::{IntType, List, ListType, Map, Member, Object, Str, Value};

/// A value as Go's reflection sees it during execution.
#[derive(Clone, Debug)]
pub(crate) enum Rv {
    /// The zero `reflect.Value`: "no value".
    Invalid,
    /// A value whose static type is its own type.
    Concrete(Value),
    /// A value held in an `interface {}`; `Boxed(Value::Nil)` is the nil interface.
    Boxed(Value),
}

impl Rv {
    /// The value a function parameter of type `interface {}` receives.
    pub(crate) fn into_value(self) -> Value {
        match self {
            Rv::Invalid => Value::Nil,
            Rv::Concrete(v) | Rv::Boxed(v) => v,
        }
    }

    /// Go's `indirectInterface`: the concrete value, or `None` for invalid and nil.
    pub(crate) fn concrete(&self) -> Option<&Value> {
        match self {
            Rv::Invalid | Rv::Boxed(Value::Nil) => None,
            Rv::Concrete(v) | Rv::Boxed(v) => Some(v),
        }
    }

    /// What a function result becomes: a nil result is a nil interface.
    pub(crate) fn from_result(value: Value) -> Rv {
        match value {
            Value::Nil => Rv::Boxed(Value::Nil),
            v => Rv::Concrete(v),
        }
    }

    /// What data handed to `Execute` becomes (`reflect.ValueOf(data)`).
    fn from_data(value: &Value) -> Rv {
        match value {
            Value::Nil => Rv::Invalid,
            v => Rv::Concrete(v.clone()),
        }
    }

    /// The static type name Go reports in "can't evaluate field" and type errors.
    fn static_type(&self) -> String {
        match self {
            Rv::Invalid => "<nil>".to_string(),
            Rv::Boxed(_) => "interface {}".to_string(),
            Rv::Concrete(v) => v.type_name(),
        }
    }
}

/// Go's truth of a value after `indirectInterface`.
pub(crate) fn truth(v: &Rv) -> bool {
    v.concrete().is_some_and(Value::is_true)
}

/// A parameter type: a Go type, or `reflect.Value` (builtins that see values raw).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    Reflect,
    Go(GoType),
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::Reflect => "reflect.Value",
            Ty::Go(t) => t.go_name(),
        }
    }

    fn can_be_nil(self) -> bool {
        !matches!(
            self,
            Ty::Go(GoType::String | GoType::Bool | GoType::Int | GoType::Int64 | GoType::Float64)
        )
    }

    /// `reflect.Zero(typ)` for the types that can be nil.
    fn zero(self) -> Rv {
        match self {
            Ty::Reflect => Rv::Invalid,
            Ty::Go(GoType::List) => Rv::Concrete(Value::List(List::new(Vec::new()))),
            Ty::Go(GoType::StringList) => {
                Rv::Concrete(Value::List(List::strings(Vec::<Str>::new())))
            }
            Ty::Go(GoType::Map) => Rv::Concrete(Value::Map(Map::new())),
            Ty::Go(_) => Rv::Boxed(Value::Nil),
        }
    }

    /// Go's `AssignableTo` for a concrete value.
    fn accepts(self, v: &Value) -> bool {
        match self {
            Ty::Reflect | Ty::Go(GoType::Any) => true,
            Ty::Go(GoType::String) => matches!(v, Value::String(_)),
            Ty::Go(GoType::Bool) => matches!(v, Value::Bool(_)),
            Ty::Go(GoType::Int) => matches!(v, Value::Int(_, IntType::Int)),
            Ty::Go(GoType::Int64) => matches!(v, Value::Int(_, IntType::Int64)),
            Ty::Go(GoType::Float64) => matches!(v, Value::Float(_)),
            Ty::Go(GoType::List) => {
                matches!(v, Value::List(l) if l.list_type() == ListType::Interface)
            }
            Ty::Go(GoType::StringList) => {
                matches!(v, Value::List(l) if l.list_type() == ListType::String)
            }
            Ty::Go(GoType::Map) => matches!(v, Value::Map(_)),
        }
    }
}

/// The node Go's executor is "at", for error reporting.
#[derive(Clone, Copy)]
enum At<'t> {
    Node(&'t Node),
    List(&'t ListNode),
    Pipe(&'t PipeNode),
    Command(&'t CommandNode),
    Operand(&'t Operand),
    Variable(&'t VariableNode),
    Template(&'t TemplateNode),
}

impl At<'_> {
    fn pos(&self) -> usize {
        match self {
            At::Node(n) => n.pos(),
            At::List(l) => l.pos,
            At::Pipe(p) => p.pos,
            At::Command(c) => c.pos,
            At::Operand(o) => o.pos(),
            At::Variable(v) => v.pos,
            At::Template(t) => t.pos,
        }
    }

    fn text(&self) -> String {
        match self {
            At::Node(n) => n.to_string(),
            At::List(l) => l.to_string(),
            At::Pipe(p) => p.to_string(),
            At::Command(c) => c.to_string(),
            At::Operand(o) => o.to_string(),
            At::Variable(v) => v.to_string(),
            At::Template(t) => Node::Template((*t).clone()).to_string(),
        }
    }
}

/// How a walk ended: normally, or by `{{break}}` / `{{continue}}` unwinding to its range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flow {
    Normal,
    Break,
    Continue,
}

/// What a command calls.
#[derive(Clone)]
enum Callee<'t> {
    Builtin(Builtin),
    Func(&'t Function),
    Method(std::sync::Arc<dyn Object>, Signature),
}

type Result<T> = std::result::Result<T, Error>;

/// How much stack to keep free before recursing, and how much to add when it runs low.
/// Go's goroutine stacks grow on demand; `stacker` gives deep template recursion the same.
const STACK_RED_ZONE: usize = 128 * 1024;
const STACK_GROWTH: usize = 4 * 1024 * 1024;

/// Shared by an execution and the nested ones that `include`/`tpl` start.
#[derive(Default)]
pub(crate) struct Budget {
    steps: Cell<u64>,
}

pub(crate) struct Exec<'t> {
    set: &'t Templates,
    tree: &'t Tree,
    node: Option<At<'t>>,
    vars: Vec<(Str, Rv)>,
    depth: usize,
    out: String,
    budget: Rc<Budget>,
}

impl<'t> Exec<'t> {
    /// Executes template `name` of `set` with `data` as dot.
    pub(crate) fn run(
        set: &'t Templates,
        name: &str,
        data: &Value,
        budget: &Rc<Budget>,
    ) -> Result<String> {
        let tree = set.tree(name).ok_or_else(|| set.no_template_error(name))?;
        let dot = Rv::from_data(data);
        let mut exec = Exec {
            set,
            tree,
            node: None,
            vars: vec![("$".into(), dot.clone())],
            depth: 0,
            out: String::new(),
            budget: budget.clone(),
        };
        stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || {
            exec.walk_list(&dot, &tree.root)
        })?;
        Ok(exec.out)
    }

    // ---- errors ----------------------------------------------------------------------

    fn at(&mut self, node: At<'t>) {
        self.node = Some(node);
    }

    /// An execution error at the current node, with Go's text.
    fn error(&self, message: impl Into<String>) -> Error {
        self.error_with(ErrorKind::Exec, message.into(), None)
    }

    fn error_with(&self, kind: ErrorKind, message: String, cause: Option<Error>) -> Error {
        let (location, context) = match &self.node {
            Some(node) => {
                let pos = node.pos();
                let context = node.text();
                let (line, col) = line_col(&self.tree.source, pos);
                let end = token_end(&self.tree.source, pos, context.len());
                let location = Location {
                    parse_name: self.tree.parse_name.clone(),
                    line,
                    col,
                    span: pos..end,
                };
                (Some(location), Some(context))
            }
            None => (None, None),
        };
        Error::from(ErrorInfo {
            kind,
            message,
            template: Some(self.tree.name.clone()),
            location,
            context,
            cause,
        })
    }

    fn tick(&self) -> Result<()> {
        let steps = self.budget.steps.get() + 1;
        self.budget.steps.set(steps);
        if steps > self.set.limits().max_steps {
            return Err(self.error_with(
                ErrorKind::Limit,
                format!(
                    "execution exceeded the limit of {} steps",
                    self.set.limits().max_steps
                ),
                None,
            ));
        }
        Ok(())
    }

    fn write(&mut self, text: &str) -> Result<()> {
        let limit = self.set.limits().max_output_bytes;
        if self.out.len() + text.len() > limit {
            return Err(self.error_with(
                ErrorKind::Limit,
                format!("output exceeds the limit of {limit} bytes"),
                None,
            ));
        }
        self.out.push_str(text);
        Ok(())
    }

    // ---- variables -------------------------------------------------------------------

    fn var_value(&self, name: &str) -> Result<Rv> {
        match self.vars.iter().rev().find(|(n, _)| &**n == name) {
            Some((_, v)) => Ok(v.clone()),
            None => Err(self.error(format!("undefined variable: {name}"))),
        }
    }

    fn set_var(&mut self, name: &str, value: Rv) -> Result<()> {
        match self.vars.iter_mut().rev().find(|(n, _)| &**n == name) {
            Some(slot) => {
                slot.1 = value;
                Ok(())
            }
            None => Err(self.error(format!("undefined variable: {name}"))),
        }
    }

    /// Sets the variable `n` places from the top of the stack (range iterations).
    fn set_top_var(&mut self, n: usize, value: Rv) {
        let len = self.vars.len();
        if let Some(slot) = self.vars.get_mut(len.wrapping_sub(n)) {
            slot.1 = value;
        }
    }

    // ---- walking ---------------------------------------------------------------------

    fn walk_list(&mut self, dot: &Rv, list: &'t ListNode) -> Result<Flow> {
        self.at(At::List(list));
        for node in &list.nodes {
            let flow = self.walk(dot, node)?;
            if flow != Flow::Normal {
                return Ok(flow);
            }
        }
        Ok(Flow::Normal)
    }

    fn walk(&mut self, dot: &Rv, node: &'t Node) -> Result<Flow> {
        self.tick()?;
        self.at(At::Node(node));
        match node {
            Node::Text(t) => self.write(&t.text)?,
            Node::Action(action) => {
                // Variables declared here live until the enclosing {{end}}.
                let value = self.eval_pipeline(dot, &action.pipe)?;
                if action.pipe.decl.is_empty() {
                    self.print_value(At::Node(node), &value)?;
                }
            }
            Node::If(branch) => return self.walk_if_or_with(false, dot, branch),
            Node::With(branch) => return self.walk_if_or_with(true, dot, branch),
            Node::Range(branch) => return self.walk_range(dot, branch),
            Node::Template(t) => self.walk_template(dot, t)?,
            Node::Break { .. } => return Ok(Flow::Break),
            Node::Continue { .. } => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    fn walk_if_or_with(&mut self, is_with: bool, dot: &Rv, branch: &'t BranchNode) -> Result<Flow> {
        let mark = self.vars.len();
        let result = self.walk_if_or_with_body(is_with, dot, branch);
        self.vars.truncate(mark);
        result
    }

    fn walk_if_or_with_body(
        &mut self,
        is_with: bool,
        dot: &Rv,
        branch: &'t BranchNode,
    ) -> Result<Flow> {
        let value = self.eval_pipeline(dot, &branch.pipe)?;
        if truth(&value) {
            let dot = if is_with { &value } else { dot };
            self.walk_list(dot, &branch.list)
        } else if let Some(else_list) = &branch.else_list {
            self.walk_list(dot, else_list)
        } else {
            Ok(Flow::Normal)
        }
    }

    fn walk_range(&mut self, dot: &Rv, range: &'t BranchNode) -> Result<Flow> {
        let mark = self.vars.len();
        let result = self.walk_range_body(dot, range);
        self.vars.truncate(mark);
        // A {{break}} ends only its own range.
        result.map(|_| Flow::Normal)
    }

    fn walk_range_body(&mut self, dot: &Rv, range: &'t BranchNode) -> Result<Flow> {
        let value = self.eval_pipeline(dot, &range.pipe)?;
        let mark = self.vars.len();
        let items: Vec<(Rv, Rv)> = match &value {
            Rv::Invalid | Rv::Boxed(Value::Nil) => Vec::new(),
            Rv::Concrete(v) | Rv::Boxed(v) => match v {
                Value::List(list) => {
                    let boxed = list.list_type() == ListType::Interface;
                    list.items()
                        .iter()
                        .enumerate()
                        .map(|(i, item)| (Rv::Concrete(Value::int(i as i64)), element(item, boxed)))
                        .collect()
                }
                Value::Bytes(bytes) => bytes
                    .iter()
                    .enumerate()
                    .map(|(i, b)| {
                        let byte = Value::Uint((*b).into(), crate::value::UintType::Uint8);
                        (Rv::Concrete(Value::int(i as i64)), Rv::Concrete(byte))
                    })
                    .collect(),
                Value::Map(map) => map
                    .entries()
                    .into_iter()
                    .map(|(k, v)| (Rv::Concrete(Value::String(k)), Rv::Boxed(v)))
                    .collect(),
                Value::Int(..) | Value::Uint(..) => {
                    return self.range_over_int(dot, range, v, mark)
                }
                Value::Object(obj) => match obj.iterate() {
                    Some(items) => items
                        .into_iter()
                        .enumerate()
                        .map(|(i, item)| {
                            (Rv::Concrete(Value::int(i as i64)), Rv::from_result(item))
                        })
                        .collect(),
                    None => return Err(self.range_error(v)),
                },
                _ => return Err(self.range_error(v)),
            },
        };
        if items.is_empty() {
            return self.walk_range_else(dot, range);
        }
        for (index, elem) in items {
            if self.range_iteration(range, index, elem, mark)? == Flow::Break {
                break;
            }
        }
        Ok(Flow::Normal)
    }

    fn range_error(&self, v: &Value) -> Error {
        self.error(format!(
            "range can't iterate over {}",
            gofmt::sprint(std::slice::from_ref(v))
        ))
    }

    fn walk_range_else(&mut self, dot: &Rv, range: &'t BranchNode) -> Result<Flow> {
        match &range.else_list {
            Some(list) => self.walk_list(dot, list),
            None => Ok(Flow::Normal),
        }
    }

    /// `{{range 5}}` (Go 1.22): 0..n, each value given as both index and element.
    fn range_over_int(
        &mut self,
        dot: &Rv,
        range: &'t BranchNode,
        n: &Value,
        mark: usize,
    ) -> Result<Flow> {
        if range.pipe.decl.len() > 1 {
            return Err(self.error(format!(
                "can't use {} to iterate over more than one variable",
                gofmt::sprint(std::slice::from_ref(n))
            )));
        }
        let count: u64 = match n {
            Value::Int(i, _) => (*i).max(0) as u64,
            Value::Uint(u, _) => *u,
            _ => 0,
        };
        if count == 0 {
            return self.walk_range_else(dot, range);
        }
        for i in 0..count {
            let item = match n {
                Value::Int(_, t) => Value::Int(i as i64, *t),
                Value::Uint(_, t) => Value::Uint(i, *t),
                _ => Value::Nil,
            };
            let flow =
                self.range_iteration(range, Rv::Concrete(item.clone()), Rv::Concrete(item), mark)?;
            if flow == Flow::Break {
                break;
            }
        }
        Ok(Flow::Normal)
    }

    fn range_iteration(
        &mut self,
        range: &'t BranchNode,
        index: Rv,
        elem: Rv,
        mark: usize,
    ) -> Result<Flow> {
        self.tick()?;
        let decl = &range.pipe.decl;
        if range.pipe.is_assign {
            // `range $i, $v = ...` assigns existing variables: index first when two.
            match decl.len() {
                0 => {}
                1 => self.set_var(&decl[0].ident[0], elem.clone())?,
                _ => {
                    self.set_var(&decl[0].ident[0], index)?;
                    self.set_var(&decl[1].ident[0], elem.clone())?;
                }
            }
        } else {
            if !decl.is_empty() {
                self.set_top_var(1, elem.clone());
            }
            if decl.len() > 1 {
                self.set_top_var(2, index);
            }
        }
        let flow = self.walk_list(&elem, &range.list);
        self.vars.truncate(mark);
        flow
    }

    fn walk_template(&mut self, dot: &Rv, node: &'t TemplateNode) -> Result<()> {
        self.at(At::Template(node));
        let set = self.set;
        let Some(tree) = set.tree(&node.name) else {
            return Err(self.error(format!("template {} not defined", gofmt::quote(&node.name))));
        };
        if self.depth >= set.limits().max_template_depth {
            return Err(self.error(format!(
                "exceeded maximum template depth ({})",
                set.limits().max_template_depth
            )));
        }
        // Variables the pipeline declares stay in the caller's scope.
        let dot = match &node.pipe {
            Some(pipe) => self.eval_pipeline(dot, pipe)?,
            None => Rv::Invalid,
        };
        // No dynamic scoping: the called template sees only `$`.
        let saved_vars = std::mem::replace(&mut self.vars, vec![("$".into(), dot.clone())]);
        let saved_tree = std::mem::replace(&mut self.tree, tree);
        self.depth += 1;
        let result = stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || {
            self.walk_list(&dot, &tree.root)
        });
        self.depth -= 1;
        self.tree = saved_tree;
        self.vars = saved_vars;
        result.map(|_| ())
    }

    fn print_value(&mut self, node: At<'t>, value: &Rv) -> Result<()> {
        self.at(node);
        let text = match value {
            Rv::Invalid => "<no value>".to_string(),
            Rv::Concrete(Value::Func(f)) | Rv::Boxed(Value::Func(f)) => {
                return Err(self.error(format!(
                    "can't print {} of type {}",
                    node.text(),
                    f.type_name()
                )));
            }
            // Strings, integers and booleans are most of what templates print; they need
            // none of fmt's machinery.
            Rv::Concrete(Value::String(s)) | Rv::Boxed(Value::String(s)) => return self.write(s),
            Rv::Concrete(Value::Int(n, _)) | Rv::Boxed(Value::Int(n, _)) => n.to_string(),
            Rv::Concrete(Value::Bool(b)) | Rv::Boxed(Value::Bool(b)) => {
                return self.write(if *b { "true" } else { "false" })
            }
            Rv::Concrete(v) | Rv::Boxed(v) => gofmt::sprint(std::slice::from_ref(v)),
        };
        self.write(&text)
    }

    // ---- evaluation ------------------------------------------------------------------

    fn eval_pipeline(&mut self, dot: &Rv, pipe: &'t PipeNode) -> Result<Rv> {
        // Parenthesised pipelines nest up to 10,000 deep.
        stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || {
            self.eval_pipeline_inner(dot, pipe)
        })
    }

    fn eval_pipeline_inner(&mut self, dot: &Rv, pipe: &'t PipeNode) -> Result<Rv> {
        self.at(At::Pipe(pipe));
        let mut value: Option<Rv> = None;
        for cmd in &pipe.cmds {
            let result = self.eval_command(dot, cmd, value.take())?;
            // Like Go, look inside an interface {} result.
            value = Some(match result {
                Rv::Boxed(Value::Nil) => Rv::Invalid,
                Rv::Boxed(v) => Rv::Concrete(v),
                other => other,
            });
        }
        let value = value.unwrap_or(Rv::Invalid);
        for var in &pipe.decl {
            if pipe.is_assign {
                self.set_var(&var.ident[0], value.clone())?;
            } else {
                self.vars.push((var.ident[0].clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, args: &[Operand], fin: &Option<Rv>) -> Result<()> {
        if args.len() > 1 || fin.is_some() {
            return Err(self.error(format!("can't give argument to non-function {}", args[0])));
        }
        Ok(())
    }

    /// Evaluates one command; `fin` is the previous command's value in the pipeline.
    fn eval_command(&mut self, dot: &Rv, cmd: &'t CommandNode, fin: Option<Rv>) -> Result<Rv> {
        self.tick()?;
        let Some(first) = cmd.args.first() else {
            return Err(self.error("empty command"));
        };
        match first {
            Operand::Field { ident, .. } => {
                self.at(At::Operand(first));
                self.eval_field_chain(dot, dot, ident, Some(&cmd.args), fin)
            }
            Operand::Chain { .. } => self.eval_chain(dot, first, Some(&cmd.args), fin),
            Operand::Identifier { name, .. } => {
                self.eval_function(dot, first, name, At::Command(cmd), Some(&cmd.args), fin)
            }
            Operand::Pipe(pipe) => {
                self.not_a_function(&cmd.args, &fin)?;
                self.eval_pipeline(dot, pipe)
            }
            Operand::Variable(var) => self.eval_variable(dot, var, Some(&cmd.args), fin),
            _ => {
                self.at(At::Operand(first));
                self.not_a_function(&cmd.args, &fin)?;
                match first {
                    Operand::Bool { value, .. } => Ok(Rv::Concrete(Value::Bool(*value))),
                    Operand::Dot { .. } => Ok(dot.clone()),
                    Operand::Nil { .. } => Err(self.error("nil is not a command")),
                    Operand::Number(n) => self.ideal_constant(first, n),
                    Operand::String { text, .. } => Ok(Rv::Concrete(Value::String(text.clone()))),
                    _ => Err(self.error(format!(
                        "can't evaluate command {}",
                        gofmt::quote(&first.to_string())
                    ))),
                }
            }
        }
    }

    /// A number literal where no type is expected: Go picks float64 for literals written
    /// with a point or exponent, int otherwise.
    fn ideal_constant(&mut self, node: &'t Operand, n: &NumberNode) -> Result<Rv> {
        self.at(At::Operand(node));
        let text = &*n.text;
        let is_hex_int = text.len() > 2
            && text.starts_with('0')
            && matches!(text.as_bytes()[1], b'x' | b'X')
            && !text.contains(['p', 'P']);
        let is_rune = text.starts_with('\'');
        if n.is_complex {
            return Ok(Rv::Concrete(Value::Complex(n.complex128.0, n.complex128.1)));
        }
        if n.is_float && !is_hex_int && !is_rune && text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Ok(Rv::Concrete(Value::Float(n.float64)));
        }
        if n.is_int {
            return Ok(Rv::Concrete(Value::int(n.int64)));
        }
        if n.is_uint {
            return Err(self.error(format!("{text} overflows int")));
        }
        Ok(Rv::Invalid)
    }

    fn eval_chain(
        &mut self,
        dot: &Rv,
        chain: &'t Operand,
        args: Option<&'t [Operand]>,
        fin: Option<Rv>,
    ) -> Result<Rv> {
        self.at(At::Operand(chain));
        let Operand::Chain { node, field, .. } = chain else {
            return Err(self.error("internal error: not a chain"));
        };
        if matches!(**node, Operand::Nil { .. }) {
            return Err(self.error(format!("indirection through explicit nil in {chain}")));
        }
        let receiver = self.eval_arg(dot, None, node)?;
        self.eval_field_chain(dot, &receiver, field, args, fin)
    }

    fn eval_variable(
        &mut self,
        dot: &Rv,
        var: &'t VariableNode,
        args: Option<&'t [Operand]>,
        fin: Option<Rv>,
    ) -> Result<Rv> {
        self.at(At::Variable(var));
        let value = self.var_value(&var.ident[0])?;
        if var.ident.len() == 1 {
            if let Some(args) = args {
                self.not_a_function(args, &fin)?;
            } else if fin.is_some() {
                return Err(self.error(format!("can't give argument to non-function {var}")));
            }
            return Ok(value);
        }
        self.eval_field_chain(dot, &value, &var.ident[1..], args, fin)
    }

    fn eval_field_chain(
        &mut self,
        dot: &Rv,
        receiver: &Rv,
        ident: &'t [Str],
        args: Option<&'t [Operand]>,
        fin: Option<Rv>,
    ) -> Result<Rv> {
        let Some((last, init)) = ident.split_last() else {
            return Ok(receiver.clone());
        };
        let Some((first, middle)) = init.split_first() else {
            return self.eval_field(dot, last, args, fin, receiver);
        };
        let mut current = self.eval_field(dot, first, None, None, receiver)?;
        for name in middle {
            current = self.eval_field(dot, name, None, None, &current)?;
        }
        self.eval_field(dot, last, args, fin, &current)
    }

    /// `.Name` on `receiver`, possibly a method call with arguments.
    fn eval_field(
        &mut self,
        dot: &Rv,
        name: &'t str,
        args: Option<&'t [Operand]>,
        fin: Option<Rv>,
        receiver: &Rv,
    ) -> Result<Rv> {
        // Only error paths need the type name; computing it allocates.
        let static_type = || receiver.static_type();
        let value = match receiver {
            Rv::Invalid => {
                if self.set.missing_key() == MissingKey::Error {
                    return Err(
                        self.error(format!("nil data; no entry for key {}", gofmt::quote(name)))
                    );
                }
                return Ok(Rv::Invalid);
            }
            Rv::Boxed(Value::Nil) => {
                return Err(self.error(format!("nil pointer evaluating {}.{name}", static_type())));
            }
            Rv::Concrete(v) | Rv::Boxed(v) => v,
        };
        let has_args = args.is_some_and(|a| a.len() > 1) || fin.is_some();
        match value {
            Value::Object(obj) => match obj.member(name) {
                Member::Method(sig) => {
                    let call_node = self.node;
                    self.eval_call(
                        dot,
                        Callee::Method(obj.clone(), sig),
                        call_node,
                        name,
                        args,
                        fin,
                    )
                }
                Member::Field(v) => {
                    if has_args {
                        return Err(self.error(format!(
                            "{name} has arguments but cannot be invoked as function"
                        )));
                    }
                    Ok(Rv::from_result(v))
                }
                Member::Missing => Err(self.error(format!(
                    "can't evaluate field {name} in type {}",
                    static_type()
                ))),
            },
            Value::Map(map) => {
                if has_args {
                    return Err(self.error(format!("{name} is not a method but has arguments")));
                }
                match map.get(name) {
                    Some(v) => Ok(Rv::Boxed(v)),
                    None if self.set.missing_key() == MissingKey::Error => {
                        Err(self.error(format!("map has no entry for key {}", gofmt::quote(name))))
                    }
                    None => Ok(Rv::Boxed(Value::Nil)),
                }
            }
            _ => Err(self.error(format!(
                "can't evaluate field {name} in type {}",
                static_type()
            ))),
        }
    }

    fn eval_function(
        &mut self,
        dot: &Rv,
        ident: &'t Operand,
        name: &'t str,
        call_node: At<'t>,
        args: Option<&'t [Operand]>,
        fin: Option<Rv>,
    ) -> Result<Rv> {
        self.at(At::Operand(ident));
        let set = self.set;
        let callee = if let Some(f) = set.functions().get(name) {
            Callee::Func(f)
        } else if let Some(b) = Builtin::lookup(name) {
            Callee::Builtin(b)
        } else {
            return Err(self.error(format!("{} is not a defined function", gofmt::quote(name))));
        };
        self.eval_call(dot, callee, Some(call_node), name, args, fin)
    }

    fn eval_call(
        &mut self,
        dot: &Rv,
        callee: Callee<'t>,
        call_node: Option<At<'t>>,
        name: &'t str,
        args: Option<&'t [Operand]>,
        fin: Option<Rv>,
    ) -> Result<Rv> {
        let types = match &callee {
            Callee::Builtin(b) => b.signature(),
            Callee::Func(f) => ParamTypes::Go(&f.signature),
            Callee::Method(_, sig) => ParamTypes::Go(sig),
        };
        if let Callee::Builtin(b @ (Builtin::And | Builtin::Or)) = &callee {
            let b = *b;
            self.check_arity(name, types, args, &fin)?;
            return self.eval_and_or(dot, b == Builtin::Or, args, fin);
        }
        let call_args = args.map(|a| &a[1..]);
        let argv = self.eval_args(dot, name, types, args, fin)?;
        let result = match callee {
            Callee::Builtin(Builtin::Call) => {
                // Go names the callee by its source text, or by the piped value itself.
                let callee_name = match call_args.and_then(|a| a.first()) {
                    Some(arg) => arg.to_string(),
                    None => argv
                        .first()
                        .map(builtins::reflect_string)
                        .unwrap_or_default(),
                };
                builtins::call(&callee_name, argv)
            }
            Callee::Builtin(b) => builtins::call_builtin(b, argv),
            Callee::Func(f) => {
                let values: Vec<Value> = argv.into_iter().map(Rv::into_value).collect();
                f.call(self, &values).map(Rv::from_result)
            }
            Callee::Method(obj, _) => {
                let values: Vec<Value> = argv.into_iter().map(Rv::into_value).collect();
                obj.call_method(name, &values)
                    .map(Rv::from_result)
                    .map_err(Error::function)
            }
        };
        result.map_err(|cause| {
            if call_node.is_some() {
                self.node = call_node;
            }
            self.error_with(
                ErrorKind::Exec,
                format!("error calling {name}"),
                Some(cause),
            )
        })
    }

    fn check_arity(
        &self,
        name: &str,
        types: ParamTypes<'_>,
        args: Option<&[Operand]>,
        fin: &Option<Rv>,
    ) -> Result<()> {
        let given = args.map_or(0, |a| a.len().saturating_sub(1));
        let num_in = given + usize::from(fin.is_some());
        let fixed = types.fixed_len();
        if types.is_variadic() {
            if num_in < fixed {
                return Err(self.error(format!(
                    "wrong number of args for {name}: want at least {fixed} got {given}"
                )));
            }
        } else if num_in != fixed {
            return Err(self.error(format!(
                "wrong number of args for {name}: want {fixed} got {num_in}"
            )));
        }
        Ok(())
    }

    /// Checks the count, then evaluates each argument against its parameter type, the
    /// pipeline's previous value last.
    fn eval_args(
        &mut self,
        dot: &Rv,
        name: &str,
        types: ParamTypes<'_>,
        args: Option<&'t [Operand]>,
        fin: Option<Rv>,
    ) -> Result<Vec<Rv>> {
        self.check_arity(name, types, args, &fin)?;
        let args: &'t [Operand] = args.map_or(&[], |a| &a[1..]);
        let mut argv = Vec::with_capacity(args.len() + 1);
        // The arity check above guarantees every position has a parameter type.
        for (i, arg) in args.iter().enumerate() {
            let ty = types.param(i).unwrap_or(Ty::Go(GoType::Any));
            argv.push(self.eval_arg(dot, Some(ty), arg)?);
        }
        if let Some(fin) = fin {
            let ty = types.param(args.len()).unwrap_or(Ty::Go(GoType::Any));
            argv.push(self.validate_type(fin, Some(ty))?);
        }
        Ok(argv)
    }

    /// `and` / `or`: evaluate left to right and stop at the deciding argument.
    fn eval_and_or(
        &mut self,
        dot: &Rv,
        is_or: bool,
        args: Option<&'t [Operand]>,
        fin: Option<Rv>,
    ) -> Result<Rv> {
        let mut value = Rv::Invalid;
        for arg in args.map_or(&[][..], |a| &a[1..]) {
            value = self.eval_arg(dot, Some(Ty::Reflect), arg)?;
            if truth(&value) == is_or {
                return Ok(value);
            }
        }
        if let Some(fin) = fin {
            value = self.validate_type(fin, Some(Ty::Reflect))?;
        }
        Ok(value)
    }

    /// Evaluates an argument for a parameter of type `ty` (`None`: no type, as for the
    /// receiver of a chain).
    fn eval_arg(&mut self, dot: &Rv, ty: Option<Ty>, node: &'t Operand) -> Result<Rv> {
        self.at(At::Operand(node));
        match node {
            Operand::Dot { .. } => return self.validate_type(dot.clone(), ty),
            Operand::Nil { .. } => {
                return match ty {
                    None => Ok(Rv::Invalid),
                    Some(t) if t.can_be_nil() => Ok(t.zero()),
                    Some(t) => Err(self.error(format!("cannot assign nil to {}", t.name()))),
                };
            }
            Operand::Field { ident, .. } => {
                let v = self.eval_field_chain(dot, dot, ident, None, None)?;
                return self.validate_type(v, ty);
            }
            Operand::Variable(var) => {
                let v = self.eval_variable(dot, var, None, None)?;
                return self.validate_type(v, ty);
            }
            Operand::Pipe(pipe) => {
                let v = self.eval_pipeline(dot, pipe)?;
                return self.validate_type(v, ty);
            }
            Operand::Identifier { name, .. } => {
                let v = self.eval_function(dot, node, name, At::Operand(node), None, None)?;
                return self.validate_type(v, ty);
            }
            Operand::Chain { .. } => {
                let v = self.eval_chain(dot, node, None, None)?;
                return self.validate_type(v, ty);
            }
            Operand::Bool { .. } | Operand::Number(_) | Operand::String { .. } => {}
        }
        let Some(ty) = ty else {
            return Err(self.error(format!("can't handle {node} for arg of type <nil>")));
        };
        match (ty, node) {
            (Ty::Reflect | Ty::Go(GoType::Any), _) => self.eval_empty_interface(node),
            (Ty::Go(GoType::Bool), Operand::Bool { value, .. }) => {
                Ok(Rv::Concrete(Value::Bool(*value)))
            }
            (Ty::Go(GoType::Bool), _) => Err(self.error(format!("expected bool; found {node}"))),
            (Ty::Go(GoType::String), Operand::String { text, .. }) => {
                Ok(Rv::Concrete(Value::String(text.clone())))
            }
            (Ty::Go(GoType::String), _) => {
                Err(self.error(format!("expected string; found {node}")))
            }
            (Ty::Go(GoType::Int), Operand::Number(n)) if n.is_int => {
                Ok(Rv::Concrete(Value::Int(n.int64, IntType::Int)))
            }
            (Ty::Go(GoType::Int64), Operand::Number(n)) if n.is_int => {
                Ok(Rv::Concrete(Value::Int(n.int64, IntType::Int64)))
            }
            (Ty::Go(GoType::Int | GoType::Int64), _) => {
                Err(self.error(format!("expected integer; found {node}")))
            }
            (Ty::Go(GoType::Float64), Operand::Number(n)) if n.is_float => {
                Ok(Rv::Concrete(Value::Float(n.float64)))
            }
            (Ty::Go(GoType::Float64), _) => {
                Err(self.error(format!("expected float; found {node}")))
            }
            (Ty::Go(t @ (GoType::List | GoType::StringList | GoType::Map)), _) => Err(self.error(
                format!("can't handle {node} for arg of type {}", t.go_name()),
            )),
        }
    }

    fn eval_empty_interface(&mut self, node: &'t Operand) -> Result<Rv> {
        self.at(At::Operand(node));
        match node {
            Operand::Bool { value, .. } => Ok(Rv::Concrete(Value::Bool(*value))),
            Operand::Number(n) => self.ideal_constant(node, n),
            Operand::String { text, .. } => Ok(Rv::Concrete(Value::String(text.clone()))),
            _ => Err(self.error(format!(
                "can't handle assignment of {node} to empty interface argument"
            ))),
        }
    }

    /// Go's `validateType`: checks that `value` can be passed as `ty`.
    fn validate_type(&self, value: Rv, ty: Option<Ty>) -> Result<Rv> {
        let Some(ty) = ty else {
            return Ok(value);
        };
        match value {
            Rv::Invalid => {
                if ty.can_be_nil() {
                    Ok(ty.zero())
                } else {
                    Err(self.error(format!("invalid value; expected {}", ty.name())))
                }
            }
            Rv::Boxed(Value::Nil) if !matches!(ty, Ty::Reflect | Ty::Go(GoType::Any)) => Err(self
                .error(format!(
                    "wrong type for value; expected {}; got interface {{}}",
                    ty.name()
                ))),
            Rv::Concrete(v) | Rv::Boxed(v) if !ty.accepts(&v) => Err(self.error(format!(
                "wrong type for value; expected {}; got {}",
                ty.name(),
                v.type_name()
            ))),
            ok => Ok(ok),
        }
    }
}

/// Where to end the span of a node for a code frame: Go positions a node at one token,
/// so the span runs from there to the end of that word, within the node's text length.
fn token_end(source: &str, pos: usize, text_len: usize) -> usize {
    let rest = source.get(pos..).unwrap_or_default();
    let word = rest
        .find(|c: char| c.is_whitespace() || c == ')' || c == '}')
        .unwrap_or(rest.len());
    pos + word.clamp(1.min(rest.len()), text_len.max(1))
}

/// A list element: an `interface {}` for `[]interface {}`, a plain string for `[]string`.
fn element(item: &Value, boxed: bool) -> Rv {
    if boxed {
        Rv::Boxed(item.clone())
    } else {
        Rv::Concrete(item.clone())
    }
}

/// Parameter types of a callee, borrowed so a call allocates nothing to describe them.
#[derive(Clone, Copy)]
pub(crate) enum ParamTypes<'a> {
    Builtin {
        fixed: &'static [Ty],
        variadic: Option<Ty>,
    },
    Go(&'a Signature),
}

impl ParamTypes<'_> {
    fn fixed_len(self) -> usize {
        match self {
            ParamTypes::Builtin { fixed, .. } => fixed.len(),
            ParamTypes::Go(sig) => sig.params.len(),
        }
    }

    fn is_variadic(self) -> bool {
        match self {
            ParamTypes::Builtin { variadic, .. } => variadic.is_some(),
            ParamTypes::Go(sig) => sig.variadic.is_some(),
        }
    }

    /// The type of argument `i`: a fixed parameter, or the variadic element type.
    fn param(self, i: usize) -> Option<Ty> {
        match self {
            ParamTypes::Builtin { fixed, variadic } => fixed.get(i).copied().or(variadic),
            ParamTypes::Go(sig) => sig.params.get(i).copied().or(sig.variadic).map(Ty::Go),
        }
    }
}

impl CallContext for Exec<'_> {
    fn execute_template(&mut self, name: &str, data: &Value) -> Result<String> {
        Exec::run(self.set, name, data, &self.budget)
    }

    fn execute_text(&mut self, name: &str, text: &str, data: &Value) -> Result<String> {
        let mut set = self.set.clone();
        set.parse(name, text)?;
        Exec::run(&set, name, data, &self.budget)
    }
}
