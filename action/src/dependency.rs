//! `helmpilot dependency build|update|list`, and the automatic fetch of locked
//! dependencies the rendering commands do before loading a chart.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{anyhow, Context, Result};
use clap::{Args, Subcommand};
use helmpilot_chart::chart::{self, Chart};
use helmpilot_repo::cache::Cache;
use helmpilot_repo::manager::{Manager, Options, Progress};

#[derive(Args)]
pub struct DependencyArgs {
    #[command(subcommand)]
    command: DependencyCommand,
}

#[derive(Subcommand)]
enum DependencyCommand {
    /// Rebuild charts/ from Chart.lock (runs `update` when there is no lock).
    Build(FetchArgs),
    /// Resolve Chart.yaml's version constraints, write Chart.lock, fill charts/.
    Update(FetchArgs),
    /// List the chart's dependencies and whether charts/ holds them.
    List(ListArgs),
}

/// Options shared by every command that reaches repositories.
#[derive(Args, Clone, Debug, Default)]
pub struct RepositoryArgs {
    /// Helm's repositories file, for `@name` repositories and their credentials
    /// [default: $HELM_REPOSITORY_CONFIG or ~/.config/helm/repositories.yaml]
    #[arg(long, value_name = "PATH")]
    pub repository_config: Option<PathBuf>,
    /// Where downloaded indexes and archives are kept [default: $HELMPILOT_CACHE_DIR, in
    /// GitHub Actions the runner's tool cache, else ~/.cache/helmpilot]
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Use insecure HTTP connections for OCI registries.
    #[arg(long)]
    pub plain_http: bool,
    /// Skip TLS certificate checks for chart downloads.
    #[arg(long)]
    pub insecure_skip_tls_verify: bool,
}

#[derive(Args)]
struct FetchArgs {
    /// The chart directory.
    #[arg(default_value = ".")]
    chart: PathBuf,
    /// Use cached repository indexes instead of downloading them again.
    #[arg(long)]
    skip_refresh: bool,
    /// Downloads in flight at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    concurrency: u16,
    #[command(flatten)]
    repository: RepositoryArgs,
}

#[derive(Args)]
struct ListArgs {
    /// The chart directory or archive.
    #[arg(default_value = ".")]
    chart: PathBuf,
    /// Maximum column width for the output table.
    #[arg(long, default_value_t = 80)]
    max_col_width: usize,
}

impl RepositoryArgs {
    pub fn options(&self, progress: Progress) -> Options {
        let mut options = Options::new(progress);
        if let Some(path) = &self.repository_config {
            options.repository_config = Some(path.clone());
        }
        if let Some(dir) = &self.cache_dir {
            options.cache = Cache::new(dir);
        }
        options.plain_http = self.plain_http;
        options.insecure_skip_tls_verify = self.insecure_skip_tls_verify;
        options
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

pub fn run(args: &DependencyArgs) -> Result<()> {
    match &args.command {
        DependencyCommand::Build(fetch) => fetch_command(fetch, false),
        DependencyCommand::Update(fetch) => fetch_command(fetch, true),
        DependencyCommand::List(list) => {
            print!(
                "{}",
                helmpilot_repo::status::list_text(&list.chart, list.max_col_width)
                    .map_err(|e| anyhow!("{e}"))?
            );
            Ok(())
        }
    }
}

fn fetch_command(args: &FetchArgs, update: bool) -> Result<()> {
    let progress: Progress = Arc::new(|line: &str| println!("{line}"));
    let mut options = args.repository.options(progress);
    options.skip_refresh = args.skip_refresh;
    options.concurrency = usize::from(args.concurrency);
    let manager = Manager::new(&args.chart, options).map_err(|e| anyhow!("{e}"))?;
    let outcome = runtime()?.block_on(async {
        if update {
            manager.update().await
        } else {
            manager.build().await
        }
    });
    outcome.map_err(|e| anyhow!("{e}"))
}

/// Loads a chart for rendering. For a chart directory with a Chart.lock whose locked
/// dependencies are not all in `charts/`, fetches the missing ones (through the cache)
/// and renders with them, without writing into the chart's folder.
pub fn load_with_dependencies(
    path: &Path,
    repository: &RepositoryArgs,
    fetch: bool,
) -> Result<Chart> {
    let loaded = chart::load(path).map_err(|e| anyhow!("{e}"))?;
    if !fetch || !path.is_dir() || loaded.lock.is_none() {
        return Ok(loaded);
    }
    if chart::dependencies::check_dependencies(&loaded).is_ok() {
        return Ok(loaded);
    }
    let progress: Progress = Arc::new(|line: &str| eprintln!("{line}"));
    let manager = Manager::new(path, repository.options(progress)).map_err(|e| anyhow!("{e}"))?;
    let files = runtime()?
        .block_on(manager.fetch_missing(&loaded))
        .map_err(|e| {
            anyhow!(
                "fetching the dependencies locked in {}: {e}",
                path.join("Chart.lock").display()
            )
        })?;
    if files.is_empty() {
        return Ok(loaded);
    }
    chart::load_dir_with(path, files).map_err(|e| anyhow!("{e}"))
}

/// `--dependency-update`: when a chart directory lacks some of its dependencies, run
/// `dependency update` on it (progress on stderr: stdout carries the manifests).
pub fn update_if_missing(path: &Path, repository: &RepositoryArgs) -> Result<()> {
    if !path.is_dir() {
        return Ok(());
    }
    let loaded = chart::load(path).map_err(|e| anyhow!("{e}"))?;
    if chart::dependencies::check_dependencies(&loaded).is_ok() {
        return Ok(());
    }
    let progress: Progress = Arc::new(|line: &str| eprintln!("{line}"));
    let manager = Manager::new(path, repository.options(progress)).map_err(|e| anyhow!("{e}"))?;
    runtime()?
        .block_on(manager.update())
        .map_err(|e| anyhow!("{e}"))
}
