//! `.helmpilot.yaml` at the repository root, and the environments of a chart when there is
//! none (`values-<env>.yaml` files next to the chart).

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;

pub const CONFIG_FILE: &str = ".helmpilot.yaml";

/// The whole file. Unknown keys are errors, so a typo does not silently do nothing.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Config {
    /// Format version; 1 today. (YAML numbers arrive as JSON numbers, floats.)
    #[serde(default)]
    pub version: Option<f64>,
    #[serde(default)]
    pub charts: Vec<ChartConfig>,
    /// Changes not worth a reviewer's time (counted, never dropped silently).
    #[serde(default)]
    pub ignore: Vec<IgnoreConfig>,
    /// Replace the built-in list of key patterns whose values are masked.
    #[serde(default)]
    pub sensitive_keys: Option<Vec<String>>,
    /// Also ignore Helm's own noise: the `helm.sh/chart` label and `checksum/*`
    /// annotations (default true).
    #[serde(default)]
    pub ignore_helm_noise: Option<bool>,
    #[serde(default)]
    pub risks: RiskConfig,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChartConfig {
    /// The chart directory, relative to the repository root.
    pub path: String,
    /// Release name (default: the chart directory's name).
    #[serde(default)]
    pub release: Option<String>,
    /// Namespace (default `default`); an environment may override it.
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub environments: Vec<EnvironmentConfig>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EnvironmentConfig {
    pub name: String,
    /// Values files, relative to the chart directory, in order.
    #[serde(default)]
    pub values: Vec<String>,
    /// `--set` expressions.
    #[serde(default)]
    pub set: Vec<String>,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub kube_version: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IgnoreConfig {
    /// Kinds the rule applies to (`Deployment`, `*`); default all.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// A JSON-pointer-like path (`/metadata/annotations/checksum~1config`, `*` for one
    /// segment's text).
    pub path: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RiskConfig {
    /// Risk rule ids to turn off (`image-latest`, ...).
    #[serde(default)]
    pub disabled: Vec<String>,
}

impl Config {
    /// Reads `.helmpilot.yaml` at `root`; `None` when there is none.
    pub fn load(root: &Path) -> Result<Option<Config>> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        Config::parse(&text)
            .map(Some)
            .with_context(|| format!("in {}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Config> {
        let value = helmpilot_yaml::unmarshal(text).map_err(|e| anyhow!("{e}"))?;
        if value.is_null() {
            return Ok(Config::default());
        }
        let config: Config = serde_json::from_value(value).map_err(|e| anyhow!("{e}"))?;
        if let Some(version) = config.version.filter(|v| *v != 1.0) {
            bail!("version {version} is not supported (this helmpilot reads version 1)");
        }
        for chart in &config.charts {
            let mut seen = std::collections::BTreeSet::new();
            for env in &chart.environments {
                if !seen.insert(&env.name) {
                    bail!(
                        "chart {}: environment {:?} is listed twice",
                        chart.path,
                        env.name
                    );
                }
            }
        }
        Ok(config)
    }

    /// The entry for the chart at `path` (relative to the repository root).
    pub fn chart(&self, path: &Path) -> Option<&ChartConfig> {
        self.charts
            .iter()
            .find(|c| Path::new(c.path.trim_end_matches('/')) == path)
    }
}

/// One environment to render: its values files (relative to the chart directory), `--set`
/// expressions, namespace and Kubernetes version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Environment {
    pub name: String,
    pub values: Vec<String>,
    pub set: Vec<String>,
    pub namespace: String,
    pub kube_version: Option<String>,
}

/// The environments of a chart: `--env` names first (from the config when it lists
/// them, else `values-<name>.yaml`), else the config's list, else discovery in the chart
/// directories given (head, then base, so an environment added or removed still shows).
pub fn environments(
    requested: &[String],
    chart: Option<&ChartConfig>,
    chart_dirs: &[PathBuf],
) -> Result<Vec<Environment>> {
    let namespace = chart
        .and_then(|c| c.namespace.clone())
        .unwrap_or_else(|| "default".into());
    let from_config = |env: &EnvironmentConfig| Environment {
        name: env.name.clone(),
        values: env.values.clone(),
        set: env.set.clone(),
        namespace: env.namespace.clone().unwrap_or_else(|| namespace.clone()),
        kube_version: env.kube_version.clone(),
    };
    let discovered = |name: &str| Environment {
        name: name.to_string(),
        values: if name == "default" {
            Vec::new()
        } else {
            vec![format!("values-{name}.yaml")]
        },
        set: Vec::new(),
        namespace: namespace.clone(),
        kube_version: None,
    };
    if !requested.is_empty() {
        return requested
            .iter()
            .map(|name| {
                if let Some(env) = chart.and_then(|c| c.environments.iter().find(|e| &e.name == name)) {
                    return Ok(from_config(env));
                }
                let file = format!("values-{name}.yaml");
                if name == "default" || chart_dirs.iter().any(|dir| dir.join(&file).is_file()) {
                    Ok(discovered(name))
                } else {
                    Err(anyhow!(
                        "environment {name:?}: no {file} next to the chart (at either revision) and no such \
                         environment in {CONFIG_FILE}"
                    ))
                }
            })
            .collect();
    }
    if let Some(chart) = chart.filter(|c| !c.environments.is_empty()) {
        return Ok(chart.environments.iter().map(from_config).collect());
    }
    let mut names = std::collections::BTreeSet::new();
    for dir in chart_dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            if let Some(name) = file
                .strip_prefix("values-")
                .and_then(|n| n.strip_suffix(".yaml"))
            {
                if !name.is_empty() {
                    names.insert(name.to_string());
                }
            }
        }
    }
    if names.is_empty() {
        names.insert("default".to_string());
    }
    Ok(names.iter().map(|n| discovered(n)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_config_and_refuses_typos() {
        let config = Config::parse(
            "version: 1\ncharts:\n- path: charts/web\n  release: web\n  namespace: shop\n  environments:\n  - name: staging\n    values: [values-staging.yaml]\n    set: [image.tag=2]\n    kubeVersion: v1.30.0\nignore:\n- kinds: [Deployment]\n  path: /spec/replicas\nsensitiveKeys: [pin]\nrisks:\n  disabled: [image-latest]\n",
        )
        .unwrap();
        let chart = config.chart(Path::new("charts/web")).unwrap();
        let envs = environments(&[], Some(chart), &[]).unwrap();
        assert_eq!(envs[0].namespace, "shop");
        assert_eq!(envs[0].kube_version.as_deref(), Some("v1.30.0"));
        assert_eq!(config.risks.disabled, ["image-latest"]);
        let err = Config::parse("charts:\n- path: x\n  enviroments: []\n").unwrap_err();
        assert!(
            format!("{err:#}").contains("unknown field `enviroments`"),
            "{err:#}"
        );
        assert!(Config::parse("version: 2\n").is_err());
    }

    #[test]
    fn discovers_environments_from_values_files() {
        let dir = std::env::temp_dir().join(format!("helmpilot-envs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for f in ["values.yaml", "values-prod.yaml", "values-dev.yaml"] {
            std::fs::write(dir.join(f), "").unwrap();
        }
        let names: Vec<_> = environments(&[], None, std::slice::from_ref(&dir))
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, ["dev", "prod"]);
        assert!(environments(&["qa".into()], None, std::slice::from_ref(&dir)).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
        let lone = environments(&[], None, &[]).unwrap();
        assert_eq!(
            (lone[0].name.as_str(), lone[0].values.len()),
            ("default", 0)
        );
    }
}
