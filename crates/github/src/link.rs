//! The `Link` response header (RFC 8288) as GitHub sends it for pagination.

/// The target of the link with `rel="next"` (GitHub may list several relations in one
/// `rel`, e.g. `rel="next last"` is legal, so each is compared).
pub(crate) fn next_link(header: &str) -> Option<String> {
    let mut rest = header;
    loop {
        let start = rest.find('<')?;
        let end = start + rest[start..].find('>')?;
        let target = &rest[start + 1..end];
        rest = &rest[end + 1..];
        // The parameters run up to the comma before the next link's `<`.
        let comma = find_next_link(rest);
        let params = &rest[..comma.unwrap_or(rest.len())];
        if params.split(';').any(is_rel_next) {
            return Some(target.trim().to_string());
        }
        rest = &rest[comma? + 1..];
    }
}

fn find_next_link(s: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = s[from..].find(',') {
        let at = from + i;
        if s[at + 1..].trim_start().starts_with('<') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn is_rel_next(param: &str) -> bool {
    let Some((key, value)) = param.split_once('=') else {
        return false;
    };
    if !key.trim().eq_ignore_ascii_case("rel") {
        return false;
    }
    value
        .trim()
        .trim_matches('"')
        .split_ascii_whitespace()
        .any(|r| r.eq_ignore_ascii_case("next"))
}

#[cfg(test)]
mod tests {
    use super::next_link;

    #[test]
    fn finds_next_among_githubs_relations() {
        let h = "<https://api.github.com/repositories/1300192/issues/1/comments?per_page=100&page=2>; rel=\"next\", \
                 <https://api.github.com/repositories/1300192/issues/1/comments?per_page=100&page=4>; rel=\"last\"";
        assert_eq!(
            next_link(h).as_deref(),
            Some(
                "https://api.github.com/repositories/1300192/issues/1/comments?per_page=100&page=2"
            )
        );
    }

    #[test]
    fn next_may_come_after_prev_and_first() {
        let h = "<https://h/x?page=1>; rel=\"prev\", <https://h/x?page=3>; rel=\"next\", \
                 <https://h/x?page=5>; rel=\"last\", <https://h/x?page=1>; rel=\"first\"";
        assert_eq!(next_link(h).as_deref(), Some("https://h/x?page=3"));
    }

    #[test]
    fn last_page_has_no_next() {
        let h = "<https://h/x?page=1>; rel=\"prev\", <https://h/x?page=1>; rel=\"first\"";
        assert_eq!(next_link(h), None);
        assert_eq!(next_link(""), None);
        assert_eq!(next_link("garbage"), None);
    }

    #[test]
    fn tolerates_spacing_case_commas_and_several_relations() {
        assert_eq!(
            next_link("<https://h/x?a=1,2&page=2> ; REL = \"prev next\"").as_deref(),
            Some("https://h/x?a=1,2&page=2")
        );
        assert_eq!(
            next_link("<https://h/x?page=2>;rel=next").as_deref(),
            Some("https://h/x?page=2")
        );
    }
}
