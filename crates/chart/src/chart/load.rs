//! Loading a chart from a directory or a `.tgz` archive, as `helm template` does
//! (Helm's `pkg/chart/loader` in front of the chart v2 loader).
//!
//! - [`load_dir`] walks the directory in sorted order, skipping what `.helmignore` (and
//!   Helm's default rule for hidden files under `templates/`) ignores, refusing
//!   irregular files and files over 5 MiB, dropping a UTF-8 byte order mark.
//! - [`load_archive`] reads a gzipped tar with Helm's path and size checks
//!   ([`super::archive`]); `.helmignore` does not apply there, as in Helm.
//! - [`load_files`] sorts the files into the [`Chart`]: Chart.yaml, lock files, values,
//!   schema, templates, subcharts under `charts/` (directories and archives, at any
//!   depth) and everything else for `.Files`.
//!
//! Error messages are Helm's. Two deliberate differences, because rendering is a
//! sandbox for untrusted pull requests: a symbolic link whose target resolves outside
//! the chart directory is refused (Helm follows it), and so is a symlink loop or a
//! nesting of subcharts deeper than [`MAX_SUBCHART_DEPTH`]. Helm's `apiVersion: v3`
//! charts (experimental in Helm 4) are refused too.
//!
//! Subcharts are loaded in name order; Helm's order is that of a Go map, random.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use helmpilot_template::gofmt::quote;

use super::archive::{self, ArchiveError, MAX_DECOMPRESSED_FILE_SIZE};
use super::ignore::{IgnoreError, Rules, HELM_IGNORE};
use super::metadata::{Lock, Metadata, MetadataError};
use super::{Chart, ChartFile};

/// How deep subcharts may nest (`charts/a/charts/b/...`) before loading gives up.
pub const MAX_SUBCHART_DEPTH: usize = 64;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why a chart could not be loaded; the message is Helm's where Helm has one.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Reading from disk failed, or the path is not a chart (Go's error text, e.g.
    /// `stat x: no such file or directory`, `unable to detect chart at ...`).
    #[error("{0}")]
    Io(String),
    /// The archive is not a gzipped tar chart, or Helm's checks refused it.
    #[error("{0}")]
    Archive(String),
    /// `.helmignore` has a rule Helm refuses.
    #[error(transparent)]
    Ignore(#[from] IgnoreError),
    /// A file the directory loader refuses (irregular, too large).
    #[error("{0}")]
    File(String),
    /// A symbolic link that leads outside the chart directory (helmpilot's sandbox rule;
    /// Helm would follow it).
    #[error(
        "symlink {link} points outside the chart directory (to {target}); refusing to follow it"
    )]
    SymlinkEscape { link: String, target: String },
    /// A symbolic link that leads back to one of its own parent directories.
    #[error("symlink {link} makes a directory loop; refusing to follow it")]
    SymlinkLoop { link: String },
    /// Chart.yaml, a lock or requirements file, or values.yaml that Helm refuses, or a
    /// chart Helm's metadata validation fails.
    #[error("{0}")]
    Invalid(String),
    /// A subchart under `charts/` failed to load.
    #[error("error unpacking subchart {name} in {parent}: {source}")]
    Subchart {
        name: String,
        parent: String,
        source: Box<LoadError>,
    },
}

fn invalid(message: impl Into<String>) -> LoadError {
    LoadError::Invalid(message.into())
}

/// Loads a chart from a directory or a `.tgz` file, as `helm template <path>` does.
///
/// ```no_run
/// use std::path::Path;
/// let chart = helmpilot_chart::chart::load(Path::new("charts/web")).unwrap();
/// println!("{} has {} templates", chart.name(), chart.templates.len());
/// ```
pub fn load(path: &Path) -> Result<Chart, LoadError> {
    let meta = std::fs::metadata(path).map_err(|e| LoadError::Io(go_io_error("stat", path, &e)))?;
    if meta.is_dir() {
        return load_dir(path);
    }
    let name = path.display().to_string();
    let data = std::fs::read(path).map_err(|e| LoadError::Io(go_io_error("read", path, &e)))?;
    archive::ensure_archive(&name, &data).map_err(LoadError::Archive)?;
    let files = archive::load_archive_files(&data).map_err(|e| match e {
        ArchiveError::GzipHeader => LoadError::Archive(format!(
            "file '{name}' does not appear to be a valid chart file (details: {e})"
        )),
        _ => LoadError::Archive("unable to load chart archive".into()),
    })?;
    load_detected(files)
}

