//! `helmpilot diff`: renders charts at two revisions for each environment and reports
//! which Kubernetes objects change and which changes are risky.

mod config;
mod git;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, ValueEnum};
use helmpilot_chart::funcs::Timestamp;
use helmpilot_chart::manifest::OutputOptions;
use helmpilot_chart::template::{template, TemplateOptions};
use helmpilot_chart::values::options::{read_local, ValueOptions};
use helmpilot_diff::compare::{compare, CompareOptions, IgnoreRule};
use helmpilot_diff::model::{DiffReport, EnvironmentDiff};
use helmpilot_diff::objects::{parse_manifests, Object};
use helmpilot_diff::report::{self, MarkdownOptions, TextOptions};

use crate::dependency::{self, RepositoryArgs};
use config::{Config, Environment};
use git::Repository;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Markdown,
    Json,
}

#[derive(Args)]
pub struct DiffArgs {
    /// The chart directory, inside a Git repository [default: every chart in .helmpilot.yaml]
    chart: Option<PathBuf>,
    /// The base revision [default: the merge-base of HEAD with the default branch]
    #[arg(long)]
    base: Option<String>,
    /// The head revision [default: the working tree]
    #[arg(long)]
    head: Option<String>,
    /// Environments to compare (repeatable) [default: .helmpilot.yaml's, else one per
    /// values-<env>.yaml next to the chart, else `default`]
    #[arg(long = "env", value_name = "NAME")]
    environments: Vec<String>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "text")]
    output: Format,
    /// Unchanged lines shown around each change.
    #[arg(long, default_value_t = 3)]
    context: usize,
    /// Exit 2 when something changed (0 when nothing did, 1 on error).
    #[arg(long)]
    exit_code: bool,
    /// No colors in text output (also when NO_COLOR is set or stdout is not a terminal).
    #[arg(long)]
    no_color: bool,
    /// Diff two rendered manifest files instead of two revisions of a chart.
    #[arg(long, num_args = 2, value_names = ["OLD", "NEW"], conflicts_with_all = ["chart", "base", "head", "environments"])]
    manifests: Option<Vec<PathBuf>>,
    /// With --manifests: the namespace of objects that name none.
    #[arg(short = 'n', long, default_value = "default")]
    namespace: String,
    /// Do not fetch dependencies locked in Chart.lock that are missing from charts/.
    #[arg(long = "no-dependency-build")]
    no_dependency_build: bool,
    #[command(flatten)]
    repository: RepositoryArgs,
}

/// What `main` needs for the exit status.
pub struct Outcome {
    pub changed: bool,
    pub exit_code_requested: bool,
}

pub fn run(args: &DiffArgs) -> Result<Outcome> {
    let report = match &args.manifests {
        Some(files) => diff_files(&files[0], &files[1], args)?,
        None => diff_revisions(args)?,
    };
    let text = match args.output {
        Format::Text => {
            let color = !args.no_color
                && !std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
                && std::io::stdout().is_terminal();
            report::text(&report, &TextOptions { color })
        }
        Format::Markdown => report::markdown(
            &report,
            &MarkdownOptions {
                full_report_hint: "the output of `helmpilot diff -o text`".into(),
                ..MarkdownOptions::default()
            },
        ),
        Format::Json => report::json(&report),
    };
    print!("{text}");
    if let Some(env) = report.environments.iter().find(|e| e.error.is_some()) {
        bail!(
            "{} ({}): {}",
            env.chart,
            env.name,
            env.error.as_deref().unwrap_or_default()
        );
    }
    Ok(Outcome {
        changed: report.environments.iter().any(|e| !e.changes.is_empty()),
        exit_code_requested: args.exit_code,
    })
}

fn compare_options(args: &DiffArgs, config: Option<&Config>) -> Result<CompareOptions> {
    let mut options = CompareOptions {
        context: args.context,
        ..CompareOptions::default()
    };
    let config = config.cloned().unwrap_or_default();
    if config.ignore_helm_noise.unwrap_or(true) {
        options.ignore.extend(IgnoreRule::helm_noise());
    }
    for rule in &config.ignore {
        let kinds = if rule.kinds.is_empty() {
            vec!["*".to_string()]
        } else {
            rule.kinds.clone()
        };
        options.ignore.push(IgnoreRule {
            kinds,
            path: rule.path.clone(),
        });
    }
    if let Some(keys) = config.sensitive_keys {
        options.sensitive_keys = keys;
    }
    options.disabled_risks.extend(config.risks.disabled);
    Ok(options)
}

