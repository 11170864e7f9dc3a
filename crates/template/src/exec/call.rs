//! Calling functions, builtins and methods: argument counts, argument evaluation against
//! parameter types, and Go's assignability checks, with Go's error texts.

use crate::ast::Operand;
use crate::builtins::{self, Builtin};
use crate::error::{Error, ErrorKind};
use crate::funcs::{Function, GoType, Signature};
use crate::value::{IntType, Object, UintType, Value};

use super::rv::ParamTypes;
use super::{truth, At, Exec, Result, Rv, Ty};

/// What a command calls.
#[derive(Clone)]
pub(super) enum Callee<'t> {
    Builtin(Builtin),
    Func(&'t Function),
    Method(std::sync::Arc<dyn Object>, Signature),
}

impl<'t> Exec<'t> {
    pub(super) fn eval_call(
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
                let boxed = f.signature.result_is_interface;
                f.call(self, &values).map(|v| {
                    if boxed {
                        Rv::Boxed(v)
                    } else {
                        Rv::from_result(v)
                    }
                })
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

    pub(super) fn check_arity(
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
    pub(super) fn eval_args(
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
    pub(super) fn eval_and_or(
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
    pub(super) fn eval_arg(&mut self, dot: &Rv, ty: Option<Ty>, node: &'t Operand) -> Result<Rv> {
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
                let v = self.eval_field_chain(dot, dot, ident, None, None, None)?;
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
            // reflect's SetUint on a uint32 keeps the low 32 bits, as Go does here.
            (Ty::Go(GoType::Uint32), Operand::Number(n)) if n.is_uint => Ok(Rv::Concrete(
                Value::Uint(u64::from(n.uint64 as u32), UintType::Uint32),
            )),
            (Ty::Go(GoType::Uint32), _) => {
                Err(self.error(format!("expected unsigned integer; found {node}")))
            }
            (Ty::Go(GoType::Float64), Operand::Number(n)) if n.is_float => {
                Ok(Rv::Concrete(Value::Float(n.float64)))
            }
            (Ty::Go(GoType::Float64), _) => {
                Err(self.error(format!("expected float; found {node}")))
            }
            (
                Ty::Go(t @ (GoType::List | GoType::StringList | GoType::Map | GoType::Named(_))),
                _,
            ) => Err(self.error(format!(
                "can't handle {node} for arg of type {}",
                t.go_name()
            ))),
        }
    }

    pub(super) fn eval_empty_interface(&mut self, node: &'t Operand) -> Result<Rv> {
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
    pub(super) fn validate_type(&self, value: Rv, ty: Option<Ty>) -> Result<Rv> {
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
            // Go converts the argument to the parameter's type: a `common.Values` passed
            // as `map[string]interface {}` is that map under the plain type.
            Rv::Concrete(Value::Map(m)) | Rv::Boxed(Value::Map(m)) if ty == Ty::Go(GoType::Map) => {
                Ok(Rv::Concrete(Value::Map(m.as_plain())))
            }
            ok => Ok(ok),
        }
    }
}
