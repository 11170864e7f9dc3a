//! `helmpilot push`, `helmpilot pull` and `helmpilot registry login|logout`: Helm's
//! commands for charts in OCI registries, with Helm's flags and output lines.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Subcommand};
use helmpilot_repo::credentials::{helm_registry_config_path, ConfigFile, Credentials, Sources};
use helmpilot_repo::oci::{is_oci, rfc3339_local, Client, ClientOptions, PushOptions};

/// Helm's note printed when a reference holds `_` (a version's `+`).
const UNDERSCORE_MESSAGE: &str = "
OCI artifact references (e.g. tags) do not support the plus sign (+). To support
storing semantic versions, Helm adopts the convention of changing plus (+) to
an underscore (_) in chart version tags when pushing to a registry and back to
a plus (+) when pulling from a registry.";

/// TLS and transport flags shared by push and pull.
#[derive(Args, Clone, Debug, Default)]
pub struct TlsArgs {
    /// Identify registry client using this SSL certificate file.
    #[arg(long = "cert-file")]
    cert_file: Option<PathBuf>,
    /// Identify registry client using this SSL key file.
    #[arg(long = "key-file")]
    key_file: Option<PathBuf>,
    /// Verify certificates of HTTPS-enabled servers using this CA bundle.
    #[arg(long = "ca-file")]
    ca_file: Option<PathBuf>,
    /// Skip TLS certificate checks.
    #[arg(long = "insecure-skip-tls-verify")]
    insecure_skip_tls_verify: bool,
    /// Use insecure HTTP connections.
    #[arg(long = "plain-http")]
    plain_http: bool,
    /// Registry username (with --password; else credentials are looked up).
    #[arg(long)]
    username: Option<String>,
    /// Registry password.
    #[arg(long)]
    password: Option<String>,
    /// Path to the registry config file (default: $HELM_REGISTRY_CONFIG or Helm's).
    #[arg(long = "registry-config")]
    registry_config: Option<PathBuf>,
}

impl TlsArgs {
    fn client(&self) -> Result<Client> {
        // Helm uses command-line credentials only when both are given.
        let credentials = match (&self.username, &self.password) {
            (Some(u), Some(p)) if !u.is_empty() && !p.is_empty() => {
                Some(Credentials::basic(u.clone(), p.clone()))
            }
            _ => None,
        };
        let mut sources = Sources::from_env();
        if let Some(path) = &self.registry_config {
            sources.helm_config = Some(path.clone());
        }
        Ok(Client::new(ClientOptions {
            plain_http: self.plain_http,
            insecure_skip_tls_verify: self.insecure_skip_tls_verify,
            ca_file: self.ca_file.clone(),
            cert_file: self.cert_file.clone(),
            key_file: self.key_file.clone(),
            credentials,
            sources: Some(sources),
            connect_timeout: None,
        })?)
    }
}

#[derive(Args)]
pub struct PushArgs {
    /// The chart archive (`.tgz`) to upload.
    chart: PathBuf,
    /// The registry repository to push to (`oci://host/path`).
    remote: String,
    #[command(flatten)]
    tls: TlsArgs,
}

#[derive(Args)]
pub struct PullArgs {
    /// One or more `oci://host/path/name[:version]` references.
    #[arg(required = true)]
    charts: Vec<String>,
    /// A version or version constraint (default: the newest stable version).
    #[arg(long)]
    version: Option<String>,
    /// Use development versions too (same as --version '>0.0.0-0' when no version is given).
    #[arg(long)]
    devel: bool,
    /// Location to write the chart.
    #[arg(short = 'd', long = "destination", default_value = ".")]
    destination: PathBuf,
    /// Unpack the chart after downloading it.
    #[arg(long)]
    untar: bool,
    /// With --untar: the directory to unpack into (relative to --destination).
    #[arg(long = "untardir", default_value = ".")]
    untar_dir: PathBuf,
    #[command(flatten)]
    tls: TlsArgs,
}

#[derive(Args)]
pub struct RegistryArgs {
    #[command(subcommand)]
    command: RegistryCommand,
}

#[derive(Subcommand)]
enum RegistryCommand {
    /// Log in to a registry (stores the credentials in Helm's registry config).
    Login(LoginArgs),
    /// Remove the credentials stored for a registry.
    Logout(LogoutArgs),
}

