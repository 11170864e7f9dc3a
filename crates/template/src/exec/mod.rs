//! Execution: walks a parsed tree and writes the output, with Go's semantics.
//!
//! Go's executor works on `reflect.Value`s, and a few of its observable behaviours depend on
//! reflection details: whether a value is "invalid" (printed `<no value>`), or held in an
//! `interface {}` (a map or list element: field access on a nil one is a "nil pointer"
//! error and type errors name `interface {}`). [`Rv`] keeps exactly that much.
//!
//! Like Go, the executor tracks the node it is working on (`at`) and reports errors against
//! it, so error positions and quoted node texts match Go's, quirks included.

mod call;
mod eval;
mod rv;
mod walk;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use crate::ast::{
    CommandNode, ListNode, Node, Operand, PipeNode, TemplateNode, Tree, VariableNode,
};
use crate::error::{line_col, Error, ErrorInfo, ErrorKind, Location};
use crate::funcs::{CallContext, CallSite};
use crate::template::Templates;
use crate::value::{Str, Value};

pub(crate) use rv::{map_element, truth, ParamTypes, Rv, Ty};

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

type Result<T> = std::result::Result<T, Error>;

/// How much stack to keep free before recursing, and how much to add when it runs low.
/// Go's goroutine stacks grow on demand; `stacker` gives deep template recursion the same.
const STACK_RED_ZONE: usize = 128 * 1024;
const STACK_GROWTH: usize = 4 * 1024 * 1024;

/// Shared by an execution and the nested ones that `include`/`tpl` start.
pub(crate) struct Budget {
    steps: Cell<u64>,
    /// The template the caller asked to execute.
    entry: Str,
    /// How many calls each call site (template name, byte offset) has made so far.
    calls_per_site: RefCell<HashMap<(Str, usize), u64>>,
}

impl Budget {
    pub(crate) fn new(entry: &str) -> Budget {
        Budget {
            steps: Cell::new(0),
            entry: entry.into(),
            calls_per_site: RefCell::default(),
        }
    }
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
        Exec::run_tree(set, tree, data, budget)
    }

    /// Executes `tree` with `data` as dot, its calls resolved in `set`.
    pub(crate) fn run_tree(
        set: &'t Templates,
        tree: &'t Tree,
        data: &Value,
        budget: &Rc<Budget>,
    ) -> Result<String> {
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

impl CallContext for Exec<'_> {
    fn execute_template(&mut self, name: &str, data: &Value) -> Result<String> {
        Exec::run(self.set, name, data, &self.budget)
    }

    fn execute_text(&mut self, name: &str, text: &str, data: &Value) -> Result<String> {
        let mut set = self.set.clone();
        // Go executes the template it just parsed, even when the set kept an older one of
        // the same name over its empty body: that older one must not run in its place.
        match set.parse_reporting_empty(name, text)? {
            Some(tree) => Exec::run_tree(&set, &tree, data, &self.budget),
            None => Exec::run(&set, name, data, &self.budget),
        }
    }

    fn call_site(&mut self) -> CallSite {
        let template = self.tree.name.clone();
        let offset = self.node.map_or(0, |n| n.pos());
        let mut counts = self.budget.calls_per_site.borrow_mut();
        let count = counts.entry((template.clone(), offset)).or_insert(0);
        let occurrence = *count;
        *count += 1;
        CallSite {
            entry: self.budget.entry.to_string(),
            template: template.to_string(),
            offset,
            occurrence,
        }
    }
}
