//! `helm template`'s pipeline over a loaded chart: the install checks, dependency
//! processing, values coalescing and schema validation, the engine, then Helm's ordering
//! and printing of the manifests (`pkg/cmd/template.go`, `pkg/action/install.go`).
//!
//! Each step fails with Helm's text, in Helm's order, so that the first error a user sees
//! is the one Helm would show.

use std::collections::BTreeMap;

use helmpilot_template::Limits;
use serde_json::{Map, Value as Json};

use crate::chart::dependencies::{check_dependencies, process_dependencies};
use crate::chart::Chart;
use crate::funcs::{FunctionEnv, Timestamp};
use crate::manifest::{self, OutputError, OutputOptions};
use crate::render::engine::{render, RenderError, TopValues};
use crate::render::objects::{self, Capabilities, KubeVersion, ReleaseOptions};
use crate::semver::{Constraints, Version};
use crate::values::coalesce::{coalesce_values, Warnings};
use crate::values::{schema, to_template_value};

/// Helm's longest release name (room for suffixes in 63-character object names).
const MAX_RELEASE_NAME_LEN: usize = 53;

/// How to render: `helm template`'s flags, minus the values (given already merged).
#[derive(Clone, Debug)]
pub struct TemplateOptions {
    /// `.Release.Name` (`helm template` uses `release-name` when none is given).
    pub release_name: String,
    /// `.Release.Namespace` (`-n`).
    pub namespace: String,
    /// `--is-upgrade`: `.Release.IsUpgrade` true, `.Release.IsInstall` false.
    pub is_upgrade: bool,
    /// `--kube-version`: the Kubernetes version `.Capabilities` reports.
    pub kube_version: Option<String>,
    /// `-a/--api-versions`: extra API versions for `.Capabilities.APIVersions`.
    pub api_versions: Vec<String>,
    /// `--include-crds`, `--skip-tests`, `--no-hooks`, `-s/--show-only`.
    pub output: OutputOptions,
    /// `--skip-schema-validation`.
    pub skip_schema_validation: bool,
    /// Seed for random functions; default: derived from release, namespace and chart.
    pub seed: Option<String>,
    /// What `now` returns.
    pub now: Timestamp,
    /// Execution budget for untrusted templates.
    pub limits: Limits,
}

impl Default for TemplateOptions {
    fn default() -> TemplateOptions {
        TemplateOptions {
            release_name: "release-name".into(),
            namespace: "default".into(),
            is_upgrade: false,
            kube_version: None,
            api_versions: Vec::new(),
            output: OutputOptions::default(),
            skip_schema_validation: false,
            seed: None,
            now: Timestamp::default(),
            limits: Limits::default(),
        }
    }
}

/// What a render produced.
#[derive(Debug)]
pub struct Rendered {
    /// Exactly what `helm template` prints.
    pub text: String,
    /// The engine's output per template path (NOTES.txt included), for callers that want
    /// the files rather than the printed stream.
    pub files: BTreeMap<String, String>,
    /// Warnings Helm would log (values conflicts, non-boolean conditions).
    pub warnings: Warnings,
}

