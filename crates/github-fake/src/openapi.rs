//! Checks recorded requests (and the fake's answers) against GitHub's OpenAPI description
//! of api.github.com, from the `@octokit/openapi` package.
//!
//! The description is OpenAPI 3.0: its schemas are JSON Schema draft 4 plus `nullable`,
//! which is rewritten into draft 4 (`type: [T, "null"]`) before validation with boon.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use serde_json::{json, Map, Value};

use crate::npm::{self, DataError};
use crate::RecordedRequest;

const PACKAGE: &str = "@octokit/openapi";
/// The package's document for api.github.com (beside it: GHEC, GHES and `.deref` variants).
const FILE: &str = "generated/api.github.com.json";

/// GitHub's REST API description.
///
/// ```
/// use helmpilot_github_fake::{openapi::Spec, RecordedRequest};
/// let spec = Spec::load();
/// let request = RecordedRequest {
///     method: "PATCH".into(),
///     path: "/repos/octo/charts/issues/comments/42".into(),
///     query: vec![],
///     headers: Default::default(),
///     body: Some(serde_json::json!({"body": "updated"})),
///     status: 200,
/// };
/// assert_eq!(spec.check(&request), Ok(()));
/// ```
#[derive(Clone)]
pub struct Spec {
    inner: Arc<Inner>,
}

struct Inner {
    doc: Value,
    /// Path templates split into segments (`None` for a `{param}` segment).
    templates: Vec<(String, Vec<Option<String>>)>,
    compiled: Mutex<Compiled>,
}

#[derive(Default)]
struct Compiled {
    schemas: boon::Schemas,
    /// By JSON pointer into the document.
    index: HashMap<String, boon::SchemaIndex>,
}

impl Spec {
    /// Loads the description, installing the package first when it is missing. Loaded
    /// once per process; clones share it.
    ///
    /// # Panics
    /// When the package cannot be installed or read (a test helper has no better answer).
    pub fn load() -> Spec {
        match Spec::try_load() {
            Ok(spec) => spec,
            Err(e) => panic!("GitHub's OpenAPI description: {e}"),
        }
    }

    /// [`Spec::load`], returning the error.
    pub fn try_load() -> Result<Spec, DataError> {
        static SPEC: OnceLock<Result<Spec, DataError>> = OnceLock::new();
        SPEC.get_or_init(|| {
            let doc = npm::read_json(PACKAGE, FILE)?;
            let paths =
                doc.get("paths")
                    .and_then(Value::as_object)
                    .ok_or_else(|| DataError::Format {
                        path: FILE.into(),
                        reason: "no `paths` object".to_string(),
                    })?;
            let templates = paths
                .keys()
                .map(|t| {
                    let segments = t
                        .trim_start_matches('/')
                        .split('/')
                        .map(|s| (!(s.starts_with('{') && s.ends_with('}'))).then(|| s.to_string()))
                        .collect();
                    (t.clone(), segments)
                })
                .collect();
            Ok(Spec {
                inner: Arc::new(Inner {
                    doc,
                    templates,
                    compiled: Mutex::new(Compiled::default()),
                }),
            })
        })
        .clone()
    }

    /// The version of the API description (`info.version`).
    pub fn version(&self) -> &str {
        self.inner.doc["info"]["version"].as_str().unwrap_or("")
    }

    /// The path template an actual path matches, preferring literal segments (so
    /// `/repos/o/r/issues/comments/1` is the comment, not an issue's sub-resource).
    pub fn template(&self, method: &str, path: &str) -> Option<&str> {
        let method = method.to_ascii_lowercase();
        let actual: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        self.inner
            .templates
            .iter()
            .filter(|(template, segments)| {
                // A trailing `{path}` (the contents API's file path) takes the rest of the
                // path, slashes included, as GitHub does.
                let rest_path = template.ends_with("/{path}") && actual.len() >= segments.len();
                (segments.len() == actual.len() || rest_path)
                    && actual.iter().all(|a| !a.is_empty())
                    && segments.iter().zip(&actual).all(|(s, a)| match s {
                        Some(literal) => literal == a,
                        None => !a.is_empty(),
                    })
                    && self.inner.doc["paths"][template.as_str()]
                        .get(&method)
                        .is_some()
            })
            .max_by_key(|(_, segments)| segments.iter().filter(|s| s.is_some()).count())
            .map(|(t, _)| t.as_str())
    }

