//! The head of a manifest (`apiVersion`, `kind`, `metadata.name`,
//! `metadata.annotations`), read the way Helm reads it: `sigs.k8s.io/yaml.Unmarshal`
//! into releaseutil's `SimpleHead`.
//!
//! That is three steps, each with its own errors, and we follow them in order:
//!
//! 1. go-yaml v2 decodes the document; keys are turned into strings. Where the Go
//!    struct has a string field (or a `map[string]string` element), a number or boolean
//!    scalar becomes its string form (`helm.sh/hook-weight: 5` is `"5"`, `1.5` is
//!    formatted as a float32), which is why unquoted weights work.
//! 2. The result is marshalled to JSON: a NaN or infinity left anywhere else fails.
//! 3. Go's `encoding/json` decodes that JSON into the struct: object keys in sorted
//!    order, field names matched case-insensitively, the last match winning, `null`
//!    leaving a string untouched, the first type mismatch reported.

use std::collections::BTreeMap;

use helmpilot_yaml::{format_float_g, Yaml};

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

/// Go's type name for the anonymous `Metadata` struct, as `encoding/json` prints it.
const METADATA_TYPE: &str = r#"struct { Name string "json:\"name\""; Annotations map[string]string "json:\"annotations\"" }"#;

/// Which Go type a YAML node is going into, which decides both the scalar-to-string
/// coercion and the JSON decoding.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    /// `SimpleHead` itself.
    Head,
    /// The `*struct{Name; Annotations}` behind `metadata`.
    Metadata,
    /// `map[string]string`.
    Annotations,
    /// A `string` field or map element.
    Str,
    /// Not part of the struct: decoded nowhere, only marshalled.
    Ignored,
}

/// The field of a struct target a (stringified) key goes to, as Go's JSON packages
/// match names: exactly or case-insensitively.
fn field_of(target: Target, key: &str) -> Option<(&'static str, Target)> {
    let fields: &[(&'static str, Target)] = match target {
        Target::Head => &[
            ("apiVersion", Target::Str),
            ("kind", Target::Str),
            ("metadata", Target::Metadata),
        ],
        Target::Metadata => &[("name", Target::Str), ("annotations", Target::Annotations)],
        _ => return None,
    };
    fields.iter().find(|(name, _)| fold_eq(key, name)).copied()
}

/// Case-insensitive equality of a key with an ASCII field name, as Go's JSON folding
/// sees it: simple case folding, under which the Kelvin sign folds to `k` and the long
/// s (`ſ`) to `s`.
pub(crate) fn fold_eq(key: &str, name: &str) -> bool {
    let mut key_chars = key.chars();
    for n in name.chars() {
        let n = n.to_ascii_lowercase();
        let matched = match key_chars.next() {
            Some('\u{212A}') => n == 'k',
            Some('\u{17F}') => n == 's',
            Some(c) => c.to_ascii_lowercase() == n,
            None => false,
        };
        if !matched {
            return false;
        }
    }
    key_chars.next().is_none()
}

/// The string `sigs.k8s.io/yaml` makes of a key (floats formatted as float32), or
/// `None` for a key it refuses.
fn key_string(key: &Yaml) -> Option<String> {
    Some(match key {
        Yaml::Str(s) | Yaml::Time(s) => s.clone(),
        Yaml::Int(n) => n.to_string(),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Float(f) => match format_float_g(*f, true).as_str() {
            "+Inf" => ".inf".to_string(),
            "-Inf" => "-.inf".to_string(),
            "NaN" => ".nan".to_string(),
            s => s.to_string(),
        },
        _ => return None,
    })
}

/// A scalar going into a string: its string form, as `sigs.k8s.io/yaml` coerces it.
fn coerced(value: &Yaml) -> Option<String> {
    Some(match value {
        Yaml::Int(n) => n.to_string(),
        Yaml::Uint(n) => n.to_string(),
        Yaml::Float(f) => format_float_g(*f, true),
        Yaml::Bool(b) => b.to_string(),
        _ => return None,
    })
}

/// A mapping's entries with string keys, sorted as `json.Marshal` writes them; of keys
/// that stringify alike the later one stays (as when Go fills its map).
fn sorted_entries(map: &helmpilot_yaml::YamlMap) -> Vec<(String, &Yaml)> {
    let mut by_key: BTreeMap<String, &Yaml> = BTreeMap::new();
    for (k, v) in map.iter() {
        by_key.insert(key_string(k).unwrap_or_default(), v);
    }
    by_key.into_iter().collect()
}

fn has_bad_key(yaml: &Yaml) -> bool {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || match yaml {
        Yaml::Map(map) => map
            .iter()
            .any(|(k, v)| key_string(k).is_none() || has_bad_key(v)),
        Yaml::Seq(items) => items.iter().any(has_bad_key),
        _ => false,
    })
}

/// Step 2: the first NaN or infinity `json.Marshal` meets, skipping scalars that step 1
/// turned into strings.
fn first_unsupported_float(yaml: &Yaml, target: Target) -> Option<f64> {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || match yaml {
        Yaml::Float(f) if !f.is_finite() && target != Target::Str => Some(*f),
        Yaml::Map(map) => sorted_entries(map).into_iter().find_map(|(k, v)| {
            let inner = match target {
                Target::Head | Target::Metadata => {
                    field_of(target, &k).map_or(Target::Ignored, |(_, t)| t)
                }
                Target::Annotations => Target::Str,
                Target::Str | Target::Ignored => Target::Ignored,
            };
            first_unsupported_float(v, inner)
        }),
        Yaml::Seq(items) => items
            .iter()
            .find_map(|item| first_unsupported_float(item, Target::Ignored)),
        _ => None,
    })
}

