//! Version resolution for `dependency update` (Helm's `resolver.Resolve`): each declared
//! dependency's constraint against what its source offers, newest match first.
//!
//! Resolution is pure: the manager first gathers the indexes and registry tags it needs
//! (concurrently, through the cache), then calls [`resolve`] with them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use helmpilot_chart::chart::Dependency;
use helmpilot_chart::semver::{Constraints, Version};

use crate::index::IndexFile;

/// What the sources offer: repository indexes by URL, registry tags by `oci://` chart
/// reference (`oci://host/path/name`).
#[derive(Debug, Default)]
pub struct Catalog {
    pub indexes: HashMap<String, IndexFile>,
    pub oci_tags: HashMap<String, Vec<String>>,
}

impl Catalog {
    pub fn index(&self, repository_url: &str) -> Option<&IndexFile> {
        self.indexes.get(repository_url.trim_end_matches('/'))
    }

    pub fn insert_index(&mut self, repository_url: &str, index: IndexFile) {
        self.indexes
            .insert(repository_url.trim_end_matches('/').to_string(), index);
    }
}

/// How a dependency's `repository` field is to be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source<'a> {
    /// `""`: the chart is already in `charts/<name>`.
    ChartsFolder,
    /// `file://path`, relative to the chart or absolute.
    Local(&'a str),
    /// `oci://host/path`.
    Oci(&'a str),
    /// An HTTP(S) chart repository URL (aliases already replaced by URLs).
    Repository(&'a str),
}

impl<'a> Source<'a> {
    pub fn of(repository: &'a str) -> Source<'a> {
        if repository.is_empty() {
            Source::ChartsFolder
        } else if let Some(path) = repository.strip_prefix("file://") {
            Source::Local(path)
        } else if repository.starts_with("oci://") {
            Source::Oci(repository)
        } else {
            Source::Repository(repository)
        }
    }
}

/// The directory a `file://` dependency points at (Helm's `GetLocalPath`), checked to exist.
pub fn local_path(path: &str, chart_dir: &Path) -> Result<PathBuf, String> {
    let full = if path.starts_with('/') {
        PathBuf::from(path)
    } else {
        chart_dir.join(path)
    };
    match std::fs::metadata(&full) {
        Ok(_) => Ok(full),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(format!("directory {} not found", full.display()))
        }
        Err(e) => Err(format!("stat {}: {e}", full.display())),
    }
}

/// Locks each dependency to one version. `reqs` are Chart.yaml's dependencies with
/// repository aliases already replaced by URLs. Errors carry Helm's texts.
///
/// ```
/// use helmpilot_chart::chart::Dependency;
/// use helmpilot_repo::{index::IndexFile, resolve::{resolve, Catalog}};
/// let mut catalog = Catalog::default();
/// let index = IndexFile::parse(b"apiVersion: v1\nentries:\n  redis:\n  - {name: redis, version: 1.4.2, urls: [redis-1.4.2.tgz]}\n").unwrap();
/// catalog.insert_index("https://charts.example.com", index);
/// let req = Dependency { name: "redis".into(), version: "^1.2".into(), repository: "https://charts.example.com".into(), ..Default::default() };
/// let locked = resolve(std::path::Path::new("."), &[req], &catalog).unwrap();
/// assert_eq!(locked[0].version, "1.4.2");
/// ```
pub fn resolve(
    chart_dir: &Path,
    reqs: &[Dependency],
    catalog: &Catalog,
) -> Result<Vec<Dependency>, String> {
    let mut locked = Vec::with_capacity(reqs.len());
    let mut missing = Vec::new();
    let lock = |d: &Dependency, version: &str| Dependency {
        name: d.name.clone(),
        repository: d.repository.clone(),
        version: version.to_string(),
        ..Dependency::default()
    };
    for d in reqs {
        let constraint = Constraints::parse(&d.version).map_err(|e| {
            format!(
                "dependency {:?} has an invalid version/constraint format: {e}",
                d.name
            )
        })?;
        let not_found = || {
            format!(
                "{:?} (repository {:?}, version {:?})",
                d.name, d.repository, d.version
            )
        };
        match Source::of(&d.repository) {
            Source::ChartsFolder => {
                local_path(&format!("charts/{}", d.name), chart_dir)?;
                locked.push(lock(d, &d.version));
            }
            Source::Local(path) => {
                let dir = local_path(path, chart_dir)?;
                let chart = helmpilot_chart::chart::load_dir(&dir).map_err(|e| e.to_string())?;
                // Helm skips a local chart whose version is not semver, leaving a hole in
                // the lock; we say what is wrong instead.
                let version = Version::parse(&chart.metadata.version).map_err(|_| {
                    format!(
                        "dependency {:?}: the chart at {} has version {:?}, which is not a semantic version",
                        d.name, d.repository, chart.metadata.version
                    )
                })?;
                if constraint.check(&version) {
                    locked.push(lock(d, &chart.metadata.version));
                } else {
                    missing.push(not_found());
                }
            }
            Source::Oci(_) => {
                if Version::parse(&d.version).is_ok() {
                    // An exact version needs no tag listing.
                    locked.push(lock(d, &d.version));
                    continue;
                }
                let reference = format!("{}/{}", d.repository.trim_end_matches('/'), d.name);
                let tags = catalog
                    .oci_tags
                    .get(&reference)
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                // Tags come newest first; Helm keeps the tag text as the locked version.
                match tags
                    .iter()
                    .find(|t| Version::parse(t).is_ok_and(|v| constraint.check(&v)))
                {
                    Some(tag) => locked.push(lock(d, tag)),
                    // Helm would lock the constraint text itself and fail at download time.
                    None => missing.push(not_found()),
                }
            }
            Source::Repository(url) => {
                let index = catalog.index(url).ok_or_else(|| {
                    format!(
                        "no cached repository for {url} found. (try 'helmpilot dependency update')"
                    )
                })?;
                if !index.entries.contains_key(&d.name) {
                    return Err(format!(
                        "{} chart not found in repo {}",
                        d.name, d.repository
                    ));
                }
                match index.best_match(&d.name, &constraint) {
                    Some(entry) => locked.push(lock(d, &entry.version)),
                    None => missing.push(not_found()),
                }
            }
        }
    }
    if !missing.is_empty() {
        return Err(format!(
            "can't get a valid version for {} subchart(s): {}. Make sure a matching chart version exists in the repo, or change the version constraint in Chart.yaml",
            missing.len(),
            missing.join(", ")
        ));
    }
    Ok(locked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dep(name: &str, version: &str, repository: &str) -> Dependency {
        Dependency {
            name: name.into(),
            version: version.into(),
            repository: repository.into(),
            condition: "x.enabled".into(),
            ..Dependency::default()
        }
    }

    fn catalog() -> Catalog {
        let mut catalog = Catalog::default();
        let index = "apiVersion: v1\nentries:\n  redis:\n  - {name: redis, version: 17.3.0, urls: [a.tgz]}\n  - {name: redis, version: 17.10.0, urls: [b.tgz]}\n  - {name: redis, version: v18.0.0, urls: [c.tgz]}\n";
        catalog.insert_index(
            "https://charts.example.com/",
            IndexFile::parse(index.as_bytes()).unwrap(),
        );
        catalog.oci_tags.insert(
            "oci://registry.example.com/charts/model".into(),
            vec!["2.0.0".into(), "1.5.0+build.7".into(), "1.4.0".into()],
        );
        catalog
    }

    #[test]
    fn locks_newest_matching_version_with_its_original_text() {
        let reqs = [
            dep("redis", ">=17.0.0", "https://charts.example.com"),
            dep("redis", "~17.3", "https://charts.example.com"),
            dep("model", "^1.0", "oci://registry.example.com/charts"),
            dep("model", "1.0.7", "oci://registry.example.com/charts"),
        ];
        let locked = resolve(Path::new("."), &reqs, &catalog()).unwrap();
        let versions: Vec<_> = locked.iter().map(|d| d.version.as_str()).collect();
        assert_eq!(versions, ["v18.0.0", "17.3.0", "1.5.0+build.7", "1.0.7"]);
        assert!(
            locked.iter().all(|d| d.condition.is_empty()),
            "a lock keeps name, repository, version only"
        );
    }

    #[test]
    fn reports_every_unsatisfiable_dependency_at_once() {
        let reqs = [
            dep("redis", "^19", "https://charts.example.com"),
            dep("model", "^3", "oci://registry.example.com/charts"),
        ];
        let err = resolve(Path::new("."), &reqs, &catalog()).unwrap_err();
        assert_eq!(
            err,
            "can't get a valid version for 2 subchart(s): \"redis\" (repository \"https://charts.example.com\", version \"^19\"), \"model\" (repository \"oci://registry.example.com/charts\", version \"^3\"). Make sure a matching chart version exists in the repo, or change the version constraint in Chart.yaml"
        );
    }

    #[test]
    fn unknown_chart_and_bad_constraint() {
        let err = resolve(
            Path::new("."),
            &[dep("memcached", "1.x", "https://charts.example.com")],
            &catalog(),
        )
        .unwrap_err();
        assert_eq!(
            err,
            "memcached chart not found in repo https://charts.example.com"
        );
        let err = resolve(
            Path::new("."),
            &[dep("redis", ">>1", "https://charts.example.com")],
            &catalog(),
        )
        .unwrap_err();
        assert!(
            err.starts_with("dependency \"redis\" has an invalid version/constraint format: "),
            "{err}"
        );
    }
}
