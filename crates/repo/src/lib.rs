//! Chart dependencies from chart repositories and OCI registries.
//!
//! This crate is the network edge of chart loading: it reads `Chart.yaml` and `Chart.lock`,
//! resolves version constraints against `index.yaml` files and registry tags, downloads the
//! archives (verified against their digests) into a digest-keyed cache, writes `Chart.lock`
//! the way Helm writes it, and places the archives in a chart's `charts/` folder.

pub mod cache;
pub mod credentials;
pub mod http;
pub mod index;
pub mod lock;
pub mod manager;
pub mod oci;
pub mod repositories;
pub mod resolve;
pub mod status;
