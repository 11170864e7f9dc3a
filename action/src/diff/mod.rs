//! `helmpilot diff`: renders charts at two revisions for each environment and reports
//! which Kubernetes objects change and which changes are risky.

pub mod config;
pub mod git;

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

/// Comparison settings from the command line's context and the config file.
pub fn compare_options(context: usize, config: Option<&Config>) -> CompareOptions {
    let mut options = CompareOptions {
        context,
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
    options
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
    let mut env = compare(&base, &head, &compare_options(args.context, None));
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

/// A revision to compare: how to name it, and its commit.
pub struct Revision {
    pub label: String,
    pub commit: String,
}

/// How charts are rendered for a diff.
#[derive(Clone, Default)]
pub struct RenderSettings {
    pub repository: RepositoryArgs,
    pub fetch_dependencies: bool,
    /// Overrides every environment's Kubernetes version (`kube-version` input).
    pub kube_version: Option<String>,
}

/// One diff run, whoever asks for it (`helmpilot diff` or the GitHub Action).
pub struct Plan {
    pub repository: Repository,
    pub base: Revision,
    /// `None`: the working tree.
    pub head: Option<Revision>,
    /// Chart directories relative to the repository root.
    pub charts: Vec<PathBuf>,
    /// Environment names asked for (empty: every environment of each chart).
    pub environments: Vec<String>,
    pub config: Option<Config>,
    pub compare: CompareOptions,
    pub render: RenderSettings,
}

/// Renders every chart x environment of `plan` at both revisions and compares them;
/// `progress` hears of each environment as it is done, with its duration.
pub fn run_plan(
    plan: &Plan,
    progress: &mut dyn FnMut(&EnvironmentDiff, std::time::Duration),
) -> Result<DiffReport> {
    let temp_parent = runner_temp().unwrap_or_else(std::env::temp_dir);
    let repository = &plan.repository;
    let base_worktree = repository.checkout(&plan.base.commit, &temp_parent)?;
    let base = Side {
        label: plan.base.label.clone(),
        root: base_worktree.path.clone(),
        _worktree: Some(base_worktree),
    };
    let (head, now_commit) = match &plan.head {
        Some(revision) => {
            let worktree = repository.checkout(&revision.commit, &temp_parent)?;
            (
                Side {
                    label: revision.label.clone(),
                    root: worktree.path.clone(),
                    _worktree: Some(worktree),
                },
                revision.commit.clone(),
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
    let mut environments = Vec::new();
    for chart in &plan.charts {
        let chart_config = plan.config.as_ref().and_then(|c| c.chart(chart));
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
        for mut env in config::environments(&plan.environments, chart_config, &dirs)? {
            if let Some(version) = &plan.render.kube_version {
                env.kube_version = Some(version.clone());
            }
            let started = Instant::now();
            let sides = (&base, &head);
            let mut diff = diff_environment(
                &plan.render,
                chart,
                &env,
                &release,
                now,
                sides,
                &plan.compare,
            );
            diff.chart = chart.display().to_string();
            diff.name = env.name.clone();
            progress(&diff, started.elapsed());
            environments.push(diff);
        }
    }
    Ok(DiffReport {
        environments,
        base: format!(
            "{} ({})",
            base.label,
            &plan.base.commit[..plan.base.commit.len().min(12)]
        ),
        head: head.label.clone(),
    })
}

/// `$RUNNER_TEMP` when it is a directory we can write to. In a container action it names a
/// folder of the host that is not mounted, so callers fall back to the system's temp dir.
pub fn runner_temp() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("RUNNER_TEMP").filter(|v| !v.is_empty())?);
    let probe = dir.join(format!(".helmpilot-probe-{}", std::process::id()));
    std::fs::write(&probe, b"").ok()?;
    let _ = std::fs::remove_file(&probe);
    Some(dir)
}

/// The chart directories of `.helmpilot.yaml`.
pub fn configured_charts(config: Option<&Config>) -> Vec<PathBuf> {
    config
        .map(|c| {
            c.charts
                .iter()
                .map(|c| PathBuf::from(c.path.trim_end_matches('/')))
                .collect()
        })
        .unwrap_or_default()
}

fn diff_revisions(args: &DiffArgs) -> Result<DiffReport> {
    let start_dir = args.chart.clone().unwrap_or_else(|| PathBuf::from("."));
    let repository = Repository::enclosing(&start_dir)?;
    let config = Config::load(&repository.root)?;
    let base = match &args.base {
        Some(rev) => Revision {
            label: rev.clone(),
            commit: repository.commit(rev)?,
        },
        None => {
            let (label, commit) = repository.default_base()?;
            Revision { label, commit }
        }
    };
    let head = match &args.head {
        Some(rev) => Some(Revision {
            label: rev.clone(),
            commit: repository.commit(rev)?,
        }),
        None => None,
    };
    let charts = match &args.chart {
        Some(chart) => vec![relative_to_root(chart, &repository.root)?],
        None => {
            let listed = configured_charts(config.as_ref());
            if listed.is_empty() {
                bail!(
                    "no chart given and no charts in {}: name a chart directory",
                    config::CONFIG_FILE
                );
            }
            listed
        }
    };
    let compare = compare_options(args.context, config.as_ref());
    let plan = Plan {
        repository,
        base,
        head,
        charts,
        environments: args.environments.clone(),
        config,
        compare,
        render: RenderSettings {
            repository: args.repository.clone(),
            fetch_dependencies: !args.no_dependency_build,
            kube_version: None,
        },
    };
    run_plan(&plan, &mut |diff, took| {
        eprintln!(
            "diff: {} {}: {} added, {} changed, {} removed, {} risks ({:.2} s)",
            diff.chart,
            diff.name,
            diff.added(),
            diff.changed(),
            diff.removed(),
            diff.risks.len(),
            took.as_secs_f64()
        )
    })
}

fn diff_environment(
    settings: &RenderSettings,
    chart: &Path,
    env: &Environment,
    release: &str,
    now: Timestamp,
    (base, head): (&Side, &Side),
    options: &CompareOptions,
) -> EnvironmentDiff {
    let render_side = |side: &Side| -> Result<Vec<Object>> {
        match render(settings, &side.root.join(chart), env, release, now)? {
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
    settings: &RenderSettings,
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
    let chart = dependency::load_with_dependencies(
        chart_dir,
        &settings.repository,
        settings.fetch_dependencies,
    )?;
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