fn parse(text: &str, namespace: &str, what: &str) -> Result<Vec<Object>> {
    let parsed = parse_manifests(text, namespace).map_err(|e| anyhow!("{what}: {e}"))?;
    for warning in &parsed.warnings {
        eprintln!("warning: {what}: {warning}");
    }
    Ok(parsed.objects)
}

fn diff_files(old: &Path, new: &Path, args: &DiffArgs) -> Result<DiffReport> {
    let read =
        |p: &Path| std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()));
    let base = parse(&read(old)?, &args.namespace, &old.display().to_string())?;
    let head = parse(&read(new)?, &args.namespace, &new.display().to_string())?;
    let mut env = compare(&base, &head, &compare_options(args, None)?);
    env.chart = "manifests".into();
    env.name = new.display().to_string();
    Ok(DiffReport {
        environments: vec![env],
        base: old.display().to_string(),
        head: new.display().to_string(),
    })
}

/// A tree to render from: a checkout of a revision or the working tree.
struct Side {
    label: String,
    root: PathBuf,
    _worktree: Option<git::Worktree>,
}

fn diff_revisions(args: &DiffArgs) -> Result<DiffReport> {
    let start_dir = args.chart.clone().unwrap_or_else(|| PathBuf::from("."));
    let repository = Repository::enclosing(&start_dir)?;
    let config = Config::load(&repository.root)?;
    let temp_parent = std::env::var_os("RUNNER_TEMP")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);

    let (base_label, base_commit) = match &args.base {
        Some(rev) => (rev.clone(), repository.commit(rev)?),
        None => repository.default_base()?,
    };
    let base_worktree = repository.checkout(&base_commit, &temp_parent)?;
    let base = Side {
        label: base_label,
        root: base_worktree.path.clone(),
        _worktree: Some(base_worktree),
    };
    let (head, now_commit) = match &args.head {
        Some(rev) => {
            let commit = repository.commit(rev)?;
            let worktree = repository.checkout(&commit, &temp_parent)?;
            (
                Side {
                    label: rev.clone(),
                    root: worktree.path.clone(),
                    _worktree: Some(worktree),
                },
                commit,
            )
        }
        None => (
            Side {
                label: "working tree".into(),
                root: repository.root.clone(),
                _worktree: None,
            },
            "HEAD".to_string(),
        ),
    };
    // One `now` for both sides, so time-dependent output is not a change.
    let now = Timestamp {
        unix_seconds: repository.commit_time(&now_commit)?,
        nanos: 0,
    };

    let charts: Vec<PathBuf> = match &args.chart {
        Some(chart) => vec![relative_to_root(chart, &repository.root)?],
        None => {
            let listed: Vec<PathBuf> = config
                .as_ref()
                .map(|c| {
                    c.charts
                        .iter()
                        .map(|c| PathBuf::from(c.path.trim_end_matches('/')))
                        .collect()
                })
                .unwrap_or_default();
            if listed.is_empty() {
                bail!(
                    "no chart given and no charts in {}: name a chart directory",
                    config::CONFIG_FILE
                );
            }
            listed
        }
    };
    let options = compare_options(args, config.as_ref())?;
    let mut environments = Vec::new();
    for chart in &charts {
        let chart_config = config.as_ref().and_then(|c| c.chart(chart));
        let dirs = [head.root.join(chart), base.root.join(chart)];
        if !dirs.iter().any(|d| d.join("Chart.yaml").is_file()) {
            bail!(
                "{} is not a chart at {} or at {}",
                chart.display(),
                head.label,
                base.label
            );
        }
        let release = chart_config
            .and_then(|c| c.release.clone())
            .or_else(|| chart.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "release".into());
        for env in config::environments(&args.environments, chart_config, &dirs)? {
            let started = Instant::now();
            let mut diff =
                diff_environment(args, chart, &env, &release, now, &base, &head, &options);
            diff.chart = chart.display().to_string();
            diff.name = env.name.clone();
            eprintln!(
                "diff: {} {}: {} added, {} changed, {} removed, {} risks ({:.2} s)",
                diff.chart,
                diff.name,
                diff.added(),
                diff.changed(),
                diff.removed(),
                diff.risks.len(),
                started.elapsed().as_secs_f64()
            );
            environments.push(diff);
        }
    }
    Ok(DiffReport {
        environments,
        base: format!(
            "{} ({})",
            base.label,
            &base_commit[..base_commit.len().min(12)]
        ),
        head: head.label.clone(),
    })
}

