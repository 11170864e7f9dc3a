//! Semantic diff of rendered Kubernetes manifests.
//!
//! `objects` turns a rendered stream into objects keyed by (API group, kind, namespace,
//! name); `compare` pairs two such sets into a [`model::EnvironmentDiff`] (added, removed,
//! changed, renamed objects with unified diffs of normalized YAML, secrets masked, ignored
//! changes counted, risks called out); `report` writes that model as terminal text,
//! Markdown for a pull-request comment, or versioned JSON. Pure: no I/O.

pub mod compare;
pub mod model;
pub mod objects;
pub mod report;
