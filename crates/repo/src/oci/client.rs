//! The registry client: tags, pull, push and ping over the OCI distribution API.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use base64::Engine as _;
use helmpilot_chart::semver::{Constraints, Version};
use reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE,
};
use reqwest::{Method, Response, StatusCode};
use url::Url;

use crate::credentials::{env_variable, Credentials, Sources};

use super::auth::{
    clean_scopes, parse_challenge, repository_scope, validate_realm, Scheme, TokenCache,
};
use super::error::OciError;
use super::manifest::{
    chart_annotations, config_json, manifest_json, sha256_digest, Descriptor, Manifest,
    CHART_LAYER_MEDIA_TYPE, CONFIG_MEDIA_TYPE, INDEX_MEDIA_TYPE, LEGACY_CHART_LAYER_MEDIA_TYPE,
    MANIFEST_ACCEPT, MANIFEST_MEDIA_TYPE, PROV_LAYER_MEDIA_TYPE,
};
use super::reference::{tag_to_version, version_to_tag, Reference};

/// How to reach registries and with which credentials.
#[derive(Clone, Debug, Default)]
pub struct ClientOptions {
    /// Talk plain HTTP (`--plain-http`), for local registries.
    pub plain_http: bool,
    /// Accept any TLS certificate (`--insecure-skip-tls-verify`).
    pub insecure_skip_tls_verify: bool,
    /// Extra CA bundle (PEM) to trust (`--ca-file`).
    pub ca_file: Option<PathBuf>,
    /// Client certificate and key (PEM) to present (`--cert-file`, `--key-file`).
    pub cert_file: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
    /// Credentials given on the command line: used for every registry, before any lookup.
    pub credentials: Option<Credentials>,
    /// Where to look credentials up; `None` means [`Sources::from_env`].
    pub sources: Option<Sources>,
    /// Connection timeout (default 30 s).
    pub connect_timeout: Option<Duration>,
}

/// A chart downloaded from a registry, verified against its descriptors.
#[derive(Clone, Debug)]
pub struct PulledChart {
    /// What Helm prints after `Pulled: ` (`host/path/name:tag` or `...@digest`).
    pub reference: String,
    /// The chart version the tag stands for (`_` read back as `+`); from the config blob
    /// when pulled by digest alone.
    pub version: String,
    /// The chart archive (`.tgz`) bytes.
    pub archive: Vec<u8>,
    /// Digest of the manifest (what Helm prints after `Digest: `).
    pub manifest_digest: String,
    /// Media type the registry gave for the manifest.
    pub manifest_media_type: String,
    /// The chart layer's descriptor (its digest is Chart.lock's and the cache's key).
    pub chart: Descriptor,
    /// The config blob (Chart.yaml as JSON) and its descriptor.
    pub config: Vec<u8>,
    pub config_descriptor: Descriptor,
    /// The provenance layer's descriptor when the manifest has one (not downloaded).
    pub provenance: Option<Descriptor>,
    /// Helm's warnings for this pull (legacy media type).
    pub warnings: Vec<String>,
}

/// Extra inputs of a push.
#[derive(Clone, Debug, Default)]
pub struct PushOptions {
    /// A provenance file to push as a layer beside the chart.
    pub provenance: Option<Vec<u8>>,
    /// The `org.opencontainers.image.created` annotation (RFC 3339). Helm's CLI uses the
    /// archive file's modification time; `None` means now (UTC).
    pub created: Option<String>,
}

/// What a push stored.
#[derive(Clone, Debug)]
pub struct PushResult {
    /// `host/path/name:tag` (what Helm prints after `Pushed: `).
    pub reference: String,
    /// The tag (the version with `+` as `_`).
    pub tag: String,
    /// Manifest digest (what Helm prints after `Digest: `) and size.
    pub digest: String,
    pub manifest_size: u64,
    /// The chart layer and config descriptors.
    pub chart: Descriptor,
    pub config: Descriptor,
}

/// An OCI registry client for Helm charts. Cheap to share by reference; it caches tokens
/// and looked-up credentials per host for its lifetime.
pub struct Client {
    http: reqwest::Client,
    plain_http: bool,
    explicit: Option<Credentials>,
    sources: Sources,
    tokens: TokenCache,
    creds: Mutex<HashMap<String, Option<Credentials>>>,
}

/// One request to a registry, replayable after an authentication challenge.
struct Call<'a> {
    method: Method,
    url: Url,
    /// The registry name (credentials key and what messages name).
    registry: &'a str,
    repository: &'a str,
    /// Token scope (`repository:x:pull`); empty for the `/v2/` ping.
    scope: String,
    accept: Option<&'a str>,
    content_type: Option<&'a str>,
    body: Option<&'a [u8]>,
}

