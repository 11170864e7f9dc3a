//! Validation of chart values against `values.schema.json`, as Helm v4 does it before
//! rendering (`ToRenderValuesWithSchemaValidation`): every chart in the tree that has a
//! schema validates its section of the coalesced values, and the failures of all charts
//! are reported together in one error whose text is Helm's, byte for byte.
//!
//! Helm validates with `santhosh-tekuri/jsonschema/v6`; we validate with `boon`, the same
//! author's Rust port (same drafts, same default draft 2020-12, same keyword order and the
//! same tree of errors), and rebuild Helm's messages from boon's structured errors: the Go
//! library prints numbers through `golang.org/x/text/message` in English, so `1500` reads
//! `1,500` and `2e6` reads `2×10⁰⁶`.
//!
//! Rendering is a sandbox: a `$ref` (or `$schema`) that would make Helm read a file or fetch
//! a URL is refused with an error instead. `urn:` references resolve to the permissive
//! schema `true`, as Helm's default URN resolver does.

use std::error::Error as StdError;
use std::fmt::{self, Write as _};

use boon::{CompileError, Compiler, ErrorKind, InstanceToken, Schemas, UrlLoader, ValidationError};
use helmpilot_template::gofmt::quote as go_quote;
use serde_json::{Map, Number, Value};

use crate::chart::Chart;

/// The location Helm gives the schema document; it shows in some error texts.
const SCHEMA_URL: &str = "file:///values.schema.json";

/// The first line of the Go library's validation error, which Helm strips.
const VALIDATION_PREFIX: &str = "jsonschema validation failed with 'file:///values.schema.json#'\n";

/// Values nested at most this deep are validated on the current stack when at least
/// [`SHALLOW_RED_ZONE`] of it is left.
const SHALLOW_DEPTH: usize = 64;
const SHALLOW_RED_ZONE: usize = 2 << 20;

/// Stack reserved for compiling and validating: both recurse once per nesting level of the
/// schema and of the values, and a chart's values are untrusted.
const STACK_SIZE: usize = 64 << 20;

/// Values nested deeper than this are refused before validation (the schema document's own
/// nesting is bounded by the JSON parser's limit of 128).
const MAX_VALUES_DEPTH: usize = 1000;

/// Why values did not pass their charts' schemas. Its text is Helm's error text:
///
/// ```text
/// values don't meet the specifications of the schema(s) in the following chart(s):
/// web:
/// - at '/replicas': got string, want integer
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaError {
    failures: Vec<ChartFailure>,
}

/// One chart's part of a [`SchemaError`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChartFailure {
    /// The chart's name (its alias, for an aliased subchart).
    pub chart: String,
    /// What went wrong.
    pub problem: Problem,
}

/// What went wrong for one chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The values violate the schema. The text is Helm's: one `- at '<pointer>': <reason>`
    /// line per failed keyword, nested failures indented under their parent, and a final
    /// newline.
    Violations(String),
    /// values.schema.json is not JSON, not a valid schema, or refers to a document that
    /// cannot be loaded. Helm's text, without a final newline.
    InvalidSchema(String),
    /// The parent's values hold something other than a map under the subchart's name; the
    /// Go type Helm names (`string`, `float64`, `[]interface {}`, ...).
    NotAMap(&'static str),
}

impl SchemaError {
    /// Each chart that failed, parents before their subcharts.
    pub fn failures(&self) -> &[ChartFailure] {
        &self.failures
    }
}

impl fmt::Display for ChartFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}:", self.chart)?;
        match &self.problem {
            Problem::Violations(text) | Problem::InvalidSchema(text) => f.write_str(text),
            Problem::NotAMap(got) => {
                writeln!(
                    f,
                    "invalid type for values: expected object (map), got {got}"
                )
            }
        }
    }
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "values don't meet the specifications of the schema(s) in the following chart(s):\n",
        )?;
        self.failures
            .iter()
            .try_for_each(|failure| write!(f, "{failure}"))
    }
}

