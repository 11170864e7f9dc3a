//! A rendered manifest stream (what `helm template` prints) as Kubernetes objects.
//!
//! Documents are separated by `---` lines; the `# Source: chart/templates/x.yaml` comment
//! Helm writes at the top of each document is kept as the object's source. Each document
//! is read the way Kubernetes reads it (`sigs.k8s.io/yaml`: YAML 1.1 typing, every number
//! a float64) with [`helmpilot_yaml::unmarshal`]. Objects are keyed by
//! [`ObjectKey`]: API group, kind, namespace (the release namespace when a namespaced
//! object names none; `""` for cluster-scoped kinds) and name.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use crate::model::ObjectKey;

/// One Kubernetes object of a render.
#[derive(Clone, Debug, PartialEq)]
pub struct Object {
    /// Group, kind, namespace (defaulted) and name.
    pub key: ObjectKey,
    /// `apiVersion` as written (`apps/v1`).
    pub api_version: String,
    /// The `# Source:` template path of the document, `""` when it has none.
    pub source: String,
    /// The object as Kubernetes reads it.
    pub value: Value,
}

/// The objects of a render, in stream order, and what was odd about it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Parsed {
    /// One per key, in the order of the stream (a duplicate takes the first one's place).
    pub objects: Vec<Object>,
    /// Things a reviewer should know but that do not stop the diff (duplicate objects).
    pub warnings: Vec<String>,
}

/// A document that is not a Kubernetes object, or not YAML at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The document is not valid YAML (the text is go-yaml's).
    #[error("{location}: {message}")]
    Yaml {
        /// `chart/templates/x.yaml (document 3)`, or `document 3` without a source.
        location: String,
        message: String,
    },
    /// The document is YAML but not an object (a scalar, a list, no `kind`, no name...).
    #[error("{location}: {message}")]
    NotAnObject {
        /// As for [`ParseError::Yaml`], plus `, item N` inside a List.
        location: String,
        message: String,
    },
}

/// Kinds Kubernetes serves cluster-scoped, by (API group, kind). Everything else is
/// namespaced unless a CustomResourceDefinition in the same render says otherwise. A few
/// widely installed add-ons whose CRDs are usually not part of the chart's render are
/// listed too, so their objects are not given the release namespace.
const CLUSTER_SCOPED: &[(&str, &str)] = &[
    ("", "ComponentStatus"),
    ("", "Namespace"),
    ("", "Node"),
    ("", "PersistentVolume"),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
    (
        "admissionregistration.k8s.io",
        "MutatingAdmissionPolicyBinding",
    ),
    (
        "admissionregistration.k8s.io",
        "MutatingWebhookConfiguration",
    ),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    (
        "admissionregistration.k8s.io",
        "ValidatingAdmissionPolicyBinding",
    ),
    (
        "admissionregistration.k8s.io",
        "ValidatingWebhookConfiguration",
    ),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("apiregistration.k8s.io", "APIService"),
    ("authentication.k8s.io", "SelfSubjectReview"),
    ("authentication.k8s.io", "TokenReview"),
    ("authorization.k8s.io", "SelfSubjectAccessReview"),
    ("authorization.k8s.io", "SelfSubjectRulesReview"),
    ("authorization.k8s.io", "SubjectAccessReview"),
    ("certificates.k8s.io", "CertificateSigningRequest"),
    ("certificates.k8s.io", "ClusterTrustBundle"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
    ("networking.k8s.io", "IPAddress"),
    ("networking.k8s.io", "IngressClass"),
    ("networking.k8s.io", "ServiceCIDR"),
    ("node.k8s.io", "RuntimeClass"),
    ("policy", "PodSecurityPolicy"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("resource.k8s.io", "DeviceClass"),
    ("resource.k8s.io", "ResourceSlice"),
    ("scheduling.k8s.io", "PriorityClass"),
    ("storage.k8s.io", "CSIDriver"),
    ("storage.k8s.io", "CSINode"),
    ("storage.k8s.io", "StorageClass"),
    ("storage.k8s.io", "VolumeAttachment"),
    ("storage.k8s.io", "VolumeAttributesClass"),
    // Add-ons (their CRDs declare `scope: Cluster`).
    ("cert-manager.io", "ClusterIssuer"),
    ("external-secrets.io", "ClusterExternalSecret"),
    ("external-secrets.io", "ClusterSecretStore"),
    ("karpenter.sh", "NodePool"),
    ("kyverno.io", "ClusterPolicy"),
];

/// Whether Kubernetes serves `kind` of `group` cluster-scoped (built-in list only).
///
/// ```
/// use helmpilot_diff::objects::is_cluster_scoped;
/// assert!(is_cluster_scoped("rbac.authorization.k8s.io", "ClusterRole"));
/// assert!(!is_cluster_scoped("apps", "Deployment"));
/// ```
pub fn is_cluster_scoped(group: &str, kind: &str) -> bool {
    CLUSTER_SCOPED.iter().any(|&(g, k)| g == group && k == kind)
}

/// The API group of an `apiVersion`: `apps/v1` -> `apps`, `v1` -> `""`.
pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(group, _)| group)
}

