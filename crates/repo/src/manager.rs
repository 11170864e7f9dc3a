//! `dependency update` and `dependency build` (Helm's `downloader.Manager`), plus the
//! in-memory variant the rendering commands use to fetch what a chart's lock names.
//!
//! The order of work: read Chart.yaml/Chart.lock, replace repository aliases by URLs, fetch
//! the indexes and registry tags needed (concurrently, bounded), resolve or check the lock,
//! fetch every archive (from the cache when its digest is known, verified against the
//! index or registry digest otherwise), and only when every one of them is in hand, place
//! them in `charts/` through a temporary folder: a failure leaves `charts/` as it was.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use futures_util::stream::{self, StreamExt, TryStreamExt};
use helmpilot_chart::chart::save::{self, SaveOptions};
use helmpilot_chart::chart::{load_archive, load_dir, Chart, ChartFile, Dependency, Lock};
use helmpilot_chart::semver::{Constraints, Version};

use crate::cache::{sha256_digest, Cache};
use crate::credentials::Credentials;
use crate::http::{HttpError, HttpGetter, Request, TlsOptions};
use crate::index::IndexFile;
use crate::lock;
use crate::repositories::{alias_name, RepositoryEntry, RepositoryFile};
use crate::resolve::{self, Catalog, Source};

/// Where progress lines go (stdout for the dependency commands, stderr when rendering).
pub type Progress = Arc<dyn Fn(&str) + Send + Sync>;

/// How the manager reaches repositories.
#[derive(Clone)]
pub struct Options {
    /// Helm's repositories file, for `@alias` repositories and per-repository credentials.
    pub repository_config: Option<PathBuf>,
    pub cache: Cache,
    /// Use cached indexes instead of downloading them again (`--skip-refresh`).
    pub skip_refresh: bool,
    /// Talk to OCI registries over plain HTTP (`--plain-http`).
    pub plain_http: bool,
    pub insecure_skip_tls_verify: bool,
    /// Downloads in flight at once.
    pub concurrency: usize,
    pub progress: Progress,
}

impl Options {
    pub fn new(progress: Progress) -> Options {
        Options {
            repository_config: RepositoryFile::default_path(),
            cache: Cache::new(Cache::default_dir()),
            skip_refresh: false,
            plain_http: false,
            insecure_skip_tls_verify: false,
            concurrency: 4,
            progress,
        }
    }
}

/// A dependency command that could not be carried out. Each message names what failed,
/// where, and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum DependencyError {
    /// Helm's own message (loading the chart, resolving versions, an out-of-sync lock).
    #[error("{0}")]
    Helm(String),
    #[error("dependency {dependency:?}: {message}")]
    Dependency { dependency: String, message: String },
    #[error("{0}")]
    Io(String),
}

fn dependency_error(dependency: &str, message: String) -> DependencyError {
    DependencyError::Dependency {
        dependency: dependency.to_string(),
        message,
    }
}

/// An archive ready for `charts/`.
#[derive(Clone, Debug)]
pub struct FetchedArchive {
    /// `redis-17.3.0.tgz`.
    pub file_name: String,
    pub data: Vec<u8>,
}

/// One chart's dependency manager.
pub struct Manager {
    chart_dir: PathBuf,
    options: Options,
    repositories: RepositoryFile,
    http: HttpGetter,
    /// Made on first use: most charts have no OCI dependency.
    oci: std::sync::OnceLock<crate::oci::Client>,
}

impl Manager {
    /// ```no_run
    /// # async fn example() -> Result<(), helmpilot_repo::manager::DependencyError> {
    /// use std::sync::Arc;
    /// use helmpilot_repo::manager::{Manager, Options};
    /// let options = Options::new(Arc::new(|line: &str| println!("{line}")));
    /// Manager::new("charts/ml-platform", options)?.build().await?;
    /// # Ok(()) }
    /// ```
    pub fn new(
        chart_dir: impl Into<PathBuf>,
        options: Options,
    ) -> Result<Manager, DependencyError> {
        let repositories = match &options.repository_config {
            Some(path) => RepositoryFile::load(path).map_err(DependencyError::Helm)?,
            None => RepositoryFile::default(),
        };
        Ok(Manager {
            chart_dir: chart_dir.into(),
            options,
            repositories,
            http: HttpGetter::new(),
            oci: std::sync::OnceLock::new(),
        })
    }

