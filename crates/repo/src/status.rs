//! `helm dependency list`: each dependency of a chart with its status, as Helm's
//! `action.Dependency.List` finds and prints it.
//!
//! A dependency's status comes first from archives `charts/<name>-*.tgz` (Go's
//! `filepath.Glob`, so a name with glob syntax in it changes the pattern, and a
//! malformed one is `bad pattern`): one archive, or exactly one whose name ends in a
//! strict semantic version, is loaded and checked (`ok`, `corrupt`, `misnamed`,
//! `wrong version`, `invalid version`); several such versions are `too many matches`.
//! Otherwise the chart's loaded subcharts decide: none of that name is `missing`, else
//! `unpacked` (or `wrong version` / `invalid version`). The table is gosuri/uitable's
//! (columns joined by a tab, cells padded to the column's width and cut to
//! `--max-col-width` with `...`), followed by warnings about what `charts/` holds that
//! Chart.yaml does not name.

use std::path::Path;

use helmpilot_chart::chart::{self, Chart, Dependency, LoadError};
use helmpilot_chart::semver::{Constraints, Version};
use helmpilot_template::gofmt::quote;

/// `helm dependency list`'s default `--max-col-width`.
pub const DEFAULT_MAX_COL_WIDTH: usize = 80;

/// A dependency's status, as `helm dependency list` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// An archive in `charts/` that satisfies the dependency.
    Ok,
    /// Nothing in `charts/` for it.
    Missing,
    /// A chart directory in `charts/` that satisfies it.
    Unpacked,
    /// The chart found does not satisfy the version constraint.
    WrongVersion,
    /// The constraint, or the found chart's version, does not parse.
    InvalidVersion,
    /// The archive does not load.
    Corrupt,
    /// The archive holds a chart of another name.
    Misnamed,
    /// Several archives whose names end in a version.
    TooManyMatches,
    /// The dependency's name makes a malformed glob pattern.
    BadPattern,
}

impl Status {
    /// Helm's word for the status.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Missing => "missing",
            Status::Unpacked => "unpacked",
            Status::WrongVersion => "wrong version",
            Status::InvalidVersion => "invalid version",
            Status::Corrupt => "corrupt",
            Status::Misnamed => "misnamed",
            Status::TooManyMatches => "too many matches",
            Status::BadPattern => "bad pattern",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of `helm dependency list`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DependencyStatus {
    pub name: String,
    /// The version or constraint as declared.
    pub version: String,
    pub repository: String,
    pub status: Status,
}

/// The dependencies of the chart at `chart_path` (a directory or an archive) with their
/// statuses, in declaration order; `None` when the chart declares no dependency list
/// at all (Helm then warns instead of printing a table; an empty list is a table with
/// no rows).
pub fn dependency_statuses(chart_path: &Path) -> Result<Option<Vec<DependencyStatus>>, LoadError> {
    let chart = chart::load(chart_path)?;
    if !declares_dependencies(chart_path, &chart) {
        return Ok(None);
    }
    let base = path_text(chart_path);
    let rows = chart
        .metadata
        .dependencies
        .iter()
        .map(|dep| DependencyStatus {
            name: dep.name.clone(),
            version: dep.version.clone(),
            repository: dep.repository.clone(),
            status: dependency_status(&base, dep, &chart),
        })
        .collect();
    Ok(Some(rows))
}

/// What `helm dependency list <chart_path> --max-col-width <max_col_width>` prints
/// (0 means no limit), or the error Helm reports when the chart does not load.
///
/// ```no_run
/// use std::path::Path;
/// let text = helmpilot_repo::status::list_text(Path::new("charts/web"), 80).unwrap();
/// assert!(text.starts_with("NAME") || text.starts_with("WARNING: no dependencies"));
/// ```
pub fn list_text(chart_path: &Path, max_col_width: usize) -> Result<String, LoadError> {
    let chart = chart::load(chart_path)?;
    let base = path_text(chart_path);
    if !declares_dependencies(chart_path, &chart) {
        return Ok(format!(
            "WARNING: no dependencies at {}\n",
            go_join(&[&base, "charts"])
        ));
    }
    let mut rows = vec![["NAME", "VERSION", "REPOSITORY", "STATUS"]
        .map(String::from)
        .to_vec()];
    for dep in &chart.metadata.dependencies {
        let status = dependency_status(&base, dep, &chart);
        rows.push(vec![
            dep.name.clone(),
            dep.version.clone(),
            dep.repository.clone(),
            status.as_str().to_string(),
        ]);
    }
    let mut out = table(&rows, max_col_width);
    out.push_str("\n\n");
    out.push_str(&missing_text(&base, &chart.metadata.dependencies));
    Ok(out)
}

/// Helm's `printMissing`: a warning for each directory or `.tgz` in `charts/` that is
/// not a chart, or is a chart no dependency names.
fn missing_text(base: &str, reqs: &[Dependency]) -> String {
    let mut out = String::new();
    let Ok(files) = glob(&go_join(&[base, "charts/*"])) else {
        // The pattern is fixed apart from the chart path; Helm prints the error.
        out.push_str("syntax error in pattern\n");
        return out;
    };
    for f in files {
        let meta = match std::fs::metadata(&f) {
            Ok(meta) => meta,
            Err(e) => {
                // Helm prints this and then dereferences the missing file info (a
                // crash); the entry is skipped here instead.
                out.push_str(&format!("Warning: stat {f}: {}\n", errno_text(&e)));
                continue;
            }
        };
        if !meta.is_dir() && go_ext(&f) != ".tgz" {
            continue;
        }
        match chart::load(Path::new(&f)) {
            Err(_) => out.push_str(&format!("WARNING: {} is not a chart.\n", quote(&f))),
            Ok(c) => {
                if !reqs.iter().any(|d| d.name == c.name()) {
                    out.push_str(&format!("WARNING: {} is not in Chart.yaml.\n", quote(&f)));
                }
            }
        }
    }
    out
}

/// Go's text for an I/O error (`no such file or directory`).
fn errno_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let text = e.to_string();
            match text.find(" (os error") {
                Some(i) => text[..i].to_lowercase(),
                None => text,
            }
        }
    }
}

