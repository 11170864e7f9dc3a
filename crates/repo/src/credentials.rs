//! Credentials for chart repositories and OCI registries, and where they come from.
//!
//! [`lookup`] answers "what do I present to this host?" from, in order:
//!
//! 1. **The environment, per host** (for CI): `HELMPILOT_AUTH_<HOST>`, where `<HOST>` is
//!    the host (with its port, if any) upper-cased and every character that is not an
//!    ASCII letter or digit replaced by `_`: `ghcr.io` reads `HELMPILOT_AUTH_GHCR_IO`,
//!    `127.0.0.1:5000` reads `HELMPILOT_AUTH_127_0_0_1_5000`. The value is either
//!    `user:password` (HTTP basic; split at the first `:`, so the password may hold `:`)
//!    or `Bearer <token>` (sent as is). One variable per host, never one for all hosts, so
//!    a secret meant for one registry is not handed to another.
//! 2. **Helm's registry config** (what `helm registry login` writes): the file named by
//!    `$HELM_REGISTRY_CONFIG`, else `$HELM_CONFIG_HOME/registry/config.json`, else
//!    `$XDG_CONFIG_HOME/helm/registry/config.json`, else
//!    `~/.config/helm/registry/config.json`.
//! 3. **Docker's config**: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
//!
//! Credentials given explicitly (`--username`/`--password`) come before all of these;
//! callers check them first (see [`Sources::lookup_with`]).
//!
//! In both config files an `auths.<host>` entry may hold `auth` (base64 of
//! `user:password`, which wins), `username`/`password`, `identitytoken` (an OAuth2
//! refresh token, Docker's and Helm's name for it) or `registrytoken` (a bearer token).
//! Keys written with a scheme or a path (`https://host/v1/`) match their host, as in
//! Docker and Helm (oras-go). Credential helpers (`credsStore`, `credHelpers`) are
//! external programs that helmpilot does not run: a config that routes a host to one
//! gives [`CredentialsError::HelperUnsupported`] rather than silently nothing.
//!
//! Secrets never appear in `Debug`, `Display` or errors.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use base64::Engine as _;

/// What to present to a repository or registry. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// HTTP basic authentication (also what a registry's token endpoint is given).
    Basic { username: String, password: String },
    /// A bearer token sent as `Authorization: Bearer ...`.
    Bearer { token: String },
    /// An OAuth2 refresh token (`identitytoken` in Docker's and Helm's config files),
    /// exchanged at a registry's token endpoint for an access token.
    IdentityToken { token: String },
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
            Credentials::Bearer { .. } => f
                .debug_struct("Bearer")
                .field("token", &"<redacted>")
                .finish(),
            Credentials::IdentityToken { .. } => f
                .debug_struct("IdentityToken")
                .field("token", &"<redacted>")
                .finish(),
        }
    }
}

impl Credentials {
    /// Basic credentials from a user name and password.
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Credentials {
        Credentials::Basic {
            username: username.into(),
            password: password.into(),
        }
    }
}

/// Why credentials could not be read. Texts name files and hosts, never secrets.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// A config file exists but could not be read.
    #[error("failed to open config file at {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A config file is not the JSON Docker and Helm write.
    #[error("failed to decode config file {path}: invalid config format: {message}")]
    Format { path: PathBuf, message: String },
    /// An `auth` field that is not base64 of `user:password`.
    #[error("failed to decode auth field for {host} in {path}: invalid config format")]
    BadAuth { host: String, path: PathBuf },
    /// The environment variable for a host holds neither `user:password` nor `Bearer <token>`.
    #[error("{variable} must be \"user:password\" or \"Bearer <token>\"")]
    BadEnv { variable: String },
    /// The config routes the host to a credential helper program.
    #[error(
        "credentials for {host} are kept by the credential helper \"docker-credential-{helper}\" \
         (set in {path}); helmpilot does not run credential helpers: use --username/--password, \
         {variable}, or `helmpilot registry login {host}`"
    )]
    HelperUnsupported {
        host: String,
        helper: String,
        path: PathBuf,
        variable: String,
    },
    /// Writing the registry config failed.
    #[error("failed to save config file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Prefix of the per-host environment variables.
