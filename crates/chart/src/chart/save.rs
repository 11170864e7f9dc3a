//! Writing a loaded chart back as a `.tgz` archive, as Helm's `chartutil.Save` does
//! (`helm package`, and the archives `helm dependency update` makes of `file://`
//! dependencies).
//!
//! What Helm puts in the archive, and so what this writes:
//!
//! * every entry is under `<name>/`, subcharts under `<name>/charts/<subchart name>/`
//!   as directories (never as nested archives), no directory entries;
//! * `Chart.yaml` is not the file as written but `sigs.k8s.io/yaml.Marshal` of the
//!   loaded (sanitized) metadata: keys sorted, empty fields left out, and for
//!   apiVersion v1 charts without `dependencies` (they live in requirements.yaml, which
//!   is kept as a file);
//! * `Chart.lock` (apiVersion v2 only) is the parsed lock marshalled again, so its
//!   `generated` time comes out in Go's RFC 3339 form with nanoseconds;
//! * `values.yaml` is the raw file, then `values.schema.json`, the templates and the
//!   other files in load order, then the subcharts;
//! * tar headers are Go's `archive/tar` defaults for a regular file: mode 0644, uid and
//!   gid 0, no user or group names, USTAR (PAX only when a name needs it);
//! * the gzip header carries Helm's extra field and the comment `Helm`.
//!
//! Helm stamps each entry with the file's modification time from loading (the current
//! time when it has none); the loader here keeps no times, so the caller gives one
//! ([`SaveOptions::mtime`]) and the archive is reproducible. `Chart.lock` is stamped
//! with its `generated` time, as in Helm. The deflate stream is flate2's, not Go's, so
//! the compressed bytes differ from Helm's while the tar inside is the same.

use std::io::Write;
use std::path::{Path, PathBuf};

use helmpilot_yaml::json;

use super::{Chart, Dependency, Lock, Metadata};

/// The gzip extra field Helm writes in every chart archive (`chartutil.headerBytes`).
const GZIP_EXTRA: &[u8] = b"+aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=";
/// The gzip comment Helm writes.
const GZIP_COMMENT: &[u8] = b"Helm";
/// Go's `compress/gzip` writes "unknown" as the operating system.
const GZIP_OS_UNKNOWN: u8 = 255;
/// Tar block size.
const BLOCK: usize = 512;

/// Why a chart could not be archived: Helm's texts.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// `chart validation: validation: chart.metadata.version "x" is invalid`.
    #[error("chart validation: {0}")]
    Validation(String),
    /// A chart (or subchart) name that is not a single path element.
    #[error("{} is not a valid chart name", helmpilot_template::gofmt::quote(.0))]
    InvalidName(String),
    /// `values.schema.json` that is not JSON.
    #[error("invalid JSON in values.schema.json")]
    InvalidSchema,
    /// Chart.yaml or Chart.lock that go-yaml cannot write (text YAML cannot hold).
    #[error("{0}")]
    Yaml(String),
    /// A tar header field that does not fit (Go's `archive/tar: header field too long`).
    #[error("archive/tar: header field too long")]
    FieldTooLong,
    /// Writing the archive file.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// How to write an archive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SaveOptions {
    /// Modification time of the entries, in seconds since the Unix epoch (Helm uses
    /// each file's time; a fixed one keeps archives reproducible).
    pub mtime: i64,
}

/// One file of the archive, before it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Path inside the archive (`web/templates/deployment.yaml`).
    pub name: String,
    /// Permission bits (always 0644, as Helm writes them).
    pub mode: u32,
    /// Seconds since the Unix epoch.
    pub mtime: i64,
    pub data: Vec<u8>,
}