/// Helm's `dependencyStatus`.
fn dependency_status(base: &str, dep: &Dependency, parent: &Chart) -> Status {
    let pattern = go_join(&[base, "charts", &format!("{}-*.tgz", dep.name)]);
    match glob(&pattern) {
        Err(_) => return Status::BadPattern,
        Ok(archives) if archives.len() > 1 => {
            let prefix = format!("{}-", dep.name);
            let found: Vec<&String> = archives
                .iter()
                .filter(|arc| {
                    let file = go_base(arc);
                    let stem = file.strip_suffix(".tgz").unwrap_or(file);
                    let maybe = stem.strip_prefix(prefix.as_str()).unwrap_or(stem);
                    is_strict_semver(maybe)
                })
                .collect();
            match found.as_slice() {
                [one] => {
                    if let Some(status) = archive_status(one, dep) {
                        return status;
                    }
                }
                [] => {}
                _ => return Status::TooManyMatches,
            }
        }
        Ok(archives) => {
            if let [one] = archives.as_slice() {
                if let Some(status) = archive_status(one, dep) {
                    return status;
                }
            }
        }
    }
    // The last subchart of that name, as Helm's loop leaves it.
    let Some(sub) = parent
        .dependencies
        .iter()
        .rev()
        .find(|c| c.name() == dep.name)
    else {
        return Status::Missing;
    };
    version_status(&sub.metadata.version, &dep.version).unwrap_or(Status::Unpacked)
}

/// The status for a found chart whose version is not the declared one: `None` when it
/// satisfies the constraint.
fn version_status(found: &str, declared: &str) -> Option<Status> {
    if found == declared {
        return None;
    }
    let Ok(constraint) = Constraints::parse(declared) else {
        return Some(Status::InvalidVersion);
    };
    let Ok(version) = Version::parse(found) else {
        return Some(Status::InvalidVersion);
    };
    (!constraint.check(&version)).then_some(Status::WrongVersion)
}

/// Helm's `statArchiveForStatus`: `None` when the path does not exist.
fn archive_status(archive: &str, dep: &Dependency) -> Option<Status> {
    let path = Path::new(archive);
    std::fs::metadata(path).ok()?;
    let Ok(c) = chart::load(path) else {
        return Some(Status::Corrupt);
    };
    if c.name() != dep.name {
        return Some(Status::Misnamed);
    }
    Some(version_status(&c.metadata.version, &dep.version).unwrap_or(Status::Ok))
}

