//! The user-supplied values of `helm template`/`install`/`upgrade`: `-f` files and the
//! `--set` family, merged into one tree the way Helm's `values.Options.MergeValues`
//! (pkg/cli/values/options.go) does.
//!
//! Order matters, and it is Helm's, not the command line's: all `-f` files first (each
//! merged over the previous ones), then every `--set-json`, every `--set`, every
//! `--set-string`, every `--set-file`, and last every `--set-literal`; within a flag,
//! in the order given. So `--set-string a=x --set a=1` gives `a: "x"`.
//!
//! Only local files and `-` (standard input) are read. Helm would download `http://`,
//! `https://` and `oci://` values files; here they are an error, since rendering must
//! not reach the network.

use serde_json::{Map, Value};

use super::strvals::{self, SetKind, StrvalsError};

/// The values flags of one Helm command, each in command-line order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValueOptions {
    /// `-f`/`--values`: YAML files (`-` is standard input).
    pub value_files: Vec<String>,
    /// `--set`: typed values (`a.b=1,c={x,y}`).
    pub values: Vec<String>,
    /// `--set-string`: values kept as strings.
    pub string_values: Vec<String>,
    /// `--set-json`: JSON values (`a={"b":1}`), or a whole JSON object (`{"a":1}`).
    pub json_values: Vec<String>,
    /// `--set-literal`: one value taken verbatim.
    pub literal_values: Vec<String>,
    /// `--set-file`: values read from files.
    pub file_values: Vec<String>,
}

/// Where the reader of [`ValueOptions::merge_values`] is asked to read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source<'a> {
    /// `-`: standard input.
    Stdin,
    /// A local file, as given on the command line.
    File(&'a str),
}

/// Reads a values source: its bytes, or the message to report (Go's wording, such as
/// `open values.yaml: no such file or directory`, is what [`read_local`] gives).
pub type Reader<'a> = &'a dyn Fn(Source<'_>) -> Result<Vec<u8>, String>;

/// Why the values flags could not be merged; the texts are Helm's.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValuesError {
    /// A values file or `--set-file` path could not be read (the reader's message).
    #[error("{0}")]
    Read(String),
    /// A values file, or a `--set-file` path, names a URL Helm would download.
    #[error("{url}: reading {scheme}:// values is not supported: helmpilot reads only local files and standard input")]
    Remote { url: String, scheme: String },
    /// A path Go's `url.Parse` rejects, which Helm reports before reading anything.
    #[error("parse {}: {message}", helmpilot_template::gofmt::quote(url))]
    Url { url: String, message: String },
    /// A values file is not a YAML map (or not YAML).
    #[error("failed to parse {path}: {message}")]
    Parse { path: String, message: String },
    /// A `--set-json` value that starts with `{` is not a JSON object.
    #[error("failed parsing --set-json data JSON: {0}")]
    JsonObject(String),
    /// A `--set-json` expression failed (Helm does not say why).
    #[error("failed parsing --set-json data {0}")]
    Json(String),
    /// A `--set` expression failed.
    #[error("failed parsing --set data: {0}")]
    Set(StrvalsError),
    /// A `--set-string` expression failed.
    #[error("failed parsing --set-string data: {0}")]
    SetString(StrvalsError),
    /// A `--set-file` expression failed, or one of its files could not be read.
    #[error("failed parsing --set-file data: {0}")]
    SetFile(StrvalsError),
    /// A `--set-literal` expression failed.
    #[error("failed parsing --set-literal data: {0}")]
    SetLiteral(StrvalsError),
}

