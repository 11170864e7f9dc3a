//! Evaluating pipelines, commands, constants and field chains.

use crate::ast::{CommandNode, NumberNode, Operand, PipeNode, VariableNode};
use crate::builtins::Builtin;
use crate::gofmt;
use crate::template::MissingKey;
use crate::value::{Member, Str, Value};

use super::call::Callee;
use super::{map_element, At, Exec, Result, Rv, STACK_GROWTH, STACK_RED_ZONE};

impl<'t> Exec<'t> {
    pub(super) fn eval_pipeline(&mut self, dot: &Rv, pipe: &'t PipeNode) -> Result<Rv> {
        // Parenthesised pipelines nest up to 10,000 deep.
        stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || {
            self.eval_pipeline_inner(dot, pipe)
        })
    }

    pub(super) fn eval_pipeline_inner(&mut self, dot: &Rv, pipe: &'t PipeNode) -> Result<Rv> {
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

    pub(super) fn not_a_function(&self, args: &[Operand], fin: &Option<Rv>) -> Result<()> {
        if args.len() > 1 || fin.is_some() {
            return Err(self.error(format!("can't give argument to non-function {}", args[0])));
        }
        Ok(())
    }

    /// Evaluates one command; `fin` is the previous command's value in the pipeline.
    pub(super) fn eval_command(
        &mut self,
        dot: &Rv,
        cmd: &'t CommandNode,
        fin: Option<Rv>,
    ) -> Result<Rv> {
        self.tick()?;
        let Some(first) = cmd.args.first() else {
            return Err(self.error("empty command"));
        };
        match first {
            Operand::Field { ident, .. } => {
                self.at(At::Operand(first));
                self.eval_field_chain(dot, dot, ident, Some(&cmd.args), fin, None)
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
    pub(super) fn ideal_constant(&mut self, node: &'t Operand, n: &NumberNode) -> Result<Rv> {
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

    pub(super) fn eval_chain(
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
        // Go reports a failing method call of the chain at the chain itself, while other
        // errors stay where evaluating the receiver left off.
        let call_at = Some(At::Operand(chain));
        self.eval_field_chain(dot, &receiver, field, args, fin, call_at)
    }

    pub(super) fn eval_variable(
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
        self.eval_field_chain(dot, &value, &var.ident[1..], args, fin, None)
    }

    pub(super) fn eval_field_chain(
        &mut self,
        dot: &Rv,
        receiver: &Rv,
        ident: &'t [Str],
        args: Option<&'t [Operand]>,
        fin: Option<Rv>,
        call_at: Option<At<'t>>,
    ) -> Result<Rv> {
        let Some((last, init)) = ident.split_last() else {
            return Ok(receiver.clone());
        };
        let Some((first, middle)) = init.split_first() else {
            return self.eval_field(dot, last, args, fin, receiver, call_at);
        };
        let mut current = self.eval_field(dot, first, None, None, receiver, call_at)?;
        for name in middle {
            current = self.eval_field(dot, name, None, None, &current, call_at)?;
        }
        self.eval_field(dot, last, args, fin, &current, call_at)
    }

    /// `.Name` on `receiver`, possibly a method call with arguments; a failing call is
    /// reported at `call_at` when given, else at the current node.
    pub(super) fn eval_field(
        &mut self,
        dot: &Rv,
        name: &'t str,
        args: Option<&'t [Operand]>,
        fin: Option<Rv>,
        receiver: &Rv,
        call_at: Option<At<'t>>,
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
                    let call_node = call_at.or(self.node);
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
                    None if self.set.missing_key() == MissingKey::Error => {
                        Err(self.error(format!("map has no entry for key {}", gofmt::quote(name))))
                    }
                    found => Ok(map_element(map, found)),
                }
            }
            _ => Err(self.error(format!(
                "can't evaluate field {name} in type {}",
                static_type()
            ))),
        }
    }

    pub(super) fn eval_function(
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
}