/// Masterminds semver's `StrictNewVersion` accepts `v`: `MAJOR.MINOR.PATCH` without
/// leading zeros, optional prerelease and build identifiers.
fn is_strict_semver(v: &str) -> bool {
    let parts: Vec<&str> = v.splitn(3, '.').collect();
    let [major, minor, rest] = parts.as_slice() else {
        return false;
    };
    let allowed = |s: &str| s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let numeric = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mut patch = *rest;
    if let Some((p, meta)) = patch.split_once('+') {
        if meta.split('.').any(|id| id.is_empty() || !allowed(id)) {
            return false;
        }
        patch = p;
    }
    if let Some((p, pre)) = patch.split_once('-') {
        let bad = |id: &str| {
            id.is_empty()
                || (numeric(id) && id.len() > 1 && id.starts_with('0'))
                || (!numeric(id) && !allowed(id))
        };
        if pre.split('.').any(bad) {
            return false;
        }
        patch = p;
    }
    [*major, *minor, patch]
        .iter()
        .all(|p| numeric(p) && !(p.len() > 1 && p.starts_with('0')) && p.parse::<u64>().is_ok())
}

/// Whether the chart has a dependency list at all (Go's non-nil slice): Chart.yaml, and
/// requirements.yaml decoded over it, with a `dependencies` key (any spelling that
/// matches case-insensitively, the last in key order winning) holding a sequence rather
/// than `null`. Only a chart directory has the files to tell; for an archive, a
/// non-empty list is taken as declared.
fn declares_dependencies(chart_path: &Path, chart: &Chart) -> bool {
    if !chart_path.is_dir() {
        return !chart.metadata.dependencies.is_empty();
    }
    let mut declared = false;
    for file in ["Chart.yaml", "requirements.yaml"] {
        let Ok(text) = std::fs::read_to_string(chart_path.join(file)) else {
            continue;
        };
        let Ok(serde_json::Value::Object(map)) = helmpilot_yaml::unmarshal(&text) else {
            continue;
        };
        // serde_json's map iterates in key order, the order Go's decoder sees them.
        for (key, value) in &map {
            if key.eq_ignore_ascii_case("dependencies") {
                declared = !value.is_null();
            }
        }
    }
    declared || !chart.metadata.dependencies.is_empty()
}

fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

// ---- Go's path/filepath on Unix -----------------------------------------------------

/// `filepath.Join`: the non-empty parts joined by `/`, cleaned.
fn go_join(parts: &[&str]) -> String {
    let joined: Vec<&str> = parts.iter().copied().filter(|p| !p.is_empty()).collect();
    if joined.is_empty() {
        return String::new();
    }
    helmpilot_chart::chart::archive::go_clean(&joined.join("/"))
}

