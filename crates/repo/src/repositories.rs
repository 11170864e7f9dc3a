//! Helm's repositories file (`repositories.yaml`, written by `helm repo add`): names for
//! repository URLs (so Chart.yaml may say `@name` or `alias:name`) and their credentials.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// One `helm repo add` entry.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RepositoryEntry {
    pub name: String,
    pub url: String,
    pub username: String,
    pub password: String,
    pub ca_file: String,
    pub cert_file: String,
    pub key_file: String,
    pub insecure_skip_tls_verify: bool,
    /// Send the credentials to other hosts too (when chart URLs point elsewhere).
    pub pass_credentials_all: bool,
}

impl std::fmt::Debug for RepositoryEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RepositoryEntry")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("username", &self.username)
            .field(
                "password",
                &if self.password.is_empty() {
                    ""
                } else {
                    "<redacted>"
                },
            )
            .finish_non_exhaustive()
    }
}

/// The repositories file: empty when the file does not exist (as Helm treats it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RepositoryFile {
    pub repositories: Vec<RepositoryEntry>,
}

impl RepositoryFile {
    /// Where Helm keeps it: `$HELM_REPOSITORY_CONFIG`, else
    /// `$XDG_CONFIG_HOME/helm/repositories.yaml`, else `~/.config/helm/repositories.yaml`.
    pub fn default_path() -> Option<PathBuf> {
        if let Some(path) = std::env::var_os("HELM_REPOSITORY_CONFIG").filter(|p| !p.is_empty()) {
            return Some(PathBuf::from(path));
        }
        let config = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
        Some(config.join("helm").join("repositories.yaml"))
    }

    /// Reads the file; a missing file is an empty list.
    ///
    /// ```
    /// use helmpilot_repo::repositories::RepositoryFile;
    /// let file = RepositoryFile::parse("repositories:\n- name: stable\n  url: https://charts.example.com\n").unwrap();
    /// assert_eq!(file.find_alias("@stable").unwrap().url, "https://charts.example.com");
    /// ```
    pub fn load(path: &Path) -> Result<RepositoryFile, String> {
        match std::fs::read(path) {
            Ok(data) => {
                let text = String::from_utf8(data)
                    .map_err(|_| format!("{}: not UTF-8 text", path.display()))?;
                RepositoryFile::parse(&text)
                    .map_err(|e| format!("failed to load {}: {e}", path.display()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(RepositoryFile::default()),
            Err(e) => Err(format!("failed to read {}: {e}", path.display())),
        }
    }

    pub fn parse(text: &str) -> Result<RepositoryFile, String> {
        let document = helmpilot_yaml::unmarshal(text).map_err(|e| e.to_string())?;
        let entries = match &document {
            Value::Object(top) => match top.get("repositories") {
                Some(Value::Array(list)) => list.as_slice(),
                Some(Value::Null) | None => &[],
                Some(_) => return Err("repositories must be a list".into()),
            },
            Value::Null => &[],
            _ => return Err("the repositories file must be a map".into()),
        };
        let mut repositories = Vec::new();
        for entry in entries {
            let Value::Object(fields) = entry else {
                continue;
            };
            let text = |key: &str| {
                fields
                    .get(key)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            let flag = |key: &str| fields.get(key).and_then(Value::as_bool).unwrap_or(false);
            repositories.push(RepositoryEntry {
                name: text("name"),
                url: text("url"),
                username: text("username"),
                password: text("password"),
                ca_file: text("caFile"),
                cert_file: text("certFile"),
                key_file: text("keyFile"),
                insecure_skip_tls_verify: flag("insecure_skip_tls_verify"),
                pass_credentials_all: flag("pass_credentials_all"),
            });
        }
        Ok(RepositoryFile { repositories })
    }

    /// The entry a Chart.yaml `repository: "@name"` or `"alias:name"` refers to.
    pub fn find_alias(&self, repository: &str) -> Option<&RepositoryEntry> {
        let name = alias_name(repository)?;
        self.repositories.iter().find(|r| r.name == name)
    }

    /// The entry whose URL is `url` (compared as Helm's `urlutil.Equal`).
    pub fn find_url(&self, url: &str) -> Option<&RepositoryEntry> {
        self.repositories.iter().find(|r| urls_equal(&r.url, url))
    }
}

/// `@name` / `alias:name` -> `name`.
pub fn alias_name(repository: &str) -> Option<&str> {
    repository
        .strip_prefix('@')
        .or_else(|| repository.strip_prefix("alias:"))
}

/// Two repository URLs name the same repository when they differ only in a trailing slash
/// or `.`/`..` path segments (Helm cleans both paths before comparing).
pub fn urls_equal(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(mut x), Ok(mut y)) => {
            for u in [&mut x, &mut y] {
                let cleaned = clean_path(u.path());
                u.set_path(&cleaned);
            }
            x == y
        }
        _ => a.trim_end_matches('/') == b.trim_end_matches('/'),
    }
}

/// Go's `path.Clean` for URL paths (the `url` crate already resolved dot segments).
fn clean_path(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        "/".into()
    } else {
        trimmed.replace("//", "/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_helm_repo_add_output() {
        let text = "apiVersion: \"\"\ngenerated: \"0001-01-01T00:00:00Z\"\nrepositories:\n- caFile: \"\"\n  certFile: \"\"\n  insecure_skip_tls_verify: true\n  keyFile: \"\"\n  name: internal\n  pass_credentials_all: false\n  password: s3cret\n  url: https://charts.internal.example/stable/\n  username: ci\n";
        let file = RepositoryFile::parse(text).unwrap();
        let entry = &file.repositories[0];
        assert_eq!(
            (entry.name.as_str(), entry.username.as_str()),
            ("internal", "ci")
        );
        assert!(entry.insecure_skip_tls_verify);
        assert!(!format!("{entry:?}").contains("s3cret"));
        assert_eq!(file.find_alias("alias:internal"), Some(entry));
        assert_eq!(file.find_alias("@other"), None);
        assert_eq!(
            file.find_url("https://charts.internal.example/stable"),
            Some(entry)
        );
    }

    #[test]
    fn url_equality_follows_helm() {
        assert!(urls_equal(
            "https://a.example/charts/",
            "https://a.example/charts"
        ));
        assert!(urls_equal("https://a.example", "https://a.example/"));
        assert!(!urls_equal(
            "https://a.example/charts",
            "https://a.example/other"
        ));
        assert!(!urls_equal(
            "http://a.example/charts",
            "https://a.example/charts"
        ));
    }

    #[test]
    fn missing_file_is_empty() {
        let file =
            RepositoryFile::load(Path::new("/nonexistent/helmpilot/repositories.yaml")).unwrap();
        assert!(file.repositories.is_empty());
    }
}
