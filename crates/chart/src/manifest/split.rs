//! Splitting a rendered template into its YAML documents, as Helm's
//! `releaseutil.SplitManifests` does before it sorts them.

/// Go's regexp `\s`: ASCII whitespace without `\v` (Rust's `char::is_whitespace`, used
/// for the trims, is Unicode like Go's `unicode.IsSpace`).
fn is_sep_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0c | b'\r' | b' ')
}

fn skip_sep_space(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && is_sep_space(bytes[i]) {
        i += 1;
    }
    i
}

/// The pieces between Helm's separators, the regexp `(?:^|\s*\n)---\s*` (leftmost
/// matches, as Go's `Regexp.Split`): `---` at the start of the text or right after a
/// newline (with any whitespace before that newline), with all whitespace after it.
/// No line end is needed after `---`, so a template printing `---apiVersion: v1` still
/// splits; Helm keeps that quirk and so do we.
fn split_at_separators(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let mut piece_start = 0;
    let mut i = 0;
    if bytes.starts_with(b"---") {
        pieces.push("");
        i = skip_sep_space(bytes, 3);
        piece_start = i;
    }
    while i < bytes.len() {
        if !is_sep_space(bytes[i]) {
            i += 1;
            continue;
        }
        // A separator match starts where a whitespace run starts, if the run ends with a
        // newline directly followed by `---`. (All these bytes are ASCII, so the slices
        // below fall on character boundaries.)
        let run_end = skip_sep_space(bytes, i);
        if bytes[run_end - 1] == b'\n' && bytes[run_end..].starts_with(b"---") {
            pieces.push(&text[piece_start..i]);
            i = skip_sep_space(bytes, run_end + 3);
            piece_start = i;
        } else {
            i = run_end;
        }
    }
    pieces.push(&text[piece_start..]);
    pieces
}

/// The documents of one rendered template, in order: split at `---` separators, blank
/// documents dropped, each left-trimmed (Unicode whitespace, as Go's `unicode.IsSpace`)
/// but not right-trimmed.
///
/// Trailing whitespace before a separator is part of the separator match, so only the
/// last document can keep a trailing newline; that is why `helm template` prints most
/// documents followed by a blank line.
///
/// ```
/// use helmpilot_chart::manifest::split_manifests;
/// assert_eq!(split_manifests("\n---\na: 1\n---\nb: 2\n"), vec!["a: 1", "b: 2\n"]);
/// // A separator swallows the newlines after it, so a `---` right after it is no
/// // separator: it stays at the start of the next document.
/// assert_eq!(split_manifests("a: 1\n---\n\n---\nb: 2"), vec!["a: 1", "---\nb: 2"]);
/// ```
pub fn split_manifests(text: &str) -> Vec<&str> {
    split_at_separators(text.trim_start())
        .into_iter()
        .filter(|doc| !doc.trim().is_empty())
        .map(str::trim_start)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separator_edge_cases() {
        // `---` glued to the next line still separates.
        assert_eq!(split_manifests("a: 1\n---b: 2"), vec!["a: 1", "b: 2"]);
        // Indented `---` after a newline does not (a block scalar line).
        assert_eq!(split_manifests("a: |\n  ---\n"), vec!["a: |\n  ---\n"]);
        // `----` is a separator followed by `-`.
        assert_eq!(split_manifests("a: 1\n----\n"), vec!["a: 1", "-\n"]);
        // A vertical tab is not whitespace for Go's `\s` but is for the trims.
        assert_eq!(split_manifests("a\x0b\n---\n\x0bb"), vec!["a\x0b", "b"]);
        assert!(split_manifests(" \n---\n \n").is_empty());
    }
}
