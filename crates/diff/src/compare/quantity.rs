//! Kubernetes resource quantities (`500m`, `1Gi`, `2.5e3`), read just well enough to
//! compare two of them.

/// The value of a quantity in base units (`1Ki` is 1024, `500m` is 0.5), or `None` when
/// the text is not a quantity Kubernetes would accept.
pub fn parse(text: &str) -> Option<f64> {
    let text = text.trim();
    let split = text
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || ((c == '+' || c == '-') && i == 0)))
        .map_or(text.len(), |(i, _)| i);
    let (number, suffix) = text.split_at(split);
    if !number.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let number: f64 = number.parse().ok()?;
    let scale = match suffix {
        "" => 1.0,
        "Ki" => 1024f64,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        exp => {
            let digits = exp.strip_prefix(['e', 'E'])?;
            let digits = digits.strip_prefix('+').unwrap_or(digits);
            if digits.is_empty()
                || !digits
                    .trim_start_matches('-')
                    .bytes()
                    .all(|b| b.is_ascii_digit())
            {
                return None;
            }
            10f64.powi(digits.parse().ok()?)
        }
    };
    Some(number * scale)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn suffixes() {
        assert_eq!(parse("1Gi"), Some(1073741824.0));
        assert_eq!(parse("500Mi"), Some(524288000.0));
        assert_eq!(parse("1G"), Some(1e9));
        assert_eq!(parse("1.5k"), Some(1500.0));
        assert_eq!(parse("250m"), Some(0.25));
        assert_eq!(parse("12"), Some(12.0));
        assert_eq!(parse("2e3"), Some(2000.0));
        assert_eq!(parse("1E-3"), Some(0.001));
        assert_eq!(parse("Gi"), None);
        assert_eq!(parse("1Gb"), None);
        assert_eq!(parse(""), None);
    }

    #[test]
    fn shrinking_is_seen_across_units() {
        assert!(parse("1Gi") > parse("1000Mi"));
        assert!(parse("1G") < parse("1Gi"));
    }
}
