//! Reading the files of a `.tgz` chart archive, with Helm's safety checks (Helm's
//! `pkg/chart/loader/archive`): the leading chart directory is stripped from every path,
//! absolute paths, `..` and drive letters are refused, and no file may exceed 5 MiB nor
//! the whole chart 100 MiB once decompressed.
//!
//! Gzip is inflated with `flate2`; the tar layer is our own, reading what Go's
//! `archive/tar` reads (ustar, PAX and GNU headers, long names) with its error texts.
//! Nothing partial is ever returned: any error rejects the whole archive.

use std::io::Read;
use std::sync::Arc;

use flate2::read::MultiGzDecoder;
use helmpilot_template::gofmt::quote;

use super::ChartFile;

/// The largest total size of a chart's files once decompressed (Helm's
/// `MaxDecompressedChartSize`, 100 MiB).
pub const MAX_DECOMPRESSED_CHART_SIZE: u64 = 100 * 1024 * 1024;

/// The largest file Helm loads, from an archive or a directory (Helm's
/// `MaxDecompressedFileSize`, 5 MiB).
pub const MAX_DECOMPRESSED_FILE_SIZE: u64 = 5 * 1024 * 1024;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const BLOCK: usize = 512;

/// Why an archive's files could not be read; the message is the one Helm's
/// `LoadArchiveFiles` returns.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ArchiveError {
    /// The data does not start with a gzip header (Go's `gzip.ErrHeader`).
    #[error("gzip: invalid header")]
    GzipHeader,
    /// The gzip or tar stream is damaged or cut short (Go's error text).
    #[error("{0}")]
    Corrupt(String),
    /// A path Helm refuses, or a size over Helm's limits.
    #[error("{0}")]
    Illegal(String),
    /// The archive holds no file at all.
    #[error("no files in chart archive")]
    Empty,
}

/// The files of a gzipped tar chart archive, in archive order, with paths relative to
/// the chart directory (the archive's first path component removed) and a leading
/// UTF-8 byte order mark dropped from each file's content.
///
/// ```
/// use helmpilot_chart::chart::archive::{load_archive_files, ArchiveError};
/// assert_eq!(load_archive_files(b"apiVersion: v2\nname: x\n"), Err(ArchiveError::GzipHeader));
/// // Go reads the 10-byte gzip header before looking at it.
/// assert_eq!(load_archive_files(b"x: 1\n").unwrap_err().to_string(), "unexpected EOF");
/// ```
pub fn load_archive_files(data: &[u8]) -> Result<Vec<ChartFile>, ArchiveError> {
    check_gzip_header(data)?;
    let mut tar = TarReader::new(MultiGzDecoder::new(data));
    let mut files = Vec::new();
    let mut remaining = MAX_DECOMPRESSED_CHART_SIZE as i64;
    while let Some(header) = tar.next_header()? {
        if header.is_dir() || header.typeflag == b'g' {
            tar.skip_data(&header)?;
            continue;
        }
        let name = entry_path(&header.name)?;
        if header.size > remaining {
            return Err(total_too_large());
        }
        if header.size > MAX_DECOMPRESSED_FILE_SIZE as i64 {
            return Err(ArchiveError::Illegal(format!(
                "decompressed chart file {} is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}",
                quote(&header.name)
            )));
        }
        let content = tar.read_data(&header, remaining as u64)?;
        remaining -= content.len() as i64;
        // A short read means the header's size was a lie or the limit cut the copy.
        if (content.len() as i64) < header.size || remaining <= 0 {
            return Err(total_too_large());
        }
        let content = content.strip_prefix(UTF8_BOM).unwrap_or(&content);
        files.push(ChartFile {
            name,
            data: Arc::from(content),
        });
    }
    if files.is_empty() {
        return Err(ArchiveError::Empty);
    }
    Ok(files)
}

fn total_too_large() -> ArchiveError {
    ArchiveError::Illegal(format!(
        "decompressed chart is larger than the maximum size {MAX_DECOMPRESSED_CHART_SIZE}"
    ))
}

