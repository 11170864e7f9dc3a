//! What `helm template` (and, for the release manifest, `helm install`) does with the
//! engine's output: NOTES.txt set aside, documents sorted, CRDs put first when asked,
//! hooks appended, `--show-only` filtering, `--output-dir` files.

use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;

use super::glob::glob_match;
use super::sort::{sort_manifests, Hook, Manifest, INSTALL_ORDER};
use super::split::split_manifests;
use super::{ManifestError, OutputError};
use crate::chart::Chart;

/// A CRD file from a chart's `crds/` directory, as Helm's `Chart.CRDObjects` names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Crd {
    /// The chart's full path joined with the file's name: `mychart/crds/a.yaml`,
    /// `mychart/charts/sub/crds/b.yaml`.
    pub filename: String,
    /// The file as it is (several documents stay one text).
    pub content: String,
}

/// The CRD files of a chart and its subcharts (depth first, the chart's own first), the
/// ones `--include-crds` prints: files under `crds/` ending in `.yaml`, `.yml` or `.json`
/// (case-insensitively).
pub fn crd_objects(chart: &Chart) -> Vec<Crd> {
    let mut crds = Vec::new();
    collect_crds(chart, chart.name(), &mut crds);
    crds
}

fn collect_crds(chart: &Chart, full_path: &str, crds: &mut Vec<Crd>) {
    for file in &chart.files {
        if file.name.starts_with("crds/") && has_manifest_extension(&file.name) {
            crds.push(Crd {
                filename: crate::funcs::paths::clean(&format!("{full_path}/{}", file.name)),
                content: String::from_utf8_lossy(&file.data).into_owned(),
            });
        }
    }
    for dep in &chart.dependencies {
        collect_crds(dep, &format!("{full_path}/charts/{}", dep.name()), crds);
    }
}

/// Go's `filepath.Ext` compared with `strings.EqualFold`.
fn has_manifest_extension(name: &str) -> bool {
    let last = name.rsplit('/').next().unwrap_or(name);
    let ext = last.rfind('.').map_or("", |dot| &last[dot..]);
    [".yaml", ".yml", ".json"]
        .iter()
        .any(|want| crate::gostruct::fold_eq(ext, want))
}

/// What Helm makes of a release's rendered templates (`renderResources` without the
/// output directory): the release manifest, its hooks and notes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resources {
    /// The release manifest (`rel.Manifest`): every CRD (when included) and document as
    /// `---\n# Source: <path>\n<document>\n`, in install order.
    pub manifest: String,
    /// The documents of [`manifest`](Self::manifest), with what Helm read of them.
    pub manifests: Vec<Manifest>,
    /// The hooks (`rel.Hooks`), in kind order (weights order their execution only).
    pub hooks: Vec<Hook>,
    /// The root chart's rendered `templates/NOTES.txt` (subcharts' notes are dropped).
    pub notes: String,
}

/// Options of [`render_resources`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResourceOptions {
    /// `--include-crds`: put the chart's CRD files first.
    pub include_crds: bool,
    /// `--hide-secret`: print `v1` Secrets as a `# HIDDEN` line.
    pub hide_secret: bool,
}

/// The files the sorter sees: everything but notes (any path ending in `NOTES.txt`),
/// and the root chart's notes.
fn take_notes(rendered: &BTreeMap<String, String>) -> (BTreeMap<String, String>, String) {
    let mut files = BTreeMap::new();
    let mut notes = String::new();
    for (path, text) in rendered {
        if path.ends_with("NOTES.txt") {
            // Every path starts with the root chart's name; only its own notes count.
            if let Some((chart, rest)) = path.split_once('/') {
                if !chart.is_empty() && rest == "templates/NOTES.txt" {
                    notes = text.clone();
                }
            }
        } else {
            files.insert(path.clone(), text.clone());
        }
    }
    (files, notes)
}

fn source_block(out: &mut String, path: &str, text: &str) {
    out.push_str("---\n# Source: ");
    out.push_str(path);
    out.push('\n');
    out.push_str(text);
    out.push('\n');
}

