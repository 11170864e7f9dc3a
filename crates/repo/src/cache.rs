//! The download cache: chart archives keyed by their sha256 digest, repository indexes keyed
//! by URL, and a small table from (repository, chart, version) to archive digest so a locked
//! dependency can be built offline once it has been downloaded.
//!
//! Every write goes to a temporary file in the same directory and is renamed into place, so
//! concurrent helmpilot processes (two revisions of a diff, parallel CI jobs sharing a cache)
//! never see half-written entries.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

/// A cache rooted at one directory.
#[derive(Clone, Debug)]
pub struct Cache {
    root: PathBuf,
}

/// `sha256:<hex>` of some bytes.
pub fn sha256_digest(data: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(data)))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Cache {
    pub fn new(root: impl Into<PathBuf>) -> Cache {
        Cache { root: root.into() }
    }

    /// The cache directory to use when none is given: `$HELMPILOT_CACHE_DIR`; in GitHub
    /// Actions `$RUNNER_TOOL_CACHE/helmpilot` (kept between steps of a job, and what
    /// actions/cache can save), else `$RUNNER_TEMP/helmpilot-cache`; on a workstation
    /// `$XDG_CACHE_HOME/helmpilot`, else `~/.cache/helmpilot`.
    ///
    /// ```
    /// let cache = helmpilot_repo::cache::Cache::new(std::env::temp_dir().join("helmpilot-doc-cache"));
    /// assert!(cache.root().ends_with("helmpilot-doc-cache"));
    /// ```
    pub fn default_dir() -> PathBuf {
        let var = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        if let Some(dir) = var("HELMPILOT_CACHE_DIR") {
            return dir;
        }
        if std::env::var("GITHUB_ACTIONS").as_deref() == Ok("true") {
            if let Some(dir) = var("RUNNER_TOOL_CACHE") {
                return dir.join("helmpilot");
            }
            if let Some(dir) = var("RUNNER_TEMP") {
                return dir.join("helmpilot-cache");
            }
        }
        if let Some(dir) = var("XDG_CACHE_HOME") {
            return dir.join("helmpilot");
        }
        match var("HOME") {
            Some(home) => home.join(".cache").join("helmpilot"),
            None => std::env::temp_dir().join("helmpilot-cache"),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn archive_path(&self, digest: &str) -> Option<PathBuf> {
        let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
        let valid = hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit());
        valid.then(|| {
            self.root
                .join("archives")
                .join("sha256")
                .join(format!("{}.tgz", hex.to_ascii_lowercase()))
        })
    }

    /// The archive with this digest, when cached and still intact.
    pub fn archive(&self, digest: &str) -> Option<Vec<u8>> {
        let path = self.archive_path(digest)?;
        let data = std::fs::read(path).ok()?;
        // A damaged entry is a miss, not a wrong chart.
        (sha256_digest(&data).eq_ignore_ascii_case(&normalize(digest))).then_some(data)
    }

    /// Stores an archive under its own digest and returns that digest.
    pub fn store_archive(&self, data: &[u8]) -> std::io::Result<String> {
        let digest = sha256_digest(data);
        if let Some(path) = self.archive_path(&digest) {
            if !path.exists() {
                write_atomic(&path, data)?;
            }
        }
        Ok(digest)
    }

    /// Where a repository's index is kept.
    fn index_path(&self, repository_url: &str) -> PathBuf {
        let key = hex(&Sha256::digest(
            repository_url.trim_end_matches('/').as_bytes(),
        ));
        self.root.join("indexes").join(format!("{key}-index.yaml"))
    }

    pub fn index(&self, repository_url: &str) -> Option<Vec<u8>> {
        std::fs::read(self.index_path(repository_url)).ok()
    }

    pub fn store_index(&self, repository_url: &str, data: &[u8]) -> std::io::Result<()> {
        write_atomic(&self.index_path(repository_url), data)
    }

    fn ref_path(&self, repository: &str, name: &str, version: &str) -> PathBuf {
        let mut hasher = Sha256::new();
        for part in [repository.trim_end_matches('/'), name, version] {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        self.root.join("refs").join(hex(&hasher.finalize()))
    }

    /// The digest recorded for a chart version of a repository, if it was downloaded before.
    pub fn resolved_digest(&self, repository: &str, name: &str, version: &str) -> Option<String> {
        let text = std::fs::read_to_string(self.ref_path(repository, name, version)).ok()?;
        let digest = text.trim().to_string();
        self.archive_path(&digest).map(|_| digest)
    }

    pub fn record_digest(
        &self,
        repository: &str,
        name: &str,
        version: &str,
        digest: &str,
    ) -> std::io::Result<()> {
        write_atomic(&self.ref_path(repository, name, version), digest.as_bytes())
    }
}

fn normalize(digest: &str) -> String {
    if digest.starts_with("sha256:") {
        digest.to_string()
    } else {
        format!("sha256:{digest}")
    }
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `data` to `path` through a temporary sibling and a rename.
pub(crate) fn write_atomic(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("entry");
    let temp = dir.join(format!(".{file_name}.{}-{n}.tmp", std::process::id()));
    std::fs::write(&temp, data)?;
    std::fs::rename(&temp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_cache(name: &str) -> Cache {
        let dir = std::env::temp_dir().join(format!(
            "helmpilot-cache-test-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        Cache::new(dir)
    }

    #[test]
    fn archives_round_trip_by_digest_and_damage_is_a_miss() {
        let cache = temp_cache("archives");
        let digest = cache.store_archive(b"chart bytes").unwrap();
        assert_eq!(digest, sha256_digest(b"chart bytes"));
        assert_eq!(cache.archive(&digest).as_deref(), Some(&b"chart bytes"[..]));
        assert_eq!(
            cache
                .archive(digest.trim_start_matches("sha256:"))
                .as_deref(),
            Some(&b"chart bytes"[..])
        );
        std::fs::write(cache.archive_path(&digest).unwrap(), b"tampered").unwrap();
        assert_eq!(cache.archive(&digest), None);
        assert_eq!(cache.archive("sha256:../../etc/passwd"), None);
        let _ = std::fs::remove_dir_all(cache.root());
    }

    #[test]
    fn refs_and_indexes() {
        let cache = temp_cache("refs");
        let digest = cache.store_archive(b"x").unwrap();
        assert_eq!(
            cache.resolved_digest("https://r.example/", "a", "1.0.0"),
            None
        );
        cache
            .record_digest("https://r.example/", "a", "1.0.0", &digest)
            .unwrap();
        assert_eq!(
            cache.resolved_digest("https://r.example", "a", "1.0.0"),
            Some(digest)
        );
        assert_eq!(
            cache.resolved_digest("https://r.example", "a", "1.0.1"),
            None
        );
        cache
            .store_index("https://r.example", b"apiVersion: v1\n")
            .unwrap();
        assert_eq!(
            cache.index("https://r.example/").as_deref(),
            Some(&b"apiVersion: v1\n"[..])
        );
        let _ = std::fs::remove_dir_all(cache.root());
    }
}