pub const ENV_PREFIX: &str = "HELMPILOT_AUTH_";

/// The environment variable holding credentials for `host` (see the module docs).
///
/// ```
/// use helmpilot_repo::credentials::env_variable;
/// assert_eq!(env_variable("ghcr.io"), "HELMPILOT_AUTH_GHCR_IO");
/// assert_eq!(env_variable("127.0.0.1:5000"), "HELMPILOT_AUTH_127_0_0_1_5000");
/// ```
pub fn env_variable(host: &str) -> String {
    let mut name = String::from(ENV_PREFIX);
    name.extend(host.chars().map(|c| {
        if c.is_ascii_alphanumeric() {
            c.to_ascii_uppercase()
        } else {
            '_'
        }
    }));
    name
}

/// Parses the value of a `HELMPILOT_AUTH_<HOST>` variable.
pub fn parse_env_value(variable: &str, value: &str) -> Result<Credentials, CredentialsError> {
    let bad = || CredentialsError::BadEnv {
        variable: variable.to_string(),
    };
    if let Some(token) = value.strip_prefix("Bearer ") {
        let token = token.trim();
        if token.is_empty() {
            return Err(bad());
        }
        return Ok(Credentials::Bearer {
            token: token.to_string(),
        });
    }
    match value.split_once(':') {
        Some((user, password)) if !user.is_empty() && !password.is_empty() => {
            Ok(Credentials::basic(user, password))
        }
        _ => Err(bad()),
    }
}

/// Where credentials are looked up; [`Sources::from_env`] is the process's view.
/// Tests build one by hand to stay away from the real environment and home directory.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    /// The `HELMPILOT_AUTH_*` variables (name -> value).
    pub env: BTreeMap<String, String>,
    /// Helm's registry config file (need not exist).
    pub helm_config: Option<PathBuf>,
    /// Docker's config file (need not exist).
    pub docker_config: Option<PathBuf>,
}

impl Sources {
    /// The sources of this process: its `HELMPILOT_AUTH_*` variables and the config
    /// file locations Helm and Docker use (see the module docs).
    pub fn from_env() -> Sources {
        let env = std::env::vars()
            .filter(|(k, _)| k.starts_with(ENV_PREFIX))
            .collect();
        Sources {
            env,
            helm_config: helm_registry_config_path(),
            docker_config: docker_config_path(),
        }
    }

    /// Credentials for `host` (`name[:port]`), or `None` for anonymous access.
    pub fn lookup(&self, host: &str) -> Result<Option<Credentials>, CredentialsError> {
        let variable = env_variable(host);
        if let Some(value) = self.env.get(&variable) {
            return parse_env_value(&variable, value).map(Some);
        }
        for path in [&self.helm_config, &self.docker_config]
            .into_iter()
            .flatten()
        {
            if let Some(creds) = ConfigFile::load(path)?.credentials(host)? {
                return Ok(Some(creds));
            }
        }
        Ok(None)
    }

    /// `explicit` if given (the command line's `--username/--password`), else [`Sources::lookup`].
    pub fn lookup_with(
        &self,
        host: &str,
        explicit: Option<&Credentials>,
    ) -> Result<Option<Credentials>, CredentialsError> {
        match explicit {
            Some(creds) => Ok(Some(creds.clone())),
            None => self.lookup(host),
        }
    }
}

