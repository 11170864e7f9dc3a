//! `helmpilot template`: renders a chart as `helm template` does, with the same flags and
//! the same output, byte for byte.

use std::path::PathBuf;

use crate::dependency::{self, RepositoryArgs};
use anyhow::{anyhow, bail, Result};
use clap::Args;
use helmpilot_chart::manifest::OutputOptions;
use helmpilot_chart::template::{template, TemplateError, TemplateOptions};
use helmpilot_chart::values::options::{read_local, ValueOptions};

use crate::{clock, frame};

#[derive(Args)]
pub struct TemplateArgs {
    /// `[NAME] CHART`: the release name (default `release-name`) and the chart directory
    /// or `.tgz` archive.
    #[arg(value_name = "NAME] [CHART", num_args = 1.., required = true)]
    args: Vec<String>,
    /// Namespace of the release (`.Release.Namespace`).
    #[arg(short = 'n', long, default_value = "default")]
    namespace: String,
    /// Values YAML files, in order (repeatable; a comma-separated list works too).
    #[arg(short = 'f', long = "values", value_delimiter = ',')]
    values: Vec<String>,
    /// Set values: `a.b=c,x[0]=1` (repeatable).
    #[arg(long = "set")]
    set: Vec<String>,
    /// Set values, always as strings.
    #[arg(long = "set-string")]
    set_string: Vec<String>,
    /// Set values from files: `key=path`.
    #[arg(long = "set-file")]
    set_file: Vec<String>,
    /// Set values as JSON: `key={"a":1}`.
    #[arg(long = "set-json")]
    set_json: Vec<String>,
    /// Set literal string values: `key=a,b` stays one string.
    #[arg(long = "set-literal")]
    set_literal: Vec<String>,
    /// Only print the output of these templates (`templates/x.yaml`; globs allowed).
    #[arg(short = 's', long = "show-only")]
    show_only: Vec<String>,
    /// Write each template to a file under this directory instead of printing.
    #[arg(long = "output-dir")]
    output_dir: Option<String>,
    /// With --output-dir: put files under a directory named after the release.
    #[arg(long = "release-name")]
    use_release_name: bool,
    /// Also print the CRDs from crds/ directories.
    #[arg(long = "include-crds")]
    include_crds: bool,
    /// Leave out test hooks.
    #[arg(long = "skip-tests")]
    skip_tests: bool,
    /// Leave out all hooks.
    #[arg(long = "no-hooks")]
    no_hooks: bool,
    /// Print `# HIDDEN` instead of the contents of Secrets.
    #[arg(long = "hide-secret")]
    hide_secret: bool,
    /// Do not validate values against values.schema.json.
    #[arg(long = "skip-schema-validation")]
    skip_schema_validation: bool,
    /// Kubernetes version for `.Capabilities.KubeVersion` (default: Helm v4.2.3's, v1.36.0).
    #[arg(long = "kube-version")]
    kube_version: Option<String>,
    /// Extra API versions for `.Capabilities.APIVersions` (repeatable or comma-separated).
    #[arg(short = 'a', long = "api-versions", value_delimiter = ',')]
    api_versions: Vec<String>,
    /// Render as an upgrade (`.Release.IsUpgrade` true).
    #[arg(long = "is-upgrade")]
    is_upgrade: bool,
    /// Accepted for compatibility: `helm template` names the release `release-name`
    /// when no NAME is given, generated or not.
    #[arg(short = 'g', long = "generate-name")]
    generate_name: bool,
    /// Seed for everything random (randAlphaNum, genCA, uuidv4, ...). Default: derived
    /// from the release name, namespace and chart name.
    #[arg(long)]
    seed: Option<String>,
    /// The time `now` returns and certificates start at: Unix seconds or RFC 3339.
    /// Default: the commit time of the checked-out revision (outside Git: the current time).
    #[arg(long)]
    now: Option<String>,
    /// Run `dependency update` (writing charts/ and Chart.lock) when dependencies are
    /// missing, as `helm template --dependency-update` does.
    #[arg(long = "dependency-update")]
    dependency_update: bool,
    /// Do not fetch dependencies locked in Chart.lock that are missing from charts/
    /// (helmpilot fetches them into its cache by default; Helm would fail).
    #[arg(long = "no-dependency-build")]
    no_dependency_build: bool,
    #[command(flatten)]
    repository: RepositoryArgs,
}

/// A command line Helm would refuse before doing anything (exit status 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Runs the command; the error is printed by `main` after `Error: `.
pub fn run(args: &TemplateArgs) -> Result<()> {
    let (release_name, chart_path) = match args.args.as_slice() {
        [chart] => ("release-name".to_string(), chart.clone()),
        [name, chart] => {
            if args.generate_name {
                return Err(UsageError(
                    "cannot set --generate-name and also specify a name".into(),
                )
                .into());
            }
            (name.clone(), chart.clone())
        }
        [_, _, extra @ ..] => {
            return Err(UsageError(format!(
                "expected at most two arguments, unexpected arguments: {}",
                extra.join(", ")
            ))
            .into())
        }
        [] => return Err(UsageError("a chart is required".into()).into()),
    };
    let chart_path = PathBuf::from(chart_path.trim());
    if !chart_path.exists() {
        bail!(
            "path {:?} not found (helmpilot renders local chart directories and .tgz \
             archives)",
            chart_path.display().to_string()
        );
    }

    let value_options = ValueOptions {
        value_files: args.values.clone(),
        values: args.set.clone(),
        string_values: args.set_string.clone(),
        file_values: args.set_file.clone(),
        json_values: args.set_json.clone(),
        literal_values: args.set_literal.clone(),
    };
    let values = value_options
        .merge_values(&read_local)
        .map_err(|e| anyhow!("{e}"))?;

    if args.dependency_update {
        dependency::update_if_missing(&chart_path, &args.repository)?;
    }
    let chart = dependency::load_with_dependencies(
        &chart_path,
        &args.repository,
        !args.no_dependency_build,
    )?;
    let now = match &args.now {
        Some(text) => clock::parse_now(text)?,
        None => clock::default_now(&chart_path)?,
    };
    let options = TemplateOptions {
        release_name: release_name.clone(),
        namespace: args.namespace.clone(),
        is_upgrade: args.is_upgrade,
        kube_version: args.kube_version.clone(),
        api_versions: args.api_versions.clone(),
        output: OutputOptions {
            include_crds: args.include_crds,
            skip_tests: args.skip_tests,
            disable_hooks: args.no_hooks,
            hide_secret: args.hide_secret,
            show_only: args.show_only.clone(),
            output_dir: args.output_dir.clone(),
            use_release_name: args.use_release_name,
            release_name,
        },
        skip_schema_validation: args.skip_schema_validation,
        seed: args.seed.clone(),
        now,
        ..TemplateOptions::default()
    };
    match template(chart, &values, &options) {
        Ok(rendered) => {
            for warning in &rendered.warnings {
                eprintln!("{warning}");
            }
            print!("{}", rendered.text);
            Ok(())
        }
        Err(TemplateError::Render(err)) => Err(frame::report_with_message(
            &err.message,
            &err.source,
            &err.sources,
        )),
        // Helm ends these with a hint about its --debug flag, which helmpilot does not have.
        Err(err) => Err(anyhow!(
            "{}",
            err.to_string()
                .trim_end_matches("\n\nUse --debug flag to render out invalid YAML")
        )),
    }
}