#[derive(Args)]
struct LoginArgs {
    /// The registry host (`host[:port]`).
    host: String,
    /// Registry username.
    #[arg(short = 'u', long)]
    username: Option<String>,
    /// Registry password or identity token.
    #[arg(short = 'p', long)]
    password: Option<String>,
    /// Read the password or identity token from standard input.
    #[arg(long = "password-stdin")]
    password_stdin: bool,
    /// Allow connections to TLS registries without certificate checks.
    #[arg(long)]
    insecure: bool,
    #[arg(long = "cert-file")]
    cert_file: Option<PathBuf>,
    #[arg(long = "key-file")]
    key_file: Option<PathBuf>,
    #[arg(long = "ca-file")]
    ca_file: Option<PathBuf>,
    /// Use insecure HTTP connections.
    #[arg(long = "plain-http")]
    plain_http: bool,
    /// Path to the registry config file (default: $HELM_REGISTRY_CONFIG or Helm's).
    #[arg(long = "registry-config")]
    registry_config: Option<PathBuf>,
}

#[derive(Args)]
struct LogoutArgs {
    /// The registry host (`host[:port]`).
    host: String,
    /// Path to the registry config file (default: $HELM_REGISTRY_CONFIG or Helm's).
    #[arg(long = "registry-config")]
    registry_config: Option<PathBuf>,
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn print_underscore_note(out: &mut impl Write, reference: &str) -> Result<()> {
    if reference.contains('_') {
        writeln!(out, "{reference} contains an underscore.")?;
        writeln!(out, "{UNDERSCORE_MESSAGE}")?;
    }
    Ok(())
}

/// `helmpilot push CHART REMOTE`.
pub fn run_push(args: &PushArgs) -> Result<()> {
    if !is_oci(&args.remote) {
        return Err(match args.remote.split_once("://") {
            Some((scheme, _)) => anyhow!("scheme {scheme:?} not supported"),
            None => anyhow!("scheme prefix missing from remote (e.g. \"oci://\")"),
        });
    }
    let meta = match std::fs::metadata(&args.chart) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            bail!("{}: no such file", args.chart.display())
        }
        Err(e) => return Err(e.into()),
    };
    if meta.is_dir() {
        bail!("cannot push directory, must provide chart archive (.tgz)");
    }
    let archive = std::fs::read(&args.chart)?;
    let mut prov_path = args.chart.clone().into_os_string();
    prov_path.push(".prov");
    let provenance = match std::fs::read(&prov_path) {
        Ok(p) => Some(p),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e.into()),
    };
    let options = PushOptions {
        provenance,
        // Helm dates the chart by the archive file's modification time.
        created: meta.modified().ok().map(rfc3339_local),
    };
    let client = args.tls.client()?;
    let pushed = runtime()?.block_on(client.push(&archive, &args.remote, &options))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "Pushed: {}", pushed.reference)?;
    writeln!(out, "Digest: {}", pushed.digest)?;
    if pushed.tag.contains('_') {
        print_underscore_note(&mut out, &pushed.reference)?;
    }
    Ok(())
}

/// `helmpilot pull REF...`.
pub fn run_pull(args: &PullArgs) -> Result<()> {
    let client = args.tls.client()?;
    let rt = runtime()?;
    let version = match (&args.version, args.devel) {
        (Some(v), _) if !v.is_empty() => Some(v.clone()),
        (_, true) => Some(">0.0.0-0".to_string()),
        _ => None,
    };
    for chart_ref in &args.charts {
        if !is_oci(chart_ref) {
            bail!("{chart_ref}: helmpilot pull reads OCI registries only (oci://host/path/name)");
        }
        let pulled = rt.block_on(client.pull(chart_ref, version.as_deref()))?;
        let mut out = std::io::stdout().lock();
        writeln!(out, "Pulled: {}", pulled.reference)?;
        writeln!(out, "Digest: {}", pulled.manifest_digest)?;
        print_underscore_note(&mut out, &pulled.reference)?;
        for w in &pulled.warnings {
            writeln!(out, "{w}")?;
        }
        let name = chart_ref
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default();
        let name = name.split(['@', ':']).next().unwrap_or(name);
        if args.untar {
            untar(args, chart_ref, &pulled.archive)?;
        } else {
            std::fs::create_dir_all(&args.destination).with_context(|| {
                format!("cannot create destination {}", args.destination.display())
            })?;
            let file = args
                .destination
                .join(format!("{name}-{}.tgz", pulled.version));
            write_atomic(&file, &pulled.archive)?;
        }
    }
    Ok(())
}