/// JSON's name for a value's kind, as `encoding/json` reports it in type errors.
fn json_kind(value: &Yaml) -> &'static str {
    match value {
        Yaml::Null => "null",
        Yaml::Bool(_) => "bool",
        Yaml::Int(_) | Yaml::Uint(_) | Yaml::Float(_) => "number",
        Yaml::Str(_) | Yaml::Time(_) => "string",
        Yaml::Seq(_) => "array",
        Yaml::Map(_) | Yaml::Struct(_) => "object",
    }
}

/// Step 3: `encoding/json` decoding, which keeps going after a type mismatch and
/// reports the first one.
struct Decoder {
    first_error: Option<String>,
}

impl Decoder {
    fn mismatch(&mut self, value: &Yaml, context: &str, go_type: &str) {
        if self.first_error.is_none() {
            self.first_error = Some(format!(
                "json: cannot unmarshal {} into {context} of type {go_type}",
                json_kind(value)
            ));
        }
    }

    fn string_into(&mut self, slot: &mut String, value: &Yaml, context: &str) {
        match value {
            Yaml::Null => {}
            Yaml::Str(s) | Yaml::Time(s) => *slot = s.clone(),
            Yaml::Seq(_) | Yaml::Map(_) | Yaml::Struct(_) => {
                self.mismatch(value, context, "string")
            }
            scalar => *slot = coerced(scalar).unwrap_or_default(),
        }
    }

    fn head(&mut self, value: &Yaml) -> SimpleHead {
        let mut head = SimpleHead::default();
        match value {
            Yaml::Null => {}
            Yaml::Map(map) => {
                for (key, v) in sorted_entries(map) {
                    match field_of(Target::Head, &key) {
                        Some(("apiVersion", _)) => self.string_into(
                            &mut head.api_version,
                            v,
                            "Go struct field SimpleHead.apiVersion",
                        ),
                        Some(("kind", _)) => {
                            self.string_into(&mut head.kind, v, "Go struct field SimpleHead.kind")
                        }
                        Some(_) => self.metadata(&mut head.metadata, v),
                        None => {}
                    }
                }
            }
            other => self.mismatch(other, "Go value", "util.SimpleHead"),
        }
        head
    }

    fn metadata(&mut self, slot: &mut Option<HeadMetadata>, value: &Yaml) {
        match value {
            Yaml::Null => *slot = None,
            Yaml::Map(map) => {
                // A second `metadata` key (say `Metadata`) decodes into the same struct.
                let meta = slot.get_or_insert_with(HeadMetadata::default);
                for (key, v) in sorted_entries(map) {
                    match field_of(Target::Metadata, &key) {
                        Some(("name", _)) => {
                            self.string_into(&mut meta.name, v, "Go struct field .metadata.name")
                        }
                        Some(_) => self.annotations(&mut meta.annotations, v),
                        None => {}
                    }
                }
            }
            other => self.mismatch(other, "Go struct field SimpleHead.metadata", METADATA_TYPE),
        }
    }

    fn annotations(&mut self, slot: &mut Option<BTreeMap<String, String>>, value: &Yaml) {
        const CONTEXT: &str = "Go struct field .metadata.annotations";
        match value {
            Yaml::Null => *slot = None,
            Yaml::Map(map) => {
                let annotations = slot.get_or_insert_with(BTreeMap::new);
                for (key, v) in sorted_entries(map) {
                    let mut text = String::new();
                    self.string_into(&mut text, v, CONTEXT);
                    if !matches!(v, Yaml::Seq(_) | Yaml::Map(_) | Yaml::Struct(_)) {
                        annotations.insert(key, text);
                    }
                }
            }
            other => self.mismatch(other, CONTEXT, "map[string]string"),
        }
    }
}

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
    let yaml =
        helmpilot_yaml::decode(text).map_err(|e| format!("error converting YAML to JSON: {e}"))?;
    if has_bad_key(&yaml) {
        // Rare: let the YAML crate, which knows how Go prints the offending key, say it.
        return Err(match helmpilot_yaml::unmarshal(text) {
            Err(e) => e.to_string(),
            Ok(_) => "error converting YAML to JSON: unsupported map key".to_string(),
        });
    }
    if let Some(f) = first_unsupported_float(&yaml, Target::Head) {
        return Err(format!(
            "error converting YAML to JSON: json: unsupported value: {}",
            format_float_g(f, false)
        ));
    }
    let mut decoder = Decoder { first_error: None };
    let head = decoder.head(&yaml);
    match decoder.first_error {
        Some(e) => Err(format!("error unmarshaling JSON: while decoding JSON: {e}")),
        None => Ok(head),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_matches_go() {
        assert!(fold_eq("KIND", "kind"));
        assert!(fold_eq("\u{212A}ind", "kind"));
        assert!(fold_eq("apiversion", "apiVersion"));
        assert!(!fold_eq("kinds", "kind"));
        assert!(!fold_eq("kin", "kind"));
    }

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