/// Helm's path checks on one archive entry; the result is the path inside the chart.
fn entry_path(raw: &str) -> Result<String, ArchiveError> {
    // An archive made on Windows may use `\`.
    let delimiter = if raw.contains('\\') { '\\' } else { '/' };
    let parts: Vec<&str> = raw.split(delimiter).collect();
    let joined = parts[1..].join(&delimiter.to_string());
    let joined = joined.replace(delimiter, "/");
    if joined.starts_with('/') {
        return Err(ArchiveError::Illegal(
            "chart illegally contains absolute paths".into(),
        ));
    }
    let cleaned = go_clean(&joined);
    if cleaned == "." {
        return Err(ArchiveError::Illegal(format!(
            "chart illegally contains content outside the base directory: {}",
            quote(raw)
        )));
    }
    if cleaned.starts_with("..") {
        return Err(ArchiveError::Illegal(
            "chart illegally references parent directory".into(),
        ));
    }
    let bytes = cleaned.as_bytes();
    if bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/' {
        return Err(ArchiveError::Illegal(
            "chart contains illegally named files".into(),
        ));
    }
    if parts[0] == "Chart.yaml" {
        return Err(ArchiveError::Illegal(
            "chart yaml not in base directory".into(),
        ));
    }
    Ok(cleaned)
}

