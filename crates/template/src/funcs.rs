//! The function registry: what a name in a template calls.
//!
//! Each function declares its Go signature ([`Signature`]): the engine then checks the
//! argument count, converts constants and checks types exactly where Go's reflection-based
//! call would, with Go's error texts, so a function body only deals with well-typed values.
//! Functions receive a [`CallContext`] through which `include` and `tpl` reach back into
//! the engine.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::error::Error;
use crate::value::Value;

/// A Go parameter type, as far as template functions need them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GoType {
    /// `interface {}`: anything, nil included.
    Any,
    String,
    Bool,
    Int,
    Int64,
    /// `uint32` (Sprig's `derivePassword` counter).
    Uint32,
    Float64,
    /// `[]interface {}`.
    List,
    /// `[]string`.
    StringList,
    /// `map[string]interface {}`.
    Map,
    /// A host type by its Go name (`sprig.certificate`, `time.Time`): only a host object
    /// ([`crate::Object`]) of that type name is accepted; a name starting with `*` is a
    /// pointer type and accepts nil.
    Named(&'static str),
}

impl GoType {
    /// The type as Go prints it in error messages.
    pub fn go_name(self) -> &'static str {
        match self {
            GoType::Any => "interface {}",
            GoType::String => "string",
            GoType::Bool => "bool",
            GoType::Int => "int",
            GoType::Int64 => "int64",
            GoType::Uint32 => "uint32",
            GoType::Float64 => "float64",
            GoType::List => "[]interface {}",
            GoType::StringList => "[]string",
            GoType::Map => "map[string]interface {}",
            GoType::Named(name) => name,
        }
    }
}

/// A function's Go signature: fixed parameters, then optionally a variadic tail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    pub params: Vec<GoType>,
    pub variadic: Option<GoType>,
    /// Whether Go declares the result as `interface {}` (Sprig's `default`, `first`,
    /// `dig`, ...): errors about the result then name `interface {}`, as Go's do.
    pub result_is_interface: bool,
}

impl Signature {
    pub fn fixed(params: &[GoType]) -> Signature {
        Signature {
            params: params.to_vec(),
            variadic: None,
            result_is_interface: false,
        }
    }

    pub fn variadic(params: &[GoType], rest: GoType) -> Signature {
        Signature {
            params: params.to_vec(),
            variadic: Some(rest),
            result_is_interface: false,
        }
    }

    /// The same signature with an `interface {}` result.
    ///
    /// ```
    /// use helmpilot_template::{GoType, Signature};
    /// let first = Signature::fixed(&[GoType::Any]).returning_interface();
    /// assert!(first.result_is_interface);
    /// ```
    pub fn returning_interface(mut self) -> Signature {
        self.result_is_interface = true;
        self
    }
}

/// What a function body sees of the engine.
pub trait CallContext {
    /// Executes a named template with `data` as dot and returns its output (`include`).
    fn execute_template(&mut self, name: &str, data: &Value) -> Result<String, Error>;

    /// Parses `text` as a new template that can use every defined template, executes it
    /// with `data` as dot and returns its output (`tpl`).
    fn execute_text(&mut self, name: &str, text: &str, data: &Value) -> Result<String, Error>;

    /// Where the running function was called from. Each call counts as one occurrence of
    /// its site, so calls in a loop are told apart.
    fn call_site(&mut self) -> CallSite;
}

/// A function call's place in a rendering, stable from one render of the same input to
/// the next: a function library derives per-call values from it (seeded randomness).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CallSite {
    /// The template whose execution was requested (for a chart, the rendered file).
    pub entry: String,
    /// The template whose text holds the call (differs from `entry` inside `include`).
    pub template: String,
    /// Byte offset of the call in that template's text.
    pub offset: usize,
    /// How many calls this site made before this one in the same execution.
    pub occurrence: u64,
}

type FuncBody = dyn Fn(&mut dyn CallContext, &[Value]) -> Result<Value, Error> + Send + Sync;

/// A template function: a signature and a body.
#[derive(Clone)]
pub struct Function {
    pub signature: Signature,
    body: Arc<FuncBody>,
}

impl Function {
    pub fn new<F>(signature: Signature, body: F) -> Function
    where
        F: Fn(&mut dyn CallContext, &[Value]) -> Result<Value, Error> + Send + Sync + 'static,
    {
        Function {
            signature,
            body: Arc::new(body),
        }
    }

    /// The same body under another signature.
    pub fn with_signature(self, signature: Signature) -> Function {
        Function { signature, ..self }
    }

    pub fn call(&self, ctx: &mut dyn CallContext, args: &[Value]) -> Result<Value, Error> {
        (self.body)(ctx, args)
    }
}

impl fmt::Debug for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Function({:?})", self.signature)
    }
}

/// Named functions available to templates, on top of the builtins.
///
/// ```
/// use helmpilot_template::{Functions, Function, GoType, Signature, Templates, Value};
/// let mut funcs = Functions::new();
/// funcs.insert("upper", Function::new(Signature::fixed(&[GoType::String]), |_, args| {
///     Ok(Value::from(args[0].as_str().unwrap_or_default().to_uppercase()))
/// }));
/// let mut t = Templates::with_functions(funcs);
/// t.parse("t", r#"{{ upper "hi" }}"#).unwrap();
/// assert_eq!(t.execute("t", &Value::Nil).unwrap(), "HI");
/// ```
#[derive(Clone, Debug, Default)]
pub struct Functions {
    map: HashMap<String, Function>,
}

impl Functions {
    pub fn new() -> Functions {
        Functions::default()
    }

    pub fn insert(&mut self, name: impl Into<String>, function: Function) {
        self.map.insert(name.into(), function);
    }

    pub fn get(&self, name: &str) -> Option<&Function> {
        self.map.get(name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }
}
