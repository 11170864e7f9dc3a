//! Everything Helm does with a chart's rendered templates before printing or applying
//! them: Helm v4's `releaseutil.SortManifests` and the tail of `renderResources` and
//! `helm template`.
//!
//! * [`split_manifests`]: one template's text into documents (Helm's `---` rules);
//! * [`parse_head`]: a document's `apiVersion`, `kind`, name and annotations, read
//!   exactly as Helm reads them (`sigs.k8s.io/yaml` into `SimpleHead`), with its errors;
//! * [`sort_manifests`]: documents into [`Hook`]s and plain [`Manifest`]s, in
//!   [`INSTALL_ORDER`] (the model the diff and the deploy reuse);
//! * [`render_resources`]: the release manifest (`rel.Manifest`), hooks and notes;
//! * [`write_template_output`]: the exact standard output of `helm template` for `--include-crds`,
//!   `--skip-tests`, `--no-hooks`, `--hide-secret`, `--show-only`, `--output-dir`
//!   and `--release-name`.
//!
//! ```
//! use std::collections::BTreeMap;
//! use helmpilot_chart::manifest::{write_template_output, OutputOptions};
//! let rendered = BTreeMap::from([(
//!     "web/templates/app.yaml".to_string(),
//!     "apiVersion: apps/v1\nkind: Deployment\n---\napiVersion: v1\nkind: Service\n".to_string(),
//! )]);
//! let mut out = String::new();
//! write_template_output(&rendered, &[], &OutputOptions::default(), &mut out).unwrap();
//! // The Service is installed before the Deployment; the first document keeps the
//! // blank line Helm prints after every document but the last.
//! assert_eq!(out, "---\n# Source: web/templates/app.yaml\napiVersion: v1\nkind: Service\n\n\
//!                  ---\n# Source: web/templates/app.yaml\napiVersion: apps/v1\nkind: Deployment\n");
//! ```

mod glob;
pub(crate) mod head;
mod output;
mod sort;
mod split;

pub use glob::glob_match;
pub use head::{parse_head, HeadMetadata, SimpleHead};
pub use output::{
    crd_objects, render_resources, write_template_output, Crd, OutputOptions, ResourceOptions,
    Resources,
};
pub use sort::{
    sort_manifests, Hook, HookEvent, Manifest, Sorted, HOOK_ANNOTATION, HOOK_DELETE_ANNOTATION,
    HOOK_OUTPUT_LOG_ANNOTATION, HOOK_WEIGHT_ANNOTATION, INSTALL_ORDER, UNINSTALL_ORDER,
};
pub use split::split_manifests;

/// A rendered template Helm cannot sort.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    /// A document's head did not parse; `message` is the YAML or JSON error as Go
    /// prints it (`error converting YAML to JSON: yaml: line 3: ...`).
    #[error("YAML parse error on {path}: {message}")]
    YamlParse { path: String, message: String },
}

/// Why `helm template` failed after rendering.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// Sorting failed. Helm then has a (partial) release, so it adds its hint about
    /// `--debug`, which is part of this message.
    #[error("{0}\n\nUse --debug flag to render out invalid YAML")]
    Manifest(#[from] ManifestError),
    /// A `--show-only` pattern matched no document.
    #[error("could not find template {pattern} in chart")]
    TemplateNotFound { pattern: String },
    /// Writing under `--output-dir` failed (Go's wording, the system's reason).
    #[error("{op} {path}: {source}")]
    Write {
        op: &'static str,
        path: String,
        source: std::io::Error,
    },
}
