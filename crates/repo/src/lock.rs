//! Chart.lock as Helm writes and checks it: the digest of the dependencies
//! (`resolver.HashReq`, and `HashV2Req` for locks written by Helm 2), the lock file's
//! bytes (`writeLock`), and the check `helm dependency build` makes before trusting a
//! lock.
//!
//! The digest is `sha256:` and the hex SHA-256 of Go's `json.Marshal` of
//! `[2][]*chart.Dependency{declared, locked}`, so every detail of Go's encoder counts:
//! field order and `omitempty` of `chart.Dependency`, `import-values` entries of any
//! shape (maps with sorted keys, float64 numbers in Go's format), and HTML escaping
//! (`<` is `\u003c`). A lock is `sigs.k8s.io/yaml.Marshal` of `chart.Lock`: JSON first,
//! then YAML with sorted keys, `generated` being Go's `time.Time` JSON text.

use std::path::{Path, PathBuf};

use helmpilot_chart::chart::save;
use helmpilot_chart::chart::{Dependency, Lock};
use sha2::{Digest, Sha256};

/// Helm's errors about lock files.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Chart.lock does not match Chart.yaml (apiVersion v2 charts).
    #[error("the lock file (Chart.lock) is out of sync with the dependencies file (Chart.yaml). Please update the dependencies with 'helm dependency update'")]
    OutOfSync,
    /// requirements.lock matches neither Helm 3's nor Helm 2's digest (apiVersion v1).
    #[error("the lock file (requirements.lock) is out of sync with the dependencies file (requirements.yaml). Please update the dependencies")]
    OutOfSyncV1,
    /// The lock file to write is a symbolic link, which Helm refuses to follow.
    #[error("the {name} file is a symlink to {}", helmpilot_template::gofmt::quote(.target))]
    Symlink { name: &'static str, target: String },
    /// Text that go-yaml cannot write.
    #[error("{0}")]
    Yaml(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// `sha256:<hex>` of `data`, as `provenance.Digest` prints it with Helm's prefix.
fn sha256_digest(data: &str) -> String {
    let sum = Sha256::digest(data.as_bytes());
    let mut out = String::from("sha256:");
    for byte in sum {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// Helm's `HashReq`: the digest recorded in Chart.lock, of the dependencies as
/// declared (Chart.yaml, after repository aliases are resolved) and as locked.
///
/// ```
/// use helmpilot_chart::chart::Dependency;
/// let dep = |version: &str| Dependency {
///     name: "sub".into(),
///     version: version.into(),
///     repository: "file://../sub".into(),
///     ..Dependency::default()
/// };
/// let digest = helmpilot_repo::lock::hash_req(&[dep("^0.1.0")], &[dep("0.1.5")]);
/// assert_eq!(digest.len(), "sha256:".len() + 64);
/// ```
pub fn hash_req(req: &[Dependency], locked: &[Dependency]) -> String {
    sha256_digest(&format!(
        "[{},{}]",
        save::dependencies_json(req),
        save::dependencies_json(locked)
    ))
}

/// Helm's `HashV2Req`: the digest Helm 2 wrote in requirements.lock, of
/// `{"dependencies": req}`. `None` is a chart without a dependency list (JSON `null`).
pub fn hash_v2_req(req: Option<&[Dependency]>) -> String {
    let deps = req.map_or_else(|| "null".to_string(), save::dependencies_json);
    sha256_digest(&format!("{{\"dependencies\":{deps}}}"))
}

/// The lock file's name: `requirements.lock` for apiVersion v1 charts, else `Chart.lock`.
pub fn lock_file_name(api_version: &str) -> &'static str {
    if api_version == "v1" {
        "requirements.lock"
    } else {
        "Chart.lock"
    }
}

/// The exact bytes Helm's `writeLock` writes for `lock`. `lock.generated` is written
/// as Go's `time.Time` JSON text (see [`generated_text`] for a new one).
///
/// ```
/// use helmpilot_chart::chart::{Dependency, Lock};
/// let lock = Lock {
///     generated: "2024-05-01T10:00:00.5+00:00".into(),
///     digest: "sha256:ab".into(),
///     dependencies: vec![Dependency { name: "sub".into(), version: "0.1.5".into(),
///                                     ..Dependency::default() }],
/// };
/// assert_eq!(helmpilot_repo::lock::lock_file_text(&lock).unwrap(),
///            "dependencies:\n- name: sub\n  repository: \"\"\n  version: 0.1.5\n\
///             digest: sha256:ab\ngenerated: \"2024-05-01T10:00:00.5Z\"\n");
/// ```
pub fn lock_file_text(lock: &Lock) -> Result<String, LockError> {
    save::lock_yaml(lock).map_err(|e| LockError::Yaml(e.to_string()))
}

/// Writes `lock` into `chart_dir` as Helm's `writeLock` does: `Chart.lock`, or
/// `requirements.lock` when `legacy` (apiVersion v1), mode 0644, refusing to write
/// through a symbolic link. Returns the file's path.
pub fn write_lock(chart_dir: &Path, lock: &Lock, legacy: bool) -> Result<PathBuf, LockError> {
    let text = lock_file_text(lock)?;
    let name = if legacy {
        "requirements.lock"
    } else {
        "Chart.lock"
    };
    let dest = chart_dir.join(name);
    match std::fs::symlink_metadata(&dest) {
        Ok(meta) if meta.file_type().is_symlink() => {
            let target = std::fs::read_link(&dest)?;
            return Err(LockError::Symlink {
                name,
                target: target.to_string_lossy().into_owned(),
            });
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    std::fs::write(&dest, text)?;
    Ok(dest)
}

/// `generated` text for a lock made now: Go's `time.Now()` marshalled as JSON (RFC 3339
/// with nanoseconds, trailing zeros dropped) in the local time zone, as Helm writes it.
pub fn generated_now() -> String {
    let now = jiff::Zoned::now();
    let offset = now.offset().seconds();
    let ts = now.timestamp();
    generated_text(ts.as_second(), ts.subsec_nanosecond().max(0) as u32, offset)
}

/// `generated` text for a time given as seconds and nanoseconds since the Unix epoch,
/// shown at `utc_offset` seconds east of UTC (`Z` when zero), as Go's
/// `time.Time.MarshalJSON` writes it.
///
/// ```
/// assert_eq!(helmpilot_repo::lock::generated_text(1_700_000_000, 120_000_000, 0),
///            "2023-11-14T22:13:20.12Z");
/// assert_eq!(helmpilot_repo::lock::generated_text(1_700_000_000, 0, 3600),
///            "2023-11-14T23:13:20+01:00");
/// ```
pub fn generated_text(unix_seconds: i64, nanos: u32, utc_offset: i32) -> String {
    let local = unix_seconds + i64::from(utc_offset);
    let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    let mut out = format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    );
    if nanos != 0 {
        let frac = format!("{:09}", nanos.min(999_999_999));
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
    if utc_offset == 0 {
        out.push('Z');
    } else {
        let sign = if utc_offset < 0 { '-' } else { '+' };
        let off = utc_offset.unsigned_abs();
        out.push_str(&format!("{sign}{:02}:{:02}", off / 3600, off % 3600 / 60));
    }
    out
}

/// Proleptic Gregorian date of a day count from 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The check `helm dependency build` makes before using a lock: the digest of the
/// declared dependencies and the locked ones must be the lock's digest.
///
/// `declared` is the chart's dependency list as loaded (`None` when the chart has
/// none, which Helm marshals as `null`), `resolved` the same list after repository
/// aliases (`@name`, `alias:name`) were replaced by URLs, which is what Helm hashes;
/// for apiVersion v1 charts a lock written by Helm 2 is accepted too, whose digest is
/// of the list before that replacement.
pub fn check_lock(
    api_version: &str,
    declared: Option<&[Dependency]>,
    resolved: Option<&[Dependency]>,
    lock: &Lock,
) -> Result<(), LockError> {
    let v3 = sha256_digest(&format!(
        "[{},{}]",
        resolved.map_or_else(|| "null".to_string(), save::dependencies_json),
        save::dependencies_json(&lock.dependencies)
    ));
    if v3 == lock.digest {
        return Ok(());
    }
    if api_version == "v1" {
        if hash_v2_req(declared) == lock.digest {
            return Ok(());
        }
        return Err(LockError::OutOfSyncV1);
    }
    Err(LockError::OutOfSync)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        // 2000-02-29 is day 11016 since the epoch.
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn out_of_sync_texts_are_helms() {
        let lock = Lock {
            digest: "sha256:0".into(),
            ..Lock::default()
        };
        let err = check_lock("v2", Some(&[]), Some(&[]), &lock).unwrap_err();
        assert!(err
            .to_string()
            .starts_with("the lock file (Chart.lock) is out of sync"));
        let err = check_lock("v1", None, None, &lock).unwrap_err();
        assert!(err
            .to_string()
            .starts_with("the lock file (requirements.lock) is out of sync"));
        let digest = hash_req(&[], &[]);
        let lock = Lock {
            digest,
            ..Lock::default()
        };
        assert!(check_lock("v2", Some(&[]), Some(&[]), &lock).is_ok());
        let digest = hash_v2_req(None);
        let lock = Lock {
            digest,
            ..Lock::default()
        };
        assert!(check_lock("v1", None, Some(&[]), &lock).is_ok());
    }
}
