//! `helmpilot action`: what the GitHub Action runs. On a pull request it diffs every
//! configured chart x environment between the event's base and head commits, writes the
//! full report to the job summary, keeps one PR comment up to date, sets the step's
//! outputs and annotates render errors.

mod inputs;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{anyhow, bail, Context, Result};
use helmpilot_diff::model::{DiffReport, Severity};
use helmpilot_diff::report::{self, MarkdownOptions};
use helmpilot_github::actions;
use helmpilot_github::event::PullRequestEvent;
use helmpilot_github::{Client, RepoName};
use sha2::{Digest, Sha256};

use crate::diff::config::Config;
use crate::diff::git::Repository;
use crate::diff::{compare_options, configured_charts, run_plan, Plan, RenderSettings, Revision};
use inputs::{CommentMode, FailOnRisk, Inputs};

/// GitHub's limit on a comment body, in characters.
const COMMENT_LIMIT: usize = 65_536;
/// The job summary takes up to 1 MiB per step; stay clear of it.
const SUMMARY_LIMIT: usize = 1_000_000;

pub fn run() -> Result<()> {
    let event_name = std::env::var("GITHUB_EVENT_NAME").unwrap_or_default();
    match event_name.as_str() {
        "pull_request" | "pull_request_target" => pull_request(&event_name),
        "" => bail!(
            "GITHUB_EVENT_NAME is not set: `helmpilot action` runs inside GitHub Actions (use `helmpilot diff` elsewhere)"
        ),
        "push" => {
            println!(
                "helmpilot: `push` events are for deploying (packaging, image bumps and upgrades come in the deploy \
                 milestone); this step only comments on pull requests, so there is nothing to do."
            );
            Ok(())
        }
        other => {
            println!(
                "helmpilot: nothing to do on `{other}` events. On `pull_request` (or `pull_request_target`) events it \
                 renders every chart at the pull request's base and head and comments with the differences."
            );
            Ok(())
        }
    }
}

fn required_env(name: &str) -> Result<String> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| anyhow!("{name} is not set (it is set by the GitHub Actions runner)"))
}

fn pull_request(event_name: &str) -> Result<()> {
    let inputs = Inputs::from_env()?;
    let event_path = required_env("GITHUB_EVENT_PATH")?;
    let payload = std::fs::read_to_string(&event_path)
        .with_context(|| format!("reading the event payload {event_path}"))?;
    let event = PullRequestEvent::parse(event_name, &payload)
        .map_err(|e| anyhow!("the {event_name} event payload: {e}"))?;
    let repo_name = RepoName::parse(&required_env("GITHUB_REPOSITORY")?)
        .map_err(|e| anyhow!("GITHUB_REPOSITORY: {e}"))?;
    let workspace = PathBuf::from(std::env::var("GITHUB_WORKSPACE").unwrap_or_else(|_| ".".into()));
    let repository = Repository::enclosing(&workspace)?;
    let commit = |sha: &str, side: &str| {
        repository.commit(sha).map_err(|_| {
            anyhow!(
                "the pull request's {side} commit {sha} is not in the checkout: check out the full history \
                 (`fetch-depth: 0` in actions/checkout)"
            )
        })
    };
    let base = Revision {
        label: format!("{} ({})", event.base_ref, short(&event.base_sha)),
        commit: commit(&event.base_sha, "base")?,
    };
    let head = Revision {
        label: format!("{} ({})", event.head_ref, short(&event.head_sha)),
        commit: commit(&event.head_sha, "head")?,
    };
    let config = load_config(&repository.root, &inputs)?;
    let charts = charts(&repository.root, config.as_ref(), &inputs)?;
    let plan = Plan {
        repository,
        base,
        head: Some(head),
        charts,
        environments: inputs.environments.clone(),
        compare: compare_options(inputs.context_lines, config.as_ref()),
        config,
        render: RenderSettings {
            fetch_dependencies: inputs.dependency_build,
            kube_version: inputs.kube_version.clone(),
            ..RenderSettings::default()
        },
    };

    let started = Instant::now();
    let report = run_plan(&plan, &mut |env, took| {
        println!(
            "{}",
            actions::group(&format!(
                "{} · {} ({:.2} s)",
                env.chart,
                env.name,
                took.as_secs_f64()
            ))
        );
        match &env.error {
            Some(error) => println!("render failed: {error}"),
            None => println!(
                "{} added, {} changed, {} removed, {} unchanged, {} risks",
                env.added(),
                env.changed(),
                env.removed(),
                env.unchanged,
                env.risks.len()
            ),
        }
        println!("{}", actions::endgroup());
    })?;
    println!(
        "helmpilot: diffed {} chart environments in {:.2} s",
        report.environments.len(),
        started.elapsed().as_secs_f64()
    );

    let marker = marker(&config_identity(plan.config.is_some(), &inputs));
    publish(
        &report,
        &inputs,
        &marker,
        (&repo_name, event.number),
        &plan.repository.root,
    )?;
    annotate_errors(&report, &plan.repository.root);
    verdict(&report, inputs.fail_on_risk)
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(7)]
}

