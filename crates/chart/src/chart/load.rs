//! Loading a chart from a directory or a `.tgz` archive, as Helm's loader does.
//! (Skeleton: signatures fixed, being written.)

use std::path::Path;

use super::{Chart, ChartFile};

/// Why a chart could not be loaded; the message is Helm's where Helm has one.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct LoadError {
    pub message: String,
}

/// Loads a chart from a directory or a `.tgz` file.
pub fn load(path: &Path) -> Result<Chart, LoadError> {
    if path.is_dir() {
        load_dir(path)
    } else {
        let data = std::fs::read(path).map_err(|e| LoadError {
            message: format!("{}: {e}", path.display()),
        })?;
        load_archive(&data)
    }
}

/// Loads a chart directory, honouring `.helmignore`.
pub fn load_dir(path: &Path) -> Result<Chart, LoadError> {
    let _ = path;
    Err(LoadError {
        message: "not yet implemented".into(),
    })
}

/// Loads a gzipped tar archive of a chart.
pub fn load_archive(data: &[u8]) -> Result<Chart, LoadError> {
    let _ = data;
    Err(LoadError {
        message: "not yet implemented".into(),
    })
}

/// Builds a chart from its files (paths relative to the chart root), as Helm's
/// `LoadFiles`: Chart.yaml, values, schema, templates, subcharts under charts/.
pub fn load_files(files: Vec<ChartFile>) -> Result<Chart, LoadError> {
    let _ = files;
    Err(LoadError {
        message: "not yet implemented".into(),
    })
}