impl ValueOptions {
    /// Merges every values flag into one tree, in Helm's order (see the module docs).
    ///
    /// ```
    /// use helmpilot_chart::values::options::{Source, ValueOptions};
    /// let opts = ValueOptions {
    ///     value_files: vec!["prod.yaml".into()],
    ///     values: vec!["replicas=3".into()],
    ///     string_values: vec!["image.tag=1.10".into()],
    ///     ..Default::default()
    /// };
    /// let read = |source: Source<'_>| match source {
    ///     Source::File("prod.yaml") => Ok(b"replicas: 2\nimage: {repo: web}\n".to_vec()),
    ///     _ => Err("unexpected source".to_string()),
    /// };
    /// let values = opts.merge_values(&read)?;
    /// assert_eq!(
    ///     serde_json::Value::Object(values),
    ///     serde_json::json!({"replicas": 3, "image": {"repo": "web", "tag": "1.10"}})
    /// );
    /// # Ok::<(), helmpilot_chart::values::options::ValuesError>(())
    /// ```
    pub fn merge_values(&self, read: Reader<'_>) -> Result<Map<String, Value>, ValuesError> {
        let mut base = Map::new();

        for path in &self.value_files {
            let raw = read_source(path, read)?;
            let current = load_values(&raw).map_err(|message| ValuesError::Parse {
                path: path.clone(),
                message,
            })?;
            base = merge_maps(base, current);
        }

        for value in &self.json_values {
            let trimmed = value.trim();
            if trimmed.starts_with('{') {
                // A whole object is merged like a values file, not parsed as key=value.
                let object = match helmpilot_yaml::json::unmarshal(trimmed) {
                    Ok(decoded) if decoded.type_error.is_none() => decoded.value,
                    _ => return Err(ValuesError::JsonObject(value.clone())),
                };
                let Value::Object(object) = object else {
                    return Err(ValuesError::JsonObject(value.clone()));
                };
                base = merge_maps(base, object);
            } else {
                strvals::parse_into(value, &mut base, SetKind::Json, &strvals::no_files)
                    .map_err(|_| ValuesError::Json(value.clone()))?;
            }
        }

        for value in &self.values {
            strvals::parse_into(value, &mut base, SetKind::Typed, &strvals::no_files)
                .map_err(ValuesError::Set)?;
        }

        for value in &self.string_values {
            strvals::parse_into(value, &mut base, SetKind::String, &strvals::no_files)
                .map_err(ValuesError::SetString)?;
        }

        // `--set-file` paths are read like `-f` files: `-` is standard input. Go keeps
        // the bytes as they are; a Rust string cannot, so invalid UTF-8 is replaced.
        let read_file = |path: &str| {
            read_source(path, read)
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .map_err(|e| e.to_string())
        };
        for value in &self.file_values {
            strvals::parse_into(value, &mut base, SetKind::File, &read_file)
                .map_err(ValuesError::SetFile)?;
        }

        for value in &self.literal_values {
            strvals::parse_into(value, &mut base, SetKind::Literal, &strvals::no_files)
                .map_err(ValuesError::SetLiteral)?;
        }

        Ok(base)
    }
}

/// Reads local files and standard input with Go's error wording, as `os.ReadFile` and
/// `io.ReadAll(os.Stdin)` report failures: `open <path>: no such file or directory`,
/// `read <path>: is a directory`.
pub fn read_local(source: Source<'_>) -> Result<Vec<u8>, String> {
    use std::io::Read;
    match source {
        Source::Stdin => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| format!("read /dev/stdin: {}", go_errno_text(&e)))?;
            Ok(bytes)
        }
        Source::File(path) => {
            let mut file = std::fs::File::open(path)
                .map_err(|e| format!("open {path}: {}", go_errno_text(&e)))?;
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes)
                .map_err(|e| format!("read {path}: {}", go_errno_text(&e)))?;
            Ok(bytes)
        }
    }
}

/// The text Go's `syscall.Errno` gives for the common failures; otherwise the
/// operating system's own text.
fn go_errno_text(err: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match err.kind() {
        ErrorKind::NotFound => "no such file or directory".into(),
        ErrorKind::PermissionDenied => "permission denied".into(),
        ErrorKind::IsADirectory => "is a directory".into(),
        ErrorKind::NotADirectory => "not a directory".into(),
        _ => {
            // Rust appends " (os error N)" and capitalises; Go does neither.
            let text = err.to_string();
            let text = text.split(" (os error").next().unwrap_or(&text);
            let mut chars = text.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => String::new(),
            }
        }
    }
}

