//! `compare::unified` against GNU diff's `diff -U<n>` (recorded in
//! fixtures/unified.json by fixtures/gen_unified.py).

use helmpilot_diff::compare::unified;
use serde_json::Value;

/// Applies a unified diff to `old`, checking every context and removed line.
fn apply(old: &str, diff: &str) -> Result<String, String> {
    let old: Vec<&str> = old.split_inclusive('\n').collect();
    let mut out = String::new();
    let mut next = 0usize;
    for line in diff.split_inclusive('\n') {
        if let Some(header) = line.strip_prefix("@@ -") {
            let range = header.split(' ').next().ok_or("bad header")?;
            let (start, len) = match range.split_once(',') {
                Some((s, l)) => (s.parse::<usize>(), l.parse::<usize>()),
                None => (range.parse::<usize>(), Ok(1)),
            };
            let (start, len) = (
                start.map_err(|e| e.to_string())?,
                len.map_err(|e| e.to_string())?,
            );
            let first = if len == 0 { start } else { start - 1 };
            out.extend(old[next..first].iter().copied());
            next = first;
            continue;
        }
        let (tag, text) = line.split_at(1);
        match tag {
            " " | "-" => {
                if old.get(next) != Some(&text) {
                    return Err(format!(
                        "line {} is {:?}, diff says {:?}",
                        next + 1,
                        old.get(next),
                        text
                    ));
                }
                next += 1;
                if tag == " " {
                    out.push_str(text);
                }
            }
            "+" => out.push_str(text),
            _ => return Err(format!("unexpected diff line {line:?}")),
        }
    }
    out.extend(old[next..].iter().copied());
    Ok(out)
}

#[test]
fn unified_diffs_match_gnu_diff() {
    let fixture: Value =
        serde_json::from_str(include_str!("fixtures/unified.json")).expect("fixture is JSON");
    let cases = fixture["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 200);
    let mut differing = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let (old, new) = (case["old"].as_str().unwrap(), case["new"].as_str().unwrap());
        let context = case["context"].as_u64().unwrap() as usize;
        let expected = case["diff"].as_str().unwrap();
        let ours = unified(old, new, context);
        // Line counts: both are minimal edit scripts, so they agree even where the two
        // implementations place an ambiguous change differently.
        let count = |tag: char| expected.lines().filter(|l| l.starts_with(tag)).count();
        assert_eq!(
            (ours.added, ours.removed),
            (count('+'), count('-')),
            "case {i}"
        );
        assert_eq!(
            apply(old, &ours.text).as_deref(),
            Ok(new),
            "case {i}: our diff does not apply"
        );
        if ours.text != expected {
            eprintln!(
                "case {i} differs from GNU diff:\n--- ours\n{}--- gnu\n{expected}",
                ours.text
            );
            differing.push(i);
        }
    }
    // Case 99 (context 0) inserts a line equal to its neighbour: GNU diff places it
    // one line earlier; both are minimal and apply.
    assert_eq!(differing, [99]);
}