/// One document of the stream before it is keyed.
struct Raw {
    location: String,
    source: String,
    value: Value,
}

/// Reads a rendered manifest stream into objects.
///
/// Empty documents are skipped; `kind: List` (and other `*List` kinds with `items`) are
/// expanded into their items. When the same key appears twice, the last one wins and a
/// warning says so.
///
/// ```
/// use helmpilot_diff::objects::parse_manifests;
/// let text = "---\n# Source: web/templates/deploy.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n";
/// let parsed = parse_manifests(text, "prod").unwrap();
/// let object = &parsed.objects[0];
/// assert_eq!((object.key.group.as_str(), object.key.namespace.as_str()), ("apps", "prod"));
/// assert_eq!(object.source, "web/templates/deploy.yaml");
/// ```
pub fn parse_manifests(text: &str, release_namespace: &str) -> Result<Parsed, ParseError> {
    let mut raws = Vec::new();
    for (index, doc) in split_documents(text).into_iter().enumerate() {
        let source = source_of(doc);
        let location = location(&source, index + 1);
        if is_blank(doc) {
            continue;
        }
        let value = helmpilot_yaml::unmarshal(doc).map_err(|e| ParseError::Yaml {
            location: location.clone(),
            message: e.to_string(),
        })?;
        match value {
            Value::Null => continue,
            Value::Object(_) => {}
            other => {
                return Err(ParseError::NotAnObject {
                    location,
                    message: format!(
                        "expected a Kubernetes object (a mapping), found {}",
                        helmpilot_yaml::json::kind_name(&other)
                    ),
                })
            }
        }
        expand(
            Raw {
                location,
                source,
                value,
            },
            &mut raws,
        )?;
    }

    let crd_scopes = custom_scopes(&raws);
    let mut parsed = Parsed::default();
    let mut seen: HashMap<ObjectKey, (usize, String)> = HashMap::new();
    for raw in raws {
        let (key, api_version) = key_of(&raw, release_namespace, &crd_scopes)?;
        let object = Object {
            key: key.clone(),
            api_version,
            source: raw.source,
            value: raw.value,
        };
        match seen.get_mut(&key) {
            Some((index, first)) => {
                parsed.warnings.push(format!(
                    "{} {} is defined twice ({} and {}); the last one is used",
                    key.kind,
                    display_name(&key),
                    first,
                    raw.location
                ));
                *first = raw.location;
                parsed.objects[*index] = object;
            }
            None => {
                seen.insert(key, (parsed.objects.len(), raw.location));
                parsed.objects.push(object);
            }
        }
    }
    Ok(parsed)
}

/// `namespace/name`, or `name` for cluster-scoped objects.
pub(crate) fn display_name(key: &ObjectKey) -> String {
    if key.namespace.is_empty() {
        key.name.clone()
    } else {
        format!("{}/{}", key.namespace, key.name)
    }
}

/// Splits at `---` lines. A `---` at column 0 always starts a document in YAML (block
/// scalars are indented), so splitting by lines agrees with the YAML parser.
fn split_documents(text: &str) -> Vec<&str> {
    let mut docs = Vec::new();
    let mut start = 0;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let is_marker = content == "---"
            || content
                .strip_prefix("---")
                .is_some_and(|rest| rest.starts_with([' ', '\t']));
        if is_marker {
            docs.push(&text[start..pos]);
            // Content after the marker on the same line belongs to the new document.
            start = pos + 3;
        }
        pos += line.len();
    }
    docs.push(&text[start..]);
    // The text before the first marker is a document only if it has content.
    if docs.first().is_some_and(|first| is_blank(first)) {
        docs.remove(0);
    }
    docs
}