impl<'a> Call<'a> {
    /// A plain GET that needs pull access to the reference's repository.
    fn pull_get(url: Url, reference: &'a Reference) -> Call<'a> {
        Call {
            method: Method::GET,
            url,
            registry: &reference.registry,
            repository: &reference.repository,
            scope: repository_scope(&reference.repository, &["pull"]),
            accept: None,
            content_type: None,
            body: None,
        }
    }
}

impl Client {
    /// A client with these options.
    pub fn new(options: ClientOptions) -> Result<Client, OciError> {
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("helmpilot/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(options.connect_timeout.unwrap_or(Duration::from_secs(30)))
            .danger_accept_invalid_certs(options.insecure_skip_tls_verify);
        if let Some(ca) = &options.ca_file {
            let pem = std::fs::read(ca).map_err(|e| {
                OciError::Setup(format!("can't read CA file {}: {e}", ca.display()))
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                OciError::Setup(format!(
                    "unable to parse CA file: {:?}: {e}",
                    ca.display().to_string()
                ))
            })?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        if let (Some(cert), Some(key)) = (&options.cert_file, &options.key_file) {
            let mut pem = std::fs::read(cert).map_err(|e| {
                OciError::Setup(format!(
                    "can't read certificate file {}: {e}",
                    cert.display()
                ))
            })?;
            pem.push(b'\n');
            pem.extend(std::fs::read(key).map_err(|e| {
                OciError::Setup(format!("can't read key file {}: {e}", key.display()))
            })?);
            let identity = reqwest::Identity::from_pem(&pem)
                .map_err(|e| OciError::Setup(format!("can't load client certificate: {e}")))?;
            builder = builder.identity(identity);
        }
        let http = builder
            .build()
            .map_err(|e| OciError::Setup(format!("can't create HTTP client: {e}")))?;
        Ok(Client {
            http,
            plain_http: options.plain_http,
            explicit: options.credentials,
            sources: options.sources.unwrap_or_else(Sources::from_env),
            tokens: TokenCache::default(),
            creds: Mutex::new(HashMap::new()),
        })
    }

    fn base(&self, reference: &Reference) -> String {
        let scheme = if self.plain_http { "http" } else { "https" };
        format!("{scheme}://{}/v2/", reference.host())
    }

    fn url(&self, reference: &Reference, tail: &str) -> Result<Url, OciError> {
        let text = format!("{}{}/{tail}", self.base(reference), reference.repository);
        Url::parse(&text).map_err(|e| OciError::Setup(format!("invalid URL {text}: {e}")))
    }

    fn credentials(&self, registry: &str) -> Result<Option<Credentials>, OciError> {
        if let Some(c) = &self.explicit {
            return Ok(Some(c.clone()));
        }
        if let Ok(map) = self.creds.lock() {
            if let Some(c) = map.get(registry) {
                return Ok(c.clone());
            }
        }
        let found = self.sources.lookup(registry)?;
        if let Ok(mut map) = self.creds.lock() {
            map.insert(registry.to_string(), found.clone());
        }
        Ok(found)
    }

    /// Sends `call`, answering an authentication challenge once. 403 becomes
    /// [`OciError::Denied`]; a 401 that survives authentication becomes
    /// [`OciError::NoCredentials`] or [`OciError::Unauthorized`].
    async fn send(&self, call: &Call<'_>) -> Result<Response, OciError> {
        let host = host_of(&call.url);
        let scopes = if call.scope.is_empty() {
            Vec::new()
        } else {
            clean_scopes(std::slice::from_ref(&call.scope))
        };
        let key = scopes.join(" ");
        let cached = self.tokens.authorization(&host, &key);
        let resp = self.execute(call, cached.as_deref()).await?;
        if resp.status() != StatusCode::UNAUTHORIZED {
            return self.check_denied(call, resp).await;
        }
        let challenge = resp
            .headers()
            .get(WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .map(parse_challenge);
        let creds = self.credentials(call.registry)?;
        let authorization = match challenge.map(|c| (c.scheme, c.params)) {
            Some((Scheme::Basic, _)) => {
                let Some(Credentials::Basic { username, password }) = &creds else {
                    return Err(self.unauthorized(call, creds.is_some(), ""));
                };
                let value = base64::engine::general_purpose::STANDARD
                    .encode(format!("{username}:{password}"));
                let header = format!("Basic {value}");
                let resp = self.execute(call, Some(&header)).await?;
                if resp.status() == StatusCode::UNAUTHORIZED {
                    return Err(self.unauthorized(call, true, ""));
                }
                self.tokens.set_basic(&host, value);
                return self.check_denied(call, resp).await;
            }
            Some((Scheme::Bearer, params)) => {
                let mut all = scopes.clone();
                if let Some(s) = params.get("scope") {
                    all.extend(s.split(' ').filter(|s| !s.is_empty()).map(str::to_string));
                }
                let all = clean_scopes(&all);
                let realm = params.get("realm").cloned().unwrap_or_default();
                let service = params.get("service").cloned().unwrap_or_default();
                let token = match &creds {
                    Some(Credentials::Bearer { token }) => token.clone(),
                    _ => {
                        self.fetch_token(call, &realm, &service, &all, creds.as_ref())
                            .await?
                    }
                };
                self.tokens.set_bearer(&host, &all.join(" "), token.clone());
                self.tokens.set_bearer(&host, &key, token.clone());
                format!("Bearer {token}")
            }
            _ => return Err(self.unauthorized(call, creds.is_some(), "")),
        };
        let resp = self.execute(call, Some(&authorization)).await?;
        if resp.status() == StatusCode::UNAUTHORIZED {
            return Err(self.unauthorized(call, creds.is_some(), ""));
        }
        self.check_denied(call, resp).await
    }

    async fn check_denied(&self, call: &Call<'_>, resp: Response) -> Result<Response, OciError> {
        if resp.status() != StatusCode::FORBIDDEN {
            return Ok(resp);
        }
        let detail = match error_message(resp).await {
            m if m.is_empty() => String::new(),
            m => format!(": {m}"),
        };
        let action = if call.scope.ends_with("push") {
            "push"
        } else {
            "pull"
        };
        Err(OciError::Denied {
            registry: call.registry.to_string(),
            access: format!("{action} access to {}", call.repository),
            request: format!("{} {}", call.method, call.url),
            detail,
        })
    }

    fn unauthorized(&self, call: &Call<'_>, had_credentials: bool, detail: &str) -> OciError {
        if had_credentials {
            OciError::Unauthorized {
                registry: call.registry.to_string(),
                method: call.method.to_string(),
                url: call.url.to_string(),
                detail: detail.to_string(),
            }
        } else {
            OciError::NoCredentials {
                registry: call.registry.to_string(),
                method: call.method.to_string(),
                url: call.url.to_string(),
                variable: env_variable(call.registry),
            }
        }
    }

    async fn execute(
        &self,
        call: &Call<'_>,
        authorization: Option<&str>,
    ) -> Result<Response, OciError> {
        let mut headers = HeaderMap::new();
        if let Some(a) = call.accept {
            headers.insert(ACCEPT, header_value(a)?);
        }
        if let Some(c) = call.content_type {
            headers.insert(CONTENT_TYPE, header_value(c)?);
        }
        if let Some(a) = authorization {
            let mut v = header_value(a)?;
            v.set_sensitive(true);
            headers.insert(AUTHORIZATION, v);
        }
        let mut req = self
            .http
            .request(call.method.clone(), call.url.clone())
            .headers(headers);
        if let Some(body) = call.body {
            req = req.body(body.to_vec());
        } else if call.method == Method::PUT || call.method == Method::POST {
            req = req.header(reqwest::header::CONTENT_LENGTH, "0");
        }
        tracing::debug!(method = %call.method, url = %call.url, "registry request");
        req.send()
            .await
            .map_err(|e| transport_error(call.registry, &call.url, &e))
    }

    /// The distribution token flow: GET `realm?service=..&scope=..` with basic credentials
    /// (or none, for an anonymous token), or an OAuth2 refresh-token POST for an identity
    /// token; the answer's `access_token` or `token`.
    async fn fetch_token(
        &self,
        call: &Call<'_>,
        realm: &str,
        service: &str,
        scopes: &[String],
        creds: Option<&Credentials>,
    ) -> Result<String, OciError> {
        let mut realm_url = validate_realm(realm, &call.url)
            .map_err(|m| OciError::Realm(format!("{} \"{}\": {m}", call.method, call.url)))?;
        let req = match creds {
            Some(Credentials::IdentityToken { token }) => {
                let mut form: Vec<(&str, &str)> = vec![
                    ("grant_type", "refresh_token"),
                    ("refresh_token", token),
                    ("service", service),
                    ("client_id", "helmpilot"),
                ];
                let scope = scopes.join(" ");
                if !scope.is_empty() {
                    form.push(("scope", &scope));
                }
                let body = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(form)
                    .finish();
                self.http
                    .post(realm_url.clone())
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(body)
            }
            _ => {
                {
                    let mut q = realm_url.query_pairs_mut();
                    if !service.is_empty() {
                        q.append_pair("service", service);
                    }
                    for s in scopes {
                        q.append_pair("scope", s);
                    }
                }
                let req = self.http.get(realm_url.clone());
                match creds {
                    Some(Credentials::Basic { username, password }) => {
                        req.basic_auth(username, Some(password))
                    }
                    _ => req,
                }
            }
        };
        let method = if matches!(creds, Some(Credentials::IdentityToken { .. })) {
            "POST"
        } else {
            "GET"
        };
        let resp = req
            .send()
            .await
            .map_err(|e| transport_error(call.registry, &realm_url, &e))?;
        let status = resp.status();
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            let detail = format!(" from token service {}", strip_query(&realm_url));
            return Err(self.unauthorized(call, creds.is_some(), &detail));
        }
        if status != StatusCode::OK {
            return Err(status_error(method, &strip_query(&realm_url), resp).await);
        }
        #[derive(serde::Deserialize)]
        struct TokenResponse {
            #[serde(default)]
            token: String,
            #[serde(default)]
            access_token: String,
        }
        let body = resp
            .bytes()
            .await
            .map_err(|e| transport_error(call.registry, &realm_url, &e))?;
        let parsed: TokenResponse =
            serde_json::from_slice(&body).map_err(|e| OciError::Protocol {
                method: method.into(),
                url: strip_query(&realm_url),
                message: format!("failed to decode response: {e}"),
            })?;
        realm_url.set_query(None);
        if !parsed.access_token.is_empty() {
            Ok(parsed.access_token)
        } else if !parsed.token.is_empty() {
            Ok(parsed.token)
        } else {
            Err(OciError::Protocol {
                method: method.into(),
                url: realm_url.to_string(),
                message: "empty token returned".into(),
            })
        }
    }

    /// Checks that `registry` (`host[:port]`) answers the distribution API with the
    /// client's credentials (`GET /v2/`), as `helm registry login` does before saving them.
    pub async fn ping(&self, registry: &str) -> Result<(), OciError> {
        let reference = Reference::parse(&format!("{registry}/ping"))?;
        let url = Url::parse(&self.base(&reference))
            .map_err(|e| OciError::Setup(format!("invalid registry {registry}: {e}")))?;
        let call = Call {
            method: Method::GET,
            url,
            registry,
            repository: "",
            scope: String::new(),
            accept: None,
            content_type: None,
            body: None,
        };
        let resp = self.send(&call).await?;
        if resp.status() != StatusCode::OK {
            return Err(status_error("GET", call.url.as_str(), resp).await);
        }
        Ok(())
    }

    /// The semver tags of a repository (`oci://host/path/name` or `host/path/name`),
    /// newest first, as versions (`_` read as `+`): Helm's `Client.Tags`. Tags that are
    /// not strict semver (`latest`, `v1.0.0`, `1.0`) are left out. Follows `Link`
    /// pagination.
    pub async fn tags(&self, repository: &str) -> Result<Vec<String>, OciError> {
        let reference = Reference::parse(repository)?;
        let mut url = self.url(&reference, "tags/list")?;
        let mut versions: Vec<Version> = Vec::new();
        // A registry paginating forever is a broken registry; stop well past any real one.
        for _ in 0..10_000 {
            let call = Call::pull_get(url.clone(), &reference);
            let resp = self.send(&call).await?;
            if resp.status() == StatusCode::NOT_FOUND {
                return Err(OciError::NotFound(reference.repository_name()));
            }
            if resp.status() != StatusCode::OK {
                return Err(status_error("GET", url.as_str(), resp).await);
            }
            let next = next_link(&resp, &url);
            let body = resp
                .bytes()
                .await
                .map_err(|e| transport_error(&reference.registry, &url, &e))?;
            #[derive(serde::Deserialize)]
            struct Page {
                #[serde(default)]
                tags: Option<Vec<String>>,
            }
            let page: Page = serde_json::from_slice(&body).map_err(|e| OciError::Protocol {
                method: "GET".into(),
                url: url.to_string(),
                message: format!("failed to decode response: {e}"),
            })?;
            versions.extend(
                page.tags
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|t| strict_version(&tag_to_version(t))),
            );
            match next {
                Some(n) => url = n,
                None => break,
            }
        }
        versions.sort_by(|a, b| b.compare(a));
        Ok(versions.iter().map(|v| v.to_string()).collect())
    }

    /// Which tag to pull for `reference` and an optional `version` (exact or a
    /// constraint), as Helm's `ValidateReference`: the reference's own tag, an exact
    /// version, or the newest tag matching the constraint (`*` when neither is given).
    /// Returns the reference to fetch.
    pub async fn resolve_version(
        &self,
        reference: &str,
        version: Option<&str>,
    ) -> Result<Reference, OciError> {
        let mut parsed = Reference::parse(reference)?;
        let version = version.unwrap_or("");
        let wanted = if version.is_empty() {
            tag_to_version(&parsed.tag)
        } else {
            if !parsed.tag.is_empty() && parsed.tag != version_to_tag(version) {
                return Err(OciError::Version(format!(
                    "chart reference and version mismatch: {version} is not {}",
                    tag_to_version(&parsed.tag)
                )));
            }
            version.to_string()
        };
        if !parsed.digest.is_empty() {
            if !wanted.is_empty() {
                parsed.tag = version_to_tag(&wanted);
                let by_tag = Reference {
                    digest: String::new(),
                    ..parsed.clone()
                };
                // A digest need not be tagged; only a tag that exists must agree with it.
                if let Ok((digest, _, _)) = self.fetch_manifest(&by_tag, true).await {
                    if digest != parsed.digest {
                        return Err(OciError::Version(format!(
                            "chart reference digest mismatch: {digest} is not {}",
                            parsed.digest
                        )));
                    }
                }
            }
            return Ok(parsed);
        }
        if !wanted.is_empty() && Version::parse(&wanted).is_ok() {
            parsed.tag = version_to_tag(&wanted);
            return Ok(parsed);
        }
        let tags = self.tags(&parsed.repository_name()).await?;
        if tags.is_empty() {
            return Err(OciError::Version(format!(
                "unable to locate any tags in provided repository: {reference}"
            )));
        }
        let tag = match_tag(&tags, &wanted)?;
        parsed.tag = version_to_tag(&tag);
        Ok(parsed)
    }

    /// GET (or HEAD) a manifest: its digest, media type and bytes (empty for HEAD).
    async fn fetch_manifest(
        &self,
        reference: &Reference,
        head: bool,
    ) -> Result<(String, String, Vec<u8>), OciError> {
        let target = reference.target().unwrap_or("latest");
        let url = self.url(reference, &format!("manifests/{target}"))?;
        let call = Call {
            method: if head { Method::HEAD } else { Method::GET },
            url: url.clone(),
            registry: &reference.registry,
            repository: &reference.repository,
            scope: repository_scope(&reference.repository, &["pull"]),
            accept: Some(MANIFEST_ACCEPT),
            content_type: None,
            body: None,
        };
        let resp = self.send(&call).await?;
        match resp.status() {
            StatusCode::OK => {}
            StatusCode::NOT_FOUND => return Err(OciError::NotFound(reference.to_string())),
            _ => return Err(status_error(call.method.as_str(), url.as_str(), resp).await),
        }
        let media_type = header_str(&resp, CONTENT_TYPE.as_str());
        let header_digest = header_str(&resp, "docker-content-digest");
        if head {
            return Ok((header_digest, media_type, Vec::new()));
        }
        let body = read_limited(resp, &reference.registry, &url, MAX_MANIFEST_BYTES).await?;
        let digest = sha256_digest(&body);
        let expected = if !reference.digest.is_empty() {
            reference.digest.clone()
        } else {
            header_digest
        };
        if expected.starts_with("sha256:") && expected != digest {
            return Err(OciError::Digest {
                reference: reference.to_string(),
                digest: expected,
                detail: format!("manifest digest is {digest}"),
            });
        }
        Ok((digest, media_type, body))
    }

    async fn fetch_blob(
        &self,
        reference: &Reference,
        desc: &Descriptor,
    ) -> Result<Vec<u8>, OciError> {
        let url = self.url(reference, &format!("blobs/{}", desc.digest))?;
        let call = Call::pull_get(url.clone(), reference);
        let resp = self.send(&call).await?;
        match resp.status() {
            StatusCode::OK => {}
            StatusCode::NOT_FOUND => {
                return Err(OciError::NotFound(format!(
                    "{}@{}",
                    reference.repository_name(),
                    desc.digest
                )))
            }
            _ => return Err(status_error("GET", url.as_str(), resp).await),
        }
        let data = read_limited(resp, &reference.registry, &url, desc.size).await?;
        if data.len() as u64 != desc.size {
            return Err(OciError::Digest {
                reference: reference.to_string(),
                digest: desc.digest.clone(),
                detail: format!("expected {} bytes, got {}", desc.size, data.len()),
            });
        }
        let actual = sha256_digest(&data);
        if actual != desc.digest {
            return Err(OciError::Digest {
                reference: reference.to_string(),
                digest: desc.digest.clone(),
                detail: format!("downloaded content has digest {actual}"),
            });
        }
        Ok(data)
    }

    /// Downloads a chart: resolves `reference` and `version` (see
    /// [`Client::resolve_version`]), reads the manifest, checks it is a Helm chart
    /// (config `application/vnd.cncf.helm.config.v1+json`, a chart layer, as Helm's
    /// `Pull`), downloads config and chart layer and verifies their size and sha256.
    pub async fn pull(
        &self,
        reference: &str,
        version: Option<&str>,
    ) -> Result<PulledChart, OciError> {
        let resolved = self.resolve_version(reference, version).await?;
        let shown = resolved.to_string();
        let (manifest_digest, media_type, body) = self.fetch_manifest(&resolved, false).await?;
        let manifest: Manifest =
            serde_json::from_slice(&body).map_err(|e| OciError::NotAChart {
                reference: shown.clone(),
                message: format!("invalid manifest: {e}"),
            })?;
        let not_chart = |message: String| OciError::NotAChart {
            reference: shown.clone(),
            message,
        };
        // Helm counts what it would copy (the manifest, a Helm config, chart layers) before
        // looking closer, and its first complaint is about that count.
        let manifest_counted = [MANIFEST_MEDIA_TYPE, INDEX_MEDIA_TYPE]
            .contains(&media_type.as_str())
            || (media_type.is_empty() && manifest.media_type != INDEX_MEDIA_TYPE);
        let found = usize::from(manifest_counted)
            + usize::from(
                manifest
                    .config
                    .as_ref()
                    .is_some_and(|c| c.media_type == CONFIG_MEDIA_TYPE),
            )
            + manifest
                .layers
                .iter()
                .filter(|l| {
                    l.media_type == CHART_LAYER_MEDIA_TYPE
                        || l.media_type == LEGACY_CHART_LAYER_MEDIA_TYPE
                })
                .count();
        if found < 2 {
            return Err(not_chart(format!(
                "manifest does not contain minimum number of descriptors (2), descriptors found: {found}"
            )));
        }
        let config_descriptor = manifest
            .config
            .clone()
            .filter(|c| c.media_type == CONFIG_MEDIA_TYPE)
            .ok_or_else(|| {
                not_chart(format!(
                    "could not load config with mediatype {CONFIG_MEDIA_TYPE}"
                ))
            })?;
        let mut chart = None;
        let mut provenance = None;
        let mut warnings = Vec::new();
        for layer in &manifest.layers {
            match layer.media_type.as_str() {
                CHART_LAYER_MEDIA_TYPE => chart = Some(layer.clone()),
                LEGACY_CHART_LAYER_MEDIA_TYPE => {
                    chart = Some(layer.clone());
                    warnings.push(format!(
                        "Warning: chart media type {LEGACY_CHART_LAYER_MEDIA_TYPE} is deprecated"
                    ));
                }
                PROV_LAYER_MEDIA_TYPE => provenance = Some(layer.clone()),
                _ => {}
            }
        }
        let chart = chart.ok_or_else(|| {
            not_chart(format!(
                "manifest does not contain a layer with mediatype {CHART_LAYER_MEDIA_TYPE}"
            ))
        })?;
        let config = self.fetch_blob(&resolved, &config_descriptor).await?;
        let meta: serde_json::Value = serde_json::from_slice(&config)
            .map_err(|e| not_chart(format!("invalid chart config: {e}")))?;
        let archive = self.fetch_blob(&resolved, &chart).await?;
        let version = if resolved.tag.is_empty() {
            meta.get("version")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        } else {
            tag_to_version(&resolved.tag)
        };
        Ok(PulledChart {
            reference: shown,
            version,
            archive,
            manifest_digest,
            manifest_media_type: if media_type.is_empty() {
                manifest.media_type
            } else {
                media_type
            },
            chart,
            config,
            config_descriptor,
            provenance,
            warnings,
        })
    }

    /// Uploads a chart archive to `remote` (`oci://host/path`) as Helm does: the chart
    /// goes to `<remote>/<name>:<version>` (`+` as `_`) as a config blob (Chart.yaml as
    /// JSON), the archive layer, the provenance layer if given, and a manifest with
    /// Helm's annotations. Blobs the registry already has are not uploaded again.
    pub async fn push(
        &self,
        archive: &[u8],
        remote: &str,
        options: &PushOptions,
    ) -> Result<PushResult, OciError> {
        let Some(rest) = remote.strip_prefix("oci://") else {
            return Err(OciError::Version(match remote.split_once("://") {
                Some((scheme, _)) => format!("scheme {scheme:?} not supported"),
                None => "scheme prefix missing from remote (e.g. \"oci://\")".to_string(),
            }));
        };
        let chart = helmpilot_chart::chart::load_archive(archive)
            .map_err(|e| OciError::Chart(e.to_string()))?;
        let md = &chart.metadata;
        let reference = Reference::parse(&format!(
            "{}:{}",
            clean_path(&format!("{rest}/{}", md.name)),
            md.version
        ))?;
        let config = config_json(md).into_bytes();
        let config_desc = Descriptor::of(CONFIG_MEDIA_TYPE, &config);
        let chart_desc = Descriptor::of(CHART_LAYER_MEDIA_TYPE, archive);
        let mut blobs: Vec<(Descriptor, &[u8])> = vec![(chart_desc.clone(), archive)];
        if let Some(prov) = &options.provenance {
            blobs.push((Descriptor::of(PROV_LAYER_MEDIA_TYPE, prov), prov));
        }
        // Helm sorts layers by digest, so a manifest does not depend on upload order.
        blobs.sort_by(|a, b| a.0.digest.cmp(&b.0.digest));
        let layers: Vec<Descriptor> = blobs.iter().map(|b| b.0.clone()).collect();
        let created = options.created.clone().unwrap_or_else(now_rfc3339);
        let manifest = manifest_json(&config_desc, &layers, &chart_annotations(md, &created));
        self.push_blob(&reference, &config_desc, &config).await?;
        for (desc, data) in &blobs {
            self.push_blob(&reference, desc, data).await?;
        }
        let digest = self.push_manifest(&reference, manifest.as_bytes()).await?;
        Ok(PushResult {
            reference: reference.to_string(),
            tag: reference.tag.clone(),
            digest,
            manifest_size: manifest.len() as u64,
            chart: chart_desc,
            config: config_desc,
        })
    }

    fn push_call<'a>(&self, reference: &'a Reference, method: Method, url: Url) -> Call<'a> {
        Call {
            method,
            url,
            registry: &reference.registry,
            repository: &reference.repository,
            scope: repository_scope(&reference.repository, &["pull", "push"]),
            accept: None,
            content_type: None,
            body: None,
        }
    }

