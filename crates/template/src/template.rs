//! Template sets: parsed templates that can call each other, plus their options.

use std::collections::HashMap;
use std::sync::Arc;

use crate::ast::Tree;
use crate::builtins::Builtin;
use crate::error::{Error, ErrorInfo, ErrorKind};
use crate::exec::{Budget, Exec};
use crate::funcs::Functions;
use crate::parse::{self, ParseOptions};
use crate::value::{Str, Value};

/// What a field lookup on a map does when the key is missing (Go's `missingkey` option).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MissingKey {
    /// The zero value of the map's element type: for the `map[string]interface {}` that
    /// values are, a nil that prints as `<no value>`. Helm's default.
    #[default]
    Zero,
    /// An execution error, `map has no entry for key "x"` (Helm's `--strict`).
    Error,
}

/// Bounds that keep a malicious or broken template from exhausting the machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Nesting of `{{template}}` calls; Go's own limit is 100000.
    pub max_template_depth: usize,
    /// Bytes one execution may write.
    pub max_output_bytes: usize,
    /// Nodes one execution may evaluate (a budget against endless loops).
    pub max_steps: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_template_depth: 100_000,
            max_output_bytes: 256 << 20,
            max_steps: 200_000_000,
        }
    }
}

/// A set of templates that share definitions and functions, like Go's `*template.Template`.
///
/// ```
/// use helmpilot_template::{Templates, Value};
/// let mut set = Templates::new();
/// set.parse("helpers", r#"{{ define "name" }}app-{{ . }}{{ end }}"#).unwrap();
/// set.parse("main", r#"name: {{ template "name" "web" }}"#).unwrap();
/// assert_eq!(set.execute("main", &Value::Nil).unwrap(), "name: app-web");
/// ```
#[derive(Clone, Default)]
pub struct Templates {
    name: Str,
    trees: HashMap<Str, Arc<Tree>>,
    funcs: Arc<Functions>,
    missing_key: MissingKey,
    limits: Limits,
    delims: Option<(String, String)>,
}

impl Templates {
    /// An empty set with only the builtin functions.
    pub fn new() -> Templates {
        Templates::default()
    }

    /// An empty set with `funcs` on top of the builtins (a function of the same name
    /// replaces a builtin, as in Go).
    pub fn with_functions(funcs: Functions) -> Templates {
        Templates {
            funcs: Arc::new(funcs),
            ..Templates::default()
        }
    }

    /// Names the set itself; Go quotes this name in "no template associated with" errors
    /// (Helm's set is called `gotpl`).
    pub fn set_name(&mut self, name: &str) -> &mut Self {
        self.name = name.into();
        self
    }

    pub fn set_missing_key(&mut self, missing_key: MissingKey) -> &mut Self {
        self.missing_key = missing_key;
        self
    }

    pub fn set_limits(&mut self, limits: Limits) -> &mut Self {
        self.limits = limits;
        self
    }

    /// Changes the action delimiters for texts parsed from now on (Go's `Delims`).
    pub fn set_delims(&mut self, left: &str, right: &str) -> &mut Self {
        self.delims = Some((left.to_string(), right.to_string()));
        self
    }

    pub fn missing_key(&self) -> MissingKey {
        self.missing_key
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    pub fn functions(&self) -> &Functions {
        &self.funcs
    }

    /// Parses `text` as the template `name` and adds it and every template it defines to
    /// the set. As in Go, a definition replaces an earlier one of the same name unless
    /// the new body is empty.
    pub fn parse(&mut self, name: &str, text: &str) -> Result<(), Error> {
        self.parse_reporting_empty(name, text).map(drop)
    }

    /// [`Templates::parse`], returning the main tree of `text` when the set kept an
    /// existing template of that name instead (Go keeps it over an empty body).
    pub(crate) fn parse_reporting_empty(
        &mut self,
        name: &str,
        text: &str,
    ) -> Result<Option<Arc<Tree>>, Error> {
        let funcs = &self.funcs;
        let is_function = |name: &str| funcs.contains(name) || Builtin::lookup(name).is_some();
        let (left, right) = match &self.delims {
            Some((l, r)) => (l.as_str(), r.as_str()),
            None => ("", ""),
        };
        let options = ParseOptions {
            left_delim: if left.is_empty() { "{{" } else { left },
            right_delim: if right.is_empty() { "}}" } else { right },
            is_function: &is_function,
        };
        let parsed = parse::parse(name, text, &options)?;
        let unassociated = self.associate(parsed.main);
        for tree in parsed.defines {
            self.associate(tree);
        }
        Ok(unassociated)
    }

    /// Adds `tree` to the set, or gives it back when the set keeps an existing template.
    fn associate(&mut self, tree: Tree) -> Option<Arc<Tree>> {
        let tree = Arc::new(tree);
        // Go never lets an empty body replace an existing definition (even an empty one).
        if self.trees.contains_key(&tree.name) && parse::is_empty_tree(&tree) {
            return Some(tree);
        }
        self.trees.insert(tree.name.clone(), tree);
        None
    }

    /// Whether a template of that name exists.
    pub fn contains(&self, name: &str) -> bool {
        self.trees.contains_key(name)
    }

    /// The names of all templates, sorted.
    pub fn names(&self) -> Vec<Str> {
        let mut names: Vec<Str> = self.trees.keys().cloned().collect();
        names.sort();
        names
    }

    pub(crate) fn tree(&self, name: &str) -> Option<&Arc<Tree>> {
        self.trees.get(name)
    }

    /// Executes the template `name` with `data` as dot and returns its output.
    ///
    /// Missing values print as Go's `<no value>`; Helm removes that text afterwards, which
    /// is the chart renderer's business, not the language's.
    pub fn execute(&self, name: &str, data: &Value) -> Result<String, Error> {
        Exec::run(self, name, data, &std::rc::Rc::new(Budget::new(name)))
    }

    pub(crate) fn no_template_error(&self, name: &str) -> Error {
        Error::from(ErrorInfo {
            kind: ErrorKind::NoTemplate,
            message: format!(
                "template: no template {} associated with template {}",
                crate::gofmt::quote(name),
                crate::gofmt::quote(&self.name)
            ),
            template: None,
            location: None,
            context: None,
            cause: None,
        })
    }
}