/// Whether a document holds nothing but blank lines and comments.
fn is_blank(doc: &str) -> bool {
    doc.lines().all(|line| {
        let t = line.trim();
        t.is_empty() || t.starts_with('#')
    })
}

/// The path of the first `# Source:` comment among the document's leading comments.
fn source_of(doc: &str) -> String {
    for line in doc.lines() {
        let t = line.trim();
        if let Some(path) = t.strip_prefix("# Source:") {
            return path.trim().to_string();
        }
        if !(t.is_empty() || t.starts_with('#')) {
            break;
        }
    }
    String::new()
}

fn location(source: &str, number: usize) -> String {
    if source.is_empty() {
        format!("document {number}")
    } else {
        format!("{source} (document {number})")
    }
}

/// Pushes the object, or the items of a list kind.
fn expand(raw: Raw, out: &mut Vec<Raw>) -> Result<(), ParseError> {
    let kind = raw.value.get("kind").and_then(Value::as_str).unwrap_or("");
    let is_list = kind.ends_with("List") && raw.value.get("items").is_some_and(Value::is_array);
    if !is_list {
        out.push(raw);
        return Ok(());
    }
    let Raw {
        location,
        source,
        value,
    } = raw;
    let items = match value {
        Value::Object(mut map) => match map.remove("items") {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    for (i, item) in items.into_iter().enumerate() {
        let location = format!("{location}, item {}", i + 1);
        if !item.is_object() {
            return Err(ParseError::NotAnObject {
                location,
                message: format!(
                    "expected a Kubernetes object (a mapping), found {}",
                    helmpilot_yaml::json::kind_name(&item)
                ),
            });
        }
        expand(
            Raw {
                location,
                source: source.clone(),
                value: item,
            },
            out,
        )?;
    }
    Ok(())
}

/// (group, kind) of the custom resources that CRDs in the render declare cluster-scoped.
fn custom_scopes(raws: &[Raw]) -> BTreeSet<(String, String)> {
    let mut cluster = BTreeSet::new();
    for raw in raws {
        let v = &raw.value;
        let api_version = v.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        if v.get("kind").and_then(Value::as_str) != Some("CustomResourceDefinition")
            || group_of(api_version) != "apiextensions.k8s.io"
        {
            continue;
        }
        let spec = v.get("spec");
        let scope = spec.and_then(|s| s.get("scope")).and_then(Value::as_str);
        let group = spec.and_then(|s| s.get("group")).and_then(Value::as_str);
        let kind = spec
            .and_then(|s| s.get("names"))
            .and_then(|n| n.get("kind"))
            .and_then(Value::as_str);
        if let (Some("Cluster"), Some(group), Some(kind)) = (scope, group, kind) {
            cluster.insert((group.to_string(), kind.to_string()));
        }
    }
    cluster
}

fn key_of(
    raw: &Raw,
    release_namespace: &str,
    crd_scopes: &BTreeSet<(String, String)>,
) -> Result<(ObjectKey, String), ParseError> {
    let not_object = |message: &str| ParseError::NotAnObject {
        location: raw.location.clone(),
        message: message.to_string(),
    };
    let v = &raw.value;
    let api_version = match v.get("apiVersion") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => return Err(not_object("object has no apiVersion")),
    };
    let kind = match v.get("kind") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => return Err(not_object("object has no kind")),
    };
    let metadata = v.get("metadata");
    let text = |field: &str| {
        metadata
            .and_then(|m| m.get(field))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let name = match (text("name"), text("generateName")) {
        (Some(name), _) => name.to_string(),
        // Kubernetes appends a random suffix; `*` stands for it.
        (None, Some(prefix)) => format!("{prefix}*"),
        (None, None) => {
            return Err(not_object(&format!(
                "{kind} has no metadata.name (nor metadata.generateName)"
            )))
        }
    };
    let group = group_of(&api_version).to_string();
    let cluster_scoped =
        is_cluster_scoped(&group, &kind) || crd_scopes.contains(&(group.clone(), kind.clone()));
    let namespace = if cluster_scoped {
        String::new()
    } else {
        text("namespace").unwrap_or(release_namespace).to_string()
    };
    Ok((
        ObjectKey {
            group,
            kind,
            namespace,
            name,
        },
        api_version,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_documents_and_keeps_sources() {
        let text = "---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n# Source: c/templates/empty.yaml\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n";
        let parsed = parse_manifests(text, "ns").unwrap();
        assert_eq!(parsed.objects.len(), 2);
        assert_eq!(parsed.objects[0].source, "c/templates/a.yaml");
        assert_eq!(parsed.objects[1].source, "");
        assert_eq!(parsed.objects[1].key.name, "b");
        assert!(parsed.warnings.is_empty());
    }

    #[test]
    fn a_block_scalar_with_dashes_inside_stays_one_document() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: |\n    ---\n    y\n";
        let parsed = parse_manifests(text, "ns").unwrap();
        assert_eq!(parsed.objects.len(), 1);
        assert_eq!(parsed.objects[0].value["data"]["x"], "---\ny\n");
    }

    #[test]
    fn namespaces_default_and_cluster_scope() {
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: t\n  namespace: other\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\n  namespace: ignored\n";
        let parsed = parse_manifests(text, "rel").unwrap();
        let ns: Vec<&str> = parsed
            .objects
            .iter()
            .map(|o| o.key.namespace.as_str())
            .collect();
        assert_eq!(ns, ["rel", "other", ""]);
        assert_eq!(parsed.objects[2].key.group, "rbac.authorization.k8s.io");
        assert_eq!(parsed.objects[0].key.group, "");
    }

    #[test]
    fn crd_in_the_render_declares_cluster_scope() {
        let text = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  scope: Cluster\n  names:\n    kind: Widget\n---\napiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g\n";
        let parsed = parse_manifests(text, "rel").unwrap();
        assert_eq!(parsed.objects[0].key.namespace, "");
        assert_eq!(parsed.objects[1].key.namespace, "");
        assert_eq!(parsed.objects[2].key.namespace, "rel");
    }

    #[test]
    fn generate_name_gets_a_star() {
        let text = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: migrate-\n";
        let parsed = parse_manifests(text, "rel").unwrap();
        assert_eq!(parsed.objects[0].key.name, "migrate-*");
    }

    #[test]
    fn lists_are_expanded() {
        let text = "# Source: c/templates/list.yaml\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: b\n";
        let parsed = parse_manifests(text, "rel").unwrap();
        let kinds: Vec<(&str, &str)> = parsed
            .objects
            .iter()
            .map(|o| (o.key.kind.as_str(), o.source.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("ConfigMap", "c/templates/list.yaml"),
                ("Secret", "c/templates/list.yaml")
            ]
        );
    }

    #[test]
    fn duplicates_keep_the_last_with_a_warning() {
        let text = "# Source: c/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  v: one\n---\n# Source: c/templates/b.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  v: two\n";
        let parsed = parse_manifests(text, "rel").unwrap();
        assert_eq!(parsed.objects.len(), 1);
        assert_eq!(parsed.objects[0].value["data"]["v"], "two");
        assert_eq!(parsed.objects[0].source, "c/templates/b.yaml");
        assert_eq!(
            parsed.warnings,
            ["ConfigMap rel/a is defined twice (c/templates/a.yaml (document 1) and c/templates/b.yaml (document 2)); the last one is used"]
        );
    }

    #[test]
    fn non_objects_are_errors_naming_the_document() {
        let err = parse_manifests(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n# Source: c/templates/x.yaml\njust text\n",
            "rel",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "c/templates/x.yaml (document 2): expected a Kubernetes object (a mapping), found string"
        );
        let err = parse_manifests("metadata:\n  name: a\n", "rel").unwrap_err();
        assert_eq!(err.to_string(), "document 1: object has no apiVersion");
        let err = parse_manifests("apiVersion: v1\nkind: ConfigMap\n", "rel").unwrap_err();
        assert_eq!(
            err.to_string(),
            "document 1: ConfigMap has no metadata.name (nor metadata.generateName)"
        );
        let err = parse_manifests("# Source: c/t.yaml\na: b: c\n", "rel").unwrap_err();
        assert_eq!(
            err.to_string(),
            "c/t.yaml (document 1): error converting YAML to JSON: yaml: line 2: mapping values are not allowed in this context"
        );
    }

    #[test]
    fn numbers_are_read_as_kubernetes_reads_them() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  replicas: 3\n  paused: yes\n";
        let parsed = parse_manifests(text, "rel").unwrap();
        assert_eq!(parsed.objects[0].value["spec"]["replicas"], 3.0);
        assert_eq!(parsed.objects[0].value["spec"]["paused"], true);
    }
}
