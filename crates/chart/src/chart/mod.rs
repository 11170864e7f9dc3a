//! A loaded Helm chart (Helm's `chart/v2.Chart`): metadata, templates, values, schema,
//! other files and subcharts, read from a directory or a `.tgz` archive.

pub mod archive;
pub mod dependencies;
pub mod ignore;
pub mod load;
pub mod metadata;
pub mod save;

use std::sync::Arc;

pub use load::{load, load_archive, load_dir, load_dir_with, LoadError};
pub use metadata::{Dependency, Lock, Maintainer, Metadata, MetadataError};

/// One file of a chart: its path relative to the chart root, with `/` separators
/// (`templates/deployment.yaml`), and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChartFile {
    pub name: String,
    pub data: Arc<[u8]>,
}

/// A chart and its subcharts, as Helm's loader builds it.
#[derive(Clone, Debug, Default)]
pub struct Chart {
    /// Chart.yaml (for apiVersion v1 charts, dependencies come from requirements.yaml).
    pub metadata: Metadata,
    /// Chart.lock (requirements.lock for v1), when present.
    pub lock: Option<Lock>,
    /// Files under `templates/`, in the order the loader found them.
    pub templates: Vec<ChartFile>,
    /// values.yaml as Helm reads it (sigs.k8s.io/yaml: numbers are float64).
    pub values: serde_json::Map<String, serde_json::Value>,
    /// values.yaml as written, which packaging copies as it is (Helm's `Chart.Raw`).
    pub raw_values: Option<Arc<[u8]>>,
    /// values.schema.json, raw.
    pub schema: Option<Arc<[u8]>>,
    /// Every other file (crds/, NOTES.txt is under templates/, README, files/...), for `.Files`.
    pub files: Vec<ChartFile>,
    /// Subcharts from `charts/`, directories and archives, in load order.
    pub dependencies: Vec<Chart>,
}

impl Chart {
    /// The chart's name from Chart.yaml.
    pub fn name(&self) -> &str {
        &self.metadata.name
    }
}
