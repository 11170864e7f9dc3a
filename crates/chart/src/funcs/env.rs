//! What the function library draws on besides its arguments: a seed for everything
//! random, a clock, a local time zone, a cluster to `lookup` in and a resolver for
//! `getHostByName`.
//!
//! Helm draws random values and the time afresh on every render, so a chart that
//! generates a password or a certificate shows it as changed in every diff. helmpilot
//! injects both: each call draws from its own generator, seeded from the render's seed
//! and the call's place in the chart ([`CallSite`]), so the same inputs give the same
//! bytes and a template that did not change keeps its generated values.

use std::fmt;
use std::sync::Arc;

use helmpilot_template::{CallSite, Map, Value};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sha2::{Digest, Sha256};

/// An instant: seconds and nanoseconds since the Unix epoch (UTC).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp {
    pub unix_seconds: i64,
    pub nanos: u32,
}

impl Timestamp {
    /// Parses RFC 3339 text as Go's `time.Parse(time.RFC3339, ...)` does; the error is
    /// Go's text.
    ///
    /// ```
    /// use helmpilot_chart::funcs::Timestamp;
    /// let t = Timestamp::parse_rfc3339("2023-11-15T00:13:20.5+02:00").unwrap();
    /// assert_eq!((t.unix_seconds, t.nanos), (1_700_000_000, 500_000_000));
    /// ```
    pub fn parse_rfc3339(text: &str) -> Result<Timestamp, String> {
        super::dates::parse_rfc3339_instant(text)
    }
}

/// Answers Helm's `lookup(apiVersion, kind, namespace, name)`.
///
/// Offline (`helm template`, PR diffs) there is no cluster and Helm answers an empty map;
/// a later resolver can answer from a live cluster.
pub trait LookupResolver: Send + Sync {
    /// The object (or, with an empty `name`, the list) as a map; an empty map when absent.
    fn lookup(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Value, String>;
}

/// The offline resolver: every lookup finds nothing, exactly as `helm template` does.
#[derive(Clone, Copy, Debug, Default)]
pub struct Offline;

impl LookupResolver for Offline {
    fn lookup(&self, _: &str, _: &str, _: &str, _: &str) -> Result<Value, String> {
        Ok(Value::Map(Map::new()))
    }
}

/// Answers Sprig's `getHostByName(name)`.
///
/// Helm resolves the name through DNS only with `--enable-dns`; by default (`helm
/// template`, `helm install`) `getHostByName` renders an empty string. A renderer that runs
/// templates from untrusted pull requests must not reach the network, and DNS answers
/// change from one render to the next, so helmpilot never resolves names itself: it asks
/// this resolver, and the default, [`NoDns`], answers as Helm without `--enable-dns`.
pub trait HostResolver: Send + Sync {
    /// The address `getHostByName` renders for `name` (Helm with DNS picks one of the
    /// name's addresses at random; a resolver decides which it gives).
    fn resolve(&self, name: &str) -> String;
}

/// Resolves nothing: every name gives the empty string, exactly as Helm does unless DNS
/// lookups were enabled with `--enable-dns`.
///
/// ```
/// use helmpilot_chart::funcs::{HostResolver, NoDns};
/// assert_eq!(NoDns.resolve("localhost"), "");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct NoDns;

impl HostResolver for NoDns {
    fn resolve(&self, _: &str) -> String {
        String::new()
    }
}

/// The injected inputs of a render.
///
/// ```
/// use helmpilot_chart::funcs::FunctionEnv;
/// let env = FunctionEnv::for_release("web", "prod", "web-chart");
/// assert_eq!(env.seed, "web\0prod\0web-chart");
/// ```
#[derive(Clone)]
pub struct FunctionEnv {
    /// Material every random draw is derived from.
    pub seed: String,
    /// What `now` returns.
    pub now: Timestamp,
    /// The IANA name of the zone Go would call `time.Local` (`date`, `now`, `toDate`).
    pub local_zone: String,
    /// Where `lookup` looks.
    pub lookup: Arc<dyn LookupResolver>,
    /// What `getHostByName` answers.
    pub host_resolver: Arc<dyn HostResolver>,
}

impl Default for FunctionEnv {
    /// A fixed seed, the Unix epoch as the time, UTC as the local zone, offline lookups,
    /// no DNS.
    fn default() -> FunctionEnv {
        FunctionEnv {
            seed: String::new(),
            now: Timestamp::default(),
            local_zone: "UTC".to_string(),
            lookup: Arc::new(Offline),
            host_resolver: Arc::new(NoDns),
        }
    }
}

impl fmt::Debug for FunctionEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FunctionEnv")
            .field("seed", &self.seed)
            .field("now", &self.now)
            .field("local_zone", &self.local_zone)
            .finish_non_exhaustive()
    }
}

impl FunctionEnv {
    /// The default seed of a release: its name, namespace and chart name.
    pub fn for_release(release: &str, namespace: &str, chart: &str) -> FunctionEnv {
        FunctionEnv {
            seed: format!("{release}\0{namespace}\0{chart}"),
            ..FunctionEnv::default()
        }
    }

    /// The generator for one call: the same seed and call site always give the same
    /// stream, different call sites (or occurrences of one site in a loop) independent
    /// ones.
    ///
    /// ```
    /// use helmpilot_chart::funcs::FunctionEnv;
    /// use helmpilot_template::CallSite;
    /// use rand_core::RngCore;
    /// let env = FunctionEnv::for_release("web", "prod", "web-chart");
    /// let site = CallSite { entry: "c/templates/s.yaml".into(), template: "c/templates/s.yaml".into(), offset: 40, occurrence: 0 };
    /// assert_eq!(env.rng(&site).next_u64(), env.rng(&site).next_u64());
    /// ```
    pub fn rng(&self, site: &CallSite) -> ChaCha20Rng {
        let mut hash = Sha256::new();
        // Length-prefixed fields, so no two different sites hash the same bytes.
        for field in [
            self.seed.as_bytes(),
            site.entry.as_bytes(),
            site.template.as_bytes(),
        ] {
            hash.update((field.len() as u64).to_le_bytes());
            hash.update(field);
        }
        hash.update((site.offset as u64).to_le_bytes());
        hash.update(site.occurrence.to_le_bytes());
        ChaCha20Rng::from_seed(hash.finalize().into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::RngCore;

    fn site(offset: usize, occurrence: u64) -> CallSite {
        CallSite {
            entry: "c/templates/a.yaml".into(),
            template: "c/templates/_helpers.tpl".into(),
            offset,
            occurrence,
        }
    }

    #[test]
    fn streams_depend_on_seed_and_site() {
        let env = FunctionEnv::for_release("r", "ns", "c");
        let first = env.rng(&site(10, 0)).next_u64();
        assert_eq!(first, env.rng(&site(10, 0)).next_u64());
        assert_ne!(first, env.rng(&site(11, 0)).next_u64());
        assert_ne!(first, env.rng(&site(10, 1)).next_u64());
        let other = FunctionEnv::for_release("r", "other", "c");
        assert_ne!(first, other.rng(&site(10, 0)).next_u64());
    }
}