    fn say(&self, line: &str) {
        (self.options.progress)(line)
    }

    /// Helm's `loadChartDir`: the chart must be an unpacked directory.
    fn load_chart(&self) -> Result<Chart, DependencyError> {
        match std::fs::metadata(&self.chart_dir) {
            Err(e) => {
                return Err(DependencyError::Helm(format!(
                    "could not find {}: {}",
                    self.chart_dir.display(),
                    go_stat_error(&self.chart_dir, &e)
                )))
            }
            Ok(meta) if !meta.is_dir() => {
                return Err(DependencyError::Helm(
                    "only unpacked charts can be updated".into(),
                ))
            }
            Ok(_) => {}
        }
        load_dir(&self.chart_dir).map_err(|e| DependencyError::Helm(e.to_string()))
    }

    /// `dependency update`: resolve constraints, fetch, place in `charts/`, write the lock
    /// (unless its digest is unchanged, as Helm does).
    pub async fn update(&self) -> Result<(), DependencyError> {
        let chart = self.load_chart()?;
        let mut reqs = chart.metadata.dependencies.clone();
        if reqs.is_empty() {
            return Ok(());
        }
        self.resolve_repository_names(&mut reqs)?;
        let catalog = self.catalog_for_update(&reqs).await?;
        let locked =
            resolve::resolve(&self.chart_dir, &reqs, &catalog).map_err(DependencyError::Helm)?;
        let archives = self.fetch_all(&locked, Some(&catalog)).await?;
        self.install(&locked, archives)?;
        let digest = lock::hash_req(&reqs, &locked);
        if chart.lock.as_ref().is_some_and(|old| old.digest == digest) {
            return Ok(());
        }
        let new_lock = Lock {
            generated: lock::generated_now(),
            digest,
            dependencies: locked,
        };
        self.write_lock(&new_lock, chart.metadata.api_version == "v1")
    }

    /// `dependency build`: fetch exactly what the lock names (or update when there is no
    /// lock), refusing a lock that no longer matches Chart.yaml.
    pub async fn build(&self) -> Result<(), DependencyError> {
        let chart = self.load_chart()?;
        let Some(lock) = chart.lock.clone() else {
            return self.update().await;
        };
        let locked = self.checked_lock(&chart, &lock)?;
        let archives = self.fetch_all(&locked, None).await?;
        self.install(&locked, archives)
    }

    /// For rendering: the archives of the locked dependencies missing from `chart` (as
    /// loaded from this manager's directory), fetched through the cache without touching
    /// the chart's folder. Empty when nothing is missing or there is no lock.
    pub async fn fetch_missing(&self, chart: &Chart) -> Result<Vec<ChartFile>, DependencyError> {
        let Some(lock) = &chart.lock else {
            return Ok(Vec::new());
        };
        let present: HashSet<&str> = chart.dependencies.iter().map(|c| c.name()).collect();
        let missing: Vec<&Dependency> = chart
            .metadata
            .dependencies
            .iter()
            .filter(|d| !present.contains(d.name.as_str()))
            .collect();
        if missing.is_empty() {
            return Ok(Vec::new());
        }
        let locked = self.checked_lock(chart, lock)?;
        let wanted: Vec<Dependency> = locked
            .into_iter()
            .filter(|d| missing.iter().any(|m| m.name == d.name) && !d.repository.is_empty())
            .collect();
        let archives = self.fetch_all(&wanted, None).await?;
        Ok(archives
            .into_iter()
            .map(|a| ChartFile {
                name: format!("charts/{}", a.file_name),
                data: a.data.into(),
            })
            .collect())
    }