/// Helm's `--untar`: refuses an existing target, then expands the chart under
/// `<untardir>/<chart name>`.
fn untar(args: &PullArgs, chart_ref: &str, archive: &[u8]) -> Result<()> {
    let dir = if args.untar_dir.is_absolute() {
        args.untar_dir.clone()
    } else {
        args.destination.join(&args.untar_dir)
    };
    let last = chart_ref.rsplit('/').next().unwrap_or_default();
    // Helm checks `<destination>/<untardir>/<last part of the reference>` (just that
    // last part when both are `.`) and refuses to overwrite it.
    let check = if dir == Path::new(".").join(".") || dir == Path::new(".") {
        PathBuf::from(last)
    } else {
        dir.join(last)
    };
    if check.exists() {
        bail!(
            "failed to untar: a file or directory with the name {} already exists",
            check.display()
        );
    }
    std::fs::create_dir_all(&check).context("failed to untar (mkdir)")?;
    let files =
        helmpilot_chart::chart::archive::load_archive_files(archive).map_err(|e| anyhow!("{e}"))?;
    let chart = helmpilot_chart::chart::load_archive(archive).map_err(|e| anyhow!("{e}"))?;
    let name = chart.metadata.name;
    if name.is_empty() {
        bail!("chart name not specified");
    }
    if name == "." || name == ".." || name.contains(['/', '\\']) {
        bail!("chart name {name:?} is not allowed");
    }
    let chart_dir = dir.join(&name);
    for file in files {
        // The archive reader already refuses absolute and `..` names; stay inside anyway.
        if file.name.split('/').any(|c| c == ".." || c.is_empty()) {
            bail!("illegal file name in chart archive: {}", file.name);
        }
        let path = chart_dir.join(&file.name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, &file.data)?;
    }
    Ok(())
}

fn write_atomic(path: &Path, data: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("chart"),
        std::process::id()
    ));
    std::fs::write(&tmp, data).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

/// `helmpilot registry login|logout`.
pub fn run_registry(args: &RegistryArgs) -> Result<()> {
    match &args.command {
        RegistryCommand::Login(a) => login(a),
        RegistryCommand::Logout(a) => logout(a),
    }
}

fn config_path(flag: &Option<PathBuf>) -> Result<PathBuf> {
    flag.clone()
        .or_else(helm_registry_config_path)
        .ok_or_else(|| {
            anyhow!("cannot locate the registry config: set HELM_REGISTRY_CONFIG or HOME")
        })
}

fn login(args: &LoginArgs) -> Result<()> {
    let username = args.username.clone().unwrap_or_default();
    let password = if args.password_stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the password from standard input")?;
        let text = text.strip_suffix('\n').unwrap_or(&text);
        text.strip_suffix('\r').unwrap_or(text).to_string()
    } else {
        match &args.password {
            Some(p) if !p.is_empty() => {
                eprintln!(
                    "WARNING: using --password via the CLI is insecure. Use --password-stdin"
                );
                p.clone()
            }
            // Helm prompts on a terminal; helmpilot runs in CI and takes it from stdin.
            _ => bail!("password required: pass it with --password-stdin (or --password)"),
        }
    };
    if args.host.contains('/') {
        eprintln!(
            "WARNING: registry login currently only supports registry hostname, not a repository path (host {}, suggested {})",
            args.host,
            args.host.split('/').next().unwrap_or_default()
        );
    }
    let registry = args.host.split('/').next().unwrap_or_default().to_string();
    let client = Client::new(ClientOptions {
        plain_http: args.plain_http,
        insecure_skip_tls_verify: args.insecure,
        ca_file: args.ca_file.clone(),
        cert_file: args.cert_file.clone(),
        key_file: args.key_file.clone(),
        credentials: Some(if username.is_empty() {
            // No user name: the secret is an identity token (Helm's "Token: " prompt).
            Credentials::IdentityToken {
                token: password.clone(),
            }
        } else {
            Credentials::basic(username.clone(), password.clone())
        }),
        sources: Some(Sources::default()),
        connect_timeout: None,
    })?;
    runtime()?
        .block_on(client.ping(&registry))
        .map_err(|e| anyhow!("authenticating to {:?}: {e}", args.host))?;
    let path = config_path(&args.registry_config)?;
    let mut config = ConfigFile::load(&path)?;
    config.store(&registry, &username, &password)?;
    println!("Login Succeeded");
    Ok(())
}

fn logout(args: &LogoutArgs) -> Result<()> {
    let path = config_path(&args.registry_config)?;
    let mut config = ConfigFile::load(&path)?;
    config.remove(&args.host)?;
    println!("Removing login credentials for {}", args.host);
    Ok(())
}
