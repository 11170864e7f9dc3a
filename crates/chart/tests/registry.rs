//! Our function registry holds exactly the names Helm v4.2.3 gives templates: no more, no
//! fewer. The list is generated from real Helm by scripts/oracle/function_names.py (CI
//! checks it for drift).

use std::collections::BTreeSet;

use helmpilot_chart::funcs::helm_functions;

#[test]
fn registry_holds_exactly_helms_function_names() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/functions/helm-function-names.txt"
    );
    let text = std::fs::read_to_string(path).expect("function name list");
    let helm: BTreeSet<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert!(
        helm.len() > 200,
        "the name list looks truncated: {}",
        helm.len()
    );
    let funcs = helm_functions();
    let ours: BTreeSet<&str> = funcs.names().collect();
    let missing: Vec<_> = helm.difference(&ours).collect();
    let extra: Vec<_> = ours.difference(&helm).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{} of Helm's {} functions missing: {missing:?}\nnot in Helm: {extra:?}",
        missing.len(),
        helm.len()
    );
}