    async fn push_blob(
        &self,
        reference: &Reference,
        desc: &Descriptor,
        data: &[u8],
    ) -> Result<(), OciError> {
        let url = self.url(reference, &format!("blobs/{}", desc.digest))?;
        let resp = self
            .send(&self.push_call(reference, Method::HEAD, url.clone()))
            .await?;
        match resp.status() {
            StatusCode::OK => return Ok(()),
            StatusCode::NOT_FOUND => {}
            _ => return Err(status_error("HEAD", url.as_str(), resp).await),
        }
        let start = self.url(reference, "blobs/uploads/")?;
        let resp = self
            .send(&self.push_call(reference, Method::POST, start.clone()))
            .await?;
        if resp.status() != StatusCode::ACCEPTED {
            return Err(status_error("POST", start.as_str(), resp).await);
        }
        let location = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .ok_or_else(|| OciError::Protocol {
                method: "POST".into(),
                url: start.to_string(),
                message: "blob upload response has no Location header".into(),
            })?;
        let mut upload = start.join(location).map_err(|e| OciError::Protocol {
            method: "POST".into(),
            url: start.to_string(),
            message: format!("invalid Location {location:?}: {e}"),
        })?;
        // oras-go's guard: credentials go only to the registry that asked for the upload.
        if upload.host_str() != start.host_str()
            || upload.port_or_known_default() != start.port_or_known_default()
        {
            return Err(OciError::Protocol {
                method: "POST".into(),
                url: start.to_string(),
                message: format!(
                    "blob upload Location {:?} is on a different host than the registry {:?}",
                    host_of(&upload),
                    host_of(&start)
                ),
            });
        }
        if start.scheme() == "https" && upload.scheme() != "https" {
            return Err(OciError::Protocol {
                method: "POST".into(),
                url: start.to_string(),
                message: format!(
                    "blob upload Location {:?} downgrades scheme from https",
                    host_of(&upload)
                ),
            });
        }
        upload.query_pairs_mut().append_pair("digest", &desc.digest);
        let mut call = self.push_call(reference, Method::PUT, upload.clone());
        call.content_type = Some("application/octet-stream");
        call.body = Some(data);
        let resp = self.send(&call).await?;
        if resp.status() != StatusCode::CREATED {
            return Err(status_error("PUT", strip_query(&upload).as_str(), resp).await);
        }
        Ok(())
    }