impl StdError for SchemaError {}

/// Validates the coalesced values of `chart` against its `values.schema.json` and, for
/// every subchart, the subchart's section of the values (under the subchart's name, which
/// is its alias once dependencies are processed) against the subchart's schema, as
/// `helm template` and `helm install` do. `chart` is the chart after dependency
/// processing: disabled subcharts removed, aliased ones renamed.
///
/// ```
/// use helmpilot_chart::chart::Chart;
/// use helmpilot_chart::values::schema::validate_against_schema;
///
/// let mut chart = Chart::default();
/// chart.metadata.name = "web".into();
/// chart.schema = Some(br#"{"properties": {"replicas": {"type": "integer"}}}"#[..].into());
/// let values = serde_json::json!({"replicas": "3"});
/// let err = validate_against_schema(&chart, values.as_object().unwrap()).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "values don't meet the specifications of the schema(s) in the following chart(s):\n\
///      web:\n- at '/replicas': got string, want integer\n"
/// );
/// ```
pub fn validate_against_schema(
    chart: &Chart,
    values: &Map<String, Value>,
) -> Result<(), SchemaError> {
    let mut failures = Vec::new();
    collect_failures(chart, values, &mut failures);
    if failures.is_empty() {
        Ok(())
    } else {
        Err(SchemaError { failures })
    }
}

fn collect_failures(chart: &Chart, values: &Map<String, Value>, out: &mut Vec<ChartFailure>) {
    if let Some(schema) = &chart.schema {
        if let Err(problem) = validate_against_single_schema(values, schema) {
            out.push(ChartFailure {
                chart: chart.name().to_string(),
                problem,
            });
        }
    }
    for sub in &chart.dependencies {
        match values.get(sub.name()) {
            None | Some(Value::Null) => {}
            Some(Value::Object(section)) => collect_failures(sub, section, out),
            Some(other) => out.push(ChartFailure {
                chart: sub.name().to_string(),
                problem: Problem::NotAMap(go_type_name(other)),
            }),
        }
    }
}

/// Validates `values` against one schema document, without looking at subcharts (Helm's
/// `ValidateAgainstSingleSchema`, which `helm lint` uses).
pub fn validate_against_single_schema(
    values: &Map<String, Value>,
    schema: &[u8],
) -> Result<(), Problem> {
    let document = parse_schema(schema).map_err(Problem::InvalidSchema)?;
    if depth_exceeds(values, MAX_VALUES_DEPTH) {
        return Err(Problem::Violations(format!(
            "values nest deeper than {MAX_VALUES_DEPTH} levels, more than helmpilot validates\n"
        )));
    }
    // A fresh 64 MiB stack costs a mapping and page faults on every render, so it is
    // only taken for deeply nested values; shallow ones need little stack.
    let on_big_stack = depth_exceeds(values, SHALLOW_DEPTH);
    let validate = || {
        let mut compiler = Compiler::new();
        compiler.use_loader(Box::new(SandboxLoader));
        compiler.register_format(boon::Format {
            name: "ipv4",
            func: go_ipv4,
        });
        let mut schemas = Schemas::new();
        // boon's CompileError is large; it is turned into text right away.
        if let Err(e) = compiler.add_resource(SCHEMA_URL, document) {
            return Err(Problem::InvalidSchema(compile_error_text(&e)));
        }
        let index = match compiler.compile(SCHEMA_URL, &mut schemas) {
            Ok(index) => index,
            Err(e) => return Err(Problem::InvalidSchema(compile_error_text(&e))),
        };
        let instance = Value::Object(values.clone());
        match schemas.validate(&instance, index) {
            Ok(()) => Ok(()),
            Err(error) => {
                let text = display_error(&error);
                let text = text.strip_prefix(VALIDATION_PREFIX).unwrap_or(&text);
                Err(Problem::Violations(format!("{text}\n")))
            }
        }
    };
    if on_big_stack {
        stacker::grow(STACK_SIZE, validate)
    } else {
        stacker::maybe_grow(SHALLOW_RED_ZONE, STACK_SIZE, validate)
    }
}

