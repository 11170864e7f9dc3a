//! The npm packages with GitHub's own data, installed by `scripts/github/setup.sh`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Why GitHub's data could not be loaded.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DataError {
    /// The setup script failed (no npm, no registry).
    #[error("scripts/github/setup.sh failed ({status}); run it by hand to see why: {stderr}")]
    Setup {
        /// Its exit status.
        status: String,
        /// What it printed on stderr.
        stderr: String,
    },
    /// A file of a package could not be read.
    #[error("cannot read {}: {reason}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error's text.
        reason: String,
    },
    /// A file of a package is not the JSON expected.
    #[error("{} is not what the package documents: {reason}", .path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// What did not fit.
        reason: String,
    },
}

/// The repository's root (this crate is `crates/github-fake`).
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("..")
}

/// A file inside an installed package, e.g. `("@octokit/openapi", "generated/api.github.com.json")`.
/// The setup script runs once per process first: it returns at once when the pinned
/// versions are there, and installs them on a fresh machine (so `cargo test` just works).
pub(crate) fn package_file(package: &str, file: &str) -> Result<PathBuf, DataError> {
    static SETUP: OnceLock<Result<(), (String, String)>> = OnceLock::new();
    let root = repo_root();
    let setup = SETUP.get_or_init(|| {
        let script = root.join("scripts").join("github").join("setup.sh");
        let output = Command::new("bash")
            .arg(&script)
            .output()
            .map_err(|e| ("not run".to_string(), e.to_string()))?;
        if output.status.success() {
            Ok(())
        } else {
            Err((
                output.status.to_string(),
                String::from_utf8_lossy(&output.stderr).trim().to_string(),
            ))
        }
    });
    if let Err((status, stderr)) = setup {
        return Err(DataError::Setup {
            status: status.clone(),
            stderr: stderr.clone(),
        });
    }
    Ok(root
        .join("target")
        .join("npm")
        .join("node_modules")
        .join(package)
        .join(file))
}

/// Reads and parses a package's JSON file.
pub(crate) fn read_json(package: &str, file: &str) -> Result<serde_json::Value, DataError> {
    let path = package_file(package, file)?;
    let text = std::fs::read(&path).map_err(|e| DataError::Read {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    serde_json::from_slice(&text).map_err(|e| DataError::Format {
        path,
        reason: e.to_string(),
    })
}