    /// The lock's dependencies with aliases resolved, after Helm's digest check.
    fn checked_lock(&self, chart: &Chart, lock: &Lock) -> Result<Vec<Dependency>, DependencyError> {
        let declared = &chart.metadata.dependencies;
        let mut resolved = declared.clone();
        self.resolve_repository_names(&mut resolved)?;
        let listed = |deps: &[Dependency]| (!deps.is_empty()).then_some(deps.to_vec());
        let (declared, resolved) = (listed(declared), listed(&resolved));
        lock::check_lock(
            &chart.metadata.api_version,
            declared.as_deref(),
            resolved.as_deref(),
            lock,
        )
        .map_err(|e| DependencyError::Helm(e.to_string()))?;
        let mut locked = lock.dependencies.clone();
        self.resolve_repository_names(&mut locked)?;
        Ok(locked)
    }

    /// Replaces `@name` / `alias:name` repositories by their URLs, and refuses repository
    /// fields that are neither URLs nor known aliases (Helm's `resolveRepoNames`).
    fn resolve_repository_names(&self, deps: &mut [Dependency]) -> Result<(), DependencyError> {
        let mut missing = Vec::new();
        for dep in deps.iter_mut() {
            match Source::of(&dep.repository) {
                Source::ChartsFolder | Source::Oci(_) => {}
                Source::Local(path) => {
                    resolve::local_path(path, &self.chart_dir).map_err(DependencyError::Helm)?;
                }
                Source::Repository(repository) => {
                    if alias_name(repository).is_some() {
                        match self.repositories.find_alias(repository) {
                            Some(entry) => dep.repository = entry.url.clone(),
                            None => missing.push(repository.to_string()),
                        }
                    } else if url::Url::parse(repository).is_err() {
                        missing.push(repository.to_string());
                    }
                }
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        let mut message = format!(
            "no repository definition for {}. Please add them via 'helm repo add'",
            missing.join(", ")
        );
        if missing
            .iter()
            .any(|r| !r.contains("//") && alias_name(r).is_none())
        {
            message.push_str(
                "\nNote that repositories must be URLs or aliases. For example, to refer to the \"example\"\nrepository, use \"https://charts.example.com/\" or \"@example\" instead of\n\"example\". Don't forget to add the repo, too ('helm repo add').",
            );
        }
        Err(DependencyError::Helm(message))
    }

    /// Indexes and tags needed to resolve `reqs`, fetched concurrently.
    async fn catalog_for_update(&self, reqs: &[Dependency]) -> Result<Catalog, DependencyError> {
        let mut catalog = Catalog::default();
        let repositories: BTreeSet<&str> = reqs
            .iter()
            .filter_map(|d| match Source::of(&d.repository) {
                Source::Repository(url) => Some(url),
                _ => None,
            })
            .collect();
        let first_dependency = |url: &str| {
            reqs.iter()
                .find(|d| d.repository == url)
                .map(|d| d.name.clone())
                .unwrap_or_default()
        };
        let indexes: Vec<(String, IndexFile)> =
            stream::iter(repositories.iter().map(|url| async move {
                let index = self
                    .index(url, self.options.skip_refresh, &first_dependency(url))
                    .await?;
                Ok::<_, DependencyError>((url.to_string(), index))
            }))
            .buffered(self.options.concurrency.max(1))
            .try_collect()
            .await?;
        for (url, index) in indexes {
            catalog.insert_index(&url, index);
        }
        for dep in reqs {
            if let Source::Oci(repository) = Source::of(&dep.repository) {
                if Version::parse(&dep.version).is_ok() {
                    continue;
                }
                let reference = format!("{}/{}", repository.trim_end_matches('/'), dep.name);
                if let std::collections::hash_map::Entry::Vacant(slot) =
                    catalog.oci_tags.entry(reference.clone())
                {
                    slot.insert(self.oci_tags(&reference, &dep.name).await?);
                }
            }
        }
        Ok(catalog)
    }

    /// A repository's index: from the network (recording it in the cache), or from the
    /// cache when `prefer_cache` or when the network fails and a copy exists.
    async fn index(
        &self,
        url: &str,
        prefer_cache: bool,
        dependency: &str,
    ) -> Result<IndexFile, DependencyError> {
        let cached = || {
            self.options
                .cache
                .index(url)
                .and_then(|data| IndexFile::parse(&data).ok())
        };
        if prefer_cache {
            if let Some(index) = cached() {
                return Ok(index);
            }
        }
        let index_url = resolve_reference_url(url, "index.yaml")
            .map_err(|e| dependency_error(dependency, e))?;
        let data = match self.get(&index_url, url, dependency).await? {
            Ok(data) => data,
            Err(failure) => {
                if let Some(index) = cached() {
                    self.say(&format!("...Unable to get an update from the {url:?} chart repository; using the cached index ({failure})"));
                    return Ok(index);
                }
                return Err(dependency_error(dependency, failure));
            }
        };
        let index = IndexFile::parse(&data).map_err(|e| {
            dependency_error(
                dependency,
                format!("the index of repository {url} ({index_url}) is not a valid chart repository index: {e}. Check that the repository URL points at a Helm chart repository"),
            )
        })?;
        self.say(&format!(
            "...Successfully got an update from the {url:?} chart repository"
        ));
        if let Err(e) = self.options.cache.store_index(url, &data) {
            tracing::warn!(error = %e, "could not cache the repository index");
        }
        Ok(index)
    }

    /// A GET from a repository with its credentials and TLS settings. The outer error is
    /// a configuration problem; the inner one the download's failure, explained.
    async fn get(
        &self,
        target: &str,
        repository: &str,
        dependency: &str,
    ) -> Result<Result<Vec<u8>, String>, DependencyError> {
        let entry = self.repositories.find_url(repository);
        let credentials = self.credentials_for(repository, entry, dependency)?;
        let tls = self.tls_for(entry);
        let request = Request {
            url: target,
            repository_url: repository,
            credentials: credentials.as_ref(),
            pass_credentials_all: entry.is_some_and(|e| e.pass_credentials_all),
            tls: &tls,
        };
        Ok(self
            .http
            .get(&request)
            .await
            .map_err(|e| self.explain_http(repository, &e, credentials.is_some())))
    }

    fn credentials_for(
        &self,
        url: &str,
        entry: Option<&RepositoryEntry>,
        dependency: &str,
    ) -> Result<Option<Credentials>, DependencyError> {
        if let Some(entry) = entry.filter(|e| !e.username.is_empty() && !e.password.is_empty()) {
            return Ok(Some(Credentials::Basic {
                username: entry.username.clone(),
                password: entry.password.clone(),
            }));
        }
        let Some(host) = url::Url::parse(url).ok().and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(port) => format!("{h}:{port}"),
                None => h.to_string(),
            })
        }) else {
            return Ok(None);
        };
        crate::credentials::lookup(&host).map_err(|e| dependency_error(dependency, e.to_string()))
    }

    fn tls_for(&self, entry: Option<&RepositoryEntry>) -> TlsOptions {
        let mut tls = TlsOptions {
            insecure_skip_tls_verify: self.options.insecure_skip_tls_verify,
            ..TlsOptions::default()
        };
        if let Some(e) = entry {
            tls.ca_file = e.ca_file.clone();
            tls.cert_file = e.cert_file.clone();
            tls.key_file = e.key_file.clone();
            tls.insecure_skip_tls_verify |= e.insecure_skip_tls_verify;
        }
        tls
    }

    /// What an HTTP failure means for the person running the command.
    fn explain_http(&self, repository: &str, error: &HttpError, had_credentials: bool) -> String {
        let host = url::Url::parse(repository)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        match error.status() {
            Some(401) | Some(403) => {
                let fix = if had_credentials {
                    "the credentials helmpilot sent were refused: check them"
                } else {
                    "it needs credentials"
                };
                format!(
                    "repository {repository} refused access ({error}): {fix}. Give them with `helm repo add` (username/password in the repositories file), or in CI with the environment variable {}",
                    crate::credentials::env_variable(&host)
                )
            }
            Some(404) => format!("{error}. Check the repository URL in Chart.yaml"),
            Some(_) => format!("repository {repository} failed: {error}"),
            None => format!(
                "can't reach repository {repository}: {error}. Check the URL and the network; once downloaded, charts are served from the cache at {}",
                self.options.cache.root().display()
            ),
        }
    }

    /// Fetches every non-local archive of `locked` (bounded concurrency, lock order kept).
    async fn fetch_all(
        &self,
        locked: &[Dependency],
        catalog: Option<&Catalog>,
    ) -> Result<Vec<FetchedArchive>, DependencyError> {
        let mut jobs = Vec::new();
        let mut seen_urls = HashSet::new();
        for dep in locked {
            match Source::of(&dep.repository) {
                Source::ChartsFolder => {
                    self.say(&format!(
                        "Dependency {} did not declare a repository. Assuming it exists in the charts directory",
                        dep.name
                    ));
                    self.check_charts_folder(dep)?;
                }
                _ => {
                    let key = format!("{}\0{}\0{}", dep.repository, dep.name, dep.version);
                    if !seen_urls.insert(key) {
                        self.say(&format!(
                            "Already downloaded {} from repo {}",
                            dep.name, dep.repository
                        ));
                        continue;
                    }
                    jobs.push(dep);
                }
            }
        }
        let indexes: HashMap<String, IndexFile> = match catalog {
            Some(c) => c.indexes.clone(),
            None => HashMap::new(),
        };
        let indexes = Arc::new(tokio::sync::Mutex::new(indexes));
        stream::iter(jobs.into_iter().map(|dep| {
            let indexes = indexes.clone();
            async move {
                let started = Instant::now();
                let (archive, from_cache) = self.fetch_one(dep, &indexes).await?;
                if !from_cache {
                    self.say(&format!(
                        "Downloaded {} ({}) in {:.1}s",
                        archive.file_name,
                        human_size(archive.data.len()),
                        started.elapsed().as_secs_f64()
                    ));
                }
                Ok::<_, DependencyError>(archive)
            }
        }))
        .buffered(self.options.concurrency.max(1))
        .try_collect()
        .await
    }

    fn check_charts_folder(&self, dep: &Dependency) -> Result<(), DependencyError> {
        let path = self.chart_dir.join("charts").join(&dep.name);
        let chart = load_dir(&path).map_err(|e| {
            DependencyError::Helm(format!("unable to load chart '{}': {e}", path.display()))
        })?;
        let constraint = Constraints::parse(&dep.version).map_err(|e| {
            DependencyError::Helm(format!(
                "dependency {} has an invalid version/constraint format: {e}",
                dep.name
            ))
        })?;
        let version = Version::parse(&chart.metadata.version).map_err(|e| {
            DependencyError::Helm(format!(
                "invalid version {} for dependency {}: {e}",
                dep.version, dep.name
            ))
        })?;
        if !constraint.check(&version) {
            return Err(DependencyError::Helm(format!(
                "dependency {} at version {} does not satisfy the constraint {}",
                dep.name, chart.metadata.version, dep.version
            )));
        }
        Ok(())
    }

    async fn fetch_one(
        &self,
        dep: &Dependency,
        indexes: &tokio::sync::Mutex<HashMap<String, IndexFile>>,
    ) -> Result<(FetchedArchive, bool), DependencyError> {
        match Source::of(&dep.repository) {
            Source::ChartsFolder => Err(DependencyError::Helm(format!(
                "{} has no repository",
                dep.name
            ))),
            Source::Local(path) => Ok((self.package_local(dep, path)?, true)),
            Source::Oci(repository) => self.fetch_oci(dep, repository).await,
            Source::Repository(url) => self.fetch_from_repository(dep, url, indexes).await,
        }
    }

    /// `file://` dependencies are packaged from their directory, as Helm does.
    fn package_local(
        &self,
        dep: &Dependency,
        path: &str,
    ) -> Result<FetchedArchive, DependencyError> {
        let dir = resolve::local_path(path, &self.chart_dir).map_err(DependencyError::Helm)?;
        let chart = load_dir(&dir).map_err(|e| DependencyError::Helm(e.to_string()))?;
        let constraint = Constraints::parse(&dep.version).map_err(|e| {
            DependencyError::Helm(format!(
                "dependency {} has an invalid version/constraint format: {e}",
                dep.name
            ))
        })?;
        let version = Version::parse(&chart.metadata.version)
            .map_err(|e| DependencyError::Helm(e.to_string()))?;
        if !constraint.check(&version) {
            return Err(DependencyError::Helm(format!(
                "can't get a valid version for dependency {}",
                dep.name
            )));
        }
        let mtime = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let data = save::archive(&chart, SaveOptions { mtime }).map_err(|e| {
            dependency_error(&dep.name, format!("packaging {}: {e}", dir.display()))
        })?;
        let file_name = format!("{}-{}.tgz", chart.metadata.name, chart.metadata.version);
        Ok(FetchedArchive { file_name, data })
    }

    async fn fetch_from_repository(
        &self,
        dep: &Dependency,
        url: &str,
        indexes: &tokio::sync::Mutex<HashMap<String, IndexFile>>,
    ) -> Result<(FetchedArchive, bool), DependencyError> {
        let cache = &self.options.cache;
        // Offline path: a version downloaded before is served by its recorded digest.
        if let Some(digest) = cache.resolved_digest(url, &dep.name, &dep.version) {
            if let Some(data) = cache.archive(&digest) {
                let file_name = format!("{}-{}.tgz", dep.name, dep.version);
                self.say(&format!(
                    "Using {} from the cache ({})",
                    file_name,
                    short_digest(&digest)
                ));
                return Ok((FetchedArchive { file_name, data }, true));
            }
        }
        let index = {
            let key = url.trim_end_matches('/').to_string();
            let known = indexes.lock().await.get(&key).cloned();
            match known {
                Some(index) => index,
                None => {
                    let index = self
                        .index(url, self.options.skip_refresh, &dep.name)
                        .await?;
                    indexes.lock().await.insert(key, index.clone());
                    index
                }
            }
        };
        let entry = index.exact(&dep.name, &dep.version).ok_or_else(|| {
            let available: Vec<&str> = index
                .entries
                .get(&dep.name)
                .map(|v| v.iter().take(5).map(|e| e.version.as_str()).collect())
                .unwrap_or_default();
            let offered = if available.is_empty() {
                format!("the repository has no chart named {:?}", dep.name)
            } else {
                format!("it offers {}", available.join(", "))
            };
            dependency_error(
                &dep.name,
                format!(
                    "version {} is not in repository {url} ({offered}). Run `helmpilot dependency update` to lock a version that exists",
                    dep.version
                ),
            )
        })?;
        let chart_url = resolve_reference_url(url, &entry.urls[0])
            .map_err(|e| dependency_error(&dep.name, e))?;
        let expected = entry.digest.as_ref().map(|d| {
            format!(
                "sha256:{}",
                d.trim_start_matches("sha256:").to_ascii_lowercase()
            )
        });
        let file_name = url::Url::parse(&chart_url)
            .ok()
            .and_then(|u| {
                u.path_segments()
                    .and_then(|mut s| s.next_back().map(str::to_string))
            })
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("{}-{}.tgz", dep.name, dep.version));
        if let Some(data) = expected.as_deref().and_then(|d| cache.archive(d)) {
            self.say(&format!(
                "Using {} from the cache ({})",
                file_name,
                short_digest(expected.as_deref().unwrap_or(""))
            ));
            return Ok((FetchedArchive { file_name, data }, true));
        }
        self.say(&format!(
            "Downloading {} from repo {}",
            dep.name, dep.repository
        ));
        let data = self
            .get(&chart_url, url, &dep.name)
            .await?
            .map_err(|failure| dependency_error(&dep.name, failure))?;
        let actual = sha256_digest(&data);
        if let Some(expected) = &expected {
            if *expected != actual {
                return Err(dependency_error(
                    &dep.name,
                    format!(
                        "the archive downloaded from {} has digest {actual}, but repository {url} lists {expected} for version {}. The archive changed after it was indexed: nothing was written; ask the repository's owner to re-index it, or lock another version",
                        crate::http::redact_url(&chart_url),
                        dep.version
                    ),
                ));
            }
        }
        load_archive(&data).map_err(|e| {
            dependency_error(
                &dep.name,
                format!(
                    "{} is not a valid chart archive: {e}",
                    crate::http::redact_url(&chart_url)
                ),
            )
        })?;
        self.remember(url, dep, &data);
        Ok((FetchedArchive { file_name, data }, false))
    }

    fn remember(&self, repository: &str, dep: &Dependency, data: &[u8]) {
        let cache = &self.options.cache;
        let stored = cache
            .store_archive(data)
            .and_then(|digest| cache.record_digest(repository, &dep.name, &dep.version, &digest));
        if let Err(e) = stored {
            tracing::warn!(error = %e, "could not cache a chart archive");
        }
    }

    /// An OCI dependency: the registry client verifies the layer against its manifest
    /// descriptor; the cache keeps it by that digest for offline builds.
    async fn fetch_oci(
        &self,
        dep: &Dependency,
        repository: &str,
    ) -> Result<(FetchedArchive, bool), DependencyError> {
        let reference = format!("{}/{}", repository.trim_end_matches('/'), dep.name);
        let file_name = format!("{}-{}.tgz", dep.name, dep.version);
        let cache = &self.options.cache;
        if let Some(data) = cache
            .resolved_digest(&reference, &dep.name, &dep.version)
            .and_then(|digest| cache.archive(&digest))
        {
            let digest = sha256_digest(&data);
            self.say(&format!(
                "Using {file_name} from the cache ({})",
                short_digest(&digest)
            ));
            return Ok((FetchedArchive { file_name, data }, true));
        }
        self.say(&format!(
            "Downloading {} from repo {}",
            dep.name, dep.repository
        ));
        let pulled = self
            .oci()?
            .pull(&reference, Some(&dep.version))
            .await
            .map_err(|e| dependency_error(&dep.name, e.to_string()))?;
        for warning in &pulled.warnings {
            self.say(warning);
        }
        self.remember(&reference, dep, &pulled.archive);
        Ok((
            FetchedArchive {
                file_name,
                data: pulled.archive,
            },
            false,
        ))
    }

    async fn oci_tags(
        &self,
        reference: &str,
        dependency: &str,
    ) -> Result<Vec<String>, DependencyError> {
        self.oci()?.tags(reference).await.map_err(|e| {
            dependency_error(
                dependency,
                format!("could not retrieve list of tags for repository {reference}: {e}"),
            )
        })
    }

    fn oci(&self) -> Result<&crate::oci::Client, DependencyError> {
        if let Some(client) = self.oci.get() {
            return Ok(client);
        }
        let client = crate::oci::Client::new(crate::oci::ClientOptions {
            plain_http: self.options.plain_http,
            insecure_skip_tls_verify: self.options.insecure_skip_tls_verify,
            ..crate::oci::ClientOptions::default()
        })
        .map_err(|e| DependencyError::Helm(e.to_string()))?;
        Ok(self.oci.get_or_init(|| client))
    }

    /// Places the fetched archives in `charts/` through a temporary folder, then deletes
    /// archives no longer wanted (Helm's `safeMoveDeps`), keeping charts-folder dependencies.
    fn install(
        &self,
        locked: &[Dependency],
        archives: Vec<FetchedArchive>,
    ) -> Result<(), DependencyError> {
        let io = |what: &str, path: &Path, e: std::io::Error| {
            DependencyError::Io(format!("{what} {}: {e}", path.display()))
        };
        let dest = self.chart_dir.join("charts");
        match std::fs::metadata(&dest) {
            Ok(meta) if !meta.is_dir() => {
                return Err(DependencyError::Helm(format!(
                    "{:?} is not a directory",
                    dest.display().to_string()
                )))
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(&dest).map_err(|e| io("creating", &dest, e))?
            }
            Err(e) => {
                return Err(DependencyError::Io(format!(
                    "unable to retrieve file info for '{}': {e}",
                    dest.display()
                )))
            }
        }
        self.say(&format!("Saving {} charts", locked.len()));
        let staging = TempDir::create(
            self.chart_dir
                .join(format!("tmpcharts-{}", std::process::id())),
        )
        .map_err(|e| io("creating", &self.chart_dir, e))?;
        let mut new_names = HashSet::new();
        for archive in &archives {
            if archive.file_name.contains('/') || archive.file_name.starts_with('.') {
                return Err(DependencyError::Helm(format!(
                    "refusing archive file name {:?}",
                    archive.file_name
                )));
            }
            let path = staging.path.join(&archive.file_name);
            std::fs::write(&path, &archive.data).map_err(|e| io("writing", &path, e))?;
            new_names.insert(archive.file_name.clone());
        }
        for name in &new_names {
            let from = staging.path.join(name);
            let to = dest.join(name);
            std::fs::rename(&from, &to).map_err(|e| io("moving into place", &to, e))?;
        }
        self.say("Deleting outdated charts");
        let keep_names: HashSet<&str> = locked
            .iter()
            .filter(|d| d.repository.is_empty())
            .map(|d| d.name.as_str())
            .collect();
        let entries = std::fs::read_dir(&dest).map_err(|e| io("reading", &dest, e))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            if entry.file_type().map(|t| t.is_dir()).unwrap_or(true) || new_names.contains(&name) {
                continue;
            }
            let Ok(data) = std::fs::read(&path) else {
                continue;
            };
            match load_archive(&data) {
                Ok(chart) if keep_names.contains(chart.name()) => {}
                Ok(_) => {
                    if let Err(e) = std::fs::remove_file(&path) {
                        self.say(&format!(
                            "Could not delete {}: {e} (Skipping)",
                            path.display()
                        ));
                    }
                }
                Err(e) => self.say(&format!(
                    "Could not verify {} for deletion: {e} (Skipping)",
                    path.display()
                )),
            }
        }
        Ok(())
    }

    fn write_lock(&self, lock: &Lock, legacy: bool) -> Result<(), DependencyError> {
        let file_name = if legacy {
            "requirements.lock"
        } else {
            "Chart.lock"
        };
        let dest = self.chart_dir.join(file_name);
        if let Ok(meta) = std::fs::symlink_metadata(&dest) {
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&dest)
                    .map(|t| t.display().to_string())
                    .unwrap_or_default();
                return Err(DependencyError::Helm(format!(
                    "the {file_name} file is a symlink to {target:?}"
                )));
            }
        }
        let text = lock::lock_file_text(lock).map_err(|e| DependencyError::Helm(e.to_string()))?;
        crate::cache::write_atomic(&dest, text.as_bytes())
            .map_err(|e| DependencyError::Io(format!("writing {}: {e}", dest.display())))
    }
}