/// Loads a chart directory, honouring `.helmignore`.
pub fn load_dir(path: &Path) -> Result<Chart, LoadError> {
    load_dir_with(path, Vec::new())
}

/// Loads a chart directory as if `extra` files (paths relative to the chart root, e.g.
/// `charts/redis-17.3.0.tgz`) were in it too: how dependencies fetched into the cache are
/// rendered without writing into the chart's folder. A file of the same path on disk wins.
pub fn load_dir_with(path: &Path, extra: Vec<ChartFile>) -> Result<Chart, LoadError> {
    let top = std::path::absolute(path).map_err(|e| LoadError::Io(go_io_error("abs", path, &e)))?;
    let chart_yaml = top.join("Chart.yaml");
    let not_a_chart = |e: std::io::Error, op: &str| {
        LoadError::Io(format!(
            "unable to detect chart at {}: {}",
            chart_yaml.display(),
            go_io_error(op, &chart_yaml, &e)
        ))
    };
    // The real chart root, against which every symlink target is checked.
    let real_top = std::fs::canonicalize(&top).map_err(|e| not_a_chart(e, "open"))?;
    let sandbox = Sandbox {
        top: &top,
        real_top: &real_top,
    };
    // Helm reads Chart.yaml first to choose a loader by apiVersion.
    sandbox.check_link(&chart_yaml)?;
    let data = std::fs::read(&chart_yaml).map_err(|e| {
        let op = if chart_yaml.is_dir() { "read" } else { "open" };
        not_a_chart(e, op)
    })?;
    detect_api_version(&data)?;

    let mut rules = Rules::empty();
    let ignore_file = top.join(HELM_IGNORE);
    if std::fs::metadata(&ignore_file).is_ok() {
        sandbox.check_link(&ignore_file)?;
        let text = std::fs::read(&ignore_file)
            .map_err(|e| LoadError::Io(go_io_error("open", &ignore_file, &e)))?;
        rules = Rules::parse_bytes(&text)?;
    }
    rules.add_defaults();

    let mut walker = Walker {
        sandbox,
        rules: &rules,
        files: Vec::new(),
        open_dirs: vec![real_top.clone()],
    };
    walker.walk_dir(&top, "")?;
    let mut files = walker.files;
    for file in extra {
        if !files.iter().any(|f| f.name == file.name) {
            files.push(file);
        }
    }
    load_files(files)
}

/// Loads a gzipped tar archive of a chart held in memory (Helm's `loader.LoadArchive`).
pub fn load_archive(data: &[u8]) -> Result<Chart, LoadError> {
    let files = archive::load_archive_files(data).map_err(|e| match e {
        ArchiveError::GzipHeader => LoadError::Archive(format!(
            "stream does not appear to be a valid chart file (details: {e})"
        )),
        _ => LoadError::Archive(format!("unable to load chart archive: {e}")),
    })?;
    load_detected(files)
}

/// Helm's dispatch on the archive's Chart.yaml apiVersion, then the v2 loader.
fn load_detected(files: Vec<ChartFile>) -> Result<Chart, LoadError> {
    match files.iter().find(|f| f.name == "Chart.yaml") {
        Some(chart_yaml) => detect_api_version(&chart_yaml.data)?,
        None => {
            return Err(LoadError::Archive(
                "unable to detect chart version, no Chart.yaml found".into(),
            ))
        }
    }
    load_files(files)
}

/// Reads only Chart.yaml's `apiVersion` (Helm's `chartBase`) and refuses the versions
/// the v2 loader does not handle.
fn detect_api_version(data: &[u8]) -> Result<(), LoadError> {
    let text = yaml_text(data).map_err(|e| invalid(format!("cannot load Chart.yaml: {e}")))?;
    let doc = helmpilot_yaml::unmarshal(text)
        .map_err(|e| invalid(format!("cannot load Chart.yaml: {e}")))?;
    let api_version = match &doc {
        serde_json::Value::Null => String::new(),
        serde_json::Value::Object(map) => match map.get("apiVersion") {
            None | Some(serde_json::Value::Null) => String::new(),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => {
                return Err(invalid(format!(
                    "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field chartBase.apiVersion of type string",
                    json_kind(other)
                )))
            }
        },
        other => {
            return Err(invalid(format!(
                "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type loader.chartBase",
                json_kind(other)
            )))
        }
    };
    match api_version.as_str() {
        "v1" | "v2" | "" => Ok(()),
        // Helm 4 loads these with its experimental chart v3 code, which helmpilot
        // does not implement.
        "v3" => Err(invalid(
            "unsupported chart version: apiVersion v3 charts are not supported by helmpilot",
        )),
        _ => Err(invalid("unsupported chart version")),
    }
}

