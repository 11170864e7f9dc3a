//! Walking the tree: text, actions, `if`/`with`/`range`, `{{template}}`, printing.

use crate::ast::{BranchNode, ListNode, Node, TemplateNode};
use crate::gofmt;
use crate::value::{ListType, UintType, Value};

use super::rv::{element, map_element};
use super::{truth, At, Exec, Flow, Result, Rv, STACK_GROWTH, STACK_RED_ZONE};
use crate::error::Error;

impl<'t> Exec<'t> {
    pub(super) fn walk_list(&mut self, dot: &Rv, list: &'t ListNode) -> Result<Flow> {
        self.at(At::List(list));
        for node in &list.nodes {
            let flow = self.walk(dot, node)?;
            if flow != Flow::Normal {
                return Ok(flow);
            }
        }
        Ok(Flow::Normal)
    }

    pub(super) fn walk(&mut self, dot: &Rv, node: &'t Node) -> Result<Flow> {
        self.tick()?;
        self.at(At::Node(node));
        match node {
            Node::Text(t) => self.write(t.text())?,
            Node::Action(action) => {
                // Variables declared here live until the enclosing {{end}}.
                let value = self.eval_pipeline(dot, &action.pipe)?;
                if action.pipe.decl.is_empty() {
                    self.print_value(At::Node(node), &value)?;
                }
            }
            // Control structures nest as deep as the parser allows: grow the stack.
            Node::If(branch) => {
                return stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || {
                    self.walk_if_or_with(false, dot, branch)
                })
            }
            Node::With(branch) => {
                return stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || {
                    self.walk_if_or_with(true, dot, branch)
                })
            }
            Node::Range(branch) => {
                return stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || {
                    self.walk_range(dot, branch)
                })
            }
            Node::Template(t) => self.walk_template(dot, t)?,
            Node::Break { .. } => return Ok(Flow::Break),
            Node::Continue { .. } => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    pub(super) fn walk_if_or_with(
        &mut self,
        is_with: bool,
        dot: &Rv,
        branch: &'t BranchNode,
    ) -> Result<Flow> {
        let mark = self.vars.len();
        let result = self.walk_if_or_with_body(is_with, dot, branch);
        self.vars.truncate(mark);
        result
    }

    pub(super) fn walk_if_or_with_body(
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

    pub(super) fn walk_range(&mut self, dot: &Rv, range: &'t BranchNode) -> Result<Flow> {
        let mark = self.vars.len();
        let result = self.walk_range_body(dot, range);
        self.vars.truncate(mark);
        // A {{break}} ends only its own range.
        result.map(|_| Flow::Normal)
    }

    pub(super) fn walk_range_body(&mut self, dot: &Rv, range: &'t BranchNode) -> Result<Flow> {
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
                        let byte = Value::Uint((*b).into(), UintType::Uint8);
                        (Rv::Concrete(Value::int(i as i64)), Rv::Concrete(byte))
                    })
                    .collect(),
                Value::Map(map) => map
                    .entries()
                    .into_iter()
                    .map(|(k, v)| (Rv::Concrete(Value::String(k)), map_element(map, Some(v))))
                    .collect(),
                Value::Int(..) | Value::Uint(..) => {
                    return self.range_over_int(dot, range, v, mark)
                }
                Value::Object(obj) if obj.map_entries().is_some() => obj
                    .map_entries()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(k, v)| (Rv::Concrete(Value::String(k)), Rv::Concrete(v)))
                    .collect(),
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

    pub(super) fn range_error(&self, v: &Value) -> Error {
        self.error(format!(
            "range can't iterate over {}",
            gofmt::sprint(std::slice::from_ref(v))
        ))
    }

    pub(super) fn walk_range_else(&mut self, dot: &Rv, range: &'t BranchNode) -> Result<Flow> {
        match &range.else_list {
            Some(list) => self.walk_list(dot, list),
            None => Ok(Flow::Normal),
        }
    }

    /// `{{range 5}}` (Go 1.22): 0..n, each value given as both index and element.
    pub(super) fn range_over_int(
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

    pub(super) fn range_iteration(
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

    pub(super) fn walk_template(&mut self, dot: &Rv, node: &'t TemplateNode) -> Result<()> {
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

    pub(super) fn print_value(&mut self, node: At<'t>, value: &Rv) -> Result<()> {
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
            Rv::Concrete(Value::Object(o)) | Rv::Boxed(Value::Object(o)) => {
                if let Some(text) = o.pointer_string() {
                    text
                } else {
                    let text = gofmt::sprint(&[Value::Object(o.clone())]);
                    // text/template prints what a pointer points to: a struct without a
                    // String method shows its fields without fmt's leading `&`.
                    let pointer = o.type_name().starts_with('*') && !o.is_stringer();
                    match text.strip_prefix('&') {
                        Some(fields) if pointer && fields.starts_with('{') => fields.to_string(),
                        _ => text,
                    }
                }
            }
            Rv::Concrete(v) | Rv::Boxed(v) => gofmt::sprint(std::slice::from_ref(v)),
        };
        self.write(&text)
    }
}