// ----- reading the schema document -----

/// Reads the schema as Go's `json.Decoder` reads one value: Go's syntax error texts, `EOF`
/// for an empty document, `unexpected EOF` for a cut-off one, and one error for anything
/// after the value.
fn parse_schema(bytes: &[u8]) -> Result<Value, String> {
    let text = String::from_utf8_lossy(bytes);
    if text.trim_matches([' ', '\t', '\n', '\r']).is_empty() {
        return Err("EOF".to_string());
    }
    if let Err(message) = helmpilot_yaml::json::check_syntax(&text) {
        return Err(if message == "unexpected end of JSON input" {
            "unexpected EOF".to_string()
        } else if message.ends_with("after top-level value") {
            "invalid character after top-level value".to_string()
        } else {
            message
        });
    }
    // Go's syntax checker accepted it; serde_json keeps integers as integers, so enum and
    // const values print as they were written (`1`, `1.5`) as Go's json.Number does.
    serde_json::from_str(&text).map_err(|e| {
        if e.to_string().contains("recursion limit") {
            "values.schema.json nests deeper than helmpilot validates (128 levels)".to_string()
        } else {
            e.to_string()
        }
    })
}

fn depth_exceeds(values: &Map<String, Value>, limit: usize) -> bool {
    // Iterative, so that the check itself cannot overflow the stack.
    let mut stack: Vec<(&Value, usize)> = values.values().map(|v| (v, 1)).collect();
    while let Some((value, depth)) = stack.pop() {
        if depth > limit {
            return true;
        }
        match value {
            Value::Object(map) => stack.extend(map.values().map(|v| (v, depth + 1))),
            Value::Array(items) => stack.extend(items.iter().map(|v| (v, depth + 1))),
            _ => {}
        }
    }
    false
}

/// Resolves references that leave the schema document: `urn:` ones to `true` as Helm does
/// by default, everything else (Helm would read the host's files or the network) refused.
struct SandboxLoader;

impl UrlLoader for SandboxLoader {
    fn load(&self, url: &str) -> Result<Value, Box<dyn StdError>> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            "urn" => Ok(Value::Bool(true)),
            "http" | "https" => Err(format!(
                "remote schemas are not fetched: rendering has no network access ({url})"
            )
            .into()),
            "file" => Err(format!(
                "schema files outside values.schema.json are not read: rendering reads nothing outside the chart ({url})"
            )
            .into()),
            _ => Err(format!("no URLLoader registered for {}", go_quote(url)).into()),
        }
    }
}

/// The `ipv4` format as the Go library checks it, with its reasons (boon's differ).
fn go_ipv4(v: &Value) -> Result<(), Box<dyn StdError>> {
    let Value::String(s) = v else {
        return Ok(());
    };
    let groups: Vec<&str> = s.split('.').collect();
    if groups.len() != 4 {
        return Err("expected four decimals".into());
    }
    for group in groups {
        if group.len() > 1 && group.starts_with('0') {
            return Err("leading zeros".into());
        }
        // Go's strconv.Atoi: an optional sign, then decimal digits.
        let digits = group.strip_prefix(['+', '-']).unwrap_or(group);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(
                format!("strconv.Atoi: parsing {}: invalid syntax", go_quote(group)).into(),
            );
        }
        let n: i64 = group.parse().map_err(|_| {
            format!(
                "strconv.Atoi: parsing {}: value out of range",
                go_quote(group)
            )
        })?;
        if !(0..=255).contains(&n) {
            return Err("decimal must be between 0 and 255".into());
        }
    }
    Ok(())
}