/// The kind name Go's JSON decoder gives a value in a type error.
fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "bool",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// YAML input must be UTF-8; go-yaml's reader says so in its own words.
fn yaml_text(data: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(data)
        .map_err(|_| "error converting YAML to JSON: yaml: invalid leading UTF-8 octet".to_string())
}

/// Builds a chart from its files (paths relative to the chart root), as Helm's
/// `LoadFiles`: Chart.yaml, values, schema, templates, subcharts under charts/.
pub fn load_files(files: Vec<ChartFile>) -> Result<Chart, LoadError> {
    load_files_at_depth(files, 0)
}

fn load_files_at_depth(files: Vec<ChartFile>, depth: usize) -> Result<Chart, LoadError> {
    let mut chart = Chart::default();
    let mut have_metadata = false;
    // Chart.yaml first, wherever it is in the list: the rest depends on its apiVersion.
    for file in files.iter().filter(|f| f.name == "Chart.yaml") {
        chart.metadata = Metadata::parse(&file.data)
            .map_err(|e| invalid(format!("cannot load Chart.yaml: {e}")))?;
        if chart.metadata.api_version.is_empty() {
            // Helm 2 charts may lack apiVersion; Helm takes them as v1.
            chart.metadata.api_version = "v1".into();
        }
        have_metadata = true;
    }

    let mut subcharts: BTreeMap<String, Vec<ChartFile>> = BTreeMap::new();
    for file in files {
        let name = file.name.as_str();
        match name {
            "Chart.yaml" => {}
            "Chart.lock" => {
                chart.lock = Some(
                    Lock::parse(&file.data)
                        .map_err(|e| invalid(format!("cannot load Chart.lock: {e}")))?,
                );
            }
            "values.yaml" => {
                chart.values = load_values(&file.data)
                    .map_err(|e| invalid(format!("cannot load values.yaml: {e}")))?;
                chart.raw_values = Some(file.data.clone());
            }
            "values.schema.json" => chart.schema = Some(file.data.clone()),
            "requirements.yaml" => {
                // Helm decodes requirements.yaml over the metadata, creating it if
                // Chart.yaml is absent.
                have_metadata = true;
                chart
                    .metadata
                    .apply_requirements(&file.data)
                    .map_err(|e| invalid(format!("cannot load requirements.yaml: {e}")))?;
                if chart.metadata.api_version == "v1" {
                    chart.files.push(file);
                }
            }
            "requirements.lock" => {
                chart.lock = Some(
                    Lock::parse(&file.data)
                        .map_err(|e| invalid(format!("cannot load requirements.lock: {e}")))?,
                );
                have_metadata = true;
                if chart.metadata.api_version == "v1" {
                    chart.files.push(file);
                }
            }
            _ if name.starts_with("templates/") => chart.templates.push(file),
            _ if name.starts_with("charts/") => {
                if go_ext(name) == ".prov" {
                    chart.files.push(file);
                    continue;
                }
                let inner = &name["charts/".len()..];
                let subchart = inner.split('/').next().unwrap_or_default().to_string();
                let inner = inner.to_string();
                subcharts.entry(subchart).or_default().push(ChartFile {
                    name: inner,
                    data: file.data,
                });
            }
            _ => chart.files.push(file),
        }
    }

    if !have_metadata {
        return Err(invalid("Chart.yaml file is missing"));
    }
    chart
        .metadata
        .validate()
        .map_err(|e: MetadataError| invalid(e.to_string()))?;
    chart.metadata.sanitize();

    for (name, files) in subcharts {
        if name.starts_with('_') || name.starts_with('.') {
            continue;
        }
        let wrap = |source: LoadError| LoadError::Subchart {
            name: name.clone(),
            parent: chart.metadata.name.clone(),
            source: Box::new(source),
        };
        if depth >= MAX_SUBCHART_DEPTH {
            return Err(wrap(invalid(format!(
                "subcharts nest deeper than {MAX_SUBCHART_DEPTH} levels"
            ))));
        }
        let subchart = if go_ext(&name) == ".tgz" {
            let first = &files[0];
            if first.name != name {
                return Err(invalid(format!(
                    "error unpacking subchart tar in {}: expected {name}, got {}",
                    chart.metadata.name, first.name
                )));
            }
            archive::load_archive_files(&first.data)
                .map_err(|e| LoadError::Archive(e.to_string()))
                .and_then(|files| load_files_at_depth(files, depth + 1))
        } else {
            // Drop the subchart's directory name; a plain file directly in charts/ is
            // not part of any chart.
            let inner: Vec<ChartFile> = files
                .into_iter()
                .filter_map(|f| {
                    let (_, rest) = f.name.split_once('/')?;
                    Some(ChartFile {
                        name: rest.to_string(),
                        data: f.data,
                    })
                })
                .collect();
            load_files_at_depth(inner, depth + 1)
        };
        let subchart = subchart.map_err(wrap)?;
        chart.dependencies.push(subchart);
    }
    Ok(chart)
}