/// Credentials for `host` from this process's environment and config files
/// ([`Sources::from_env`], then [`Sources::lookup`]). Used by the OCI client and by
/// HTTP chart repositories.
///
/// ```no_run
/// if let Some(creds) = helmpilot_repo::credentials::lookup("ghcr.io")? {
///     println!("{creds:?}"); // Basic { username: "me", password: "<redacted>" }
/// }
/// # Ok::<(), helmpilot_repo::credentials::CredentialsError>(())
/// ```
pub fn lookup(host: &str) -> Result<Option<Credentials>, CredentialsError> {
    Sources::from_env().lookup(host)
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn home_dir() -> Option<PathBuf> {
    non_empty_env("HOME").map(PathBuf::from)
}

/// Helm's registry config file: `$HELM_REGISTRY_CONFIG`, else under Helm's config home
/// (`$HELM_CONFIG_HOME`, `$XDG_CONFIG_HOME/helm`, `~/.config/helm`).
pub fn helm_registry_config_path() -> Option<PathBuf> {
    if let Some(p) = non_empty_env("HELM_REGISTRY_CONFIG") {
        return Some(PathBuf::from(p));
    }
    let config_home = non_empty_env("HELM_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| non_empty_env("XDG_CONFIG_HOME").map(|x| Path::new(&x).join("helm")))
        .or_else(|| home_dir().map(|h| h.join(".config").join("helm")))?;
    Some(config_home.join("registry").join("config.json"))
}

/// Docker's config file: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
pub fn docker_config_path() -> Option<PathBuf> {
    let dir = non_empty_env("DOCKER_CONFIG")
        .map(PathBuf::from)
        .or_else(|| home_dir().map(|h| h.join(".docker")))?;
    Some(dir.join("config.json"))
}

/// The key a host's credentials are stored under: Docker Hub's hosts share Docker's
/// historical key, every other host is its own key.
pub fn server_address(host: &str) -> &str {
    match host {
        "docker.io" | "registry-1.docker.io" => "https://index.docker.io/v1/",
        other => other,
    }
}

/// A legacy key (`https://host/path`) reduced to its host.
fn key_hostname(key: &str) -> &str {
    let key = key
        .strip_prefix("http://")
        .or_else(|| key.strip_prefix("https://"))
        .unwrap_or(key);
    key.split('/').next().unwrap_or(key)
}

/// A Docker-style config file (`config.json`): Helm's registry config has the same shape.
/// Unknown top-level keys are kept when the file is saved again.
#[derive(Clone, Debug, Default)]
pub struct ConfigFile {
    path: PathBuf,
    content: serde_json::Map<String, serde_json::Value>,
}

impl ConfigFile {
    /// Reads the file; a missing or blank file is an empty config.
    pub fn load(path: &Path) -> Result<ConfigFile, CredentialsError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => {
                return Err(CredentialsError::Read {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        ConfigFile::parse(path, &text)
    }

    /// Parses the text of a config file found at `path` (the path names it in errors).
    pub fn parse(path: &Path, text: &str) -> Result<ConfigFile, CredentialsError> {
        let format = |message: String| CredentialsError::Format {
            path: path.to_path_buf(),
            message,
        };
        let content = if text.trim().is_empty() {
            serde_json::Map::new()
        } else {
            match serde_json::from_str::<serde_json::Value>(text) {
                Ok(serde_json::Value::Object(map)) => map,
                Ok(_) => return Err(format("not a JSON object".into())),
                // serde's message has a line and column but no content of the file.
                Err(e) => return Err(format(e.to_string())),
            }
        };
        for (field, what) in [("auths", "auths"), ("credHelpers", "cred helpers")] {
            match content.get(field) {
                None | Some(serde_json::Value::Null) | Some(serde_json::Value::Object(_)) => {}
                Some(_) => return Err(format(format!("{what} field is not an object"))),
            }
        }
        Ok(ConfigFile {
            path: path.to_path_buf(),
            content,
        })
    }

    fn auths(&self) -> Option<&serde_json::Map<String, serde_json::Value>> {
        self.content.get("auths").and_then(|a| a.as_object())
    }

    fn helper_for(&self, key: &str) -> Option<String> {
        let per_host = self
            .content
            .get("credHelpers")
            .and_then(|h| h.get(key))
            .and_then(|h| h.as_str())
            .filter(|h| !h.is_empty());
        let store = self
            .content
            .get("credsStore")
            .and_then(|s| s.as_str())
            .filter(|s| !s.is_empty());
        per_host.or(store).map(str::to_string)
    }

    /// The credentials stored for `host`, if any.
    pub fn credentials(&self, host: &str) -> Result<Option<Credentials>, CredentialsError> {
        let key = server_address(host);
        if let Some(helper) = self.helper_for(key) {
            return Err(CredentialsError::HelperUnsupported {
                host: host.to_string(),
                helper,
                path: self.path.clone(),
                variable: env_variable(host),
            });
        }
        let Some(auths) = self.auths() else {
            return Ok(None);
        };
        let entry = auths.get(key).or_else(|| {
            auths
                .iter()
                .find(|(k, _)| key_hostname(k) == key)
                .map(|(_, v)| v)
        });
        let Some(entry) = entry else {
            return Ok(None);
        };
        let field = |name: &str| {
            entry
                .get(name)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let (mut username, mut password) = (field("username"), field("password"));
        let auth = field("auth");
        if !auth.is_empty() {
            let bad = || CredentialsError::BadAuth {
                host: host.to_string(),
                path: self.path.clone(),
            };
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(auth.as_bytes())
                .map_err(|_| bad())?;
            let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
            let (u, p) = decoded.split_once(':').ok_or_else(bad)?;
            username = u.to_string();
            password = p.to_string();
        }
        let identity = field("identitytoken");
        let registry_token = field("registrytoken");
        Ok(if !registry_token.is_empty() {
            Some(Credentials::Bearer {
                token: registry_token,
            })
        } else if !identity.is_empty() {
            Some(Credentials::IdentityToken { token: identity })
        } else if !username.is_empty() || !password.is_empty() {
            Some(Credentials::Basic { username, password })
        } else {
            None
        })
    }

    /// Stores basic credentials for `host` as `helm registry login` does (an `auths`
    /// entry holding only `auth`), then writes the file.
    pub fn store(
        &mut self,
        host: &str,
        username: &str,
        password: &str,
    ) -> Result<(), CredentialsError> {
        let auth =
            base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
        let mut entry = serde_json::Map::new();
        entry.insert("auth".into(), serde_json::Value::String(auth));
        let auths = self
            .content
            .entry("auths")
            .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
        if !auths.is_object() {
            *auths = serde_json::Value::Object(serde_json::Map::new());
        }
        if let serde_json::Value::Object(map) = auths {
            map.insert(
                server_address(host).to_string(),
                serde_json::Value::Object(entry),
            );
        }
        self.save()
    }

    /// Removes the credentials stored for `host`; `false` (and no write) when there were none.
    pub fn remove(&mut self, host: &str) -> Result<bool, CredentialsError> {
        let key = server_address(host);
        let removed = match self.content.get_mut("auths") {
            Some(serde_json::Value::Object(map)) => map.remove(key).is_some(),
            _ => false,
        };
        if removed {
            self.save()?;
        }
        Ok(removed)
    }

    /// The file's text as Helm (oras-go) writes it: Go's `MarshalIndent` with tabs,
    /// keys sorted, no final newline; an empty `credsStore` is left out.
    pub fn to_text(&self) -> String {
        let mut content = self.content.clone();
        if content
            .get("credsStore")
            .and_then(|s| s.as_str())
            .is_some_and(str::is_empty)
        {
            content.remove("credsStore");
        }
        if !content.contains_key("auths") {
            content.insert(
                "auths".into(),
                serde_json::Value::Object(serde_json::Map::new()),
            );
        }
        let compact = helmpilot_yaml::json::marshal(&serde_json::Value::Object(content));
        helmpilot_yaml::json::indent(&compact, "\t")
    }

    fn save(&self) -> Result<(), CredentialsError> {
        let write = |source| CredentialsError::Write {
            path: self.path.clone(),
            source,
        };
        let dir = self.path.parent().unwrap_or(Path::new("."));
        create_private_dir(dir).map_err(write)?;
        // Written beside the target then renamed, so a reader never sees half a file.
        let tmp = dir.join(format!(
            ".{}.tmp{}",
            self.path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("config.json"),
            std::process::id()
        ));
        write_private_file(&tmp, self.to_text().as_bytes()).map_err(write)?;
        std::fs::rename(&tmp, &self.path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            write(e)
        })
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

fn write_private_file(path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // The file holds secrets: readable by its owner only, as oras-go's ingest file.
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(data)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("helmpilot-creds-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn env_variable_names() {
        assert_eq!(env_variable("ghcr.io"), "HELMPILOT_AUTH_GHCR_IO");
        assert_eq!(
            env_variable("127.0.0.1:5000"),
            "HELMPILOT_AUTH_127_0_0_1_5000"
        );
        assert_eq!(
            env_variable("my-registry.example.com"),
            "HELMPILOT_AUTH_MY_REGISTRY_EXAMPLE_COM"
        );
    }

    #[test]
    fn env_values() {
        assert_eq!(
            parse_env_value("V", "me:pa:ss").unwrap(),
            Credentials::basic("me", "pa:ss")
        );
        assert_eq!(
            parse_env_value("V", "Bearer abc").unwrap(),
            Credentials::Bearer {
                token: "abc".into()
            }
        );
        for bad in ["nocolon", ":pw", "user:", "Bearer  "] {
            assert_eq!(
                parse_env_value("HELMPILOT_AUTH_X", bad)
                    .unwrap_err()
                    .to_string(),
                "HELMPILOT_AUTH_X must be \"user:password\" or \"Bearer <token>\""
            );
        }
    }

    #[test]
    fn debug_redacts_secrets() {
        let all = [
            Credentials::basic("me", "s3cret"),
            Credentials::Bearer {
                token: "s3cret".into(),
            },
            Credentials::IdentityToken {
                token: "s3cret".into(),
            },
        ];
        for c in &all {
            let text = format!("{c:?} {c:#?}");
            assert!(!text.contains("s3cret"), "{text}");
            assert!(text.contains("<redacted>"), "{text}");
        }
        assert_eq!(
            format!("{:?}", all[0]),
            "Basic { username: \"me\", password: \"<redacted>\" }"
        );
    }

    #[test]
    fn config_auth_forms() {
        let text = r#"{
            "auths": {
                "a.example": {"auth": "dXNlcjpwYTpzcw=="},
                "b.example": {"username": "u2", "password": "p2"},
                "https://c.example/v1/": {"auth": "dTM6cDM="},
                "d.example": {"identitytoken": "refresh"},
                "e.example": {"registrytoken": "access"},
                "f.example": {"auth": "bm9jb2xvbg=="},
                "g.example": {}
            }
        }"#;
        let cfg = ConfigFile::parse(Path::new("cfg.json"), text).unwrap();
        assert_eq!(
            cfg.credentials("a.example").unwrap(),
            Some(Credentials::basic("user", "pa:ss"))
        );
        assert_eq!(
            cfg.credentials("b.example").unwrap(),
            Some(Credentials::basic("u2", "p2"))
        );
        assert_eq!(
            cfg.credentials("c.example").unwrap(),
            Some(Credentials::basic("u3", "p3"))
        );
        assert_eq!(
            cfg.credentials("d.example").unwrap(),
            Some(Credentials::IdentityToken {
                token: "refresh".into()
            })
        );
        assert_eq!(
            cfg.credentials("e.example").unwrap(),
            Some(Credentials::Bearer {
                token: "access".into()
            })
        );
        assert_eq!(
            cfg.credentials("f.example").unwrap_err().to_string(),
            "failed to decode auth field for f.example in cfg.json: invalid config format"
        );
        assert_eq!(cfg.credentials("g.example").unwrap(), None);
        assert_eq!(cfg.credentials("z.example").unwrap(), None);
    }

    #[test]
    fn config_docker_hub_key_and_helpers() {
        let text = r#"{"auths": {"https://index.docker.io/v1/": {"auth": "dTpw"}},
                       "credHelpers": {"gcr.io": "gcloud"}}"#;
        let cfg = ConfigFile::parse(Path::new("c.json"), text).unwrap();
        assert_eq!(
            cfg.credentials("docker.io").unwrap(),
            Some(Credentials::basic("u", "p"))
        );
        assert_eq!(
            cfg.credentials("registry-1.docker.io").unwrap(),
            Some(Credentials::basic("u", "p"))
        );
        let err = cfg.credentials("gcr.io").unwrap_err().to_string();
        assert!(err.contains("docker-credential-gcloud"), "{err}");
        assert!(err.contains("HELMPILOT_AUTH_GCR_IO"), "{err}");
        let store = ConfigFile::parse(Path::new("c.json"), r#"{"credsStore": "desktop"}"#).unwrap();
        assert!(matches!(
            store.credentials("any.example"),
            Err(CredentialsError::HelperUnsupported { .. })
        ));
    }

    #[test]
    fn config_errors() {
        let err = ConfigFile::parse(Path::new("x.json"), "{")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("failed to decode config file x.json: invalid config format"),
            "{err}"
        );
        let err = ConfigFile::parse(Path::new("x.json"), r#"{"auths": []}"#)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "failed to decode config file x.json: invalid config format: auths field is not an object");
        assert!(ConfigFile::parse(Path::new("x.json"), "  \n")
            .unwrap()
            .credentials("h")
            .unwrap()
            .is_none());
    }

    #[test]
    fn lookup_order() {
        let dir = temp_dir("order");
        let helm = dir.join("helm.json");
        let docker = dir.join("docker.json");
        std::fs::write(
            &helm,
            r#"{"auths": {"h.example": {"auth": "aGVsbTpwdw=="}}}"#,
        )
        .unwrap();
        std::fs::write(
            &docker,
            r#"{"auths": {"h.example": {"auth": "ZG9ja2VyOnB3"}, "d.example": {"auth": "ZG9ja2VyOnB3"}}}"#,
        )
        .unwrap();
        let mut sources = Sources {
            env: BTreeMap::new(),
            helm_config: Some(helm),
            docker_config: Some(docker),
        };
        assert_eq!(
            sources.lookup("h.example").unwrap(),
            Some(Credentials::basic("helm", "pw"))
        );
        assert_eq!(
            sources.lookup("d.example").unwrap(),
            Some(Credentials::basic("docker", "pw"))
        );
        assert_eq!(sources.lookup("n.example").unwrap(), None);
        sources
            .env
            .insert("HELMPILOT_AUTH_H_EXAMPLE".into(), "env:pw".into());
        assert_eq!(
            sources.lookup("h.example").unwrap(),
            Some(Credentials::basic("env", "pw"))
        );
        let explicit = Credentials::basic("cli", "pw");
        assert_eq!(
            sources.lookup_with("h.example", Some(&explicit)).unwrap(),
            Some(explicit.clone())
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn store_and_remove_write_helm_layout() {
        let dir = temp_dir("store");
        let path = dir.join("registry").join("config.json");
        let mut cfg = ConfigFile::load(&path).unwrap();
        cfg.store("127.0.0.1:5000", "user", "pass").unwrap();
        // The layout oras-go's file store writes for `helm registry login`.
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\n\t\"auths\": {\n\t\t\"127.0.0.1:5000\": {\n\t\t\t\"auth\": \"dXNlcjpwYXNz\"\n\t\t}\n\t}\n}"
        );
        let again = ConfigFile::load(&path).unwrap();
        assert_eq!(
            again.credentials("127.0.0.1:5000").unwrap(),
            Some(Credentials::basic("user", "pass"))
        );
        let mut again = again;
        assert!(again.remove("127.0.0.1:5000").unwrap());
        assert!(!again.remove("127.0.0.1:5000").unwrap());
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\n\t\"auths\": {}\n}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