/// Splits, sorts and assembles the engine's output (template path -> text, exactly
/// what the engine returns, NOTES.txt included) the way Helm's install and template do.
///
/// ```
/// use std::collections::BTreeMap;
/// use helmpilot_chart::manifest::{render_resources, ResourceOptions};
/// let rendered = BTreeMap::from([
///     ("c/templates/svc.yaml".to_string(), "kind: Service\n".to_string()),
///     ("c/templates/ns.yaml".to_string(), "kind: Namespace\n".to_string()),
/// ]);
/// let res = render_resources(&rendered, &[], &ResourceOptions::default()).unwrap();
/// assert_eq!(res.manifest, "---\n# Source: c/templates/ns.yaml\nkind: Namespace\n\n\
///                           ---\n# Source: c/templates/svc.yaml\nkind: Service\n\n");
/// ```
pub fn render_resources(
    rendered: &BTreeMap<String, String>,
    crds: &[Crd],
    options: &ResourceOptions,
) -> Result<Resources, ManifestError> {
    let (files, notes) = take_notes(rendered);
    let sorted = sort_manifests(&files, INSTALL_ORDER)?;
    let mut manifest = String::new();
    if options.include_crds {
        for crd in crds {
            source_block(&mut manifest, &crd.filename, &crd.content);
        }
    }
    for m in &sorted.manifests {
        if options.hide_secret && m.head.kind == "Secret" && m.head.api_version == "v1" {
            manifest.push_str("---\n# Source: ");
            manifest.push_str(&m.path);
            manifest.push_str("\n# HIDDEN: The Secret output has been suppressed\n");
        } else {
            source_block(&mut manifest, &m.path, &m.content);
        }
    }
    Ok(Resources {
        manifest,
        manifests: sorted.manifests,
        hooks: sorted.hooks,
        notes,
    })
}

/// The flags of `helm template` that act after rendering.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutputOptions {
    /// `--include-crds`.
    pub include_crds: bool,
    /// `--skip-tests`: leave out hooks with the `test` event.
    pub skip_tests: bool,
    /// `--no-hooks`: leave out all hooks.
    pub disable_hooks: bool,
    /// `--hide-secret`.
    pub hide_secret: bool,
    /// `--show-only` patterns (Go `filepath.Match` against the path without the chart
    /// name: `templates/*.yaml`, `charts/sub/templates/cm.yaml`).
    pub show_only: Vec<String>,
    /// `--output-dir`: write files there instead of printing documents. Kept as Helm's
    /// string, since Helm joins it textually (`out/` gives `out//mychart/...`).
    pub output_dir: Option<String>,
    /// `--release-name`: put the files under `<output-dir>/<release name>/` (CRDs
    /// excepted, as in Helm).
    pub use_release_name: bool,
    /// The release name (`release-name` when `helm template` is given none).
    pub release_name: String,
}

/// Does what `helm template` does once the engine has rendered the chart: appends to
/// `out` exactly what Helm prints on standard output, writing files when
/// [`OutputOptions::output_dir`] is set.
///
/// On error, `out` holds what Helm printed before failing (the `wrote ...` lines of an
/// output directory); the error's text is what Helm prints after `Error: `.
///
/// ```
/// use std::collections::BTreeMap;
/// use helmpilot_chart::manifest::{write_template_output, OutputOptions};
/// let rendered = BTreeMap::from([
///     ("c/templates/NOTES.txt".to_string(), "Thanks!\n".to_string()),
///     ("c/templates/cm.yaml".to_string(), "kind: ConfigMap\n---\nkind: Pod\nmetadata:\n  \
///       annotations:\n    helm.sh/hook: test\n".to_string()),
/// ]);
/// let mut out = String::new();
/// write_template_output(&rendered, &[], &OutputOptions::default(), &mut out).unwrap();
/// assert_eq!(out, "---\n# Source: c/templates/cm.yaml\nkind: ConfigMap\n\
///                  ---\n# Source: c/templates/cm.yaml\nkind: Pod\nmetadata:\n  \
///                  annotations:\n    helm.sh/hook: test\n\n");
/// ```
pub fn write_template_output(
    rendered: &BTreeMap<String, String>,
    crds: &[Crd],
    options: &OutputOptions,
    out: &mut String,
) -> Result<(), OutputError> {
    let resource_options = ResourceOptions {
        include_crds: options.include_crds,
        hide_secret: options.hide_secret,
    };
    let resources = match &options.output_dir {
        None => render_resources(rendered, crds, &resource_options)?,
        Some(dir) => {
            let resources = render_resources(rendered, crds, &ResourceOptions::default())?;
            write_manifests(dir, options, crds, &resources, out)?;
            Resources {
                manifest: String::new(),
                ..resources
            }
        }
    };

    let mut text = String::new();
    text.push_str(resources.manifest.trim());
    text.push('\n');
    if !options.disable_hooks {
        for hook in &resources.hooks {
            if options.skip_tests && hook.is_test() {
                continue;
            }
            match &options.output_dir {
                None => source_block(&mut text, &hook.path, &hook.manifest),
                Some(dir) => {
                    let dir = release_dir(dir, options);
                    // Hooks append to a file that exists, even from an earlier run.
                    let exists = Path::new(&dir).join(&hook.path).exists();
                    write_to_file(&dir, &hook.path, &hook.manifest, exists, out)?;
                }
            }
        }
    }

    if options.show_only.is_empty() {
        out.push_str(&text);
        return Ok(());
    }
    let docs = split_manifests(&text);
    let mut shown = Vec::new();
    for pattern in &options.show_only {
        let mut missing = true;
        for doc in &docs {
            let Some(path) = source_path(doc) else {
                continue;
            };
            if glob_match(pattern, path) {
                shown.push(*doc);
                missing = false;
            }
        }
        if missing {
            return Err(OutputError::TemplateNotFound {
                pattern: pattern.clone(),
            });
        }
    }
    for doc in shown {
        out.push_str("---\n");
        out.push_str(doc);
        out.push('\n');
    }
    Ok(())
}