    async fn push_manifest(
        &self,
        reference: &Reference,
        manifest: &[u8],
    ) -> Result<String, OciError> {
        let url = self.url(reference, &format!("manifests/{}", reference.tag))?;
        let mut call = self.push_call(reference, Method::PUT, url.clone());
        call.content_type = Some(MANIFEST_MEDIA_TYPE);
        call.body = Some(manifest);
        let resp = self.send(&call).await?;
        if resp.status() != StatusCode::CREATED {
            return Err(status_error("PUT", url.as_str(), resp).await);
        }
        let digest = sha256_digest(manifest);
        let header = header_str(&resp, "docker-content-digest");
        if !header.is_empty() && header != digest {
            return Err(OciError::Digest {
                reference: reference.to_string(),
                digest,
                detail: format!("registry stored the manifest as {header}"),
            });
        }
        Ok(digest)
    }
}

/// Manifests are small; refuse to buffer more than this (oras-go's limit is 4 MiB).
const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;

async fn read_limited(
    resp: Response,
    registry: &str,
    url: &Url,
    limit: u64,
) -> Result<Vec<u8>, OciError> {
    if let Some(len) = resp.content_length() {
        if len > limit {
            return Err(OciError::Protocol {
                method: "GET".into(),
                url: url.to_string(),
                message: format!("content size {len} exceeds limit {limit} bytes"),
            });
        }
    }
    let mut resp = resp;
    let mut out = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| transport_error(registry, url, &e))?
    {
        out.extend_from_slice(&chunk);
        if out.len() as u64 > limit {
            return Err(OciError::Protocol {
                method: "GET".into(),
                url: url.to_string(),
                message: format!("content size exceeds limit {limit} bytes"),
            });
        }
    }
    Ok(out)
}