/// Helm's `readFile`: `-` is standard input, a URL with a scheme Helm has a getter for
/// would be downloaded (refused here), anything else is a local path.
fn read_source(path: &str, read: Reader<'_>) -> Result<Vec<u8>, ValuesError> {
    if path.trim() == "-" {
        return read(Source::Stdin).map_err(ValuesError::Read);
    }
    let scheme = url_scheme(path)?;
    // Helm's default getters: HTTP(S) and OCI registries.
    if matches!(scheme.as_str(), "http" | "https" | "oci") {
        return Err(ValuesError::Remote {
            url: path.to_string(),
            scheme,
        });
    }
    read(Source::File(path)).map_err(ValuesError::Read)
}

/// The scheme Go's `url.Parse` finds in `raw` (lowercased; empty for a plain path),
/// and the errors it raises for paths no URL can be. Go's checks of an authority
/// (`//host:port`) are not repeated.
fn url_scheme(raw: &str) -> Result<String, ValuesError> {
    let url_error = |url: &str, message: &str| ValuesError::Url {
        url: url.to_string(),
        message: message.to_string(),
    };
    let (before_fragment, fragment) = match raw.split_once('#') {
        Some((u, f)) => (u, Some(f)),
        None => (raw, None),
    };
    if before_fragment.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err(url_error(
            before_fragment,
            "net/url: invalid control character in URL",
        ));
    }
    // Go's getScheme: letters, then letters, digits, `+`, `-` or `.` up to a colon.
    let mut scheme = "";
    let mut rest = before_fragment;
    for (i, b) in before_fragment.bytes().enumerate() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return Err(url_error(before_fragment, "missing protocol scheme")),
            b':' => {
                scheme = &before_fragment[..i];
                rest = &before_fragment[i + 1..];
                break;
            }
            _ => break,
        }
    }
    let scheme = scheme.to_ascii_lowercase();
    // What follows `?` is a raw query, which Go does not unescape (a lone trailing `?`
    // just marks an empty one).
    let rest = rest.split_once('?').map_or(rest, |(path, _)| path);
    if !rest.starts_with('/') {
        if !scheme.is_empty() {
            // An opaque URL such as `mailto:x`: Go unescapes none of it.
            return check_fragment(raw, fragment).map(|()| scheme);
        }
        if rest.split('/').next().is_some_and(|seg| seg.contains(':')) {
            return Err(url_error(
                before_fragment,
                "first path segment in URL cannot contain colon",
            ));
        }
    }
    let path = match rest.strip_prefix("//") {
        Some(after) if !scheme.is_empty() || !rest.starts_with("///") => {
            after.find('/').map_or("", |i| &after[i..])
        }
        _ => rest,
    };
    if let Some(bad) = bad_escape(path) {
        return Err(url_error(before_fragment, &bad));
    }
    check_fragment(raw, fragment).map(|()| scheme)
}

fn check_fragment(raw: &str, fragment: Option<&str>) -> Result<(), ValuesError> {
    match fragment.and_then(bad_escape) {
        Some(message) => Err(ValuesError::Url {
            url: raw.to_string(),
            message,
        }),
        None => Ok(()),
    }
}

/// Go's `unescape` error for the first `%` not followed by two hex digits.
fn bad_escape(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let ok =
                i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit();
            if !ok {
                let end = (i + 3).min(b.len());
                let text = String::from_utf8_lossy(&b[i..end]);
                return Some(format!(
                    "invalid URL escape {}",
                    helmpilot_template::gofmt::quote(&text)
                ));
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    None
}

/// Helm's `loader.LoadValues`: a YAML stream of maps, each document merged over the
/// ones before it.
fn load_values(raw: &[u8]) -> Result<Map<String, Value>, String> {
    let text = std::str::from_utf8(raw)
        .map_err(|_| "error converting YAML to JSON: yaml: invalid UTF-8".to_string())?;
    let mut values = Map::new();
    for doc in split_documents(text)? {
        let current = helmpilot_yaml::unmarshal_map(&doc)
            .map_err(|e| format!("cannot unmarshal yaml document: {e}"))?;
        values = merge_maps(values, current);
    }
    Ok(values)
}

/// The documents Kubernetes' `YAMLReader` splits a stream into: a line starting with
/// `---` ends the document before it (the line itself is dropped, unless it opens the
/// stream or follows another separator); only blanks and a comment may follow the
/// dashes. Lines are rejoined with `\n` (a `\r\n` ending loses its `\r`).
fn split_documents(text: &str) -> Result<Vec<String>, String> {
    let mut lines: Vec<String> = Vec::new();
    let mut segments = text.split('\n').peekable();
    while let Some(segment) = segments.next() {
        let terminated = segments.peek().is_some();
        if terminated {
            let line = segment.strip_suffix('\r').unwrap_or(segment);
            lines.push(format!("{line}\n"));
        } else if !segment.is_empty() {
            lines.push(format!("{segment}\n"));
        }
    }
    let mut docs = Vec::new();
    let mut buffer = String::new();
    for line in lines {
        if let Some(after) = line.strip_prefix("---") {
            let trimmed = after.trim();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                return Err(format!(
                    "error reading yaml document: invalid Yaml document separator: {trimmed}"
                ));
            }
            if !buffer.is_empty() {
                docs.push(std::mem::take(&mut buffer));
                continue;
            }
        }
        buffer.push_str(&line);
    }
    if !buffer.is_empty() {
        docs.push(buffer);
    }
    Ok(docs)
}

