//! Settings, from environment variables (listed with their meanings in app/README.md).
//! A missing or malformed setting fails at start with a message naming it; secret values
//! never appear in messages or `Debug` output.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::RsaPrivateKey;

/// A setting that could not be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// A required variable is not set (or empty).
    #[error("{name} is not set: {hint}")]
    Missing {
        /// The variable.
        name: &'static str,
        /// What to set it to.
        hint: &'static str,
    },
    /// A variable is set to something unusable.
    #[error("{name} is invalid: {reason}")]
    Invalid {
        /// The variable.
        name: &'static str,
        /// Why (never the value of a secret).
        reason: String,
    },
}

/// A secret string: compared and used, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The GitHub App's identity: what signs the JWT that buys installation tokens.
#[derive(Clone)]
pub struct AppCredentials {
    /// The App's numeric id (`iss` of the JWT).
    pub app_id: u64,
    /// The App's private key.
    pub key: RsaPrivateKey,
}

impl fmt::Debug for AppCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppCredentials")
            .field("app_id", &self.app_id)
            .field("key", &"***")
            .finish()
    }
}

impl AppCredentials {
    /// Reads a PEM private key: PKCS#1 (`BEGIN RSA PRIVATE KEY`, what GitHub hands out) or
    /// PKCS#8 (`BEGIN PRIVATE KEY`).
    pub fn from_pem(app_id: u64, pem: &str) -> Result<AppCredentials, String> {
        let pem = pem.trim();
        let key = RsaPrivateKey::from_pkcs1_pem(pem)
            .or_else(|_| RsaPrivateKey::from_pkcs8_pem(pem))
            .map_err(|_| {
                "not an RSA private key in PEM (expected -----BEGIN RSA PRIVATE KEY----- as \
                 GitHub's App settings download it, or PKCS#8 -----BEGIN PRIVATE KEY-----)"
                    .to_string()
            })?;
        Ok(AppCredentials { app_id, key })
    }
}

/// The App's settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// `HELMPILOT_WEBHOOK_SECRET`: the secret GitHub signs deliveries with.
    pub webhook_secret: Secret,
    /// `HELMPILOT_APP_ID` + `HELMPILOT_PRIVATE_KEY` / `HELMPILOT_PRIVATE_KEY_PATH`: without
    /// them gates are recorded but never answered.
    pub credentials: Option<AppCredentials>,
    /// `HELMPILOT_LISTEN`, default `0.0.0.0:8080`.
    pub listen: SocketAddr,
    /// `DATABASE_URL`, default `sqlite://helmpilot.db`.
    pub database_url: String,
    /// `GITHUB_API_URL`, default `https://api.github.com` (GHES: `https://HOST/api/v3`).
    pub github_api_url: String,
    /// `HELMPILOT_AUDIT_TOKEN`: the bearer token of `GET /audit` (disabled without it).
    pub audit_token: Option<Secret>,
    /// `HELMPILOT_MAX_BODY`, bytes, default 5 MiB: larger deliveries get 413.
    pub max_body: usize,
    /// `HELMPILOT_RECHECK_INTERVAL`, seconds, default 60: how often a waiting gate is
    /// looked at again without any event.
    pub recheck_interval: Duration,
    /// `HELMPILOT_REPLICA_ID`, default the host name and process id: who claims gates and
    /// signs decisions in the audit log.
    pub replica_id: String,
}

