//! The conformance suite: every case under fixtures/template-conformance was rendered by
//! real Helm (v4.2.3 through helm-python-sdk 0.2.2, see scripts/oracle); we render it the
//! way Helm's engine does (see `support`) and compare output or error text byte for byte.
//! This suite runs the language alone; crates/chart runs the same cases with Helm's
//! function library registered.

// Shared by several test and example binaries; each uses a part of it.
#[allow(dead_code)]
mod support;

use helmpilot_template::Functions;

#[test]
fn matches_helm_goldens() {
    let corpus = support::fixtures().join("template-conformance");
    let known = support::known_divergences(&corpus.join("known-divergences.txt"));
    let total = support::check_goldens(&corpus.join("goldens"), &Functions::new(), &known);
    assert!(
        total >= 400,
        "expected at least 400 golden cases, found {total}"
    );
}