/// Writes `chart` as `<out_dir>/<name>-<version>.tgz` (creating `out_dir` if needed)
/// and returns that path, like Helm's `chartutil.Save`.
///
/// ```no_run
/// use std::path::Path;
/// use helmpilot_chart::chart::{load_dir, save::{save, SaveOptions}};
///
/// let chart = load_dir(Path::new("charts/web")).unwrap();
/// let path = save(&chart, Path::new("dist"), SaveOptions { mtime: 1_700_000_000 }).unwrap();
/// assert!(path.ends_with(format!("web-{}.tgz", chart.metadata.version)));
/// ```
pub fn save(chart: &Chart, out_dir: &Path, options: SaveOptions) -> Result<PathBuf, SaveError> {
    let bytes = archive(chart, options)?;
    let filename = format!("{}-{}.tgz", chart.name(), chart.metadata.version);
    match std::fs::metadata(out_dir) {
        Ok(meta) if !meta.is_dir() => {
            return Err(SaveError::Io(std::io::Error::other(format!(
                "is not a directory: {}",
                out_dir.display()
            ))))
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => std::fs::create_dir_all(out_dir)?,
        Err(e) => return Err(e.into()),
    }
    let path = out_dir.join(filename);
    std::fs::write(&path, bytes)?;
    Ok(path)
}

/// The `.tgz` bytes of `chart`: [`entries`] as a tar stream, gzipped with Helm's header.
pub fn archive(chart: &Chart, options: SaveOptions) -> Result<Vec<u8>, SaveError> {
    let tar = tar_bytes(&entries(chart, options)?)?;
    let mut gz = flate2::GzBuilder::new()
        .extra(GZIP_EXTRA)
        .comment(GZIP_COMMENT)
        .operating_system(GZIP_OS_UNKNOWN)
        .mtime(0)
        .write(Vec::new(), flate2::Compression::default());
    gz.write_all(&tar)?;
    Ok(gz.finish()?)
}

/// The files Helm's `Save` puts in the archive of `chart`, in its order. Helm adds
/// subcharts in the order its loader keeps them, which comes from a Go map (random);
/// here it is the loader's (sorted) order.
pub fn entries(chart: &Chart, options: SaveOptions) -> Result<Vec<Entry>, SaveError> {
    chart
        .metadata
        .validate()
        .map_err(|e| SaveError::Validation(e.to_string()))?;
    let mut out = Vec::new();
    push_chart(&mut out, chart, "", options)?;
    Ok(out)
}

fn push_chart(
    out: &mut Vec<Entry>,
    chart: &Chart,
    prefix: &str,
    options: SaveOptions,
) -> Result<(), SaveError> {
    let name = chart.name();
    if crate::funcs::paths::base(name) != name {
        return Err(SaveError::InvalidName(name.to_string()));
    }
    let base = clean_join(prefix, name);
    let mut push = |file: &str, data: Vec<u8>, mtime: i64| {
        out.push(Entry {
            name: format!("{base}/{file}"),
            mode: 0o644,
            mtime,
            data,
        });
    };

    let v1 = chart.metadata.api_version == "v1";
    push(
        "Chart.yaml",
        chart_yaml(&chart.metadata, v1)?.into_bytes(),
        options.mtime,
    );
    if chart.metadata.api_version == "v2" {
        if let Some(lock) = &chart.lock {
            let mtime = generated_unix(&lock.generated).unwrap_or(options.mtime);
            push("Chart.lock", lock_yaml(lock)?.into_bytes(), mtime);
        }
    }
    if let Some(values) = &chart.raw_values {
        push("values.yaml", values.to_vec(), options.mtime);
    }
    if let Some(schema) = &chart.schema {
        let text = std::str::from_utf8(schema).map_err(|_| SaveError::InvalidSchema)?;
        if json::check_syntax(text).is_err() {
            return Err(SaveError::InvalidSchema);
        }
        push("values.schema.json", schema.to_vec(), options.mtime);
    }
    for file in chart.templates.iter().chain(&chart.files) {
        push(&file.name, file.data.to_vec(), options.mtime);
    }
    let charts = format!("{base}/charts");
    for sub in &chart.dependencies {
        push_chart(out, sub, &charts, options)?;
    }
    Ok(())
}

/// `filepath.Join(prefix, name)` for the names `Save` joins (no `..` handling needed:
/// the name is a single element).
fn clean_join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}/{name}")
    }
}