/// Helm's `loader.MergeMaps`: `b` over `a`, merging maps found under the same key in
/// both and replacing everything else.
pub fn merge_maps(mut a: Map<String, Value>, b: Map<String, Value>) -> Map<String, Value> {
    for (k, v) in b {
        match (a.remove(&k), v) {
            (Some(Value::Object(old)), Value::Object(new)) => {
                a.insert(k, Value::Object(merge_maps(old, new)));
            }
            (_, v) => {
                a.insert(k, v);
            }
        }
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn files(
        list: &'static [(&'static str, &'static str)],
    ) -> impl Fn(Source<'_>) -> Result<Vec<u8>, String> {
        move |source| match source {
            Source::Stdin => Ok(b"from: stdin\n".to_vec()),
            Source::File(path) => list
                .iter()
                .find(|(name, _)| *name == path)
                .map(|(_, content)| content.as_bytes().to_vec())
                .ok_or_else(|| format!("open {path}: no such file or directory")),
        }
    }

    // The expectations below follow Helm v4.2.3's options.go, load.go and Kubernetes'
    // YAMLReader: the oracle offers no entry point to MergeValues.

    #[test]
    fn flags_apply_in_helms_order_not_command_line_order() {
        let opts = ValueOptions {
            value_files: vec!["a.yaml".into(), "b.yaml".into()],
            values: vec!["x=1".into(), "order=set".into()],
            string_values: vec!["x=2".into()],
            json_values: vec!["x=3".into(), r#"{"order":"json","j":{"k":1}}"#.into()],
            literal_values: vec!["lit=a,b".into(), "order=literal".into()],
            file_values: vec!["f=a.yaml".into(), "order=b.yaml".into()],
        };
        let read = files(&[("a.yaml", "x: 0\nm: {a: 1}\n"), ("b.yaml", "m: {b: 2}\n")]);
        let values = opts.merge_values(&read).unwrap();
        assert_eq!(
            Value::Object(values),
            json!({
                "x": "2",
                "m": {"a": 1.0, "b": 2.0},
                "j": {"k": 1.0},
                "f": "x: 0\nm: {a: 1}\n",
                "lit": "a,b",
                "order": "literal",
            })
        );
    }

    #[test]
    fn values_files_are_yaml_streams() {
        let opts = ValueOptions {
            value_files: vec!["s.yaml".into()],
            ..Default::default()
        };
        let read = files(&[(
            "s.yaml",
            "---\na: {x: 1}\n---   # next\na: {z: 2}\r\n---\n---\nb: 3",
        )]);
        assert_eq!(
            Value::Object(opts.merge_values(&read).unwrap()),
            json!({"a": {"x": 1.0, "z": 2.0}, "b": 3.0})
        );
        let read = files(&[("s.yaml", "a: 1\n--- b: 2\n")]);
        assert_eq!(
            opts.merge_values(&read).unwrap_err().to_string(),
            "failed to parse s.yaml: error reading yaml document: invalid Yaml document separator: b: 2"
        );
        let read = files(&[("s.yaml", "- 1\n")]);
        assert_eq!(
            opts.merge_values(&read).unwrap_err().to_string(),
            "failed to parse s.yaml: cannot unmarshal yaml document: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}"
        );
    }

    #[test]
    fn errors_carry_helms_prefixes() {
        let read = files(&[]);
        let fail = |opts: ValueOptions| opts.merge_values(&read).unwrap_err().to_string();
        assert_eq!(
            fail(ValueOptions {
                value_files: vec!["nope.yaml".into()],
                ..Default::default()
            }),
            "open nope.yaml: no such file or directory"
        );
        assert_eq!(
            fail(ValueOptions {
                values: vec!["a,b".into()],
                ..Default::default()
            }),
            "failed parsing --set data: key \"a\" has no value (cannot end with ,)"
        );
        assert_eq!(
            fail(ValueOptions { string_values: vec!["a[x]=1".into()], ..Default::default() }),
            "failed parsing --set-string data: error parsing index: strconv.Atoi: parsing \"x\": invalid syntax"
        );
        assert_eq!(
            fail(ValueOptions {
                json_values: vec!["a=x".into()],
                ..Default::default()
            }),
            "failed parsing --set-json data a=x"
        );
        assert_eq!(
            fail(ValueOptions {
                json_values: vec![" {\"a\":".into()],
                ..Default::default()
            }),
            "failed parsing --set-json data JSON:  {\"a\":"
        );
        assert_eq!(
            fail(ValueOptions {
                file_values: vec!["a=gone".into()],
                ..Default::default()
            }),
            "failed parsing --set-file data: open gone: no such file or directory"
        );
        assert_eq!(
            fail(ValueOptions {
                literal_values: vec!["a".into()],
                ..Default::default()
            }),
            "failed parsing --set-literal data: key \"a\" has no value"
        );
    }

    #[test]
    fn stdin_and_urls() {
        let read = files(&[]);
        let opts = ValueOptions {
            value_files: vec![" - ".into()],
            ..Default::default()
        };
        assert_eq!(
            Value::Object(opts.merge_values(&read).unwrap()),
            json!({"from": "stdin"})
        );
        let opts = ValueOptions {
            file_values: vec!["s=-".into()],
            ..Default::default()
        };
        assert_eq!(
            Value::Object(opts.merge_values(&read).unwrap()),
            json!({"s": "from: stdin\n"})
        );

        let fail = |path: &str| {
            ValueOptions {
                value_files: vec![path.into()],
                ..Default::default()
            }
            .merge_values(&read)
            .unwrap_err()
        };
        assert!(
            matches!(fail("HTTPS://example.com/v.yaml"), ValuesError::Remote { scheme, .. } if scheme == "https")
        );
        assert!(matches!(fail("oci://r/c"), ValuesError::Remote { .. }));
        assert_eq!(
            fail(":x").to_string(),
            "parse \":x\": missing protocol scheme"
        );
        assert_eq!(
            fail("v%zz.yaml").to_string(),
            "parse \"v%zz.yaml\": invalid URL escape \"%zz\""
        );
        assert_eq!(
            fail("v%4").to_string(),
            "parse \"v%4\": invalid URL escape \"%4\""
        );
        assert_eq!(
            fail("1a:b").to_string(),
            "parse \"1a:b\": first path segment in URL cannot contain colon"
        );
        // Not URLs Helm has a getter for: read as local paths.
        assert_eq!(
            fail("file:v.yaml").to_string(),
            "open file:v.yaml: no such file or directory"
        );
        assert_eq!(
            fail("v.yaml?x=%zz").to_string(),
            "open v.yaml?x=%zz: no such file or directory"
        );
    }

    #[test]
    fn merge_maps_merges_only_map_pairs() {
        let a = json!({"m": {"x": 1, "y": 1}, "l": [1], "s": {"k": 1}});
        let b = json!({"m": {"y": 2}, "l": [2], "s": "str"});
        let (Value::Object(a), Value::Object(b)) = (a, b) else {
            unreachable!()
        };
        assert_eq!(
            Value::Object(merge_maps(a, b)),
            json!({"m": {"x": 1, "y": 2}, "l": [2], "s": "str"})
        );
    }
}
