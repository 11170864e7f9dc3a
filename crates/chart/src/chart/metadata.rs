//! Chart.yaml (Helm's `chart.Metadata`), Chart.lock and requirements.yaml: parsing as
//! Helm reads them and Helm's validation. (Skeleton: fields fixed, parsing being written.)

use std::collections::BTreeMap;

/// Chart.yaml, with Helm's fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metadata {
    pub name: String,
    pub home: String,
    pub sources: Vec<String>,
    pub version: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub maintainers: Vec<Maintainer>,
    pub icon: String,
    pub api_version: String,
    pub condition: String,
    pub tags: String,
    pub app_version: String,
    pub deprecated: bool,
    pub annotations: BTreeMap<String, String>,
    pub kube_version: String,
    pub dependencies: Vec<Dependency>,
    /// `application` or `library` (empty means application).
    pub chart_type: String,
}

/// A maintainer entry of Chart.yaml.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Maintainer {
    pub name: String,
    pub email: String,
    pub url: String,
}

/// A dependency entry of Chart.yaml, requirements.yaml or a lock file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dependency {
    pub name: String,
    pub version: String,
    pub repository: String,
    pub condition: String,
    pub tags: Vec<String>,
    /// Set while processing dependencies (Helm's `Enabled`).
    pub enabled: bool,
    /// Each entry is a string (`"data"`) or a `{child, parent}` map, kept as Helm decoded it.
    pub import_values: Vec<serde_json::Value>,
    pub alias: String,
}

/// Chart.lock / requirements.lock.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lock {
    /// RFC 3339 text as written.
    pub generated: String,
    pub digest: String,
    pub dependencies: Vec<Dependency>,
}

/// Chart.yaml (or a lock/requirements file) that Helm would refuse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct MetadataError {
    pub message: String,
}

impl Metadata {
    /// Parses Chart.yaml as Helm's loader does (`sigs.k8s.io/yaml` into `chart.Metadata`).
    pub fn parse(data: &[u8]) -> Result<Metadata, MetadataError> {
        let _ = data;
        Err(MetadataError {
            message: "Chart.yaml parsing is not yet implemented".into(),
        })
    }

    /// Helm's `Metadata.Validate`: the checks the loader runs after parsing.
    pub fn validate(&self) -> Result<(), MetadataError> {
        Ok(())
    }
}

impl Lock {
    /// Parses Chart.lock / requirements.lock.
    pub fn parse(data: &[u8]) -> Result<Lock, MetadataError> {
        let _ = data;
        Err(MetadataError {
            message: "lock parsing is not yet implemented".into(),
        })
    }
}

/// Parses requirements.yaml (apiVersion v1 charts): its `dependencies` list.
pub fn parse_requirements(data: &[u8]) -> Result<Vec<Dependency>, MetadataError> {
    let _ = data;
    Err(MetadataError {
        message: "requirements parsing is not yet implemented".into(),
    })
}
