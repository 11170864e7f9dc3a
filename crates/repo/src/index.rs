//! A chart repository's `index.yaml` (Helm's `repo.IndexFile`): which versions of which
//! charts exist, where their archives are and what their digests are.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use helmpilot_chart::semver::{Constraints, Version};
use serde_json::Value;

/// One version of one chart in an index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChartVersion {
    pub name: String,
    /// As written in the index (Helm locks this original text, not a normalized one).
    pub version: String,
    /// Archive locations, absolute or relative to the repository URL; the first is used.
    pub urls: Vec<String>,
    /// `sha256` hex of the archive, when the index records it.
    pub digest: Option<String>,
}

/// A parsed index: entries per chart name, each list newest first (Helm's `SortEntries`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndexFile {
    pub api_version: String,
    pub entries: BTreeMap<String, Vec<ChartVersion>>,
}

/// Why an index could not be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IndexError {
    #[error("empty index.yaml file")]
    Empty,
    #[error("no API version specified")]
    NoApiVersion,
    #[error("{0}")]
    Syntax(String),
}

impl IndexFile {
    /// Parses `index.yaml` (or `index.json`) text as Helm does: JSON when the whole text is
    /// valid JSON, YAML otherwise; entries that are empty or lack a valid name/version are
    /// skipped (Helm logs and skips them too); versions sorted newest first.
    ///
    /// ```
    /// use helmpilot_repo::index::IndexFile;
    /// let index = IndexFile::parse(b"apiVersion: v1\nentries:\n  redis:\n  - name: redis\n    version: 1.0.0\n    urls: [redis-1.0.0.tgz]\n  - name: redis\n    version: 1.2.0\n    urls: [redis-1.2.0.tgz]\n").unwrap();
    /// assert_eq!(index.entries["redis"][0].version, "1.2.0");
    /// ```
    pub fn parse(data: &[u8]) -> Result<IndexFile, IndexError> {
        if data.is_empty() {
            return Err(IndexError::Empty);
        }
        let text = std::str::from_utf8(data)
            .map_err(|_| IndexError::Syntax("index is not UTF-8 text".into()))?;
        let document = if helmpilot_yaml::json::check_syntax(text).is_ok() {
            serde_json::from_str::<Value>(text).map_err(|e| IndexError::Syntax(e.to_string()))?
        } else {
            helmpilot_yaml::unmarshal(text).map_err(|e| IndexError::Syntax(e.to_string()))?
        };
        let Value::Object(top) = document else {
            return Err(IndexError::Syntax(format!(
                "error unmarshaling JSON: json: cannot unmarshal {} into Go value of type repo.IndexFile",
                helmpilot_yaml::json::kind_name(&document)
            )));
        };
        let api_version = match top.get("apiVersion") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => return Err(type_error("apiVersion", other, "string")),
        };
        let mut entries = BTreeMap::new();
        match top.get("entries") {
            None | Some(Value::Null) => {}
            Some(Value::Object(map)) => {
                for (name, versions) in map {
                    entries.insert(name.clone(), parse_versions(name, versions)?);
                }
            }
            Some(other) => {
                return Err(type_error(
                    "entries",
                    other,
                    "map[string]repo.ChartVersions",
                ))
            }
        }
        if api_version.is_empty() {
            return Err(IndexError::NoApiVersion);
        }
        Ok(IndexFile {
            api_version,
            entries,
        })
    }

    /// The newest version of `name` that satisfies `constraint` and has a download URL
    /// (what Helm's resolver locks). `None` when no version qualifies.
    pub fn best_match(&self, name: &str, constraint: &Constraints) -> Option<&ChartVersion> {
        self.entries.get(name)?.iter().find(|entry| {
            !entry.urls.is_empty()
                && Version::parse(&entry.version).is_ok_and(|v| constraint.check(&v))
        })
    }

    /// The entry for exactly `version` (semantically equal, as Helm's `versionEquals`),
    /// skipping entries without URLs: how `dependency build` finds a locked version.
    pub fn exact(&self, name: &str, version: &str) -> Option<&ChartVersion> {
        let wanted = Version::parse(version).ok();
        self.entries.get(name)?.iter().find(|entry| {
            !entry.urls.is_empty()
                && match &wanted {
                    Some(w) => Version::parse(&entry.version).is_ok_and(|v| v.equal(w)),
                    None => entry.version == version,
                }
        })
    }
}

fn type_error(field: &str, value: &Value, go_type: &str) -> IndexError {
    IndexError::Syntax(format!(
        "error unmarshaling JSON: json: cannot unmarshal {} into Go struct field IndexFile.{field} of type {go_type}",
        helmpilot_yaml::json::kind_name(value)
    ))
}