/// Masterminds' `StrictNewVersion`: exactly `X.Y.Z[-pre][+meta]`, no `v`, no leading zeros.
fn strict_version(text: &str) -> Option<Version> {
    let mut parts = text.splitn(3, '.');
    let (major, minor, rest) = (parts.next()?, parts.next()?, parts.next()?);
    let rest = rest.split_once('+').map_or(rest, |(r, _)| r);
    let patch = rest.split_once('-').map_or(rest, |(p, _)| p);
    for n in [major, minor, patch] {
        if n.is_empty()
            || !n.bytes().all(|b| b.is_ascii_digit())
            || (n.len() > 1 && n.starts_with('0'))
        {
            return None;
        }
    }
    Version::parse(text).ok()
}

/// Helm's `GetTagMatchingVersionOrConstraint` over tags newest first.
fn match_tag(tags: &[String], version: &str) -> Result<String, OciError> {
    let constraint = if version.is_empty() {
        Constraints::parse("*")
    } else {
        if let Some(t) = tags.iter().find(|t| *t == version) {
            return Ok(t.clone());
        }
        Constraints::parse(version)
    }
    .map_err(|e| OciError::Version(e.to_string()))?;
    tags.iter()
        .find(|t| Version::parse(t).is_ok_and(|v| constraint.check(&v)))
        .cloned()
        .ok_or_else(|| {
            OciError::Version(format!(
                "could not locate a version matching provided version string {version}"
            ))
        })
}

