//! The template conformance corpus again, now with Helm's function library registered as
//! Helm registers it (so, for example, `slice` is Sprig's, as in Helm). Goldens come from
//! real Helm v4.2.3 (scripts/oracle).

#[path = "../../template/tests/support/mod.rs"]
// Shared by several test and example binaries; each uses a part of it.
#[allow(dead_code)]
mod support;

use helmpilot_chart::funcs::helm_functions;

#[test]
fn template_corpus_matches_helm_with_its_functions() {
    let corpus = support::fixtures().join("template-conformance");
    let known = support::known_divergences(&corpus.join("known-divergences-with-functions.txt"));
    let total = support::check_goldens(&corpus.join("goldens"), &helm_functions(), &known);
    // HELMPILOT_GOLDENS narrows a run to some function families.
    assert!(
        total >= 400 || std::env::var_os("HELMPILOT_GOLDENS").is_some(),
        "expected at least 400 golden cases, found {total}"
    );
}

#[test]
fn function_corpus_matches_helm() {
    let corpus = support::fixtures().join("function-conformance");
    let known = support::known_divergences(&corpus.join("known-divergences.txt"));
    support::check_goldens(&corpus.join("goldens"), &helm_functions(), &known);
}
