//! Helm charts in OCI registries: references, tags, pull and push, as Helm v4's
//! `pkg/registry` does them over the OCI distribution API.
//!
//! A chart in a registry is an image manifest whose config blob is Chart.yaml as JSON
//! (`application/vnd.cncf.helm.config.v1+json`) and whose layer is the chart archive
//! (`application/vnd.cncf.helm.chart.content.v1.tar+gzip`), tagged with the chart's
//! version (`+` written as `_`, since tags cannot hold `+`). Charts pushed here are
//! pulled by Helm byte for byte, and the other way round.
//!
//! Authentication follows the registry's challenge: anonymous first; on 401 either HTTP
//! basic or the distribution token flow (a token from the challenge's realm for the
//! repository's scope), with credentials from [`crate::credentials`]. Errors for 401 and
//! 403 name the registry and say how to log in.
//!
//! ```no_run
//! use helmpilot_repo::oci::{Client, ClientOptions, PushOptions};
//! # async fn run() -> Result<(), helmpilot_repo::oci::OciError> {
//! let client = Client::new(ClientOptions { plain_http: true, ..Default::default() })?;
//! let archive = std::fs::read("web-1.0.0.tgz").expect("archive");
//! let pushed = client.push(&archive, "oci://localhost:5000/charts", &PushOptions::default()).await?;
//! println!("Pushed: {}\nDigest: {}", pushed.reference, pushed.digest);
//! let versions = client.tags("oci://localhost:5000/charts/web").await?; // newest first
//! let chart = client.pull("oci://localhost:5000/charts/web", Some(&versions[0])).await?;
//! assert_eq!(chart.archive, archive);
//! # Ok(()) }
//! ```

pub mod auth;
mod client;
mod error;
mod manifest;
mod reference;

pub use client::{rfc3339_local, Client, ClientOptions, PulledChart, PushOptions, PushResult};
pub use error::OciError;
pub use manifest::{
    chart_annotations, config_json, manifest_json, sha256_digest, Descriptor, Manifest,
    CHART_LAYER_MEDIA_TYPE, CONFIG_MEDIA_TYPE, INDEX_MEDIA_TYPE, LEGACY_CHART_LAYER_MEDIA_TYPE,
    MANIFEST_ACCEPT, MANIFEST_MEDIA_TYPE, PROV_LAYER_MEDIA_TYPE,
};
pub use reference::{
    is_oci, tag_to_version, version_to_tag, InvalidReference, Reference, OCI_SCHEME,
};
