//! Unified diffs of two texts, line by line (Myers' algorithm from `similar`; hunks laid
//! out as GNU `diff -U<n>` lays them out, without the `---`/`+++` header).

use similar::{capture_diff_slices, group_diff_ops, Algorithm, DiffOp};

/// A unified diff and how many lines it adds and removes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Unified {
    /// Hunks (`@@ -a,b +c,d @@` and ` `/`-`/`+` lines), empty for equal texts.
    pub text: String,
    /// `+` lines.
    pub added: usize,
    /// `-` lines.
    pub removed: usize,
}

/// The unified diff of `old` against `new` with `context` lines around each change.
/// Empty when the texts are equal. Both texts are expected to end with a newline (the
/// YAML writer's output does); a missing one is marked as `diff` marks it.
pub fn unified(old: &str, new: &str, context: usize) -> Unified {
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let ops = capture_diff_slices(Algorithm::Myers, &old_lines, &new_lines);
    let mut out = Unified::default();
    for hunk in group_diff_ops(ops, context) {
        let (Some(first), Some(last)) = (hunk.first(), hunk.last()) else {
            continue;
        };
        let old_range = first.old_range().start..last.old_range().end;
        let new_range = first.new_range().start..last.new_range().end;
        out.text.push_str(&format!(
            "@@ -{} +{} @@\n",
            range(old_range.start, old_range.len()),
            range(new_range.start, new_range.len())
        ));
        for op in &hunk {
            let (old_part, new_part) = match *op {
                DiffOp::Equal { old_index, len, .. } => {
                    for line in &old_lines[old_index..old_index + len] {
                        push_line(&mut out.text, ' ', line);
                    }
                    continue;
                }
                DiffOp::Delete {
                    old_index, old_len, ..
                } => (old_index..old_index + old_len, 0..0),
                DiffOp::Insert {
                    new_index, new_len, ..
                } => (0..0, new_index..new_index + new_len),
                DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } => (
                    old_index..old_index + old_len,
                    new_index..new_index + new_len,
                ),
            };
            out.removed += old_part.len();
            out.added += new_part.len();
            for line in &old_lines[old_part] {
                push_line(&mut out.text, '-', line);
            }
            for line in &new_lines[new_part] {
                push_line(&mut out.text, '+', line);
            }
        }
    }
    out
}

/// `start,len` with a 1-based start, as `diff` writes it: a single line is just its
/// number, an empty range names the line before it.
fn range(start: usize, len: usize) -> String {
    match len {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        _ => format!("{},{len}", start + 1),
    }
}

fn push_line(out: &mut String, prefix: char, line: &str) {
    out.push(prefix);
    out.push_str(line);
    if !line.ends_with('\n') {
        out.push_str("\n\\ No newline at end of file\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified("a\nb\n", "a\nb\n", 3), Unified::default());
    }

    #[test]
    fn additions_and_removals_of_whole_texts() {
        let added = unified("", "a\nb\n", 3);
        assert_eq!(added.text, "@@ -0,0 +1,2 @@\n+a\n+b\n");
        assert_eq!((added.added, added.removed), (2, 0));
        let removed = unified("a\n", "", 3);
        assert_eq!(removed.text, "@@ -1 +0,0 @@\n-a\n");
        assert_eq!((removed.added, removed.removed), (0, 1));
    }
}