/// Go's `path.Clean`: the shortest equivalent `/`-separated path.
///
/// ```
/// assert_eq!(helmpilot_chart::chart::archive::go_clean("a/./b/../c/"), "a/c");
/// ```
pub fn go_clean(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let rooted = path.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|last| *last != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    let joined = out.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// Go's `gzip.NewReader` reads the header at once: the first errors it can give.
fn check_gzip_header(data: &[u8]) -> Result<(), ArchiveError> {
    if data.is_empty() {
        return Err(ArchiveError::Corrupt("EOF".into()));
    }
    if data.len() < 10 {
        return Err(ArchiveError::Corrupt("unexpected EOF".into()));
    }
    if data[0] != 0x1f || data[1] != 0x8b || data[2] != 8 {
        return Err(ArchiveError::GzipHeader);
    }
    Ok(())
}

/// Go's text for an error of the gzip layer.
fn stream_error(err: &std::io::Error) -> ArchiveError {
    let text = err.to_string();
    let message = if err.kind() == std::io::ErrorKind::UnexpectedEof {
        "unexpected EOF".to_string()
    } else if text.contains("checksum") {
        "gzip: invalid checksum".to_string()
    } else if text.contains("header") {
        return ArchiveError::GzipHeader;
    } else {
        "flate: corrupt input".to_string()
    };
    ArchiveError::Corrupt(message)
}

fn invalid_header() -> ArchiveError {
    ArchiveError::Corrupt("archive/tar: invalid tar header".into())
}

/// One tar entry, after PAX and GNU long-name records were applied.
#[derive(Debug)]
struct Header {
    name: String,
    typeflag: u8,
    mode: i64,
    size: i64,
}

impl Header {
    /// Go's `Header.FileInfo().IsDir()`: the type flag or the mode's file type bits.
    fn is_dir(&self) -> bool {
        const C_ISDIR: i64 = 0o40000;
        self.typeflag == b'5' || (self.mode & !0o7777) == C_ISDIR
    }

    /// Go's entries that carry no data whatever their size field says.
    fn has_no_data(&self) -> bool {
        matches!(self.typeflag, b'1' | b'2' | b'3' | b'4' | b'5' | b'6')
    }
}

/// A minimal reader of Go's `archive/tar` formats.
struct TarReader<R: Read> {
    input: R,
}

impl<R: Read> TarReader<R> {
    fn new(input: R) -> TarReader<R> {
        TarReader { input }
    }

    /// Reads exactly `buf.len()` bytes; `Ok(false)` on a clean end before any byte.
    fn read_full(&mut self, buf: &mut [u8]) -> Result<bool, ArchiveError> {
        let mut filled = 0;
        while filled < buf.len() {
            match self.input.read(&mut buf[filled..]) {
                Ok(0) => {
                    if filled == 0 {
                        return Ok(false);
                    }
                    return Err(ArchiveError::Corrupt("unexpected EOF".into()));
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(stream_error(&e)),
            }
        }
        Ok(true)
    }

    /// Reads `len` bytes that must be there (entry data), then the block padding.
    fn read_exact_padded(&mut self, len: u64, keep: u64) -> Result<Vec<u8>, ArchiveError> {
        let mut kept = Vec::new();
        let mut left = len;
        let mut chunk = [0u8; 8192];
        while left > 0 {
            let want = left.min(chunk.len() as u64) as usize;
            if !self.read_full(&mut chunk[..want])? {
                return Err(ArchiveError::Corrupt("unexpected EOF".into()));
            }
            let room = keep.saturating_sub(kept.len() as u64) as usize;
            kept.extend_from_slice(&chunk[..want.min(room)]);
            left -= want as u64;
        }
        let pad = (BLOCK as u64 - len % BLOCK as u64) % BLOCK as u64;
        if pad > 0 {
            let mut padding = [0u8; BLOCK];
            if !self.read_full(&mut padding[..pad as usize])? {
                return Err(ArchiveError::Corrupt("unexpected EOF".into()));
            }
        }
        Ok(kept)
    }

    /// The entry's data, at most `limit` bytes of it kept (the rest is read and dropped,
    /// as Go's reader skips it before the next header).
    fn read_data(&mut self, header: &Header, limit: u64) -> Result<Vec<u8>, ArchiveError> {
        if header.has_no_data() {
            return Ok(Vec::new());
        }
        self.read_exact_padded(header.size as u64, limit)
    }

    fn skip_data(&mut self, header: &Header) -> Result<(), ArchiveError> {
        self.read_data(header, 0).map(|_| ())
    }

    /// The next entry's header, `None` at the end of the archive.
    fn next_header(&mut self) -> Result<Option<Header>, ArchiveError> {
        let mut long_name: Option<String> = None;
        let mut pax_path: Option<String> = None;
        let mut pax_size: Option<i64> = None;
        loop {
            let mut block = [0u8; BLOCK];
            if !self.read_full(&mut block)? {
                return Ok(None);
            }
            if block.iter().all(|b| *b == 0) {
                // The end is two zero blocks; one followed by anything else is damage.
                if !self.read_full(&mut block)? {
                    return Ok(None);
                }
                if block.iter().all(|b| *b == 0) {
                    return Ok(None);
                }
                return Err(invalid_header());
            }
            let mut header = parse_header(&block)?;
            match header.typeflag {
                b'x' => {
                    let data = self.read_exact_padded(header.size as u64, u64::MAX)?;
                    for (key, value) in parse_pax(&data)? {
                        match key.as_str() {
                            "path" => pax_path = Some(value),
                            "size" => {
                                pax_size = Some(value.parse::<i64>().map_err(|_| invalid_header())?)
                            }
                            _ => {}
                        }
                    }
                    continue;
                }
                b'L' => {
                    let data = self.read_exact_padded(header.size as u64, u64::MAX)?;
                    long_name = Some(c_string(&data));
                    continue;
                }
                // A long link name: Helm never looks at link targets.
                b'K' => {
                    self.read_exact_padded(header.size as u64, 0)?;
                    continue;
                }
                _ => {}
            }
            if let Some(name) = pax_path.take().or(long_name.take()) {
                header.name = name;
            }
            if let Some(size) = pax_size.take() {
                header.size = size;
            }
            if header.size < 0 {
                return Err(invalid_header());
            }
            if header.typeflag == 0 || header.typeflag == b'0' {
                header.typeflag = if header.name.ends_with('/') {
                    b'5'
                } else {
                    b'0'
                };
            }
            return Ok(Some(header));
        }
    }
}

/// Parses a header block (V7, ustar, PAX or GNU), checking its checksum.
fn parse_header(block: &[u8; BLOCK]) -> Result<Header, ArchiveError> {
    let stored = parse_octal(&block[148..156])?;
    let mut unsigned: i64 = 0;
    let mut signed: i64 = 0;
    for (i, b) in block.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { *b };
        unsigned += i64::from(b);
        signed += i64::from(b as i8);
    }
    if stored != unsigned && stored != signed {
        return Err(invalid_header());
    }
    let magic = &block[257..263];
    let version = &block[263..265];
    let ustar = magic == b"ustar\0" && version == b"00";
    let mut name = c_string(&block[0..100]);
    if ustar {
        let prefix = c_string(&block[345..500]);
        if !prefix.is_empty() {
            name = format!("{prefix}/{name}");
        }
    }
    Ok(Header {
        name,
        typeflag: block[156],
        mode: parse_numeric(&block[100..108])?,
        size: parse_numeric(&block[124..136])?,
    })
}

/// A NUL-terminated field as text.
fn c_string(field: &[u8]) -> String {
    let end = field.iter().position(|b| *b == 0).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

/// A numeric field: octal text, or GNU base-256 when the high bit is set.
fn parse_numeric(field: &[u8]) -> Result<i64, ArchiveError> {
    if field.first().is_some_and(|b| b & 0x80 != 0) {
        // Base-256: two's complement, big endian, first byte's high bit is the marker.
        let negative = field[0] & 0x40 != 0;
        let mut value: i64 = 0;
        for (i, b) in field.iter().enumerate() {
            let mut b = if negative { !*b } else { *b };
            if i == 0 {
                b &= 0x7f;
            }
            if value >> 56 > 0 {
                return Err(invalid_header());
            }
            value = (value << 8) | i64::from(b);
        }
        return Ok(if negative { !value } else { value });
    }
    parse_octal(field)
}

fn parse_octal(field: &[u8]) -> Result<i64, ArchiveError> {
    let text = String::from_utf8_lossy(field);
    let text = text.trim_matches(|c| c == ' ' || c == '\0');
    if text.is_empty() {
        return Ok(0);
    }
    i64::from_str_radix(text, 8).map_err(|_| invalid_header())
}

/// PAX extended header records: `"<len> <key>=<value>\n"` each.
fn parse_pax(data: &[u8]) -> Result<Vec<(String, String)>, ArchiveError> {
    let mut records = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let space = rest
            .iter()
            .position(|b| *b == b' ')
            .ok_or_else(invalid_header)?;
        let len: usize = std::str::from_utf8(&rest[..space])
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(invalid_header)?;
        if len <= space + 1 || len > rest.len() || rest[len - 1] != b'\n' {
            return Err(invalid_header());
        }
        let record = &rest[space + 1..len - 1];
        let eq = record
            .iter()
            .position(|b| *b == b'=')
            .ok_or_else(invalid_header)?;
        records.push((
            String::from_utf8_lossy(&record[..eq]).into_owned(),
            String::from_utf8_lossy(&record[eq + 1..]).into_owned(),
        ));
        rest = &rest[len..];
    }
    Ok(records)
}

/// Helm's `EnsureArchive`: a file named as a chart archive must start like gzip;
/// otherwise a hint of what it seems to be. `name` is the path as the user gave it.
pub fn ensure_archive(name: &str, data: &[u8]) -> Result<(), String> {
    let head = &data[..data.len().min(BLOCK)];
    if head.starts_with(b"\x1F\x8B\x08") {
        return Ok(());
    }
    if name.ends_with(".yml") || name.ends_with(".yaml") {
        return Err(format!(
            "file '{name}' seems to be a YAML file, but expected a gzipped archive"
        ));
    }
    Err(format!(
        "file '{name}' does not appear to be a gzipped archive; got '{}'",
        detect_content_type(head)
    ))
}

/// Go's `http.DetectContentType` for the kinds of files a user could mistake for a
/// chart archive: markup, PDF, the common image and archive formats, text (with its
/// byte order mark) and, failing all, `application/octet-stream`.
pub fn detect_content_type(data: &[u8]) -> &'static str {
    let data = &data[..data.len().min(BLOCK)];
    let start = data
        .iter()
        .position(|b| !matches!(b, b'\t' | b'\n' | 0x0c | b'\r' | b' '))
        .unwrap_or(data.len());
    let trimmed = &data[start..];
    const HTML: &[&[u8]] = &[
        b"<!DOCTYPE HTML",
        b"<HTML",
        b"<HEAD",
        b"<SCRIPT",
        b"<IFRAME",
        b"<H1",
        b"<DIV",
        b"<FONT",
        b"<TABLE",
        b"<A",
        b"<STYLE",
        b"<TITLE",
        b"<B",
        b"<BODY",
        b"<BR",
        b"<P",
        b"<!--",
    ];
    for sig in HTML {
        if trimmed.len() > sig.len()
            && trimmed[..sig.len()].eq_ignore_ascii_case(sig)
            && matches!(trimmed[sig.len()], b' ' | b'>')
        {
            return "text/html; charset=utf-8";
        }
    }
    if trimmed.starts_with(b"<?xml") {
        return "text/xml; charset=utf-8";
    }
    const PREFIXES: &[(&[u8], &str)] = &[
        (b"%PDF-", "application/pdf"),
        (b"%!PS-Adobe-", "application/postscript"),
        (b"\xFE\xFF", "text/plain; charset=utf-16be"),
        (b"\xFF\xFE", "text/plain; charset=utf-16le"),
        (b"\xEF\xBB\xBF", "text/plain; charset=utf-8"),
        (b"\x00\x00\x01\x00", "image/x-icon"),
        (b"\x00\x00\x02\x00", "image/x-icon"),
        (b"BM", "image/bmp"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
        (b"\x89PNG\x0D\x0A\x1A\x0A", "image/png"),
        (b"\xFF\xD8\xFF", "image/jpeg"),
        (b"OggS\x00", "application/ogg"),
        (b"ID3", "audio/mpeg"),
        (b"\x1A\x45\xDF\xA3", "video/webm"),
        (b"OTTO", "font/otf"),
        (b"ttcf", "font/collection"),
        (b"wOFF", "font/woff"),
        (b"wOF2", "font/woff2"),
        (b"\x1F\x8B\x08", "application/x-gzip"),
        (b"PK\x03\x04", "application/zip"),
        (b"Rar!\x1A\x07\x00", "application/x-rar-compressed"),
        (b"Rar!\x1A\x07\x01\x00", "application/x-rar-compressed"),
        (b"\x00\x61\x73\x6D", "application/wasm"),
    ];
    for (sig, kind) in PREFIXES {
        if data.starts_with(sig) {
            return kind;
        }
    }
    let binary = data
        .iter()
        .any(|b| matches!(b, 0x00..=0x08 | 0x0B | 0x0E..=0x1A | 0x1C..=0x1F));
    if binary {
        "application/octet-stream"
    } else {
        "text/plain; charset=utf-8"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_like_go() {
        for (input, want) in [
            ("", "."),
            ("a/b/../c", "a/c"),
            ("a/./b//", "a/b"),
            ("../x", "../x"),
            ("a/../..", ".."),
            ("/../a", "/a"),
            ("x/..", "."),
        ] {
            assert_eq!(go_clean(input), want, "{input}");
        }
    }

    #[test]
    fn entry_paths() {
        assert_eq!(
            entry_path("chart/templates/a.yaml").unwrap(),
            "templates/a.yaml"
        );
        assert_eq!(
            entry_path("chart\\templates\\a.yaml").unwrap(),
            "templates/a.yaml"
        );
        assert_eq!(
            entry_path("chart//etc/passwd").unwrap_err().to_string(),
            "chart illegally contains absolute paths"
        );
        assert_eq!(
            entry_path("chart/../../x").unwrap_err().to_string(),
            "chart illegally references parent directory"
        );
        assert_eq!(
            entry_path("Chart.yaml").unwrap_err().to_string(),
            "chart illegally contains content outside the base directory: \"Chart.yaml\""
        );
        assert_eq!(
            entry_path("Chart.yaml/x").unwrap_err().to_string(),
            "chart yaml not in base directory"
        );
        assert_eq!(
            entry_path("chart/c:/x").unwrap_err().to_string(),
            "chart contains illegally named files"
        );
    }

    #[test]
    fn content_types() {
        assert_eq!(detect_content_type(b"a: 1\n"), "text/plain; charset=utf-8");
        assert_eq!(detect_content_type(b""), "text/plain; charset=utf-8");
        assert_eq!(detect_content_type(b"PK\x03\x04rest"), "application/zip");
        assert_eq!(
            detect_content_type(b"\x00\x01\x02"),
            "application/octet-stream"
        );
        assert_eq!(detect_content_type(b"  <html>"), "text/html; charset=utf-8");
    }
}