    /// Checks a request: the operation exists for its method and path, every query
    /// parameter is declared (and integers are integers), and the JSON body validates
    /// against the operation's request body schema (a body is required when the operation
    /// requires one, and refused when it takes none).
    pub fn check(&self, request: &RecordedRequest) -> Result<(), String> {
        let method = request.method.to_ascii_lowercase();
        let what = format!("{} {}", request.method, request.path);
        let template = self
            .template(&method, &request.path)
            .ok_or_else(|| format!("{what}: no such operation in GitHub's REST API"))?;
        let operation = &self.inner.doc["paths"][template][method.as_str()];
        let op_name = operation["operationId"].as_str().unwrap_or(template);

        let mut declared: HashMap<String, Value> = HashMap::new();
        let path_item = &self.inner.doc["paths"][template];
        for list in [&path_item["parameters"], &operation["parameters"]] {
            for p in list.as_array().into_iter().flatten() {
                let p = self.resolve(p);
                if p["in"] == "query" {
                    if let Some(name) = p["name"].as_str() {
                        declared.insert(name.to_string(), p["schema"].clone());
                    }
                }
            }
        }
        for (name, value) in &request.query {
            let schema = declared.get(name).ok_or_else(|| {
                format!("{what} ({op_name}): query parameter `{name}` is not declared")
            })?;
            let schema = self.resolve(schema);
            if schema["type"] == "integer" && value.parse::<i64>().is_err() {
                return Err(format!(
                    "{what} ({op_name}): query parameter `{name}` is {value:?}, not an integer"
                ));
            }
        }

        let body_spec = self.resolve(&operation["requestBody"]);
        match (&request.body, body_spec.is_null()) {
            (None, _) if body_spec["required"] == true => {
                Err(format!("{what} ({op_name}): the request body is required"))
            }
            (None, _) => Ok(()),
            (Some(_), true) => Err(format!("{what} ({op_name}): the operation takes no body")),
            (Some(body), false) => {
                let pointer = format!(
                    "/paths/{}/{}/requestBody/content/application~1json/schema",
                    escape_pointer(template),
                    method
                );
                self.validate(&pointer, body)
                    .map_err(|e| format!("{what} ({op_name}): invalid body: {e}"))
            }
        }
    }

    /// Checks a JSON answer against the operation's response schema for `status`.
    pub fn check_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: &Value,
    ) -> Result<(), String> {
        let method = method.to_ascii_lowercase();
        let what = format!("{} {path} -> {status}", method.to_ascii_uppercase());
        let template = self
            .template(&method, path)
            .ok_or_else(|| format!("{what}: no such operation in GitHub's REST API"))?;
        let status_key = status.to_string();
        let responses = &self.inner.doc["paths"][template][method.as_str()]["responses"];
        if responses.get(&status_key).is_none() {
            return Err(format!("{what}: status {status} is not documented"));
        }
        let response = self.resolve(&responses[status_key.as_str()]);
        let ref_pointer = match responses[status_key.as_str()]["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix('#'))
        {
            Some(p) => p.to_string(),
            None => format!(
                "/paths/{}/{}/responses/{}",
                escape_pointer(template),
                method,
                status
            ),
        };
        if response["content"]["application/json"]["schema"].is_null() {
            return Err(format!("{what}: the response has no JSON schema"));
        }
        self.validate(
            &format!("{ref_pointer}/content/application~1json/schema"),
            body,
        )
        .map_err(|e| format!("{what}: {e}"))
    }

    /// Follows a `$ref` within the document (one level; GitHub's parameter, request body and
    /// response references are not chained).
    fn resolve<'a>(&'a self, v: &'a Value) -> &'a Value {
        match v["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
            Some(pointer) => self.inner.doc.pointer(pointer).unwrap_or(&Value::Null),
            None => v,
        }
    }

    fn validate(&self, pointer: &str, instance: &Value) -> Result<(), String> {
        let mut compiled = self
            .inner
            .compiled
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let index = match compiled.index.get(pointer) {
            Some(i) => *i,
            None => {
                // Each compiled document needs its own URL: `Schemas` knows schemas by
                // location, and would hand back an earlier one for `#/x-schema`.
                let url = format!("urn:helmpilot:github-openapi:{}", compiled.index.len());
                let i = self.compile(&url, pointer, &mut compiled.schemas)?;
                compiled.index.insert(pointer.to_string(), i);
                i
            }
        };
        compiled
            .schemas
            .validate(instance, index)
            .map_err(|e| format!("{e:#}").replace('\n', "; "))
    }

    /// Compiles the schema at `pointer` from a small document holding it and the
    /// components it references, rewritten from OpenAPI 3.0 into draft 4.
    fn compile(
        &self,
        url: &str,
        pointer: &str,
        schemas: &mut boon::Schemas,
    ) -> Result<boon::SchemaIndex, String> {
        let doc = &self.inner.doc;
        let root = doc
            .pointer(pointer)
            .ok_or_else(|| format!("no schema at {pointer}"))?;
        let mut seen = HashSet::new();
        let mut pending = Vec::new();
        collect_refs(root, &mut pending);
        let mut components = Value::Object(Map::new());
        while let Some(r) = pending.pop() {
            if !seen.insert(r.clone()) {
                continue;
            }
            let target = doc
                .pointer(&r)
                .ok_or_else(|| format!("dangling $ref #{r}"))?;
            collect_refs(target, &mut pending);
            set_pointer(&mut components, &r, target.clone());
        }
        let mut small = components;
        if let Value::Object(map) = &mut small {
            map.insert("x-schema".to_string(), root.clone());
        }
        rewrite_nullable(&mut small);
        let mut compiler = boon::Compiler::new();
        compiler.set_default_draft(boon::Draft::V4);
        compiler
            .add_resource(url, small)
            .map_err(|e| e.to_string())?;
        compiler
            .compile(&format!("{url}#/x-schema"), schemas)
            .map_err(|e| format!("{e:#}"))
    }
}

