//! Credentials for chart repositories and OCI registries, and where they come from.

use std::fmt;

/// What to present to a repository or registry. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// HTTP basic authentication (also what a registry's token endpoint is given).
    Basic { username: String, password: String },
    /// A bearer token sent as `Authorization: Bearer ...`.
    Bearer { token: String },
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
        }
    }
}

/// (placeholder until the credentials module lands)
pub fn lookup(_host: &str) -> Option<Credentials> {
    None
}

/// (placeholder until the credentials module lands)
pub fn env_var_name(host: &str) -> String {
    format!("HELMPILOT_AUTH_{host}")
}