/// Why a chart did not render; `message` is Helm's text.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// A check before rendering (release name, chart type, dependencies, kubeVersion,
    /// values, schema).
    #[error("{0}")]
    Invalid(String),
    /// A template failed to parse or execute.
    #[error("{0}")]
    Render(#[from] RenderError),
    /// The rendered output could not be split, sorted, printed or written.
    #[error("{0}")]
    Output(#[from] OutputError),
}

/// Renders `chart` with the user's merged `values` as `helm template` would.
///
/// ```no_run
/// use helmpilot_chart::chart::load;
/// use helmpilot_chart::template::{template, TemplateOptions};
/// let chart = load(std::path::Path::new("fixtures/charts/fraud-detector")).unwrap();
/// let out = template(chart, &serde_json::Map::new(), &TemplateOptions::default()).unwrap();
/// print!("{}", out.text);
/// ```
pub fn template(
    mut chart: Chart,
    values: &Map<String, Json>,
    options: &TemplateOptions,
) -> Result<Rendered, TemplateError> {
    let mut capabilities = Capabilities::default();
    if let Some(version) = &options.kube_version {
        capabilities.kube_version =
            KubeVersion::parse(version).map_err(|e| TemplateError::Invalid(e.to_string()))?;
    }
    capabilities.add_api_versions(options.api_versions.iter().cloned());
    check_installable(&chart)?;
    check_dependencies(&chart).map_err(|e| {
        TemplateError::Invalid(format!(
            "an error occurred while checking for chart dependencies. You may need to run \
             'helm dependency build' to fetch missing dependencies: {e}"
        ))
    })?;
    validate_release_name(&options.release_name)?;

    let mut warnings = process_dependencies(&mut chart, values).map_err(|e| {
        TemplateError::Invalid(format!("chart dependencies processing failed: {e}"))
    })?;

    let (coalesced, more) =
        coalesce_values(&chart, values).map_err(|e| TemplateError::Invalid(e.to_string()))?;
    warnings.extend(more);
    if !options.skip_schema_validation {
        schema::validate_against_schema(&chart, &coalesced)
            .map_err(|e| TemplateError::Invalid(e.to_string()))?;
    }
    check_kube_version(&chart, &capabilities)?;

    let top = TopValues {
        release: objects::release(&ReleaseOptions {
            name: options.release_name.clone(),
            namespace: options.namespace.clone(),
            revision: 1,
            is_install: !options.is_upgrade,
            is_upgrade: options.is_upgrade,
        }),
        capabilities: capabilities.to_value(),
        values: to_template_value(&Json::Object(coalesced)),
    };
    let mut env = FunctionEnv::for_release(&options.release_name, &options.namespace, chart.name());
    if let Some(seed) = &options.seed {
        env.seed = seed.clone();
    }
    env.now = options.now;
    let files = render(&chart, &top, env, options.limits)?;
    let crds = manifest::crd_objects(&chart);
    let mut text = String::new();
    manifest::write_template_output(&files, &crds, &options.output, &mut text)?;
    Ok(Rendered {
        text,
        files,
        warnings,
    })
}

/// Helm's `checkIfInstallable`: only application charts install.
fn check_installable(chart: &Chart) -> Result<(), TemplateError> {
    match chart.metadata.chart_type.as_str() {
        "" | "application" => Ok(()),
        other => Err(TemplateError::Invalid(format!(
            "{other} charts are not installable"
        ))),
    }
}

/// Helm's `ValidateReleaseName`.
fn validate_release_name(name: &str) -> Result<(), TemplateError> {
    if name.is_empty() {
        return Err(TemplateError::Invalid(format!(
            "release name {name:?}: no name provided"
        )));
    }
    if name.len() > MAX_RELEASE_NAME_LEN || !is_dns_subdomain(name) {
        return Err(TemplateError::Invalid(format!(
            "release name {name:?}: invalid release name, must match regex \
             ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the \
             length must not be longer than 53"
        )));
    }
    Ok(())
}

/// Dot-separated labels of `[a-z0-9-]`, each starting and ending alphanumeric.
fn is_dns_subdomain(name: &str) -> bool {
    name.split('.').all(|label| {
        let bytes = label.as_bytes();
        let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        !bytes.is_empty()
            && bytes.first().is_some_and(alnum)
            && bytes.last().is_some_and(alnum)
            && bytes.iter().all(|b| alnum(b) || *b == b'-')
    })
}

/// Chart.yaml's `kubeVersion` range against the Kubernetes version rendered for.
fn check_kube_version(chart: &Chart, capabilities: &Capabilities) -> Result<(), TemplateError> {
    let range = &chart.metadata.kube_version;
    if range.is_empty() {
        return Ok(());
    }
    let compatible = match (
        Constraints::parse(range),
        Version::parse(capabilities.kube_version.string()),
    ) {
        (Ok(constraints), Ok(version)) => constraints.check(&version),
        _ => false,
    };
    if compatible {
        Ok(())
    } else {
        Err(TemplateError::Invalid(format!(
            "chart requires kubeVersion: {range} which is incompatible with Kubernetes {}",
            capabilities.kube_version.version
        )))
    }
}