/// The Go library's text for a schema that does not compile.
fn compile_error_text(error: &CompileError) -> String {
    let q = |s: &str| go_quote(s);
    match error {
        CompileError::ParseUrlError { url, src } => format!("error in parsing {}: {src}", q(url)),
        CompileError::LoadUrlError { url, src } => {
            // Our loader's own refusal already names the scheme problem in Go's words.
            match src.downcast_ref::<CompileError>() {
                Some(inner) => format!("failing loading {}: {}", q(url), compile_error_text(inner)),
                None => format!("failing loading {}: {src}", q(url)),
            }
        }
        CompileError::UnsupportedUrlScheme { url } => {
            format!("no URLLoader registered for {}", q(url))
        }
        CompileError::InvalidMetaSchemaUrl { url, src } => {
            format!("invalid $schema in {}: {src}", q(url))
        }
        CompileError::UnsupportedDraft { url } => format!("draft {} is not supported", q(url)),
        CompileError::MetaSchemaCycle { url } => {
            format!("cycle in resolving $schema in {}", q(url))
        }
        CompileError::ValidationError { url, src } => format!(
            "{} is not valid against metaschema: {}",
            q(url),
            display_error(src)
        ),
        CompileError::ParseIdError { loc } => format!("error in parsing id at {}", q(loc)),
        CompileError::ParseAnchorError { loc } => format!("error in parsing anchor at {}", q(loc)),
        CompileError::DuplicateId {
            url,
            id,
            ptr1,
            ptr2,
        } => format!(
            "duplicate id {} in {} at {} and {}",
            q(id),
            q(url),
            q(ptr1),
            q(ptr2)
        ),
        CompileError::DuplicateAnchor {
            anchor,
            url,
            ptr1,
            ptr2,
        } => format!(
            "duplicate anchor {} in {} at {} and {}",
            q(anchor),
            q(url),
            q(ptr1),
            q(ptr2)
        ),
        CompileError::InvalidJsonPointer(loc) => format!("invalid json-pointer {}", q(loc)),
        CompileError::JsonPointerNotFound(loc) => format!("json-pointer in {} not found", q(loc)),
        CompileError::AnchorNotFound { url, reference } => {
            format!("anchor in {} not found in schema {}", q(reference), q(url))
        }
        CompileError::UnsupportedVocabulary { url, vocabulary } => {
            format!("unsupported vocabulary {} in {}", q(vocabulary), q(url))
        }
        CompileError::InvalidRegex { url, regex, src } => {
            format!("invalid regex {} at {}: {src}", q(regex), q(url))
        }
        CompileError::Bug(src) => format!("unable to validate schema: {src}"),
    }
}

// ----- the Go library's error layout -----

/// One failure in the tree the Go library prints.
struct Node {
    /// The schema the failure belongs to; the paths of its causes start with it.
    base: String,
    instance: Vec<String>,
    /// A `$ref` that failed: not printed when it has a single cause.
    is_reference: bool,
    /// `jsonschema validation failed with '<url>'`, printed without an instance location.
    is_schema: bool,
    /// For an `allOf`, `anyOf` or `oneOf` failure, that keyword: its causes' schema paths
    /// go through it.
    applicator: Option<&'static str>,
    message: String,
    causes: Vec<Node>,
}

/// The Go library's `ValidationError.Error()`: the tree, one failure a line, causes
/// indented two spaces under their parent; a `$ref` with a single cause is not shown.
fn display_error(error: &ValidationError) -> String {
    let mut out = String::new();
    display_node(&to_node(error), 0, &mut out);
    out
}