// ---- Go's encoding/json of the chart types, and sigs.k8s.io/yaml.Marshal ------------

/// Go's `json.Marshal` of a `chart.Dependency` (field order and `omitempty` as in its
/// struct tags).
pub fn dependency_json(d: &Dependency) -> String {
    let mut out = String::from("{\"name\":");
    json::write_string(&mut out, &d.name, true);
    if !d.version.is_empty() {
        out.push_str(",\"version\":");
        json::write_string(&mut out, &d.version, true);
    }
    out.push_str(",\"repository\":");
    json::write_string(&mut out, &d.repository, true);
    if !d.condition.is_empty() {
        out.push_str(",\"condition\":");
        json::write_string(&mut out, &d.condition, true);
    }
    if !d.tags.is_empty() {
        out.push_str(",\"tags\":");
        write_strings(&mut out, &d.tags);
    }
    if d.enabled {
        out.push_str(",\"enabled\":true");
    }
    if !d.import_values.is_empty() {
        out.push_str(",\"import-values\":[");
        for (i, v) in d.import_values.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&json::marshal(v));
        }
        out.push(']');
    }
    if !d.alias.is_empty() {
        out.push_str(",\"alias\":");
        json::write_string(&mut out, &d.alias, true);
    }
    out.push('}');
    out
}

/// Go's `json.Marshal` of a `[]*chart.Dependency` (non-nil).
pub fn dependencies_json(deps: &[Dependency]) -> String {
    let items: Vec<String> = deps.iter().map(dependency_json).collect();
    format!("[{}]", items.join(","))
}

fn write_strings(out: &mut String, items: &[String]) {
    out.push('[');
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json::write_string(out, s, true);
    }
    out.push(']');
}

/// Go's `json.Marshal` of a `chart.Metadata`; `without_dependencies` leaves the
/// dependencies out, as `Save` does for apiVersion v1 charts.
pub fn metadata_json(md: &Metadata, without_dependencies: bool) -> String {
    let mut fields: Vec<String> = Vec::new();
    let string = |key: &str, value: &str| {
        if !value.is_empty() {
            let mut f = format!("\"{key}\":");
            json::write_string(&mut f, value, true);
            Some(f)
        } else {
            None
        }
    };
    let strings = |key: &str, items: &[String]| {
        (!items.is_empty()).then(|| {
            let mut f = format!("\"{key}\":");
            write_strings(&mut f, items);
            f
        })
    };
    let maintainers = (!md.maintainers.is_empty()).then(|| {
        let items: Vec<String> = md
            .maintainers
            .iter()
            .map(|m| {
                let parts: Vec<String> = [("name", &m.name), ("email", &m.email), ("url", &m.url)]
                    .into_iter()
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(k, v)| {
                        let mut f = format!("\"{k}\":");
                        json::write_string(&mut f, v, true);
                        f
                    })
                    .collect();
                format!("{{{}}}", parts.join(","))
            })
            .collect();
        format!("\"maintainers\":[{}]", items.join(","))
    });
    let annotations = (!md.annotations.is_empty()).then(|| {
        let items: Vec<String> = md
            .annotations
            .iter()
            .map(|(k, v)| {
                let mut f = String::new();
                json::write_string(&mut f, k, true);
                f.push(':');
                json::write_string(&mut f, v, true);
                f
            })
            .collect();
        format!("\"annotations\":{{{}}}", items.join(","))
    });
    let dependencies = (!without_dependencies && !md.dependencies.is_empty())
        .then(|| format!("\"dependencies\":{}", dependencies_json(&md.dependencies)));
    let ordered = [
        string("name", &md.name),
        string("home", &md.home),
        strings("sources", &md.sources),
        string("version", &md.version),
        string("description", &md.description),
        strings("keywords", &md.keywords),
        maintainers,
        string("icon", &md.icon),
        string("apiVersion", &md.api_version),
        string("condition", &md.condition),
        string("tags", &md.tags),
        string("appVersion", &md.app_version),
        md.deprecated.then(|| "\"deprecated\":true".to_string()),
        annotations,
        string("kubeVersion", &md.kube_version),
        dependencies,
        string("type", &md.chart_type),
    ];
    fields.extend(ordered.into_iter().flatten());
    format!("{{{}}}", fields.join(","))
}