/// `filepath.Base`.
fn go_base(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return if path.is_empty() { "." } else { "/" };
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

/// `filepath.Ext`.
fn go_ext(path: &str) -> &str {
    let start = path.rfind('/').map_or(0, |i| i + 1);
    path[start..].rfind('.').map_or("", |i| &path[start + i..])
}

/// `filepath.ErrBadPattern`.
#[derive(Debug, PartialEq, Eq)]
struct BadPattern;

fn has_meta(s: &str) -> bool {
    s.contains(['*', '?', '[', '\\'])
}

/// `filepath.Glob`: the existing paths matching `pattern`, sorted within each
/// directory; I/O errors are ignored as Go ignores them.
fn glob(pattern: &str) -> Result<Vec<String>, BadPattern> {
    glob_depth(pattern, 0)
}

fn glob_depth(pattern: &str, depth: usize) -> Result<Vec<String>, BadPattern> {
    // Go bounds the recursion by the path's length; a pattern never nests this deep.
    if depth > 10_000 {
        return Err(BadPattern);
    }
    go_match(pattern, "")?;
    if !has_meta(pattern) {
        return Ok(if std::fs::symlink_metadata(pattern).is_ok() {
            vec![pattern.to_string()]
        } else {
            Vec::new()
        });
    }
    let (dir, file) = match pattern.rfind('/') {
        Some(i) => (&pattern[..=i], &pattern[i + 1..]),
        None => ("", pattern),
    };
    let dir = match dir {
        "" => ".".to_string(),
        "/" => "/".to_string(),
        d => d[..d.len() - 1].to_string(),
    };
    if !has_meta(&dir) {
        let mut out = Vec::new();
        glob_in(&dir, file, &mut out)?;
        return Ok(out);
    }
    if dir == pattern {
        return Err(BadPattern);
    }
    let mut out = Vec::new();
    for d in glob_depth(&dir, depth + 1)? {
        glob_in(&d, file, &mut out)?;
    }
    Ok(out)
}

fn glob_in(dir: &str, pattern: &str, out: &mut Vec<String>) -> Result<(), BadPattern> {
    let Ok(meta) = std::fs::metadata(dir) else {
        return Ok(());
    };
    if !meta.is_dir() {
        return Ok(());
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        if go_match(pattern, &name)? {
            out.push(go_join(&[dir, &name]));
        }
    }
    Ok(())
}

/// `filepath.Match` (the one shared with `.helmignore`), its error as Go's
/// `ErrBadPattern`.
fn go_match(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    helmpilot_chart::chart::ignore::go_match(pattern, name).map_err(|_| BadPattern)
}

// ---- gosuri/uitable -----------------------------------------------------------------

/// gosuri/uitable's rendering of `rows` with `MaxColWidth = max_col_width` (0: no
/// limit): each column as wide as its widest cell (capped), cells padded with spaces
/// or cut with `...`, columns joined by a tab, rows by a newline (none at the end).
pub fn table(rows: &[Vec<String>], max_col_width: usize) -> String {
    let mut widths: Vec<usize> = Vec::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if widths.len() <= i {
                widths.push(0);
            }
            let mut w = cell.split('\n').map(string_width).max().unwrap_or(0);
            if max_col_width != 0 && w > max_col_width {
                w = max_col_width;
            }
            widths[i] = widths[i].max(w);
        }
    }
    let lines: Vec<String> = rows.iter().map(|row| table_row(row, &widths)).collect();
    lines.join("\n")
}

fn cell_text(data: &str, width: usize) -> String {
    if width > 0 {
        resize(data, width)
    } else {
        data.to_string()
    }
}

fn table_row(row: &[String], widths: &[usize]) -> String {
    let cells: Vec<Vec<String>> = row
        .iter()
        .zip(widths)
        .map(|(cell, &w)| cell_text(cell, w).split('\n').map(String::from).collect())
        .collect();
    let count = cells.iter().map(Vec::len).max().unwrap_or(0);
    let mut lines = Vec::with_capacity(count);
    for x in 0..count {
        let line: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(lines, &w)| match lines.get(x) {
                Some(text) => cell_text(text, w),
                // A cell with fewer lines: uitable's empty cell, a space padded left.
                None => format!("{}{}", " ".repeat(w.saturating_sub(1)), " "),
            })
            .collect();
        lines.push(line.join("\t"));
    }
    lines.join("\n")
}

/// uitable's `strutil.Resize`, left-aligned.
fn resize(s: &str, n: usize) -> String {
    let width = string_width(s);
    if width == n {
        return s.to_string();
    }
    if width < n {
        return format!("{s}{}", " ".repeat(n - width));
    }
    let mut out = String::new();
    let mut w = 0i64;
    let limit = n as i64 - 3;
    for c in s.chars() {
        out.push(c);
        let rw = rune_width(c) as i64;
        if w + rw >= limit {
            break;
        }
        w += rw;
    }
    out.push_str("...");
    out
}

/// uitable's `StringWidth`: the display width without ANSI escape sequences.
fn string_width(s: &str) -> usize {
    strip_ansi(s).chars().map(rune_width).sum()
}

/// go-runewidth's width outside East Asian locales: 0 for control, format and
/// combining characters, 2 for wide and fullwidth ones, else 1. The tables are the
/// main Unicode blocks rather than go-runewidth's full lists.
fn rune_width(c: char) -> usize {
    let u = c as u32;
    let zero = matches!(u,
        0x00..=0x1F | 0x7F..=0x9F | 0xAD | 0x300..=0x36F | 0x483..=0x489 | 0x591..=0x5BD
        | 0x70F | 0x180B..=0x180E | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x200B..=0x200F
        | 0x2028..=0x202E | 0x206A..=0x206F | 0x20D0..=0x20FF | 0xD800..=0xDFFF
        | 0xFE00..=0xFE0F | 0xFE20..=0xFE2F | 0xFEFF | 0xFFF9..=0xFFFB | 0xFFFE..=0xFFFF);
    if zero {
        return 0;
    }
    let wide = matches!(u,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF | 0x20000..=0x2FFFD | 0x30000..=0x3FFFD);
    if wide {
        2
    } else {
        1
    }
}