fn to_node(error: &ValidationError) -> Node {
    let base = match &error.kind {
        ErrorKind::Reference { url, .. } => url.to_string(),
        _ => error.schema_url.to_string(),
    };
    let instance = error
        .instance_location
        .tokens
        .iter()
        .map(|token| match token {
            InstanceToken::Prop(name) => name.to_string(),
            InstanceToken::Item(i) => i.to_string(),
        })
        .collect();
    let mut node = Node {
        base,
        instance,
        is_reference: matches!(error.kind, ErrorKind::Reference { .. }),
        is_schema: matches!(error.kind, ErrorKind::Schema { .. }),
        applicator: match error.kind {
            ErrorKind::AllOf => Some("allOf"),
            ErrorKind::AnyOf => Some("anyOf"),
            ErrorKind::OneOf(_) => Some("oneOf"),
            _ => None,
        },
        message: message(&error.kind),
        causes: Vec::new(),
    };
    for cause in &error.causes {
        let child = to_node(cause);
        let child_url = cause.schema_url;
        node.causes.push(restore_wrappers(&node, child_url, child));
    }
    node
}

/// boon leaves out an `allOf`, `anyOf` or `oneOf` failure that has a single cause and
/// keeps only the cause; the Go library keeps both. Puts the missing levels back: every
/// applicator step on the schema path from the parent's schema to the cause's is one.
fn restore_wrappers(parent: &Node, child_url: &str, child: Node) -> Node {
    let Some(rest) = child_url.strip_prefix(parent.base.as_str()) else {
        return child;
    };
    let Some(rest) = rest.strip_prefix('/') else {
        return child;
    };
    let tokens: Vec<&str> = rest.split('/').collect();
    // (schema path of the applicator's owner, instance tokens consumed so far, message)
    let mut wrappers: Vec<(String, usize, &'static str)> = Vec::new();
    let mut descents = 0;
    let mut i = 0;
    while i < tokens.len() {
        let owner = || format!("{}/{}", parent.base, tokens[..i].join("/"));
        match tokens[i] {
            keyword @ ("allOf" | "anyOf" | "oneOf")
                if i == 0 && parent.applicator == Some(keyword) =>
            {
                i += 2;
            }
            "allOf" | "anyOf" | "oneOf" => {
                let text = match tokens[i] {
                    "allOf" => "'allOf' failed",
                    "anyOf" => "'anyOf' failed",
                    _ => "'oneOf' failed, none matched",
                };
                let owner = if i == 0 { parent.base.clone() } else { owner() };
                wrappers.push((owner, descents, text));
                i += 2;
            }
            "properties" | "patternProperties" | "prefixItems" => {
                descents += 1;
                i += 2;
            }
            "dependentSchemas" | "dependencies" => i += 2,
            "items" => {
                descents += 1;
                let tuple = tokens
                    .get(i + 1)
                    .is_some_and(|t| t.bytes().all(|b| b.is_ascii_digit()));
                i += if tuple { 2 } else { 1 };
            }
            "additionalProperties"
            | "additionalItems"
            | "contains"
            | "unevaluatedProperties"
            | "unevaluatedItems" => {
                descents += 1;
                i += 1;
            }
            "not" | "if" | "then" | "else" => i += 1,
            // Anything else (a jump we cannot follow): leave the cause as boon gave it.
            _ => return child,
        }
    }
    let mut node = child;
    for (owner, consumed, text) in wrappers.into_iter().rev() {
        let depth = (parent.instance.len() + consumed).min(node.instance.len());
        node = Node {
            base: owner,
            instance: node.instance[..depth].to_vec(),
            is_reference: false,
            is_schema: false,
            applicator: None,
            message: text.to_string(),
            causes: vec![node],
        };
    }
    node
}

fn display_node(node: &Node, mut indent: usize, out: &mut String) {
    let skip = node.is_reference && node.causes.len() == 1;
    if !skip {
        if indent > 0 {
            out.push('\n');
            for _ in 1..indent {
                out.push_str("  ");
            }
            out.push_str("- ");
        }
        indent += 1;
        if node.is_schema {
            out.push_str(&node.message);
        } else {
            let mut pointer = String::new();
            for token in &node.instance {
                pointer.push('/');
                pointer.push_str(&token.replace('~', "~0").replace('/', "~1"));
            }
            let _ = write!(out, "at {}: {}", squote(&pointer), node.message);
        }
    }
    for cause in &node.causes {
        display_node(cause, indent, out);
    }
}

/// The Go library's (v6.0.2) text for one failed keyword.
fn message(kind: &ErrorKind) -> String {
    use ErrorKind as K;
    match kind {
        K::Group | K::Reference { .. } => "validation failed".to_string(),
        K::Schema { url } => format!("jsonschema validation failed with {}", squote(url)),
        K::ContentSchema => "'contentSchema' failed".to_string(),
        K::PropertyName { prop } => format!("invalid propertyName {}", squote(prop)),
        K::RefCycle {
            url,
            kw_loc1,
            kw_loc2,
        } => format!(
            "both {kw_loc1} and {kw_loc2} resolve to {} causing reference cycle",
            go_quote(url)
        ),
        K::FalseSchema => "false schema".to_string(),
        K::Type { got, want } => {
            let want: Vec<String> = want.iter().map(|t| t.to_string()).collect();
            format!("got {got}, want {}", want.join(" or "))
        }
        K::Enum { want } => {
            if want.iter().all(is_primitive) {
                if let [only] = want.as_slice() {
                    format!("value must be {}", display_value(only))
                } else {
                    let want: Vec<String> = want.iter().map(display_value).collect();
                    format!("value must be one of {}", want.join(", "))
                }
            } else {
                "'enum' failed".to_string()
            }
        }
        K::Const { want } => {
            if is_primitive(want) {
                format!("value must be {}", display_value(want))
            } else {
                "'const' failed".to_string()
            }
        }
        K::Format { got, want, err } => {
            format!("{} is not valid {want}: {err}", display_value(got))
        }
        K::MinProperties { got, want } => {
            format!("minProperties: got {}, want {}", group(*got), group(*want))
        }
        K::MaxProperties { got, want } => {
            format!("maxProperties: got {}, want {}", group(*got), group(*want))
        }
        K::AdditionalProperties { got } => {
            let names: Vec<String> = got.iter().map(|p| squote(p)).collect();
            format!("additional properties {} not allowed", names.join(", "))
        }
        K::Required { want } => match want.as_slice() {
            [only] => format!("missing property {}", squote(only)),
            many => {
                let names: Vec<String> = many.iter().map(|p| squote(p)).collect();
                format!("missing properties {}", names.join(", "))
            }
        },
        K::Dependency { prop, missing } | K::DependentRequired { prop, missing } => {
            let names: Vec<String> = missing.iter().map(|p| squote(p)).collect();
            format!(
                "properties {} required, if {} exists",
                names.join(", "),
                squote(prop)
            )
        }
        K::MinItems { got, want } => {
            format!("minItems: got {}, want {}", group(*got), group(*want))
        }
        K::MaxItems { got, want } => {
            format!("maxItems: got {}, want {}", group(*got), group(*want))
        }
        K::Contains => "no items match contains schema".to_string(),
        K::MinContains { got, want } => {
            if got.is_empty() {
                format!(
                    "min {} items required to match contains schema, but none matched",
                    group(*want)
                )
            } else {
                format!(
                    "min {} items required to match contains schema, but matched {} items at {}",
                    group(*want),
                    group(got.len()),
                    spaced(got)
                )
            }
        }
        K::MaxContains { got, want } => format!(
            "max {} items required to match contains schema, but matched {} items at {}",
            group(*want),
            group(got.len()),
            spaced(got)
        ),
        K::UniqueItems { got: [i, j] } => {
            format!("items at {} and {} are equal", group(*i), group(*j))
        }
        K::AdditionalItems { got } => {
            format!("last {} additionalItem(s) not allowed", group(*got))
        }
        K::MinLength { got, want } => {
            format!("minLength: got {}, want {}", group(*got), group(*want))
        }
        K::MaxLength { got, want } => {
            format!("maxLength: got {}, want {}", group(*got), group(*want))
        }
        K::Pattern { got, want } => {
            format!("{} does not match pattern {}", squote(got), squote(want))
        }
        K::ContentEncoding { want, err } => {
            format!("value is not {} encoded: {err}", squote(want))
        }
        K::ContentMediaType { want, err, .. } => {
            format!("value if not of mediatype {}: {err}", squote(want))
        }
        K::Minimum { got, want } => compare("minimum", got, want),
        K::Maximum { got, want } => compare("maximum", got, want),
        K::ExclusiveMinimum { got, want } => compare("exclusiveMinimum", got, want),
        K::ExclusiveMaximum { got, want } => compare("exclusiveMaximum", got, want),
        K::MultipleOf { got, want } => compare("multipleOf", got, want),
        K::Not => "'not' failed".to_string(),
        K::AllOf => "'allOf' failed".to_string(),
        K::AnyOf => "'anyOf' failed".to_string(),
        K::OneOf(None) => "'oneOf' failed, none matched".to_string(),
        K::OneOf(Some((i, j))) => {
            format!(
                "'oneOf' failed, subschemas {}, {} matched",
                group(*i),
                group(*j)
            )
        }
    }
}

fn compare(keyword: &str, got: &Number, want: &Number) -> String {
    format!(
        "{keyword}: got {}, want {}",
        localized_float(number_f64(got)),
        localized_float(number_f64(want))
    )
}

fn number_f64(n: &Number) -> f64 {
    n.as_f64().unwrap_or(f64::NAN)
}

fn is_primitive(v: &Value) -> bool {
    !matches!(v, Value::Array(_) | Value::Object(_))
}

/// Go's `%v` of a value (`<nil>` for null), strings in the library's single quotes.
fn display_value(v: &Value) -> String {
    match v {
        Value::String(s) => squote(s),
        Value::Null => "<nil>".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(_) | Value::Object(_) => "value".to_string(),
    }
}

/// The library's `quote`: Go's `%q` with `"` left alone and `'` escaped, in single quotes.
fn squote(s: &str) -> String {
    let quoted = go_quote(s).replace("\\\"", "\"").replace('\'', "\\'");
    let inner = &quoted[1..quoted.len() - 1];
    format!("'{inner}'")
}

/// `fmt.Sprintf("%v", []int{...})` without the brackets.
fn spaced(items: &[usize]) -> String {
    let items: Vec<String> = items.iter().map(|i| i.to_string()).collect();
    items.join(" ")
}

/// The Go type Helm names for a values entry (`%T`): YAML numbers are float64, `--set`
/// integers int64.
fn go_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::String(_) => "string",
        Value::Number(n) if n.is_i64() => "int64",
        Value::Number(n) if n.is_u64() => "uint64",
        Value::Number(_) => "float64",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

// ----- numbers as golang.org/x/text/message prints them in English -----

/// `%d`: digits grouped by threes with commas.
fn group(n: usize) -> String {
    group_digits(&n.to_string())
}

fn group_digits(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `%v` of a float64: the shortest digits that read back as the same number, in decimal
/// notation with grouped integer digits when the decimal exponent is within [-4, 6), else
/// as `d.ddd×10ⁿⁿ` with a superscript exponent of at least two digits.
fn localized_float(x: f64) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "NaN".to_string()
        } else if x > 0.0 {
            "∞".to_string()
        } else {
            "-∞".to_string()
        };
    }
    if x == 0.0 {
        return "0".to_string();
    }
    // Rust's `{:e}` prints the shortest round-tripping digits, like Go's formatter.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if x < 0.0 { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let mut out = format!("{sign}{}", &digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push_str("×10");
        if exp < 0 {
            out.push('⁻');
        }
        let e = exp.unsigned_abs().to_string();
        if e.len() < 2 {
            out.push('⁰');
        }
        out.extend(e.chars().map(superscript));
        out
    } else {
        // Decimal point after `exp + 1` digits.
        let point = exp + 1;
        let (int_part, frac_part) = if point <= 0 {
            (
                "0".to_string(),
                format!("{}{digits}", "0".repeat(point.unsigned_abs() as usize)),
            )
        } else {
            let point = point as usize;
            if digits.len() <= point {
                (
                    format!("{digits}{}", "0".repeat(point - digits.len())),
                    String::new(),
                )
            } else {
                (digits[..point].to_string(), digits[point..].to_string())
            }
        };
        let mut out = format!("{sign}{}", group_digits(&int_part));
        if !frac_part.is_empty() {
            out.push('.');
            out.push_str(&frac_part);
        }
        out
    }
}