/// Chart.yaml as `Save` writes it: `sigs.k8s.io/yaml.Marshal` of the metadata.
pub fn chart_yaml(md: &Metadata, without_dependencies: bool) -> Result<String, SaveError> {
    helmpilot_yaml::json_to_yaml(&metadata_json(md, without_dependencies))
        .map_err(|e| SaveError::Yaml(e.to_string()))
}

/// Go's `json.Marshal` of a `chart.Lock`.
pub fn lock_json(lock: &Lock) -> String {
    let mut out = String::from("{\"generated\":");
    json::write_string(&mut out, &go_time_text(&lock.generated), true);
    out.push_str(",\"digest\":");
    json::write_string(&mut out, &lock.digest, true);
    out.push_str(",\"dependencies\":");
    out.push_str(&dependencies_json(&lock.dependencies));
    out.push('}');
    out
}

/// `sigs.k8s.io/yaml.Marshal` of a `chart.Lock`: the bytes of Chart.lock as Helm
/// writes it (keys sorted: `dependencies`, `digest`, `generated`).
pub fn lock_yaml(lock: &Lock) -> Result<String, SaveError> {
    helmpilot_yaml::json_to_yaml(&lock_json(lock)).map_err(|e| SaveError::Yaml(e.to_string()))
}

// ---- time.Time as JSON ------------------------------------------------------------

/// The parts of an RFC 3339 time as Go reads it.
struct GoTime {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    nanos: u32,
    /// Seconds east of UTC.
    offset: i64,
}

fn parse_rfc3339(text: &str) -> Option<GoTime> {
    let b = text.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let s = b.get(from..from + len)?;
        if !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(s).ok()?.parse().ok()
    };
    let sep = |i: usize, c: u8| (b.get(i) == Some(&c)).then_some(());
    let year = num(0, 4)?;
    sep(4, b'-')?;
    let month = num(5, 2)?;
    sep(7, b'-')?;
    let day = num(8, 2)?;
    if !matches!(b.get(10), Some(b'T' | b't')) {
        return None;
    }
    let hour = num(11, 2)?;
    sep(13, b':')?;
    let minute = num(14, 2)?;
    sep(16, b':')?;
    let second = num(17, 2)?;
    let mut i = 19;
    let mut nanos = 0u32;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
        // Go keeps nanoseconds: further digits are dropped.
        let digits = &text[start..i.min(start + 9)];
        let scale = 10u32.pow(9 - digits.len() as u32);
        nanos = digits.parse::<u32>().ok()? * scale;
    }
    let offset = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) => {
            let h = num(i + 1, 2)?;
            sep(i + 3, b':')?;
            let m = num(i + 4, 2)?;
            if i + 6 != b.len() {
                return None;
            }
            let off = h * 3600 + m * 60;
            if *sign == b'-' {
                -off
            } else {
                off
            }
        }
        _ => return None,
    };
    Some(GoTime {
        year,
        month,
        day,
        hour,
        minute,
        second,
        nanos,
        offset,
    })
}

/// `time.Time.MarshalJSON`'s text (RFC 3339 with nanoseconds, trailing zeros dropped,
/// `Z` for a zero offset) of a time read from RFC 3339 text; the zero time for empty
/// text, which is what a lock without `generated` holds. Text that is not RFC 3339 is
/// returned as it is (the loader refuses such a lock before this is reached).
pub fn go_time_text(text: &str) -> String {
    if text.is_empty() {
        return "0001-01-01T00:00:00Z".to_string();
    }
    let Some(t) = parse_rfc3339(text) else {
        return text.to_string();
    };
    let mut out = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    );
    if t.nanos != 0 {
        let frac = format!("{:09}", t.nanos);
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
    if t.offset == 0 {
        out.push('Z');
    } else {
        let sign = if t.offset < 0 { '-' } else { '+' };
        let off = t.offset.abs();
        out.push_str(&format!("{sign}{:02}:{:02}", off / 3600, off % 3600 / 60));
    }
    out
}