/// The default of `HELMPILOT_LISTEN`.
pub const DEFAULT_LISTEN: &str = "0.0.0.0:8080";
/// The default of `DATABASE_URL`.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://helmpilot.db";
/// The default of `GITHUB_API_URL`.
pub const DEFAULT_GITHUB_API_URL: &str = "https://api.github.com";
/// The default of `HELMPILOT_MAX_BODY`: 5 MiB.
pub const DEFAULT_MAX_BODY: usize = 5 * 1024 * 1024;

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup` (the environment, or a map in tests). Empty values
    /// count as unset.
    ///
    /// ```
    /// use helmpilot_app::config::Config;
    /// let config = Config::from_lookup(|name| match name {
    ///     "HELMPILOT_WEBHOOK_SECRET" => Some("s3cret".to_string()),
    ///     _ => None,
    /// })?;
    /// assert_eq!(config.listen.to_string(), "0.0.0.0:8080");
    /// assert!(!format!("{config:?}").contains("s3cret"));
    /// # Ok::<(), helmpilot_app::config::ConfigError>(())
    /// ```
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let webhook_secret =
            get("HELMPILOT_WEBHOOK_SECRET")
                .map(Secret::new)
                .ok_or(ConfigError::Missing {
                    name: "HELMPILOT_WEBHOOK_SECRET",
                    hint: "set it to the webhook secret of the GitHub App's settings",
                })?;

        let app_id = match get("HELMPILOT_APP_ID") {
            None => None,
            Some(v) => Some(v.trim().parse::<u64>().map_err(|_| ConfigError::Invalid {
                name: "HELMPILOT_APP_ID",
                reason: format!(
                    "{:?} is not a number (the App ID of the App's settings page)",
                    v.trim()
                ),
            })?),
        };
        let (pem, key_var) =
            match (
                get("HELMPILOT_PRIVATE_KEY"),
                get("HELMPILOT_PRIVATE_KEY_PATH"),
            ) {
                (Some(_), Some(_)) => return Err(ConfigError::Invalid {
                    name: "HELMPILOT_PRIVATE_KEY",
                    reason:
                        "set either HELMPILOT_PRIVATE_KEY or HELMPILOT_PRIVATE_KEY_PATH, not both"
                            .to_string(),
                }),
                (Some(pem), None) => (Some(pem), "HELMPILOT_PRIVATE_KEY"),
                (None, Some(path)) => {
                    let pem =
                        std::fs::read_to_string(path.trim()).map_err(|e| ConfigError::Invalid {
                            name: "HELMPILOT_PRIVATE_KEY_PATH",
                            reason: format!("cannot read {}: {e}", path.trim()),
                        })?;
                    (Some(pem), "HELMPILOT_PRIVATE_KEY_PATH")
                }
                (None, None) => (None, "HELMPILOT_PRIVATE_KEY"),
            };
        let credentials = match (app_id, pem) {
            (Some(id), Some(pem)) => Some(AppCredentials::from_pem(id, &pem).map_err(|reason| {
                ConfigError::Invalid {
                    name: key_var,
                    reason,
                }
            })?),
            (None, None) => None,
            (Some(_), None) => {
                return Err(ConfigError::Missing {
                    name: "HELMPILOT_PRIVATE_KEY",
                    hint: "HELMPILOT_APP_ID is set; set HELMPILOT_PRIVATE_KEY (PEM) or HELMPILOT_PRIVATE_KEY_PATH too",
                })
            }
            (None, Some(_)) => {
                return Err(ConfigError::Missing {
                    name: "HELMPILOT_APP_ID",
                    hint: "a private key is set; set the App ID it belongs to too",
                })
            }
        };

        let listen_text = get("HELMPILOT_LISTEN").unwrap_or_else(|| DEFAULT_LISTEN.to_string());
        let listen =
            listen_text
                .trim()
                .parse::<SocketAddr>()
                .map_err(|_| ConfigError::Invalid {
                    name: "HELMPILOT_LISTEN",
                    reason: format!(
                        "{:?} is not ADDRESS:PORT (e.g. 0.0.0.0:8080)",
                        listen_text.trim()
                    ),
                })?;

        let database_url = get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
        let database_url = database_url.trim().to_string();
        let scheme = database_url.split(':').next().unwrap_or_default();
        if !matches!(scheme, "sqlite" | "postgres" | "postgresql") || !database_url.contains(':') {
            return Err(ConfigError::Invalid {
                name: "DATABASE_URL",
                // A PostgreSQL URL may carry a password: name only the scheme.
                reason: format!(
                    "the scheme is {scheme:?}; expected sqlite://FILE or postgres://USER@HOST/DB"
                ),
            });
        }

        let github_api_url =
            get("GITHUB_API_URL").unwrap_or_else(|| DEFAULT_GITHUB_API_URL.to_string());
        let github_api_url = github_api_url.trim().trim_end_matches('/').to_string();
        match reqwest::Url::parse(&github_api_url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
            _ => {
                return Err(ConfigError::Invalid {
                    name: "GITHUB_API_URL",
                    reason: format!(
                        "{github_api_url:?} is not an http(s) URL (https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server)"
                    ),
                })
            }
        }

        let audit_token = get("HELMPILOT_AUDIT_TOKEN").map(|t| Secret::new(t.trim()));

        let max_body = match get("HELMPILOT_MAX_BODY") {
            None => DEFAULT_MAX_BODY,
            Some(v) => match v.trim().parse::<usize>() {
                Ok(n) if n > 0 => n,
                _ => {
                    return Err(ConfigError::Invalid {
                        name: "HELMPILOT_MAX_BODY",
                        reason: format!("{:?} is not a positive number of bytes", v.trim()),
                    })
                }
            },
        };

        let recheck_interval = match get("HELMPILOT_RECHECK_INTERVAL") {
            None => Duration::from_secs(60),
            Some(v) => match v.trim().parse::<u64>() {
                Ok(n) if n > 0 => Duration::from_secs(n),
                _ => {
                    return Err(ConfigError::Invalid {
                        name: "HELMPILOT_RECHECK_INTERVAL",
                        reason: format!("{:?} is not a positive number of seconds", v.trim()),
                    })
                }
            },
        };

        let replica_id = get("HELMPILOT_REPLICA_ID").unwrap_or_else(|| {
            let host = lookup("HOSTNAME").unwrap_or_else(|| "helmpilot-app".to_string());
            format!("{}-{}", host.trim(), std::process::id())
        });

        Ok(Config {
            webhook_secret,
            credentials,
            listen,
            database_url,
            github_api_url,
            audit_token,
            max_body,
            recheck_interval,
            replica_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::pkcs8::{EncodePrivateKey, LineEnding};
    use std::collections::HashMap;

    fn load(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    fn pem_key() -> RsaPrivateKey {
        use rand_core::SeedableRng;
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        RsaPrivateKey::new(&mut rng, 2048).unwrap()
    }

    #[test]
    fn defaults_and_required_secret() {
        let err = load(&[]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("HELMPILOT_WEBHOOK_SECRET is not set"),
            "{err}"
        );
        assert!(matches!(
            load(&[("HELMPILOT_WEBHOOK_SECRET", "  ")]),
            Err(ConfigError::Missing { .. })
        ));
        let c = load(&[("HELMPILOT_WEBHOOK_SECRET", "s")]).unwrap();
        assert_eq!(c.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.github_api_url, DEFAULT_GITHUB_API_URL);
        assert_eq!(c.max_body, 5 * 1024 * 1024);
        assert_eq!(c.recheck_interval, Duration::from_secs(60));
        assert!(c.credentials.is_none() && c.audit_token.is_none());
    }

    #[test]
    fn malformed_settings_name_the_variable() {
        let base = ("HELMPILOT_WEBHOOK_SECRET", "s");
        for (var, value, name) in [
            ("HELMPILOT_LISTEN", "8080", "HELMPILOT_LISTEN"),
            ("DATABASE_URL", "mysql://u:hunter2@h/db", "DATABASE_URL"),
            ("GITHUB_API_URL", "api.github.com", "GITHUB_API_URL"),
            ("HELMPILOT_MAX_BODY", "0", "HELMPILOT_MAX_BODY"),
            ("HELMPILOT_MAX_BODY", "5MB", "HELMPILOT_MAX_BODY"),
            (
                "HELMPILOT_RECHECK_INTERVAL",
                "-1",
                "HELMPILOT_RECHECK_INTERVAL",
            ),
            ("HELMPILOT_APP_ID", "my-app", "HELMPILOT_APP_ID"),
            (
                "HELMPILOT_PRIVATE_KEY_PATH",
                "/nonexistent/key.pem",
                "HELMPILOT_PRIVATE_KEY_PATH",
            ),
        ] {
            let err = load(&[base, (var, value)]).unwrap_err();
            assert!(err.to_string().starts_with(name), "{var}={value}: {err}");
            // A database password never shows.
            assert!(!err.to_string().contains("hunter2"), "{err}");
        }
    }

    #[test]
    fn credentials_need_both_parts_and_a_pem_key() {
        let key = pem_key();
        let pkcs1 = key.to_pkcs1_pem(LineEnding::LF).unwrap();
        let pkcs8 = key.to_pkcs8_pem(LineEnding::LF).unwrap();
        let secret = ("HELMPILOT_WEBHOOK_SECRET", "s");
        for pem in [pkcs1.as_str(), pkcs8.as_str()] {
            let c = load(&[
                secret,
                ("HELMPILOT_APP_ID", "42"),
                ("HELMPILOT_PRIVATE_KEY", pem),
            ])
            .unwrap();
            let creds = c.credentials.unwrap();
            assert_eq!(creds.app_id, 42);
            assert_eq!(creds.key, key);
            assert!(!format!("{creds:?}").contains("BEGIN"));
        }
        let err = load(&[secret, ("HELMPILOT_APP_ID", "42")]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("HELMPILOT_PRIVATE_KEY is not set"),
            "{err}"
        );
        let err = load(&[secret, ("HELMPILOT_PRIVATE_KEY", pkcs1.as_str())]).unwrap_err();
        assert!(
            err.to_string().starts_with("HELMPILOT_APP_ID is not set"),
            "{err}"
        );
        let err = load(&[
            secret,
            ("HELMPILOT_APP_ID", "42"),
            (
                "HELMPILOT_PRIVATE_KEY",
                "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----",
            ),
        ])
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("HELMPILOT_PRIVATE_KEY is invalid"),
            "{err}"
        );
        let err = load(&[
            secret,
            ("HELMPILOT_APP_ID", "42"),
            ("HELMPILOT_PRIVATE_KEY", "x"),
            ("HELMPILOT_PRIVATE_KEY_PATH", "/k"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("not both"), "{err}");
    }

    #[test]
    fn secrets_are_not_in_debug_output() {
        let c = load(&[
            ("HELMPILOT_WEBHOOK_SECRET", "webhook-s3cret"),
            ("HELMPILOT_AUDIT_TOKEN", "audit-s3cret"),
        ])
        .unwrap();
        let debug = format!("{c:?}");
        assert!(!debug.contains("s3cret"), "{debug}");
        assert_eq!(c.audit_token.unwrap().expose(), "audit-s3cret");
    }
}