/// Go's `filepath.Ext`: from the last dot of the last path element.
fn go_ext(path: &str) -> &str {
    let base_start = path.rfind('/').map_or(0, |i| i + 1);
    match path[base_start..].rfind('.') {
        Some(i) => &path[base_start + i..],
        None => "",
    }
}

/// Helm's `LoadValues`: every YAML document of the file (split at `---` lines, as
/// Kubernetes' YAML reader splits them), each a mapping, merged in order.
pub fn load_values(data: &[u8]) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    let mut values = serde_json::Map::new();
    for document in split_documents(data)? {
        let text =
            yaml_text(document).map_err(|e| format!("cannot unmarshal yaml document: {e}"))?;
        let map = helmpilot_yaml::unmarshal_map(text)
            .map_err(|e| format!("cannot unmarshal yaml document: {e}"))?;
        merge_maps(&mut values, map);
    }
    Ok(values)
}

/// Kubernetes' `YAMLReader`: documents are separated by lines starting with `---`,
/// which may only be followed by spaces or a comment.
fn split_documents(data: &[u8]) -> Result<Vec<&[u8]>, String> {
    let mut documents = Vec::new();
    let mut start = 0;
    let mut pos = 0;
    while pos < data.len() {
        let end = data[pos..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(data.len(), |i| pos + i + 1);
        let line = &data[pos..end];
        if let Some(rest) = line.strip_prefix(b"---") {
            let rest = String::from_utf8_lossy(rest);
            let trimmed = rest.trim();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                return Err(format!(
                    "error reading yaml document: invalid Yaml document separator: {trimmed}"
                ));
            }
            if pos > start {
                documents.push(&data[start..pos]);
            }
            start = end;
        }
        pos = end;
    }
    if data.len() > start {
        documents.push(&data[start..]);
    }
    Ok(documents)
}

/// Helm's `MergeMaps`: `b` wins, nested mappings merge.
fn merge_maps(
    a: &mut serde_json::Map<String, serde_json::Value>,
    b: serde_json::Map<String, serde_json::Value>,
) {
    for (key, value) in b {
        match (a.get_mut(&key), value) {
            (Some(serde_json::Value::Object(existing)), serde_json::Value::Object(incoming)) => {
                merge_maps(existing, incoming)
            }
            (_, value) => {
                a.insert(key, value);
            }
        }
    }
}

/// Go's `*PathError` text: `open /x/Chart.yaml: no such file or directory`.
fn go_io_error(op: &str, path: &Path, err: &std::io::Error) -> String {
    format!("{op} {}: {}", path.display(), go_errno_text(err))
}

/// The system error text as Go prints it: strerror, lower-cased, no `(os error N)`.
fn go_errno_text(err: &std::io::Error) -> String {
    let text = err.to_string();
    let text = match text.find(" (os error") {
        Some(i) => &text[..i],
        None => &text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The chart root and its resolved form, for the symlink rule.
struct Sandbox<'a> {
    top: &'a Path,
    real_top: &'a Path,
}

impl Sandbox<'_> {
    /// The path relative to the chart root, for messages.
    fn relative(&self, path: &Path) -> String {
        path.strip_prefix(self.top)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    }

    /// Resolves `path` if it is a symlink and checks that it stays inside the chart;
    /// the resolved path, or `None` for a plain entry.
    fn check_link(&self, path: &Path) -> Result<Option<PathBuf>, LoadError> {
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            return Ok(None);
        };
        if !meta.file_type().is_symlink() {
            return Ok(None);
        }
        let resolved = std::fs::canonicalize(path).map_err(|e| {
            LoadError::Io(format!(
                "error evaluating symlink {}: {}",
                path.display(),
                go_io_error("lstat", path, &e)
            ))
        })?;
        if !resolved.starts_with(self.real_top) {
            return Err(LoadError::SymlinkEscape {
                link: quote(&self.relative(path)),
                target: quote(&resolved.to_string_lossy()),
            });
        }
        Ok(Some(resolved))
    }
}