#[allow(clippy::too_many_arguments)]
fn diff_environment(
    args: &DiffArgs,
    chart: &Path,
    env: &Environment,
    release: &str,
    now: Timestamp,
    base: &Side,
    head: &Side,
    options: &CompareOptions,
) -> EnvironmentDiff {
    let render_side = |side: &Side| -> Result<Vec<Object>> {
        match render(args, &side.root.join(chart), env, release, now)? {
            Some(text) => parse(
                &text,
                &env.namespace,
                &format!("{} at {}", chart.display(), side.label),
            ),
            None => Ok(Vec::new()),
        }
    };
    match (render_side(base), render_side(head)) {
        (Ok(old), Ok(new)) => compare(&old, &new, options),
        (Err(e), _) => EnvironmentDiff {
            error: Some(format!("at {}: {e:#}", base.label)),
            ..EnvironmentDiff::default()
        },
        (_, Err(e)) => EnvironmentDiff {
            error: Some(format!("at {}: {e:#}", head.label)),
            ..EnvironmentDiff::default()
        },
    }
}

/// The rendered manifests of one environment, or `None` when the chart or the
/// environment's values files do not exist in this tree (everything added or removed).
fn render(
    args: &DiffArgs,
    chart_dir: &Path,
    env: &Environment,
    release: &str,
    now: Timestamp,
) -> Result<Option<String>> {
    if !chart_dir.join("Chart.yaml").is_file() {
        return Ok(None);
    }
    let mut value_files = Vec::new();
    for file in &env.values {
        let path = chart_dir.join(file);
        if !path.is_file() {
            return Ok(None);
        }
        value_files.push(
            path.to_str()
                .ok_or_else(|| anyhow!("path {} is not UTF-8", path.display()))?
                .to_string(),
        );
    }
    let values = ValueOptions {
        value_files,
        values: env.set.clone(),
        ..ValueOptions::default()
    }
    .merge_values(&read_local)
    .map_err(|e| anyhow!("{e}"))?;
    let chart =
        dependency::load_with_dependencies(chart_dir, &args.repository, !args.no_dependency_build)?;
    let options = TemplateOptions {
        release_name: release.to_string(),
        namespace: env.namespace.clone(),
        kube_version: env.kube_version.clone(),
        output: OutputOptions {
            include_crds: true,
            release_name: release.to_string(),
            ..OutputOptions::default()
        },
        now,
        ..TemplateOptions::default()
    };
    let rendered = template(chart, &values, &options).map_err(|e| anyhow!("{e}"))?;
    Ok(Some(rendered.text))
}

/// The chart's path relative to the repository root; it need not exist in the working
/// tree (a chart deleted at head is all "removed").
fn relative_to_root(chart: &Path, root: &Path) -> Result<PathBuf> {
    let root = std::fs::canonicalize(root)?;
    let absolute = match std::fs::canonicalize(chart) {
        Ok(path) => path,
        Err(_) => std::path::absolute(chart)?,
    };
    let mut relative = PathBuf::new();
    for part in absolute
        .strip_prefix(&root)
        .map_err(|_| {
            anyhow!(
                "{} is outside the repository at {}",
                chart.display(),
                root.display()
            )
        })?
        .components()
    {
        match part {
            std::path::Component::ParentDir => {
                relative.pop();
            }
            std::path::Component::Normal(name) => relative.push(name),
            _ => {}
        }
    }
    Ok(relative)
}
