//! The head of a manifest (`apiVersion`, `kind`, `metadata.name`,
//! `metadata.annotations`), read the way Helm reads it: `sigs.k8s.io/yaml.Unmarshal`
//! into releaseutil's `SimpleHead` (the crate's `gostruct` module does that, with its
//! errors). Among its effects: a number or boolean bound for a string field or a
//! `map[string]string` element becomes its string form (`helm.sh/hook-weight: 5` is
//! `"5"`, `1.5` is formatted as a float32), which is why unquoted weights work; a NaN
//! or infinity anywhere else fails; keys match field names case-insensitively, in
//! sorted order, the last match winning.

use std::collections::BTreeMap;

use crate::gostruct::{self, Shape, Struct};

/// What Helm reads from a manifest to sort it (releaseutil's `SimpleHead`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SimpleHead {
    /// `apiVersion`, empty when absent.
    pub api_version: String,
    /// `kind`, empty when absent.
    pub kind: String,
    /// `metadata`, `None` when absent or null.
    pub metadata: Option<HeadMetadata>,
}

/// The part of `metadata` Helm reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeadMetadata {
    /// `metadata.name`, empty when absent.
    pub name: String,
    /// `metadata.annotations`, `None` when absent or null. Values that were numbers or
    /// booleans in the YAML are in their string form; a null value is `""`.
    pub annotations: Option<BTreeMap<String, String>>,
}

impl SimpleHead {
    /// The annotations, when there is at least one (Helm's `hasAnyAnnotation`).
    pub fn annotations(&self) -> Option<&BTreeMap<String, String>> {
        self.metadata
            .as_ref()
            .and_then(|m| m.annotations.as_ref())
            .filter(|a| !a.is_empty())
    }
}

/// `SimpleHead` as Go declares it: `metadata` points to an anonymous struct.
pub(crate) static SIMPLE_HEAD: Shape = Shape::Struct(&Struct {
    name: "SimpleHead",
    go_type: "util.SimpleHead",
    fields: &[
        ("apiVersion", Shape::String),
        ("kind", Shape::String),
        ("metadata", Shape::Pointer(&HEAD_METADATA)),
    ],
});

static HEAD_METADATA: Shape = Shape::Struct(&Struct {
    name: "",
    go_type: r#"struct { Name string "json:\"name\""; Annotations map[string]string "json:\"annotations\"" }"#,
    fields: &[
        ("name", Shape::String),
        ("annotations", Shape::Map(&Shape::String)),
    ],
});

/// Reads a manifest's head as Helm does, or gives the error text Helm wraps in
/// `YAML parse error on <file>: ...`.
///
/// ```
/// use helmpilot_chart::manifest::parse_head;
/// let head = parse_head("kind: Job\nmetadata:\n  annotations:\n    helm.sh/hook-weight: 5\n").unwrap();
/// assert_eq!(head.kind, "Job");
/// assert_eq!(head.annotations().unwrap()["helm.sh/hook-weight"], "5");
/// ```
pub fn parse_head(text: &str) -> Result<SimpleHead, String> {
    let mut head = SIMPLE_HEAD.zero();
    gostruct::unmarshal(text.as_bytes(), &SIMPLE_HEAD, &mut head).map_err(|e| e.to_string())?;
    let mut head = head.into_fields();
    Ok(SimpleHead {
        api_version: head.string("apiVersion"),
        kind: head.string("kind"),
        metadata: head.pointer("metadata").map(|mut meta| HeadMetadata {
            name: meta.string("name"),
            annotations: meta.string_map("annotations"),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_keeps_an_earlier_string_and_later_keys_win() {
        // Sorted: "KIND" < "kind", so `kind: null` comes last and changes nothing.
        let head = parse_head("kind: ~\nKIND: Pod\n").unwrap();
        assert_eq!(head.kind, "Pod");
        let head = parse_head("kind: Job\nKind: Pod\n").unwrap();
        assert_eq!(head.kind, "Job");
    }

    // Not observable in Helm's output (names and weights do not show), so these follow
    // sigs.k8s.io/yaml v1.6's convertToJSONableObject: ints in decimal, floats with
    // FormatFloat(f, 'g', -1, 32), null map elements as "".
    #[test]
    fn scalars_into_strings_are_coerced() {
        let head = parse_head("kind: 1.5\napiVersion: true\nmetadata:\n  name: 1e10\n  annotations:\n    a: ~\n    b: 0x10\n").unwrap();
        assert_eq!(head.kind, "1.5");
        assert_eq!(head.api_version, "true");
        let meta = head.metadata.unwrap();
        assert_eq!(meta.name, "1e+10");
        let annotations = meta.annotations.unwrap();
        assert_eq!(annotations["a"], "");
        assert_eq!(annotations["b"], "16");
    }
}