/// Helm's directory walk (`sympath.Walk` with the loader's callback).
struct Walker<'a> {
    sandbox: Sandbox<'a>,
    rules: &'a Rules,
    files: Vec<ChartFile>,
    /// Resolved directories being walked, to stop at a symlink back into one of them.
    open_dirs: Vec<PathBuf>,
}

impl Walker<'_> {
    fn walk_dir(&mut self, dir: &Path, rel_dir: &str) -> Result<(), LoadError> {
        let entries =
            std::fs::read_dir(dir).map_err(|e| LoadError::Io(go_io_error("open", dir, &e)))?;
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| LoadError::Io(go_io_error("readdirent", dir, &e)))?;
            // The directory listing tells the entry's type, sparing an lstat per entry.
            let file_type = entry
                .file_type()
                .map_err(|e| LoadError::Io(go_io_error("lstat", &entry.path(), &e)))?;
            names.push((entry.file_name(), file_type));
        }
        // Go sorts names as byte strings.
        names.sort_by(|a, b| a.0.as_encoded_bytes().cmp(b.0.as_encoded_bytes()));
        for (name, file_type) in names {
            let path = dir.join(&name);
            let rel = format!("{rel_dir}{}", name.to_string_lossy());
            self.visit(&path, &rel, file_type)?;
        }
        Ok(())
    }

    fn visit(
        &mut self,
        path: &Path,
        rel: &str,
        mut file_type: std::fs::FileType,
    ) -> Result<(), LoadError> {
        // Helm reports a file's size error with the name of what it stat'ed: the link
        // target's base name for a symlink.
        let mut stat_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let mut resolved_dir = None;
        if file_type.is_symlink() {
            if let Some(resolved) = self.sandbox.check_link(path)? {
                file_type = std::fs::symlink_metadata(&resolved)
                    .map_err(|e| LoadError::Io(go_io_error("lstat", &resolved, &e)))?
                    .file_type();
                stat_name = resolved
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned());
                if self.open_dirs.contains(&resolved) {
                    return Err(LoadError::SymlinkLoop { link: quote(rel) });
                }
                resolved_dir = Some(resolved);
            }
        }
        if file_type.is_dir() {
            if self.rules.ignore(rel, true) {
                return Ok(());
            }
            // A plain directory's resolved path is its parent's plus its name: no need
            // to ask the file system (canonicalize costs a readlink per component).
            let real = match resolved_dir {
                Some(real) => real,
                None => match (self.open_dirs.last(), path.file_name()) {
                    (Some(parent), Some(name)) => parent.join(name),
                    _ => std::fs::canonicalize(path)
                        .map_err(|e| LoadError::Io(go_io_error("lstat", path, &e)))?,
                },
            };
            self.open_dirs.push(real);
            let walked = self.walk_dir(path, &format!("{rel}/"));
            self.open_dirs.pop();
            return walked;
        }
        if self.rules.ignore(rel, false) {
            return Ok(());
        }
        if !file_type.is_file() {
            return Err(LoadError::File(format!(
                "cannot load irregular file {} as it has file mode type bits set",
                path.display()
            )));
        }
        let read_error = |e: std::io::Error| {
            LoadError::Io(format!(
                "error reading {rel}: {}",
                go_io_error("read", path, &e)
            ))
        };
        let too_large = || {
            LoadError::File(format!(
                "chart file {} is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}",
                quote(stat_name.as_deref().unwrap_or_default())
            ))
        };
        // One open and one fstat: the size is checked on the file actually read.
        let mut file = std::fs::File::open(path).map_err(read_error)?;
        let size = file.metadata().map_err(read_error)?.len();
        if size > MAX_DECOMPRESSED_FILE_SIZE {
            return Err(too_large());
        }
        let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        // A file that grows while being read still cannot exceed the limit.
        std::io::Read::read_to_end(
            &mut std::io::Read::take(&mut file, MAX_DECOMPRESSED_FILE_SIZE + 1),
            &mut data,
        )
        .map_err(read_error)?;
        if data.len() as u64 > MAX_DECOMPRESSED_FILE_SIZE {
            return Err(too_large());
        }
        let data = data.strip_prefix(UTF8_BOM).unwrap_or(&data);
        self.files.push(ChartFile {
            name: rel.to_string(),
            data: Arc::from(data),
        });
        Ok(())
    }
}