/// Removes what uitable's ANSI pattern matches: ESC or CSI, then `[[\]()#;?]*`, then
/// either `[A-Za-z0-9;]*` and BEL, or an optional `\d{1,4}(;\d{0,4})*` and a final
/// character from `[0-9A-PRZcf-ntqry=><~]` (the first alternative preferred, greedy
/// repetition backtracking as Go's leftmost-first matcher does).
fn strip_ansi(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if matches!(chars[i], '\u{1B}' | '\u{9B}') {
            if let Some(end) = ansi_end(&chars, i + 1) {
                i = end;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

fn ansi_end(chars: &[char], start: usize) -> Option<usize> {
    let mut i = start;
    while chars.get(i).is_some_and(|c| "[]()#;?".contains(*c)) {
        i += 1;
    }
    // First alternative: parameters of letters, digits and `;`, ended by BEL.
    let mut j = i;
    while chars
        .get(j)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == ';')
    {
        j += 1;
    }
    if chars.get(j) == Some(&'\u{7}') {
        return Some(j + 1);
    }
    let is_final = |c: Option<&char>| {
        c.is_some_and(|&c| {
            c.is_ascii_digit()
                || ('A'..='P').contains(&c)
                || ('f'..='n').contains(&c)
                || matches!(
                    c,
                    'R' | 'Z' | 'c' | 't' | 'q' | 'r' | 'y' | '=' | '>' | '<' | '~'
                )
        })
    };
    // Second alternative, in the order a backtracking matcher tries it.
    let mut ends = Vec::new();
    numeric_params(chars, i, &mut ends);
    ends.push(i);
    ends.into_iter()
        .find(|&e| is_final(chars.get(e)))
        .map(|e| e + 1)
}

/// End positions of `\d{1,4}(;\d{0,4})*` from `i`, most preferred first.
fn numeric_params(chars: &[char], i: usize, ends: &mut Vec<usize>) {
    let digits = |from: usize, max: usize| {
        let mut n = 0;
        while n < max && chars.get(from + n).is_some_and(char::is_ascii_digit) {
            n += 1;
        }
        n
    };
    let first = digits(i, 4);
    for len in (1..=first).rev() {
        more_params(chars, i + len, ends, &digits);
    }
}

fn more_params(
    chars: &[char],
    i: usize,
    ends: &mut Vec<usize>,
    digits: &dyn Fn(usize, usize) -> usize,
) {
    if chars.get(i) == Some(&';') {
        let n = digits(i + 1, 4);
        for len in (0..=n).rev() {
            more_params(chars, i + 1 + len, ends, digits);
        }
    }
    ends.push(i);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_patterns_follow_go() {
        assert_eq!(go_match("a-*.tgz", "a-1.0.0.tgz"), Ok(true));
        assert_eq!(go_match("a-*.tgz", "a-x/y.tgz"), Ok(false));
        assert_eq!(go_match("[a-c]?", "bz"), Ok(true));
        assert_eq!(go_match("[^a-c]?", "bz"), Ok(false));
        assert_eq!(go_match("a[-*.tgz", ""), Err(BadPattern));
        assert_eq!(go_match("a\\", "a"), Err(BadPattern));
        assert_eq!(go_match("x*[", "y"), Err(BadPattern));
    }

    #[test]
    fn strict_semver() {
        assert!(is_strict_semver("1.2.3"));
        assert!(is_strict_semver("1.2.3-rc.1+build.5"));
        assert!(!is_strict_semver("v1.2.3"));
        assert!(!is_strict_semver("1.2"));
        assert!(!is_strict_semver("01.2.3"));
        assert!(!is_strict_semver("1.2.3-01"));
        assert!(!is_strict_semver("1.2.3-"));
    }

    #[test]
    fn ansi_sequences_have_no_width() {
        assert_eq!(string_width("\u{1b}[31mred\u{1b}[0m"), 3);
        assert_eq!(string_width("\u{1b}]0;title\u{7}x"), 1);
    }

    #[test]
    fn resize_cuts_with_an_ellipsis() {
        assert_eq!(resize("abcdefghij", 8), "abcde...");
        assert_eq!(resize("ab", 4), "ab  ");
    }
}