/// A folder removed when dropped, on success and on every error path alike.
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    fn create(path: PathBuf) -> std::io::Result<TempDir> {
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path)?;
        Ok(TempDir { path })
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Helm's `ResolveReferenceURL`: a chart URL relative to the repository URL, which is
/// taken as a folder whether or not it ends in `/`; the repository's query string is kept.
pub fn resolve_reference_url(base: &str, reference: &str) -> Result<String, String> {
    if let Ok(absolute) = url::Url::parse(reference) {
        return Ok(absolute.to_string());
    }
    let mut base_url =
        url::Url::parse(base).map_err(|e| format!("failed to parse {base} as URL: {e}"))?;
    let query = base_url.query().map(str::to_string);
    let path = format!("{}/", base_url.path().trim_end_matches('/'));
    base_url.set_path(&path);
    let mut resolved = base_url
        .join(reference)
        .map_err(|e| format!("failed to parse {reference} as URL: {e}"))?;
    resolved.set_query(query.as_deref());
    Ok(resolved.to_string())
}

fn short_digest(digest: &str) -> String {
    let hex = digest.trim_start_matches("sha256:");
    format!("sha256:{}", &hex[..hex.len().min(12)])
}

fn human_size(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / (1 << 20) as f64)
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}

fn go_stat_error(path: &Path, e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::NotFound {
        format!("stat {}: no such file or directory", path.display())
    } else {
        format!("stat {}: {e}", path.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_urls_resolve_like_helm() {
        let r = |b, r| resolve_reference_url(b, r).unwrap();
        assert_eq!(
            r("https://c.example/charts", "redis-1.0.0.tgz"),
            "https://c.example/charts/redis-1.0.0.tgz"
        );
        assert_eq!(
            r("https://c.example/charts/", "redis-1.0.0.tgz"),
            "https://c.example/charts/redis-1.0.0.tgz"
        );
        assert_eq!(
            r("https://c.example/charts/", "../x/redis.tgz"),
            "https://c.example/x/redis.tgz"
        );
        assert_eq!(
            r("https://c.example/charts", "https://cdn.example/redis.tgz"),
            "https://cdn.example/redis.tgz"
        );
        assert_eq!(
            r("https://c.example/charts?sig=1", "index.yaml"),
            "https://c.example/charts/index.yaml?sig=1"
        );
    }
}
