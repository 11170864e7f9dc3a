//! Template sets (stub; being written).
use crate::error::Error;
use crate::funcs::Functions;
use crate::value::Value;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MissingKey { #[default] Zero, Error }

#[derive(Clone, Copy, Debug)]
pub struct Limits { pub max_depth: usize }

#[derive(Default)]
pub struct Templates { _funcs: Functions }

impl Templates {
    pub fn new() -> Templates { Templates::default() }
    pub fn with_functions(funcs: Functions) -> Templates { Templates { _funcs: funcs } }
    pub fn parse(&mut self, _name: &str, _text: &str) -> Result<(), Error> { unimplemented!() }
    pub fn execute(&self, _name: &str, _data: &Value) -> Result<String, Error> { unimplemented!() }
}