/// The template path without the chart name, from the first `# Source: <chart>/<path>`
/// in a document: Helm's regexp `# Source: [^/]+/(.+)` (the chart name part may span
/// lines, the path ends at the line's end).
fn source_path(doc: &str) -> Option<&str> {
    const MARK: &str = "# Source: ";
    let mut from = 0;
    while let Some(found) = doc[from..].find(MARK) {
        let start = from + found + MARK.len();
        let rest = &doc[start..];
        // `[^/]+` takes everything up to the first `/`, which must not come first;
        // `(.+)` then needs at least one character before a newline.
        if let Some(slash) = rest.find('/') {
            if slash > 0 {
                let tail = &rest[slash + 1..];
                let line = tail.split('\n').next().unwrap_or("");
                if !line.is_empty() {
                    return Some(line);
                }
            }
        }
        from = start - MARK.len() + 1;
    }
    None
}

/// `filepath.Join(output-dir, release name)` when `--release-name` is given.
fn release_dir(dir: &str, options: &OutputOptions) -> String {
    if options.use_release_name {
        crate::funcs::paths::clean(&format!("{dir}/{}", options.release_name))
    } else {
        dir.to_string()
    }
}

/// renderResources' part for an output directory: CRD files, then manifests, each file
/// created on its first document of this run and appended to after.
fn write_manifests(
    dir: &str,
    options: &OutputOptions,
    crds: &[Crd],
    resources: &Resources,
    out: &mut String,
) -> Result<(), OutputError> {
    let mut written: BTreeMap<&str, ()> = BTreeMap::new();
    if options.include_crds {
        for crd in crds {
            let append = written.insert(&crd.filename, ()).is_some();
            write_to_file(dir, &crd.filename, &crd.content, append, out)?;
        }
    }
    let manifest_dir = release_dir(dir, options);
    for m in &resources.manifests {
        let append = written.insert(&m.path, ()).is_some();
        write_to_file(&manifest_dir, &m.path, &m.content, append, out)?;
    }
    Ok(())
}

/// Helm's `writeToFile`: `<dir>/<name>` (joined as text), parent directories made,
/// the document written as a `# Source` block, `wrote <file>` printed.
fn write_to_file(
    dir: &str,
    name: &str,
    data: &str,
    append: bool,
    out: &mut String,
) -> Result<(), OutputError> {
    let file_name = format!("{dir}/{name}");
    let path = Path::new(&file_name);
    if let Some(parent) = path.parent() {
        if !parent.as_os_str().is_empty() {
            fs::create_dir_all(parent).map_err(|source| OutputError::Write {
                op: "mkdir",
                path: parent.display().to_string(),
                source,
            })?;
        }
    }
    let (op, file) = if append {
        // Like O_APPEND|O_WRONLY without O_CREATE: the file must be there.
        ("open", OpenOptions::new().append(true).open(path))
    } else {
        ("open", fs::File::create(path))
    };
    let mut file = file.map_err(|source| OutputError::Write {
        op,
        path: file_name.clone(),
        source,
    })?;
    let mut block = String::new();
    source_block(&mut block, name, data);
    file.write_all(block.as_bytes())
        .map_err(|source| OutputError::Write {
            op: "write",
            path: file_name.clone(),
            source,
        })?;
    out.push_str("wrote ");
    out.push_str(&file_name);
    out.push('\n');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_path_follows_helms_regexp() {
        assert_eq!(
            source_path("# Source: c/templates/a.yaml\nx"),
            Some("templates/a.yaml")
        );
        // The chart-name part may cross a newline; a slash right after the mark fails.
        assert_eq!(source_path("# Source: /x\n# Source: c\nd/e"), Some("e"));
        assert_eq!(source_path("# Source: c/\nz"), None);
        assert_eq!(source_path("kind: Pod"), None);
    }

    #[test]
    fn manifest_extensions() {
        assert!(has_manifest_extension("crds/a.YAML"));
        assert!(has_manifest_extension("crds/a.json"));
        assert!(!has_manifest_extension("crds/a.txt"));
        assert!(!has_manifest_extension("crds.yaml/a"));
    }
}
