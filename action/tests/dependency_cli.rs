//! `helmpilot dependency update|build` and the automatic fetch in `helmpilot template`,
//! against a chart repository made by real Helm (fixtures/repositories/stable: archives
//! from `helm package`, index from `helm repo index`; see scripts/oracle/deps_fixtures.py)
//! served from 127.0.0.1. What Helm itself writes for the same charts (Chart.lock, charts/)
//! is compared in scripts/oracle/deps_interop.py, which CI runs against the oracle.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::static_server::StaticServer;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("repository root")
        .to_path_buf()
}

fn repository_folder() -> PathBuf {
    repo_root().join("fixtures/repositories")
}

/// A scratch folder per test, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("helmpilot-deps-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
    fn path(&self, relative: &str) -> PathBuf {
        self.0.join(relative)
    }

    /// An umbrella chart depending on `repository_url`, plus the cache folder and
    /// repositories file the commands are given.
    fn umbrella(&self, repository_url: &str) -> (PathBuf, PathBuf, PathBuf) {
        let chart = self.path("umbrella");
        write_umbrella(&chart, repository_url);
        (chart, self.path("cache"), self.path("repositories.yaml"))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An umbrella chart in `dir` depending on the served repository.
fn write_umbrella(dir: &Path, repository_url: &str) {
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(
        dir.join("Chart.yaml"),
        format!(
            "apiVersion: v2\nname: umbrella\nversion: 0.1.0\ndependencies:\n- name: redis-lite\n  version: ~1.2.0\n  repository: {repository_url}\n  condition: redis-lite.enabled\n- name: model-server\n  version: \">=0.3.0\"\n  repository: {repository_url}\n  alias: scorer\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("values.yaml"),
        "redis-lite:\n  enabled: true\nscorer:\n  replicas: 5\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("templates/config.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-umbrella\ndata:\n  replicas: {{ .Values.scorer.replicas | quote }}\n",
    )
    .unwrap();
}

fn helmpilot(args: &[&str], cache: &Path, repositories: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_helmpilot"))
        .args(args)
        .arg("--cache-dir")
        .arg(cache)
        .arg("--repository-config")
        .arg(repositories)
        .output()
        .expect("the helmpilot binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr)
    );
}

fn assert_failure_says(output: &Output, needles: &[&str]) {
    assert_eq!(
        output.status.code(),
        Some(1),
        "stdout:\n{}\nstderr:\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    let stderr = text(&output.stderr);
    for needle in needles {
        assert!(stderr.contains(needle), "missing {needle:?} in:\n{stderr}");
    }
}

fn archives_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn fixture_archive(name: &str) -> Vec<u8> {
    std::fs::read(repository_folder().join("stable").join(name)).unwrap()
}

#[test]
fn update_locks_newest_matches_and_build_restores_them_from_a_clean_checkout() {
    let (server, scratch) = (
        StaticServer::start(&repository_folder()),
        Scratch::new("update"),
    );
    let (chart, cache, repositories) = scratch.umbrella(&server.url("stable"));
    let chart_arg = chart.to_str().unwrap();

    let update = helmpilot(&["dependency", "update", chart_arg], &cache, &repositories);
    assert_success(&update);
    let stdout = text(&update.stdout);
    assert!(stdout.contains("Saving 2 charts"), "{stdout}");
    let lock = std::fs::read_to_string(chart.join("Chart.lock")).unwrap();
    assert!(
        lock.contains("version: 1.2.3") && lock.contains("version: 0.3.1+build.5"),
        "{lock}"
    );
    assert_eq!(
        archives_in(&chart.join("charts")),
        ["model-server-0.3.1+build.5.tgz", "redis-lite-1.2.3.tgz"]
    );
    assert_eq!(
        std::fs::read(chart.join("charts/redis-lite-1.2.3.tgz")).unwrap(),
        fixture_archive("redis-lite-1.2.3.tgz")
    );
    assert!(
        !archives_in(&chart)
            .iter()
            .any(|n| n.starts_with("tmpcharts")),
        "staging folder left behind"
    );

    // A clean checkout has Chart.yaml and Chart.lock only; build fetches exactly the lock.
    std::fs::remove_dir_all(chart.join("charts")).unwrap();
    let fresh_cache = scratch.path("cache-2");
    let build = helmpilot(
        &["dependency", "build", chart_arg],
        &fresh_cache,
        &repositories,
    );
    assert_success(&build);
    assert_eq!(
        std::fs::read(chart.join("charts/model-server-0.3.1+build.5.tgz")).unwrap(),
        fixture_archive("model-server-0.3.1+build.5.tgz")
    );
    assert_eq!(
        std::fs::read_to_string(chart.join("Chart.lock")).unwrap(),
        lock,
        "build never rewrites the lock"
    );

    // Offline: with the repository gone, the cache serves the locked versions.
    drop(server);
    std::fs::remove_dir_all(chart.join("charts")).unwrap();
    let offline = helmpilot(
        &["dependency", "build", chart_arg],
        &fresh_cache,
        &repositories,
    );
    assert_success(&offline);
    assert!(
        text(&offline.stdout).contains("from the cache"),
        "{}",
        text(&offline.stdout)
    );
    assert_eq!(archives_in(&chart.join("charts")).len(), 2);

    // Offline with an empty cache: a clear error, and charts/ untouched.
    std::fs::remove_dir_all(chart.join("charts")).unwrap();
    let empty_cache = scratch.path("cache-3");
    let failed = helmpilot(
        &["dependency", "build", chart_arg],
        &empty_cache,
        &repositories,
    );
    assert_failure_says(
        &failed,
        &[
            "dependency \"redis-lite\"",
            "can't reach repository http://127.0.0.1:",
            "Check the URL and the network",
        ],
    );
    assert!(!chart.join("charts").join("redis-lite-1.2.3.tgz").exists());
}

#[test]
fn template_fetches_locked_dependencies_without_writing_into_the_chart() {
    let (server, scratch) = (
        StaticServer::start(&repository_folder()),
        Scratch::new("template"),
    );
    let (chart, cache, repositories) = scratch.umbrella(&server.url("stable"));
    let chart_arg = chart.to_str().unwrap();
    assert_success(&helmpilot(
        &["dependency", "update", chart_arg],
        &cache,
        &repositories,
    ));
    let with_charts = helmpilot(&["template", "rel", chart_arg], &cache, &repositories);
    assert_success(&with_charts);
    let expected = text(&with_charts.stdout);
    assert!(
        expected.contains("name: rel-redis-lite") && expected.contains("replicas: 5"),
        "{expected}"
    );

    std::fs::remove_dir_all(chart.join("charts")).unwrap();
    let fetched = helmpilot(
        &["template", "rel", chart_arg],
        &scratch.path("cache-2"),
        &repositories,
    );
    assert_success(&fetched);
    assert_eq!(text(&fetched.stdout), expected);
    assert!(
        !chart.join("charts").exists(),
        "rendering must not write into the chart"
    );

    let refused = helmpilot(
        &["template", "rel", chart_arg, "--no-dependency-build"],
        &cache,
        &repositories,
    );
    assert_failure_says(
        &refused,
        &["found in Chart.yaml, but missing in charts/ directory"],
    );
}

#[test]
fn failures_name_the_dependency_the_repository_and_the_fix_and_leave_charts_alone() {
    let (server, scratch) = (
        StaticServer::start(&repository_folder()),
        Scratch::new("failures"),
    );
    let (chart, cache, repositories) = scratch.umbrella(&server.url("stable"));
    let chart_arg = chart.to_str().unwrap();
    assert_success(&helmpilot(
        &["dependency", "update", chart_arg],
        &cache,
        &repositories,
    ));
    std::fs::remove_dir_all(chart.join("charts")).unwrap();
    std::fs::create_dir_all(chart.join("charts")).unwrap();
    let build = |cache: &str| {
        helmpilot(
            &["dependency", "build", chart_arg],
            &scratch.path(cache),
            &repositories,
        )
    };

    // The archive differs from the digest the index records.
    server.replace(
        "/stable/redis-lite-1.2.3.tgz",
        &fixture_archive("redis-lite-1.2.0.tgz"),
    );
    assert_failure_says(
        &build("c1"),
        &[
            "dependency \"redis-lite\"",
            "has digest sha256:",
            "lists sha256:",
            "for version 1.2.3",
            "nothing was written",
        ],
    );
    assert!(archives_in(&chart.join("charts")).is_empty());
    assert!(!archives_in(&chart)
        .iter()
        .any(|n| n.starts_with("tmpcharts")));

    // The locked version disappeared from the index.
    let index = std::fs::read_to_string(repository_folder().join("stable/index.yaml")).unwrap();
    server.replace(
        "/stable/index.yaml",
        index.replace("version: 1.2.3", "version: 1.2.9").as_bytes(),
    );
    assert_failure_says(
        &build("c2"),
        &[
            "dependency \"redis-lite\"",
            "version 1.2.3 is not in repository",
            "it offers",
            "helmpilot dependency update",
        ],
    );

    // Not an index at all.
    server.replace("/stable/index.yaml", b"<html>maintenance</html>\n: :\n");
    assert_failure_says(
        &build("c3"),
        &[
            "dependency \"redis-lite\"",
            "is not a valid chart repository index",
            "index.yaml",
        ],
    );
    assert!(archives_in(&chart.join("charts")).is_empty());
}

#[test]
fn credentials_come_from_the_repositories_file_and_stay_on_their_host() {
    let (server, scratch) = (
        StaticServer::start(&repository_folder()),
        Scratch::new("auth"),
    );
    server.require_basic_auth("ci", "s3cret-pass");
    let (chart, cache, repositories) = scratch.umbrella(&server.url("stable"));
    let chart_arg = chart.to_str().unwrap();

    let denied = helmpilot(&["dependency", "update", chart_arg], &cache, &repositories);
    assert_failure_says(
        &denied,
        &[
            "refused access",
            "401",
            "needs credentials",
            "helm repo add",
        ],
    );

    std::fs::write(
        &repositories,
        format!(
            "repositories:\n- name: private\n  url: {}\n  username: ci\n  password: wrong\n",
            server.url("stable")
        ),
    )
    .unwrap();
    let wrong = helmpilot(&["dependency", "update", chart_arg], &cache, &repositories);
    assert_failure_says(&wrong, &["refused access", "were refused: check them"]);
    assert!(
        !text(&wrong.stderr).contains("wrong"),
        "a password must never be printed"
    );

    std::fs::write(
        &repositories,
        format!(
            "repositories:\n- name: private\n  url: {}\n  username: ci\n  password: s3cret-pass\n",
            server.url("stable")
        ),
    )
    .unwrap();
    let allowed = helmpilot(&["dependency", "update", chart_arg], &cache, &repositories);
    assert_success(&allowed);
    assert!(server
        .log()
        .iter()
        .any(|(path, auth)| path.ends_with(".tgz") && *auth));

    // `@private` in Chart.yaml names the same repository through the repositories file.
    let aliased = std::fs::read_to_string(chart.join("Chart.yaml"))
        .unwrap()
        .replace(&server.url("stable"), "\"@private\"");
    std::fs::write(chart.join("Chart.yaml"), aliased).unwrap();
    assert_success(&helmpilot(
        &["dependency", "update", chart_arg],
        &cache,
        &repositories,
    ));
    let lock = std::fs::read_to_string(chart.join("Chart.lock")).unwrap();
    assert!(
        lock.contains(&format!("repository: {}", server.url("stable"))),
        "the lock names the URL: {lock}"
    );
    assert!(!lock.contains("s3cret"));
}

#[test]
fn unreachable_repository_and_unknown_alias() {
    let scratch = Scratch::new("unreachable");
    let chart = scratch.path("umbrella");
    let (cache, repositories) = (scratch.path("cache"), scratch.path("repositories.yaml"));
    // A port nothing listens on: bind, note, release.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    write_umbrella(&chart, &format!("http://127.0.0.1:{port}/stable"));
    let chart_arg = chart.to_str().unwrap();
    let failed = helmpilot(&["dependency", "update", chart_arg], &cache, &repositories);
    assert_failure_says(
        &failed,
        &[
            "can't reach repository",
            &format!("127.0.0.1:{port}"),
            "Check the URL and the network",
        ],
    );
    assert!(!chart.join("charts").exists() && !chart.join("Chart.lock").exists());

    let aliased = std::fs::read_to_string(chart.join("Chart.yaml"))
        .unwrap()
        .replace(&format!("http://127.0.0.1:{port}/stable"), "\"@nowhere\"");
    std::fs::write(chart.join("Chart.yaml"), aliased).unwrap();
    let failed = helmpilot(&["dependency", "update", chart_arg], &cache, &repositories);
    assert_failure_says(
        &failed,
        &["no repository definition for @nowhere, @nowhere. Please add them via 'helm repo add'"],
    );
}

#[test]
fn template_dependency_update_writes_the_lock_and_charts_like_helm() {
    let (server, scratch) = (
        StaticServer::start(&repository_folder()),
        Scratch::new("template-update"),
    );
    let (chart, cache, repositories) = scratch.umbrella(&server.url("stable"));
    let chart_arg = chart.to_str().unwrap();

    let updated = helmpilot(
        &["template", "rel", chart_arg, "--dependency-update"],
        &cache,
        &repositories,
    );
    assert_success(&updated);
    assert!(text(&updated.stdout).contains("name: rel-redis-lite"));
    assert!(
        text(&updated.stderr).contains("Saving 2 charts"),
        "progress goes to stderr: {}",
        text(&updated.stderr)
    );
    assert!(
        !text(&updated.stdout).contains("Saving"),
        "stdout carries only manifests"
    );
    assert!(chart.join("Chart.lock").exists());
    assert_eq!(archives_in(&chart.join("charts")).len(), 2);
}