fn superscript(digit: char) -> char {
    match digit {
        '0' => '⁰',
        '1' => '¹',
        '2' => '²',
        '3' => '³',
        '4' => '⁴',
        '5' => '⁵',
        '6' => '⁶',
        '7' => '⁷',
        '8' => '⁸',
        _ => '⁹',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_x_text_prints_them() {
        // Observed in Helm's messages: `2×10⁰⁶`, `1.0000005×10⁰⁶`, `1×10⁻⁰⁷`, `-12,345.5`.
        assert_eq!(localized_float(2e6), "2×10⁰⁶");
        assert_eq!(localized_float(1000000.5), "1.0000005×10⁰⁶");
        assert_eq!(localized_float(1e-7), "1×10⁻⁰⁷");
        assert_eq!(localized_float(-12345.5), "-12,345.5");
        assert_eq!(localized_float(-20000.0), "-20,000");
        assert_eq!(localized_float(1500.0), "1,500");
        assert_eq!(localized_float(0.3), "0.3");
        assert_eq!(localized_float(0.0001), "0.0001");
        assert_eq!(localized_float(999999.0), "999,999");
        assert_eq!(localized_float(0.0), "0");
    }

    #[test]
    fn integers_are_grouped() {
        assert_eq!(group(5), "5");
        assert_eq!(group(1000), "1,000");
        assert_eq!(group(1234567), "1,234,567");
    }

    #[test]
    fn quotes_like_the_go_library() {
        assert_eq!(squote("a'b\"c\n"), r#"'a\'b"c\n'"#);
        assert_eq!(squote(""), "''");
    }

    fn nested(depth: usize) -> Map<String, Value> {
        let mut value = Value::String("leaf".into());
        for _ in 0..depth {
            let mut map = Map::new();
            map.insert("a".into(), value);
            value = Value::Object(map);
        }
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn deep_values_validate_without_exhausting_the_stack() {
        // A recursive schema makes boon recurse once per level of the values.
        let schema = br##"{"type": "object", "additionalProperties": {"anyOf": [{"$ref": "#"}, {"type": "integer"}]}}"##;
        let problem = validate_against_single_schema(&nested(900), schema).unwrap_err();
        let Problem::Violations(text) = problem else {
            panic!("expected violations, got {problem:?}")
        };
        assert!(
            text.starts_with("- at '/a': 'anyOf' failed\n"),
            "{}",
            &text[..200]
        );
        assert!(text.contains("got string, want integer\n"));
        assert!(text.ends_with("\n  - at '/a': got object, want integer\n"));
    }

    #[test]
    fn too_deep_values_and_schemas_are_refused() {
        let schema = br#"{"type": "object"}"#;
        let problem = validate_against_single_schema(&nested(MAX_VALUES_DEPTH + 1), schema);
        assert_eq!(
            problem,
            Err(Problem::Violations(
                "values nest deeper than 1000 levels, more than helmpilot validates\n".into()
            ))
        );
        let deep_schema = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert_eq!(
            validate_against_single_schema(&Map::new(), deep_schema.as_bytes()),
            Err(Problem::InvalidSchema(
                "values.schema.json nests deeper than helmpilot validates (128 levels)".into()
            ))
        );
    }
}