/// Go's `path.Join` of the remote and the chart name: empty and `.` components dropped,
/// `..` going up.
fn clean_path(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            p => out.push(p),
        }
    }
    out.join("/")
}

fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// `time` as Go's `Format(time.RFC3339)` prints a file's modification time: in the local
/// time zone (`$TZ`, else `/etc/localtime`; an empty `$TZ` is UTC), whole seconds, `Z`
/// for a zero offset. This is the `created` annotation Helm's `push` writes.
pub fn rfc3339_local(time: std::time::SystemTime) -> String {
    let Ok(ts) = jiff::Timestamp::try_from(time) else {
        return now_rfc3339();
    };
    let zoned = ts.to_zoned(local_zone());
    if zoned.offset().seconds() == 0 {
        zoned.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
    }
}

fn local_zone() -> jiff::tz::TimeZone {
    use jiff::tz::TimeZone;
    let name = match std::env::var("TZ") {
        Ok(tz) => tz.trim_start_matches(':').to_string(),
        Err(_) => std::fs::read_link("/etc/localtime")
            .ok()
            .and_then(|p| {
                let p = p.to_string_lossy().into_owned();
                p.split_once("zoneinfo/").map(|(_, name)| name.to_string())
            })
            .unwrap_or_default(),
    };
    if name.is_empty() {
        return TimeZone::UTC;
    }
    TimeZone::get(&name).unwrap_or(TimeZone::UTC)
}