/// `/` and `~` escaped for a JSON pointer segment.
fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            if let Some(r) = map.get("$ref").and_then(Value::as_str) {
                if let Some(pointer) = r.strip_prefix('#') {
                    out.push(pointer.to_string());
                }
            }
            for child in map.values() {
                collect_refs(child, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|c| collect_refs(c, out)),
        _ => {}
    }
}

/// Puts `value` at `pointer` (object keys only), creating the objects on the way.
fn set_pointer(root: &mut Value, pointer: &str, value: Value) {
    let keys: Vec<String> = pointer
        .trim_start_matches('/')
        .split('/')
        .map(|k| k.replace("~1", "/").replace("~0", "~"))
        .collect();
    let mut at = root;
    for (i, key) in keys.iter().enumerate() {
        let Value::Object(map) = at else { return };
        if i + 1 == keys.len() {
            map.insert(key.clone(), value);
            return;
        }
        at = map.entry(key.clone()).or_insert_with(|| json!({}));
    }
}

/// OpenAPI 3.0's `nullable: true` as draft 4: `null` added to `type` (and `enum`), or the
/// schema wrapped in `anyOf` with `{"type": "null"}` when it has no `type`.
fn rewrite_nullable(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for child in map.values_mut() {
                rewrite_nullable(child);
            }
            if map.remove("nullable") != Some(Value::Bool(true)) {
                return;
            }
            if let Some(Value::Array(e)) = map.get_mut("enum") {
                if !e.contains(&Value::Null) {
                    e.push(Value::Null);
                }
            }
            match map.get("type").cloned() {
                Some(Value::String(t)) => {
                    map.insert("type".to_string(), json!([t, "null"]));
                }
                Some(_) => {}
                None => {
                    let inner = Value::Object(std::mem::take(map));
                    map.insert("anyOf".to_string(), json!([inner, {"type": "null"}]));
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_nullable),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> RecordedRequest {
        RecordedRequest {
            method: method.to_string(),
            path: path.to_string(),
            query: query
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            headers: Default::default(),
            body,
            status: 200,
        }
    }

    #[test]
    fn good_requests_pass() {
        let spec = Spec::load();
        for r in [
            request(
                "GET",
                "/repos/o/r/issues/12/comments",
                &[("per_page", "100"), ("page", "2")],
                None,
            ),
            request(
                "POST",
                "/repos/o/r/issues/12/comments",
                &[],
                Some(json!({"body": "hi"})),
            ),
            request(
                "PATCH",
                "/repos/o/r/issues/comments/99",
                &[],
                Some(json!({"body": "hi"})),
            ),
        ] {
            assert_eq!(spec.check(&r), Ok(()), "{r:?}");
        }
    }

    #[test]
    fn templates_prefer_literal_segments() {
        let spec = Spec::load();
        assert_eq!(
            spec.template("PATCH", "/repos/o/r/issues/comments/99"),
            Some("/repos/{owner}/{repo}/issues/comments/{comment_id}")
        );
        assert_eq!(
            spec.template("get", "/repos/o/r/issues/12/comments"),
            Some("/repos/{owner}/{repo}/issues/{issue_number}/comments")
        );
        assert_eq!(spec.template("GET", "/repos/o/r/issues//comments"), None);
        assert_eq!(
            spec.template("GET", "/repos/o/r/contents/.github/helmpilot.yml"),
            Some("/repos/{owner}/{repo}/contents/{path}")
        );
        assert_eq!(spec.template("GET", "/repos/o/r/contents/a//b"), None);
    }

    #[test]
    fn bad_requests_are_explained() {
        let spec = Spec::load();
        let cases = [
            (
                request("PUT", "/repos/o/r/issues/12/comments", &[], None),
                "PUT /repos/o/r/issues/12/comments: no such operation in GitHub's REST API",
            ),
            (
                request("GET", "/repos/o/r/pulls/12/comment", &[], None),
                "GET /repos/o/r/pulls/12/comment: no such operation in GitHub's REST API",
            ),
            (
                request("GET", "/repos/o/r/issues/12/comments", &[("perpage", "100")], None),
                "GET /repos/o/r/issues/12/comments (issues/list-comments): query parameter `perpage` is not declared",
            ),
            (
                request("GET", "/repos/o/r/issues/12/comments", &[("per_page", "all")], None),
                "GET /repos/o/r/issues/12/comments (issues/list-comments): query parameter `per_page` is \"all\", not an integer",
            ),
            (
                request("POST", "/repos/o/r/issues/12/comments", &[], None),
                "POST /repos/o/r/issues/12/comments (issues/create-comment): the request body is required",
            ),
            (
                request("GET", "/repos/o/r/issues/12/comments", &[], Some(json!({"body": "x"}))),
                "GET /repos/o/r/issues/12/comments (issues/list-comments): the operation takes no body",
            ),
        ];
        for (r, want) in cases {
            assert_eq!(spec.check(&r), Err(want.to_string()));
        }
        let err = spec
            .check(&request(
                "POST",
                "/repos/o/r/issues/12/comments",
                &[],
                Some(json!({"text": "hi"})),
            ))
            .unwrap_err();
        assert!(
            err.starts_with(
                "POST /repos/o/r/issues/12/comments (issues/create-comment): invalid body:"
            ),
            "{err}"
        );
        assert!(err.contains("body"), "{err}");
        let err = spec
            .check(&request(
                "PATCH",
                "/repos/o/r/issues/comments/1",
                &[],
                Some(json!({"body": 5})),
            ))
            .unwrap_err();
        assert!(err.contains("invalid body"), "{err}");
    }

    #[test]
    fn nullable_becomes_a_null_type() {
        let mut v = json!({
            "a": {"type": "string", "nullable": true, "enum": ["x"]},
            "b": {"allOf": [{"$ref": "#/x"}], "nullable": true},
            "c": {"type": "string", "nullable": false},
        });
        rewrite_nullable(&mut v);
        assert_eq!(
            v["a"],
            json!({"type": ["string", "null"], "enum": ["x", null]})
        );
        assert_eq!(
            v["b"],
            json!({"anyOf": [{"allOf": [{"$ref": "#/x"}]}, {"type": "null"}]})
        );
        assert_eq!(v["c"], json!({"type": "string"}));
    }

    #[test]
    fn response_schemas_catch_wrong_shapes() {
        let spec = Spec::load();
        let bad = json!({"id": "1", "body": "x"});
        let err = spec
            .check_response("PATCH", "/repos/o/r/issues/comments/1", 200, &bad)
            .unwrap_err();
        assert!(
            err.starts_with("PATCH /repos/o/r/issues/comments/1 -> 200:"),
            "{err}"
        );
        let err = spec
            .check_response("PATCH", "/repos/o/r/issues/comments/1", 418, &bad)
            .unwrap_err();
        assert_eq!(
            err,
            "PATCH /repos/o/r/issues/comments/1 -> 418: status 418 is not documented"
        );
    }
}
