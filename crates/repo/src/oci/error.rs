//! Errors of the OCI client. Texts name the registry, reference or URL involved and never
//! hold credentials or tokens.

use crate::credentials::CredentialsError;

use super::reference::InvalidReference;

/// What went wrong talking to a registry.
#[derive(Debug, thiserror::Error)]
pub enum OciError {
    /// The reference does not parse (oras-go's text).
    #[error(transparent)]
    Reference(#[from] InvalidReference),
    /// Reading credentials failed.
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
    /// The registry wants credentials and none were found.
    #[error(
        "{registry}: authentication required ({method} {url}: 401 Unauthorized): log in with \
         `helmpilot registry login {registry}`, pass --username/--password, or set {variable}"
    )]
    NoCredentials {
        registry: String,
        method: String,
        url: String,
        variable: String,
    },
    /// The registry (or its token service) refused the credentials given.
    #[error(
        "{registry}: credentials rejected ({method} {url}: 401 Unauthorized{detail}): check the \
         user name and password, or log in again with `helmpilot registry login {registry}`"
    )]
    Unauthorized {
        registry: String,
        method: String,
        url: String,
        detail: String,
    },
    /// Authenticated but not allowed (403). `access` is e.g. `push access to charts/web`.
    #[error("{registry}: access denied ({request}: 403 Forbidden{detail}): the credentials in use have no {access}")]
    Denied {
        registry: String,
        access: String,
        /// `METHOD url`.
        request: String,
        detail: String,
    },
    /// The tag, digest or repository does not exist (oras-go's `<ref>: not found`).
    #[error("{0}: not found")]
    NotFound(String),
    /// Any other unexpected status, as oras-go prints it.
    #[error("{method} \"{url}\": response status code {status}: {message}")]
    Status {
        method: String,
        url: String,
        status: u16,
        message: String,
    },
    /// The registry could not be reached (DNS, connection, TLS).
    #[error("cannot reach registry {registry} ({url}): {message}")]
    Unreachable {
        registry: String,
        url: String,
        message: String,
    },
    /// A response that is not what the distribution API specifies.
    #[error("{method} \"{url}\": {message}")]
    Protocol {
        method: String,
        url: String,
        message: String,
    },
    /// A challenge's token realm that would leak credentials (oras-go's check).
    #[error("{0}")]
    Realm(String),
    /// Downloaded content does not match its descriptor.
    #[error("{reference}: content of {digest} does not match its descriptor: {detail}")]
    Digest {
        reference: String,
        digest: String,
        detail: String,
    },
    /// The manifest is not a Helm chart (Helm's texts).
    #[error("{reference}: {message}")]
    NotAChart { reference: String, message: String },
    /// Helm's version selection errors (`chart reference and version mismatch`, ...).
    #[error("{0}")]
    Version(String),
    /// The chart archive to push does not load.
    #[error("{0}")]
    Chart(String),
    /// TLS or client set-up failed (a CA file that does not parse, ...).
    #[error("{0}")]
    Setup(String),
}