fn host_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => String::new(),
    }
}

fn strip_query(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.to_string()
}

fn header_value(v: &str) -> Result<HeaderValue, OciError> {
    HeaderValue::from_str(v).map_err(|_| OciError::Setup("invalid header value".into()))
}

fn header_str(resp: &Response, name: &str) -> String {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// The next page from an RFC 5988 `Link: <url>; rel="next"` header, relative to `base`.
fn next_link(resp: &Response, base: &Url) -> Option<Url> {
    let link = resp.headers().get(reqwest::header::LINK)?.to_str().ok()?;
    parse_next_link(link, base)
}

fn parse_next_link(link: &str, base: &Url) -> Option<Url> {
    let rest = link.trim().strip_prefix('<')?;
    let (target, _) = rest.split_once('>')?;
    base.join(target).ok()
}

/// A transport failure: the root cause (connection refused, DNS, TLS) is what helps.
fn transport_error(registry: &str, url: &Url, err: &reqwest::Error) -> OciError {
    let mut message = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        message = s.to_string();
        source = s.source();
    }
    OciError::Unreachable {
        registry: registry.to_string(),
        url: strip_query(url),
        message,
    }
}

/// The message of a distribution error body (`{"errors":[{"code","message"}]}`), oras-go's
/// way: codes lower-cased with spaces, `code: message`, several joined by `; `.
async fn error_message(resp: Response) -> String {
    let status = resp.status();
    let body = resp.bytes().await.unwrap_or_default();
    #[derive(serde::Deserialize)]
    struct Body {
        #[serde(default)]
        errors: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    let parsed: Option<Body> = serde_json::from_slice(&body).ok();
    match parsed {
        Some(b) if !b.errors.is_empty() => b
            .errors
            .iter()
            .map(|e| {
                let code = e.code.replace('_', " ").to_lowercase();
                if e.message.is_empty() {
                    code
                } else {
                    format!("{code}: {}", e.message)
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
        _ => status.canonical_reason().unwrap_or_default().to_string(),
    }
}

async fn status_error(method: &str, url: &str, resp: Response) -> OciError {
    let status = resp.status().as_u16();
    OciError::Status {
        method: method.to_string(),
        url: url.to_string(),
        status,
        message: error_message(resp).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_versions() {
        for ok in ["1.0.0", "0.1.2-rc.1", "1.2.3+b.7", "10.20.30-a-b+c"] {
            assert!(strict_version(ok).is_some(), "{ok}");
        }
        for bad in [
            "v1.0.0", "1.0", "01.0.0", "1.0.0.0", "latest", "1.0.0-01", "",
        ] {
            assert!(strict_version(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn tag_matching() {
        let tags: Vec<String> = ["2.0.0-rc.1", "1.2.0", "1.1.0", "1.0.0+b"]
            .map(String::from)
            .to_vec();
        assert_eq!(match_tag(&tags, "").unwrap(), "1.2.0");
        assert_eq!(match_tag(&tags, "~1.1").unwrap(), "1.1.0");
        assert_eq!(match_tag(&tags, "1.0.0+b").unwrap(), "1.0.0+b");
        assert_eq!(match_tag(&tags, ">=2.0.0-0").unwrap(), "2.0.0-rc.1");
        assert_eq!(
            match_tag(&tags, "^3").unwrap_err().to_string(),
            "could not locate a version matching provided version string ^3"
        );
    }

    #[test]
    fn paths_and_links() {
        assert_eq!(
            clean_path("r.example/charts//./x/../web"),
            "r.example/charts/web"
        );
        assert_eq!(clean_path("r.example/charts/"), "r.example/charts");
        let base = Url::parse("http://127.0.0.1:5000/v2/a/tags/list").unwrap();
        assert_eq!(
            parse_next_link("</v2/a/tags/list?last=b&n=2>; rel=\"next\"", &base)
                .unwrap()
                .as_str(),
            "http://127.0.0.1:5000/v2/a/tags/list?last=b&n=2"
        );
        assert!(parse_next_link("garbage", &base).is_none());
        assert!(now_rfc3339().ends_with('Z'));
        let t = std::time::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let local = rfc3339_local(t);
        assert!(local.starts_with("2023-11-1"), "{local}");
    }
}