fn parse_versions(chart: &str, versions: &Value) -> Result<Vec<ChartVersion>, IndexError> {
    let list = match versions {
        Value::Null => return Ok(Vec::new()),
        Value::Array(list) => list,
        other => return Err(type_error("entries", other, "repo.ChartVersions")),
    };
    let mut parsed = Vec::with_capacity(list.len());
    for item in list {
        let Value::Object(fields) = item else {
            if !item.is_null() {
                return Err(type_error("entries", item, "repo.ChartVersion"));
            }
            tracing::warn!(chart, "skipping an empty entry of the repository index");
            continue;
        };
        let text = |key: &str| match fields.get(key) {
            Some(Value::String(s)) => s.clone(),
            _ => String::new(),
        };
        let entry = ChartVersion {
            name: text("name"),
            version: text("version"),
            urls: match fields.get("urls") {
                Some(Value::Array(urls)) => urls
                    .iter()
                    .filter_map(|u| u.as_str().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            },
            digest: Some(text("digest")).filter(|d| !d.is_empty()),
        };
        // Helm validates each entry as chart metadata and drops the invalid ones.
        if entry.name.is_empty() || Version::parse(&entry.version).is_err() {
            tracing::warn!(chart, version = %entry.version, "skipping an invalid entry of the repository index");
            continue;
        }
        parsed.push(entry);
    }
    // Newest first; a stable sort keeps the index's order among equal versions.
    parsed.sort_by(
        |a, b| match (Version::parse(&a.version), Version::parse(&b.version)) {
            (Ok(x), Ok(y)) => y.compare(&x),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            (Err(_), Err(_)) => Ordering::Equal,
        },
    );
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = "apiVersion: v1
entries:
  redis:
  - name: redis
    version: 17.3.0
    urls: [https://charts.example.com/redis-17.3.0.tgz]
    digest: aaaa
  - name: redis
    version: 18.0.0-rc.1
    urls: [redis-18.0.0-rc.1.tgz]
  - name: redis
    version: 17.10.2
    urls: [redis-17.10.2.tgz]
  - name: redis
    version: 17.11.0
    urls: []
  - null
  - name: redis
    version: not-a-version
    urls: [x.tgz]
generated: \"2026-01-01T00:00:00Z\"
";

    #[test]
    fn sorts_newest_first_and_skips_invalid_entries() {
        let index = IndexFile::parse(INDEX.as_bytes()).unwrap();
        let versions: Vec<_> = index.entries["redis"]
            .iter()
            .map(|e| e.version.as_str())
            .collect();
        assert_eq!(versions, ["18.0.0-rc.1", "17.11.0", "17.10.2", "17.3.0"]);
    }

    #[test]
    fn best_match_skips_prereleases_and_entries_without_urls() {
        let index = IndexFile::parse(INDEX.as_bytes()).unwrap();
        let pick = |c: &str| {
            index
                .best_match("redis", &Constraints::parse(c).unwrap())
                .map(|e| e.version.clone())
        };
        assert_eq!(pick("^17.0.0").as_deref(), Some("17.10.2"));
        assert_eq!(pick("~17.3").as_deref(), Some("17.3.0"));
        assert_eq!(pick(">=18.0.0-0").as_deref(), Some("18.0.0-rc.1"));
        assert_eq!(pick("^19"), None);
        assert!(index
            .best_match("memcached", &Constraints::parse("*").unwrap())
            .is_none());
    }

    #[test]
    fn exact_compares_semantically() {
        let index = IndexFile::parse(INDEX.as_bytes()).unwrap();
        assert_eq!(
            index.exact("redis", "v17.3.0").unwrap().digest.as_deref(),
            Some("aaaa")
        );
        assert!(
            index.exact("redis", "17.11.0").is_none(),
            "an entry without URLs is unusable"
        );
    }

    #[test]
    fn json_indexes_and_errors() {
        let json = br#"{"apiVersion":"v1","entries":{"a":[{"name":"a","version":"1.0.0","urls":["a-1.0.0.tgz"]}]}}"#;
        assert_eq!(IndexFile::parse(json).unwrap().entries["a"].len(), 1);
        assert_eq!(IndexFile::parse(b""), Err(IndexError::Empty));
        assert_eq!(
            IndexFile::parse(b"entries: {}\n"),
            Err(IndexError::NoApiVersion)
        );
        assert!(matches!(
            IndexFile::parse(b"- a\n- b\n"),
            Err(IndexError::Syntax(_))
        ));
        assert!(matches!(
            IndexFile::parse(b"apiVersion: v1\nentries: [1]\n"),
            Err(IndexError::Syntax(_))
        ));
    }
}