/// Seconds since the Unix epoch of an RFC 3339 time, rounded to the second as
/// `archive/tar` rounds header times; `None` for empty or unreadable text.
pub fn generated_unix(text: &str) -> Option<i64> {
    let t = parse_rfc3339(text)?;
    let days = days_from_civil(t.year, t.month, t.day);
    let secs = days * 86_400 + t.hour * 3600 + t.minute * 60 + t.second - t.offset;
    Some(secs + i64::from(t.nanos >= 500_000_000))
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

// ---- tar, as Go's archive/tar writes a regular file --------------------------------

/// The tar stream of `entries`: one header (two with a PAX record) and the data per
/// entry, then two zero blocks, as Go's `tar.Writer` ends an archive.
pub fn tar_bytes(entries: &[Entry]) -> Result<Vec<u8>, SaveError> {
    let mut out = Vec::new();
    for e in entries {
        write_entry(&mut out, e)?;
    }
    out.resize(out.len() + 2 * BLOCK, 0);
    Ok(out)
}

fn write_entry(out: &mut Vec<u8>, e: &Entry) -> Result<(), SaveError> {
    let size = e.data.len() as u64;
    if size >= 1 << 33 || !(0..1 << 33).contains(&e.mtime) {
        // Past what the octal fields hold, Go switches to PAX records; chart files
        // never get there.
        return Err(SaveError::FieldTooLong);
    }
    match split_ustar(&e.name) {
        Some((prefix, name)) => {
            let mut block = header(name, u64::from(e.mode), size, e.mtime, b'0');
            put_string(&mut block[345..500], prefix);
            finish(&mut block);
            out.extend_from_slice(&block);
        }
        None => {
            // Go's PAX layout: an extended header file named `<dir>/PaxHeaders.0/<file>`
            // holding the path, then the main header with the name cut to ASCII and
            // 100 bytes.
            let record = pax_record("path", &e.name);
            let (dir, file) = match e.name.rfind('/') {
                Some(i) => (&e.name[..=i], &e.name[i + 1..]),
                None => ("", e.name.as_str()),
            };
            let mut xname = to_ascii(&go_path_join(&format!("{dir}PaxHeaders.0"), file));
            xname.truncate(100);
            let xname = xname.trim_end_matches('/');
            let mut xblock = header(xname, 0, record.len() as u64, 0, b'x');
            // Go writes no device numbers in this header.
            xblock[329..345].fill(0);
            finish(&mut xblock);
            out.extend_from_slice(&xblock);
            push_padded(out, record.as_bytes());
            let mut block = header(&to_ascii(&e.name), u64::from(e.mode), size, e.mtime, b'0');
            finish(&mut block);
            out.extend_from_slice(&block);
        }
    }
    push_padded(out, &e.data);
    Ok(())
}

fn push_padded(out: &mut Vec<u8>, data: &[u8]) {
    out.extend_from_slice(data);
    let rem = data.len() % BLOCK;
    if rem != 0 {
        out.resize(out.len() + BLOCK - rem, 0);
    }
}

/// A USTAR header block without its checksum.
fn header(name: &str, mode: u64, size: u64, mtime: i64, typeflag: u8) -> [u8; BLOCK] {
    let mut b = [0u8; BLOCK];
    put_string(&mut b[0..100], name);
    put_octal(&mut b[100..108], mode);
    put_octal(&mut b[108..116], 0);
    put_octal(&mut b[116..124], 0);
    put_octal(&mut b[124..136], size);
    put_octal(&mut b[136..148], mtime.max(0) as u64);
    b[156] = typeflag;
    b[257..263].copy_from_slice(b"ustar\0");
    b[263..265].copy_from_slice(b"00");
    put_octal(&mut b[329..337], 0);
    put_octal(&mut b[337..345], 0);
    b
}

/// Go's checksum field: six octal digits, NUL, space.
fn finish(b: &mut [u8; BLOCK]) {
    b[148..156].fill(b' ');
    let sum: u64 = b.iter().map(|&x| u64::from(x)).sum();
    put_octal(&mut b[148..155], sum);
    b[155] = b' ';
}

/// Go's `formatter.formatString`: copied, cut to the field, NUL-terminated if shorter.
fn put_string(field: &mut [u8], s: &str) {
    let n = s.len().min(field.len());
    field[..n].copy_from_slice(&s.as_bytes()[..n]);
    if n < field.len() {
        field[n] = 0;
    }
}

/// Go's `formatter.formatOctal`: zero-padded octal leaving room for a NUL.
fn put_octal(field: &mut [u8], x: u64) {
    let digits = format!("{x:o}");
    let width = field.len() - 1;
    put_string(field, &format!("{digits:0>width$}"));
}

/// Go's `splitUSTARPath` plus the plain case: `Some(("", name))` when the name fits
/// the 100-byte field, `Some((prefix, suffix))` when it splits at a slash, `None`
/// when USTAR cannot hold it (too long, or not ASCII).
fn split_ustar(name: &str) -> Option<(&str, &str)> {
    if !name.is_ascii() {
        return None;
    }
    if name.len() <= 100 {
        return Some(("", name));
    }
    let mut length = name.len();
    if length > 156 {
        length = 156;
    } else if name.as_bytes()[length - 1] == b'/' {
        length -= 1;
    }
    let i = name[..length].rfind('/')?;
    let (plen, nlen) = (i, name.len() - i - 1);
    if i == 0 || nlen > 100 || nlen == 0 || plen > 155 {
        return None;
    }
    Some((&name[..i], &name[i + 1..]))
}

/// Go's `toASCII`: characters past ASCII dropped.
fn to_ascii(s: &str) -> String {
    s.chars().filter(char::is_ascii).collect()
}

/// `path.Join(dir, file)` for the PAX header name (both parts come from a clean name).
fn go_path_join(dir: &str, file: &str) -> String {
    if file.is_empty() {
        dir.to_string()
    } else {
        format!("{dir}/{file}")
    }
}

/// A PAX record, `"<len> <key>=<value>\n"` with `<len>` counting itself.
fn pax_record(key: &str, value: &str) -> String {
    let body = format!(" {key}={value}\n");
    let mut len = body.len() + 1;
    loop {
        let total = len.to_string().len() + body.len();
        if total == len {
            return format!("{len}{body}");
        }
        len = total;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_time_text_matches_go() {
        // Expected texts are what Go's time.Time.MarshalJSON gives for these inputs.
        assert_eq!(go_time_text("2024-01-02T03:04:05Z"), "2024-01-02T03:04:05Z");
        assert_eq!(
            go_time_text("2024-01-02T03:04:05.120000000+00:00"),
            "2024-01-02T03:04:05.12Z"
        );
        assert_eq!(
            go_time_text("2024-01-02T03:04:05.000+02:30"),
            "2024-01-02T03:04:05+02:30"
        );
        assert_eq!(go_time_text(""), "0001-01-01T00:00:00Z");
    }

    #[test]
    fn generated_unix_rounds_to_seconds() {
        assert_eq!(generated_unix("1970-01-01T00:00:01.5Z"), Some(2));
        assert_eq!(
            generated_unix("2000-03-01T01:00:00+01:00"),
            Some(951_868_800)
        );
        assert_eq!(generated_unix(""), None);
    }

    #[test]
    fn pax_record_counts_its_own_length() {
        assert_eq!(pax_record("path", "a"), "9 path=a\n");
        let long = "x".repeat(95);
        let rec = pax_record("path", &long);
        assert_eq!(rec.len().to_string(), rec.split(' ').next().unwrap());
    }

    #[test]
    fn ustar_split_follows_go() {
        let long = format!("{}/{}", "d".repeat(120), "f".repeat(50));
        assert_eq!(split_ustar(&long), Some((&long[..120], &long[121..])));
        assert_eq!(split_ustar(&"x".repeat(101)), None);
        assert_eq!(split_ustar("é"), None);
    }
}