fn load_config(root: &Path, inputs: &Inputs) -> Result<Option<Config>> {
    let path = root.join(&inputs.config);
    match std::fs::read_to_string(&path) {
        Ok(text) => Config::parse(&text)
            .map(Some)
            .with_context(|| format!("in {}", inputs.config)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// The charts to diff: the config's, else the `charts` input (paths or globs), else every
/// chart in the repository (a directory with a Chart.yaml that is not a subchart).
fn charts(root: &Path, config: Option<&Config>, inputs: &Inputs) -> Result<Vec<PathBuf>> {
    let listed = configured_charts(config);
    if !listed.is_empty() {
        return Ok(listed);
    }
    let mut found = Vec::new();
    find_charts(root, Path::new(""), &mut found, 0);
    found.sort();
    if inputs.charts.is_empty() {
        if found.is_empty() {
            bail!("no charts found in the repository (no Chart.yaml): set the `charts` input or write {}", inputs.config);
        }
        return Ok(found);
    }
    let mut selected = Vec::new();
    for pattern in &inputs.charts {
        let pattern = pattern.trim_matches('/');
        let matches: Vec<&PathBuf> = found
            .iter()
            .filter(|chart| {
                let text = chart.to_string_lossy();
                helmpilot_chart::chart::ignore::go_match(pattern, &text).unwrap_or(false)
                    || text == pattern
            })
            .collect();
        if matches.is_empty() {
            bail!("the `charts` input names {pattern:?}, which matches no chart directory");
        }
        for chart in matches {
            if !selected.contains(chart) {
                selected.push(chart.clone());
            }
        }
    }
    Ok(selected)
}

fn find_charts(root: &Path, relative: &Path, found: &mut Vec<PathBuf>, depth: usize) {
    let dir = root.join(relative);
    if depth > 8 {
        return;
    }
    if dir.join("Chart.yaml").is_file() {
        // Subcharts under its charts/ are part of this chart, not charts of their own.
        found.push(relative.to_path_buf());
        return;
    }
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name_text = name.to_string_lossy();
        if name_text.starts_with('.') || name_text == "node_modules" || name_text == "target" {
            continue;
        }
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            find_charts(root, &relative.join(&name), found, depth + 1);
        }
    }
}

/// What tells this configuration's comment apart from another workflow's: the config path,
/// or the chart and environment inputs when there is no config.
fn config_identity(has_config: bool, inputs: &Inputs) -> String {
    let identity = if has_config {
        format!("config={}", inputs.config)
    } else {
        format!(
            "charts={};environments={}",
            inputs.charts.join(","),
            inputs.environments.join(",")
        )
    };
    let digest = Sha256::digest(identity.as_bytes());
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// The hidden line that finds this configuration's comment again.
fn marker(identity: &str) -> String {
    format!("<!-- helmpilot:diff:{identity} -->")
}

/// Job summary, JSON report, outputs, and the PR comment.
fn publish(
    report: &DiffReport,
    inputs: &Inputs,
    marker: &str,
    (repo, number): (&RepoName, u64),
    workspace: &Path,
) -> Result<()> {
    let changed = report.environments.iter().any(|e| !e.changes.is_empty());
    let risks: usize = report.environments.iter().map(|e| e.risks.len()).sum();
    // Inside a container action RUNNER_TEMP names a host folder that is not mounted; the
    // workspace is, so the report goes there and the output names it relative to it.
    let (report_path, report_output) = match crate::diff::runner_temp() {
        Some(temp) => {
            let path = temp.join("helmpilot-report.json");
            (path.clone(), path.display().to_string())
        }
        None => (
            workspace.join("helmpilot-report.json"),
            "helmpilot-report.json".to_string(),
        ),
    };
    std::fs::write(&report_path, report::json(report))
        .with_context(|| format!("writing {}", report_path.display()))?;

    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty()) {
        let summary = report::markdown(
            report,
            &MarkdownOptions {
                max_chars: SUMMARY_LIMIT,
                full_report_hint: format!("the JSON report ({})", report_path.display()),
                ..MarkdownOptions::default()
            },
        );
        actions::append_step_summary(Path::new(&path), &summary)
            .map_err(|e| anyhow!("writing the job summary: {e}"))?;
    }
    if let Some(path) = std::env::var_os("GITHUB_OUTPUT").filter(|v| !v.is_empty()) {
        actions::set_outputs(
            Path::new(&path),
            &[
                ("changed", &changed.to_string()),
                ("risks", &risks.to_string()),
                ("report", &report_output),
            ],
        )
        .map_err(|e| anyhow!("writing the step outputs: {e}"))?;
    }
    if inputs.comment == CommentMode::Off {
        println!("helmpilot: comment: off");
        return Ok(());
    }
    let token = inputs.token.clone().ok_or_else(|| {
        anyhow!("no GitHub token: pass `github-token` (default `${{{{ github.token }}}}`) or set GITHUB_TOKEN")
    })?;
    let api_url = std::env::var("GITHUB_API_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "https://api.github.com".into());
    let body = report::markdown(
        report,
        &MarkdownOptions {
            header: Some(marker.to_string()),
            max_chars: COMMENT_LIMIT,
            full_report_hint: "the job summary of this workflow run".into(),
            ..MarkdownOptions::default()
        },
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let client = Client::new(&api_url, &token).map_err(|e| anyhow!("{e}"))?;
        let outcome = match inputs.comment {
            CommentMode::New if changed => Some((
                "created",
                client.create_issue_comment(repo, number, &body).await,
            )),
            CommentMode::New => None,
            _ if changed => Some(
                match client.upsert_comment(repo, number, marker, &body).await {
                    Ok(helmpilot_github::Upsert::Created(c)) => ("created", Ok(c)),
                    Ok(helmpilot_github::Upsert::Updated(c)) => ("updated", Ok(c)),
                    Ok(helmpilot_github::Upsert::Unchanged(c)) => ("left unchanged", Ok(c)),
                    Err(e) => ("upserted", Err(e)),
                },
            ),
            // Nothing changes any more: correct an earlier comment, but do not start one.
            _ => {
                let comments = client
                    .list_issue_comments(repo, number)
                    .await
                    .map_err(|e| anyhow!("{e}"))?;
                match comments.into_iter().find(|c| c.body.contains(marker)) {
                    Some(existing) if existing.body != body => Some((
                        "updated",
                        client.update_issue_comment(repo, existing.id, &body).await,
                    )),
                    _ => None,
                }
            }
        };
        match outcome {
            Some((what, Ok(comment))) => {
                println!("helmpilot: comment {what}: {}", comment.html_url)
            }
            Some((_, Err(e))) => return Err(anyhow!("{e}")),
            None => println!("helmpilot: no changes, no comment"),
        }
        Ok(())
    })
}

/// Render errors as file annotations on the template that failed, where the message says.
fn annotate_errors(report: &DiffReport, root: &Path) {
    for env in &report.environments {
        let Some(error) = &env.error else { continue };
        let (file, line, col) = error_location(error, &env.chart, root);
        println!(
            "{}",
            actions::annotation(
                actions::Level::Error,
                file.as_deref(),
                line,
                col,
                Some(&format!(
                    "helmpilot: {} ({}) does not render",
                    env.chart, env.name
                )),
                error
            )
        );
    }
}

/// The template a render error points at, as a file of the repository. Helm's messages
/// name `<chart name>/templates/x.yaml:LINE:COL` (or `(…:LINE)` for parse errors), from the
/// outermost call to the innermost; the innermost is where the mistake is.
fn error_location(
    error: &str,
    chart: &str,
    root: &Path,
) -> (Option<String>, Option<u32>, Option<u32>) {
    let mut found = None;
    for token in error.split_whitespace() {
        let token = token.trim_matches(|c| matches!(c, '(' | ')' | ':' | ',' | '"'));
        let mut parts = token.split(':');
        let path = parts.next().unwrap_or_default();
        let Some(line) = parts.next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        let col = parts.next().and_then(|p| p.parse::<u32>().ok());
        if path.contains('/')
            && (path.ends_with(".yaml")
                || path.ends_with(".tpl")
                || path.ends_with(".yml")
                || path.ends_with(".txt"))
        {
            found = Some((path.to_string(), line, col));
        }
    }
    let Some((path, line, col)) = found else {
        return (Some(format!("{chart}/Chart.yaml")), None, None);
    };
    // Helm names templates `<chart name>/templates/...`; the chart directory may be named
    // otherwise (and subcharts live under its charts/).
    let inside = path.split_once('/').map(|(_, rest)| rest).unwrap_or(&path);
    let candidate = format!("{chart}/{inside}");
    if root.join(&candidate).is_file() {
        (Some(candidate), Some(line), col)
    } else {
        (Some(format!("{chart}/Chart.yaml")), None, None)
    }
}

/// Fails the step on render errors, and on risks as `fail-on-risk` says.
fn verdict(report: &DiffReport, fail_on_risk: FailOnRisk) -> Result<()> {
    let errors = report
        .environments
        .iter()
        .filter(|e| e.error.is_some())
        .count();
    if errors > 0 {
        bail!("{errors} chart environment(s) failed to render (see the annotations)");
    }
    let risks: Vec<_> = report.environments.iter().flat_map(|e| &e.risks).collect();
    let high = risks
        .iter()
        .filter(|r| r.severity == Severity::High)
        .count();
    match fail_on_risk {
        FailOnRisk::High if high > 0 => {
            bail!("{high} high risk(s) found and fail-on-risk is `high`")
        }
        FailOnRisk::Any if !risks.is_empty() => {
            bail!("{} risk(s) found and fail-on-risk is `any`", risks.len())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_locations_point_into_the_repository() {
        let root = std::env::temp_dir().join(format!("helmpilot-annot-{}", std::process::id()));
        std::fs::create_dir_all(root.join("charts/web/templates")).unwrap();
        std::fs::write(root.join("charts/web/templates/deployment.yaml"), "").unwrap();
        let (file, line, col) = error_location(
            "at feature (abc): execution error at (web/templates/deployment.yaml:10:52): image.tag is required",
            "charts/web",
            &root,
        );
        assert_eq!(
            (file.as_deref(), line, col),
            (
                Some("charts/web/templates/deployment.yaml"),
                Some(10),
                Some(52)
            )
        );
        std::fs::write(root.join("charts/web/templates/configmap.yaml"), "").unwrap();
        let nested = "at feature (1634d9c): web/templates/deployment.yaml:23:28\n  executing \"web/templates/deployment.yaml\" at <include>:\n    error calling include:\nweb/templates/configmap.yaml:4:20\n  executing ...: nil pointer";
        let (file, line, col) = error_location(nested, "charts/web", &root);
        assert_eq!(
            (file.as_deref(), line, col),
            (
                Some("charts/web/templates/configmap.yaml"),
                Some(4),
                Some(20)
            )
        );
        let (file, line, _) = error_location("Chart.yaml file is missing", "charts/web", &root);
        assert_eq!(
            (file.as_deref(), line),
            (Some("charts/web/Chart.yaml"), None)
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
