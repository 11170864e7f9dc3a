//! The pull-request comment.
//!
//! The comment is built from pieces whose lengths are known before anything is cut, so
//! fitting it under GitHub's limit is arithmetic on those lengths, and the final text is
//! the concatenation of the chosen pieces: what was measured is what is written.

use std::fmt::Write as _;

use super::{change_header, plural, rest_line, short_label, thousands};
use crate::model::{DiffReport, EnvironmentDiff, ObjectChange, SecretKeys, Severity};

/// How [`markdown`] writes its output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkdownOptions {
    /// Heading of the comment, written as given (it is Markdown from the workflow, not
    /// from the pull request).
    pub title: String,
    /// Written first, on its own line, as given: e.g. the hidden HTML marker by which the
    /// Action finds its own comment again.
    pub header: Option<String>,
    /// Most characters (Unicode scalar values, as GitHub counts) the result may have.
    /// GitHub refuses a comment body longer than 65,536.
    pub max_chars: usize,
    /// Where the full report is, completing "see ..." and "the full diff is in ...":
    /// `the job summary`, ``the `helmpilot-diff` artifact``. Markdown, written as given.
    pub full_report_hint: String,
}

impl Default for MarkdownOptions {
    fn default() -> Self {
        MarkdownOptions {
            title: "helmpilot diff".to_string(),
            header: None,
            max_chars: 65_536,
            full_report_hint: "the job summary".to_string(),
        }
    }
}

/// Writes `report` as a pull-request comment of at most `options.max_chars` characters.
///
/// Layout: the header line if any, the title, the revisions compared, a summary table with
/// one row per chart x environment (added, changed, removed, risks), the risks (high
/// first), the image changes, then one section per environment with a collapsible
/// `<details>` per object holding its diff in a `diff` code block. An environment without
/// changes takes one line.
///
/// When the whole would be too long, it is cut in this order until it fits: the largest
/// diffs are replaced by a one-line note, then the largest environments' object lists
/// are each replaced by one line, then image changes and risks are dropped from the end of
/// their lists with a count. The summary table is kept whole (only if it alone cannot fit
/// are its last rows left out, and only if even the title cannot fit is the text cut
/// short). A closing note says exactly what was left out and where the full diff is.
///
/// Names, paths, diffs and errors from the charts are escaped: they cannot open HTML,
/// close a code block or change the table.
///
/// ```
/// use helmpilot_diff::model::{DiffReport, EnvironmentDiff};
/// use helmpilot_diff::report::{markdown, MarkdownOptions};
///
/// let report = DiffReport {
///     base: "main".into(),
///     head: "feature".into(),
///     environments: vec![EnvironmentDiff {
///         chart: "charts/web".into(),
///         name: "staging".into(),
///         unchanged: 4,
///         ..Default::default()
///     }],
/// };
/// let comment = markdown(&report, &MarkdownOptions::default());
/// assert!(comment.starts_with("### helmpilot diff\n"));
/// assert!(comment.contains("| `charts/web` | `staging` | 0 | 0 | 0 | 0 |\n"));
/// assert!(comment.contains("`charts/web` · `staging`: no changes (4 unchanged, 0 ignored changes).\n"));
/// assert!(comment.chars().count() <= 65_536);
/// ```
pub fn markdown(report: &DiffReport, options: &MarkdownOptions) -> String {
    let parts = Parts::build(report, options);
    let plan = parts.fit(options.max_chars);
    let text = parts.render(&plan);
    // Only reached when even the title and the first table row do not fit.
    truncate_chars(text, options.max_chars)
}

// ----- pieces -----

/// A piece of text and its length in chars.
struct Piece {
    text: String,
    chars: usize,
}

impl Piece {
    fn new(text: String) -> Self {
        let chars = text.chars().count();
        Piece { text, chars }
    }
}

/// One object's `<details>`, with its diff or with the note that replaces it.
struct ObjectPart {
    full: Piece,
    omitted: Piece,
    diff_lines: usize,
}

impl ObjectPart {
    fn saving(&self) -> usize {
        self.full.chars.saturating_sub(self.omitted.chars)
    }
}

enum EnvPart {
    /// No changes, no error: one line whatever happens.
    Line(Piece),
    Section {
        heading: Piece,
        objects: Vec<ObjectPart>,
        trailer: Piece,
        /// The one line that replaces the section when it is collapsed.
        collapsed: Piece,
    },
}

struct Parts {
    /// Header, title and revisions.
    top: Piece,
    table_head: Piece,
    rows: Vec<Piece>,
    /// The blank line after the table.
    table_end: Piece,
    risks_heading: Piece,
    risks: Vec<Piece>,
    /// `high_from[k]`: how many of `risks[k..]` are high, to describe what a cut drops.
    high_from: Vec<usize>,
    images_heading: Piece,
    images: Vec<Piece>,
    envs: Vec<EnvPart>,
    hint: String,
}

/// What is cut. The counts the closing note needs are kept up to date as the plan
/// changes, so trying a cut costs the same however many objects there are.
struct Plan {
    /// Per environment, per object: the diff is replaced by a note.
    omitted: Vec<Vec<bool>>,
    /// Per environment: diffs replaced and their lines.
    env_cut: Vec<(usize, usize)>,
    /// Diffs replaced, and their lines, in environments that are not collapsed.
    cut_diffs: usize,
    cut_lines: usize,
    collapsed: Vec<bool>,
    collapsed_count: usize,
    /// Every environment's section and line replaced by a single line.
    envs_dropped: bool,
    risks_kept: usize,
    images_kept: usize,
    rows_kept: usize,
}

impl Plan {
    fn omit(&mut self, e: usize, o: usize, lines: usize) {
        self.omitted[e][o] = true;
        self.env_cut[e].0 += 1;
        self.env_cut[e].1 += lines;
        self.cut_diffs += 1;
        self.cut_lines += lines;
    }

    /// Undoes [`Plan::omit`] (in an environment that is not collapsed).
    fn restore(&mut self, e: usize, o: usize, lines: usize) {
        self.omitted[e][o] = false;
        self.env_cut[e].0 -= 1;
        self.env_cut[e].1 -= lines;
        self.cut_diffs -= 1;
        self.cut_lines -= lines;
    }

    fn collapse(&mut self, e: usize) {
        self.collapsed[e] = true;
        self.collapsed_count += 1;
        self.cut_diffs -= self.env_cut[e].0;
        self.cut_lines -= self.env_cut[e].1;
    }
}

const NAME_CAP: usize = 200;
const REASON_CAP: usize = 500;
const KEYS_CAP: usize = 20;
const ERROR_LINES_CAP: usize = 40;
const ERROR_CHARS_CAP: usize = 4_000;

impl Parts {
    fn build(report: &DiffReport, options: &MarkdownOptions) -> Self {
        let hint = options.full_report_hint.clone();
        let mut top = String::new();
        if let Some(header) = &options.header {
            top.push_str(header);
            top.push('\n');
        }
        let _ = write!(
            top,
            "### {}\n\nComparing {} → {}.\n\n",
            options.title,
            code(&report.base),
            code(&report.head)
        );
        if report.environments.is_empty() {
            top.push_str("No environments were compared.\n");
        }
        let table_head = if report.environments.is_empty() {
            String::new()
        } else {
            "| Chart | Environment | Added | Changed | Removed | Risks |\n\
             | --- | --- | ---: | ---: | ---: | ---: |\n"
                .to_string()
        };
        let rows = report
            .environments
            .iter()
            .map(|env| {
                let error = if env.error.is_some() {
                    " **render error**"
                } else {
                    ""
                };
                Piece::new(format!(
                    "| {} | {}{error} | {} | {} | {} | {} |\n",
                    table_code(&env.chart),
                    table_code(&env.name),
                    thousands(env.added()),
                    thousands(env.changed()),
                    thousands(env.removed()),
                    thousands(env.risks.len())
                ))
            })
            .collect();
        let table_end = if report.environments.is_empty() {
            String::new()
        } else {
            "\n".to_string()
        };

        // High risks first; otherwise in report order (environments as configured,
        // objects by key), so the list is stable.
        let mut risks: Vec<(&EnvironmentDiff, &crate::model::Risk)> = report
            .environments
            .iter()
            .flat_map(|env| env.risks.iter().map(move |risk| (env, risk)))
            .collect();
        risks.sort_by_key(|(_, risk)| std::cmp::Reverse(risk.severity));
        let mut high_from = vec![0; risks.len() + 1];
        for (k, (_, risk)) in risks.iter().enumerate().rev() {
            high_from[k] = high_from[k + 1] + usize::from(risk.severity == Severity::High);
        }
        let risk_items = risks
            .iter()
            .map(|(env, risk)| {
                let severity = match risk.severity {
                    Severity::High => "HIGH",
                    Severity::Medium => "MEDIUM",
                };
                Piece::new(format!(
                    "- **{severity}** {} · {} · {}: {} ({})\n",
                    code(&env.chart),
                    code(&env.name),
                    code(&short_label(&risk.key)),
                    inline(&risk.reason, REASON_CAP),
                    code(&risk.rule)
                ))
            })
            .collect::<Vec<_>>();
        let images = report
            .environments
            .iter()
            .flat_map(|env| {
                env.images.iter().map(move |image| {
                    Piece::new(format!(
                        "- {} in {} ({} · {}): {} → {}\n",
                        code(&image.container),
                        code(&short_label(&image.key)),
                        code(&env.chart),
                        code(&env.name),
                        code(&image.from),
                        code(&image.to)
                    ))
                })
            })
            .collect::<Vec<_>>();
        let envs = report
            .environments
            .iter()
            .map(|env| env_part(env, &hint))
            .collect();
        Parts {
            top: Piece::new(top),
            table_head: Piece::new(table_head),
            rows,
            table_end: Piece::new(table_end),
            risks_heading: Piece::new(format!("#### Risks ({})\n\n", thousands(risks.len()))),
            risks: risk_items,
            high_from,
            images_heading: Piece::new(format!(
                "#### Image changes ({})\n\n",
                thousands(images.len())
            )),
            images,
            envs,
            hint,
        }
    }

    fn full_plan(&self) -> Plan {
        Plan {
            omitted: self
                .envs
                .iter()
                .map(|env| match env {
                    EnvPart::Line(_) => Vec::new(),
                    EnvPart::Section { objects, .. } => vec![false; objects.len()],
                })
                .collect(),
            env_cut: vec![(0, 0); self.envs.len()],
            cut_diffs: 0,
            cut_lines: 0,
            collapsed: vec![false; self.envs.len()],
            collapsed_count: 0,
            envs_dropped: false,
            risks_kept: self.risks.len(),
            images_kept: self.images.len(),
            rows_kept: self.rows.len(),
        }
    }

    /// Length of everything the plan decides piece by piece (not the notes whose text
    /// depends on counts; [`Parts::notes_len`] adds those).
    fn env_len(&self, index: usize, plan: &Plan) -> usize {
        match &self.envs[index] {
            EnvPart::Line(line) => line.chars,
            EnvPart::Section {
                heading,
                objects,
                trailer,
                collapsed,
            } => {
                if plan.collapsed[index] {
                    collapsed.chars
                } else {
                    heading.chars
                        + trailer.chars
                        + objects
                            .iter()
                            .zip(&plan.omitted[index])
                            .map(|(o, &cut)| if cut { o.omitted.chars } else { o.full.chars })
                            .sum::<usize>()
                }
            }
        }
    }

    /// Finds the plan: cut in the documented order until the total fits.
    fn fit(&self, max: usize) -> Plan {
        let mut plan = self.full_plan();
        // Everything but the environments, the lists, the table rows and the
        // count-dependent notes, which change as the plan does.
        let fixed = self.top.chars
            + self.table_head.chars
            + self.table_end.chars
            + if self.risks.is_empty() {
                0
            } else {
                self.risks_heading.chars + 1
            }
            + if self.images.is_empty() {
                0
            } else {
                self.images_heading.chars + 1
            };
        let mut sums = Sums {
            rows: self.rows.iter().map(|r| r.chars).sum(),
            listed: self.risks.iter().map(|r| r.chars).sum::<usize>()
                + self.images.iter().map(|r| r.chars).sum::<usize>(),
            envs: 0,
        };
        let mut env_lens: Vec<usize> = (0..self.envs.len())
            .map(|i| self.env_len(i, &plan))
            .collect();
        sums.envs = env_lens.iter().sum();
        let fits = |plan: &Plan, sums: &Sums| {
            fixed + sums.rows + sums.listed + sums.envs + self.notes_len(plan) <= max
        };
        if fits(&plan, &sums) {
            return plan;
        }

        // 1. The largest diffs, one by one.
        let mut diffs: Vec<(usize, usize, &ObjectPart)> = Vec::new();
        for (e, env) in self.envs.iter().enumerate() {
            if let EnvPart::Section { objects, .. } = env {
                for (o, object) in objects.iter().enumerate() {
                    if object.saving() > 0 {
                        diffs.push((e, o, object));
                    }
                }
            }
        }
        diffs.sort_by_key(|&(e, o, object)| (std::cmp::Reverse(object.full.chars), e, o));
        let mut cut_diffs = Vec::new();
        for &(e, o, object) in &diffs {
            if fits(&plan, &sums) {
                break;
            }
            plan.omit(e, o, object.diff_lines);
            env_lens[e] -= object.saving();
            sums.envs -= object.saving();
            cut_diffs.push((e, o, object));
        }
        if fits(&plan, &sums) {
            return plan;
        }

        // 2. The largest environments' object lists.
        let mut order: Vec<usize> = (0..self.envs.len())
            .filter(|&e| matches!(self.envs[e], EnvPart::Section { .. }))
            .collect();
        order.sort_by_key(|&e| (std::cmp::Reverse(env_lens[e]), e));
        let mut collapsed_any = false;
        for e in order {
            if fits(&plan, &sums) {
                break;
            }
            let EnvPart::Section { collapsed, .. } = &self.envs[e] else {
                continue;
            };
            if collapsed.chars >= env_lens[e] {
                continue;
            }
            plan.collapse(e);
            sums.envs = sums.envs - env_lens[e] + collapsed.chars;
            env_lens[e] = collapsed.chars;
            collapsed_any = true;
        }
        if collapsed_any && fits(&plan, &sums) {
            // Collapsing may have made room: give back the smallest diffs cut in step 1
            // in the environments still shown.
            for &(e, o, object) in cut_diffs.iter().rev() {
                if plan.collapsed[e] {
                    continue;
                }
                plan.restore(e, o, object.diff_lines);
                sums.envs += object.saving();
                if fits(&plan, &sums) {
                    env_lens[e] += object.saving();
                } else {
                    plan.omit(e, o, object.diff_lines);
                    sums.envs -= object.saving();
                }
            }
        }
        if fits(&plan, &sums) {
            return plan;
        }

        // 3. Image changes, then risks, from the end of their lists.
        while plan.images_kept > 0 && !fits(&plan, &sums) {
            plan.images_kept -= 1;
            sums.listed -= self.images[plan.images_kept].chars;
        }
        while plan.risks_kept > 0 && !fits(&plan, &sums) {
            plan.risks_kept -= 1;
            sums.listed -= self.risks[plan.risks_kept].chars;
        }

        // 4. The one-line environments: the table already has their counts.
        if !self.envs.is_empty() && !fits(&plan, &sums) {
            plan.envs_dropped = true;
            sums.envs = self.envs_dropped_line().chars().count();
        }

        // 5. Only when the table alone cannot fit: its last rows.
        while plan.rows_kept > 0 && !fits(&plan, &sums) {
            plan.rows_kept -= 1;
            sums.rows -= self.rows[plan.rows_kept].chars;
        }
        plan
    }

    fn envs_dropped_line(&self) -> String {
        format!(
            "The object lists of {} were left out (too large for a comment); see {}.\n\n",
            plural(self.envs.len(), "environment", "environments"),
            self.hint
        )
    }

    /// The texts whose length depends on counts: the "more" lines of the lists, the row
    /// that stands for left-out table rows, and the closing note.
    fn notes(&self, plan: &Plan) -> Notes {
        let dropped_risks = self.risks.len() - plan.risks_kept;
        let risks_more = if dropped_risks > 0 {
            let high = self.high_from[plan.risks_kept];
            format!(
                "- …and {} more {} ({} high); see {}.\n",
                thousands(dropped_risks),
                if dropped_risks == 1 { "risk" } else { "risks" },
                thousands(high),
                self.hint
            )
        } else {
            String::new()
        };
        let dropped_images = self.images.len() - plan.images_kept;
        let images_more = if dropped_images > 0 {
            format!(
                "- …and {} more {}; see {}.\n",
                thousands(dropped_images),
                if dropped_images == 1 {
                    "image change"
                } else {
                    "image changes"
                },
                self.hint
            )
        } else {
            String::new()
        };
        let dropped_rows = self.rows.len() - plan.rows_kept;
        let rows_more = if dropped_rows > 0 {
            format!(
                "| … | {} left out | | | | |\n",
                plural(dropped_rows, "more environment", "more environments")
            )
        } else {
            String::new()
        };

        let mut cut = Vec::new();
        let (diffs, lines) = if plan.envs_dropped {
            (0, 0)
        } else {
            (plan.cut_diffs, plan.cut_lines)
        };
        if diffs > 0 {
            cut.push((
                diffs,
                format!(
                    "{} ({})",
                    plural(diffs, "diff", "diffs"),
                    plural(lines, "line", "lines")
                ),
            ));
        }
        let collapsed = plan.collapsed_count;
        if plan.envs_dropped {
            let all = self.envs.len();
            cut.push((
                all,
                format!(
                    "all {}",
                    plural(
                        all,
                        "environment's object list",
                        "environments' object lists"
                    )
                ),
            ));
        } else if collapsed > 0 {
            cut.push((
                collapsed,
                plural(
                    collapsed,
                    "environment's object list",
                    "environments' object lists",
                ),
            ));
        }
        if dropped_images > 0 {
            cut.push((
                dropped_images,
                plural(dropped_images, "image change", "image changes"),
            ));
        }
        if dropped_risks > 0 {
            cut.push((dropped_risks, plural(dropped_risks, "risk", "risks")));
        }
        if dropped_rows > 0 {
            cut.push((
                dropped_rows,
                plural(dropped_rows, "summary table row", "summary table rows"),
            ));
        }
        let closing = if cut.is_empty() {
            String::new()
        } else {
            let verb = if cut.len() == 1 && cut[0].0 == 1 {
                "was"
            } else {
                "were"
            };
            let texts: Vec<&str> = cut.iter().map(|(_, t)| t.as_str()).collect();
            format!(
                "**Shortened to fit a comment:** {} {verb} left out; the full diff is in {}.\n",
                join_and(&texts),
                self.hint
            )
        };
        Notes {
            risks_more,
            images_more,
            rows_more,
            closing,
        }
    }

    fn notes_len(&self, plan: &Plan) -> usize {
        let notes = self.notes(plan);
        notes.risks_more.chars().count()
            + notes.images_more.chars().count()
            + notes.rows_more.chars().count()
            + notes.closing.chars().count()
    }

    fn render(&self, plan: &Plan) -> String {
        let notes = self.notes(plan);
        let mut out = String::new();
        out.push_str(&self.top.text);
        out.push_str(&self.table_head.text);
        for row in &self.rows[..plan.rows_kept] {
            out.push_str(&row.text);
        }
        out.push_str(&notes.rows_more);
        out.push_str(&self.table_end.text);
        if !self.risks.is_empty() {
            out.push_str(&self.risks_heading.text);
            for risk in &self.risks[..plan.risks_kept] {
                out.push_str(&risk.text);
            }
            out.push_str(&notes.risks_more);
            out.push('\n');
        }
        if !self.images.is_empty() {
            out.push_str(&self.images_heading.text);
            for image in &self.images[..plan.images_kept] {
                out.push_str(&image.text);
            }
            out.push_str(&notes.images_more);
            out.push('\n');
        }
        if plan.envs_dropped {
            out.push_str(&self.envs_dropped_line());
        }
        for (e, env) in self.envs.iter().enumerate() {
            if plan.envs_dropped {
                break;
            }
            match env {
                EnvPart::Line(line) => out.push_str(&line.text),
                EnvPart::Section {
                    heading,
                    objects,
                    trailer,
                    collapsed,
                } => {
                    if plan.collapsed[e] {
                        out.push_str(&collapsed.text);
                        continue;
                    }
                    out.push_str(&heading.text);
                    for (object, &cut) in objects.iter().zip(&plan.omitted[e]) {
                        out.push_str(if cut {
                            &object.omitted.text
                        } else {
                            &object.full.text
                        });
                    }
                    out.push_str(&trailer.text);
                }
            }
        }
        out.push_str(&notes.closing);
        out
    }
}

/// Running lengths of the parts of the comment that the plan shrinks.
struct Sums {
    rows: usize,
    listed: usize,
    envs: usize,
}

struct Notes {
    risks_more: String,
    images_more: String,
    rows_more: String,
    closing: String,
}

fn env_part(env: &EnvironmentDiff, hint: &str) -> EnvPart {
    let name = format!("{} · {}", code(&env.chart), code(&env.name));
    if env.changes.is_empty() && env.error.is_none() {
        return EnvPart::Line(Piece::new(format!(
            "{name}: no changes ({}).\n\n",
            rest_line(env)
        )));
    }
    let mut heading = format!("#### {name}\n\n");
    if let Some(error) = &env.error {
        heading.push_str("**Render error:**\n\n");
        heading.push_str(&fenced("text", &cap_error(error, hint)));
        heading.push('\n');
    }
    let objects = env
        .changes
        .iter()
        .map(|change| object_part(change, hint))
        .collect();
    let what = match (env.changes.len(), env.error.is_some()) {
        (0, _) => "render error".to_string(),
        (n, false) => plural(n, "changed object", "changed objects"),
        (n, true) => format!(
            "{} and the render error",
            plural(n, "changed object", "changed objects")
        ),
    };
    let collapsed = format!("{name}: {what} not shown (too large for a comment); see {hint}.\n\n");
    EnvPart::Section {
        heading: Piece::new(heading),
        objects,
        // A failed render compared nothing: "0 unchanged" would mislead.
        trailer: Piece::new(if env.changes.is_empty() {
            String::new()
        } else {
            format!("{}.\n\n", rest_line(env))
        }),
        collapsed: Piece::new(collapsed),
    }
}

fn object_part(change: &ObjectChange, hint: &str) -> ObjectPart {
    let (marker, label) = change_header(&change.change, &change.key);
    let mut summary = format!(
        "<details><summary><code>{}</code>",
        html(&cap(&format!("{marker} {label}"), NAME_CAP * 2))
    );
    if !change.source.is_empty() {
        let _ = write!(summary, " ({})", html(&cap(&change.source, NAME_CAP)));
    }
    if change.added_lines > 0 || change.removed_lines > 0 {
        let _ = write!(
            summary,
            " +{} -{}",
            thousands(change.added_lines),
            thousands(change.removed_lines)
        );
    }
    summary.push_str("</summary>\n\n");
    if let Some(keys) = &change.secret_keys {
        let _ = write!(summary, "Secret keys: {}.\n\n", secret_keys(keys));
    }
    let diff_lines = change.diff.lines().count();
    let (full, omitted) = if change.diff.is_empty() {
        let body = format!("{summary}Content unchanged.\n\n</details>\n\n");
        (body.clone(), body)
    } else {
        (
            format!("{summary}{}\n</details>\n\n", fenced("diff", &change.diff)),
            format!(
                "{summary}_diff of {} omitted: too large for a comment; see {hint}._\n\n</details>\n\n",
                plural(diff_lines, "line", "lines")
            ),
        )
    };
    ObjectPart {
        full: Piece::new(full),
        omitted: Piece::new(omitted),
        diff_lines,
    }
}

fn secret_keys(keys: &SecretKeys) -> String {
    let mut parts = Vec::new();
    for (verb, list) in [
        ("added", &keys.added),
        ("removed", &keys.removed),
        ("changed", &keys.changed),
    ] {
        if list.is_empty() {
            continue;
        }
        let mut names: Vec<String> = list.iter().take(KEYS_CAP).map(|k| code(k)).collect();
        if list.len() > KEYS_CAP {
            names.push(format!("{} more", thousands(list.len() - KEYS_CAP)));
        }
        parts.push(format!("{verb} {}", names.join(", ")));
    }
    if parts.is_empty() {
        "none changed".to_string()
    } else {
        parts.join("; ")
    }
}

/// The first lines of a render error: errors come from untrusted templates and can be as
/// long as they like.
fn cap_error(error: &str, hint: &str) -> String {
    let mut out = String::new();
    let mut chars = 0;
    let mut cut = false;
    for (i, line) in error.lines().enumerate() {
        let n = line.chars().count();
        if i >= ERROR_LINES_CAP || chars + n > ERROR_CHARS_CAP {
            cut = true;
            break;
        }
        chars += n + 1;
        out.push_str(line);
        out.push('\n');
    }
    if cut {
        let _ = writeln!(out, "… (error shortened; see {hint})");
    }
    out
}

// ----- escaping -----

/// A fenced code block whose fence is longer than any run of backticks in `body`, so
/// nothing in the body can close it. Ends with a newline.
fn fenced(info: &str, body: &str) -> String {
    let fence = "`".repeat(longest_backtick_run(body).max(2) + 1);
    let body = body.strip_suffix('\n').unwrap_or(body);
    format!("{fence}{info}\n{body}\n{fence}\n")
}

fn longest_backtick_run(s: &str) -> usize {
    let (mut longest, mut run) = (0, 0);
    for c in s.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}

/// A code span: nothing inside is Markdown, HTML, a mention or a link.
fn code(s: &str) -> String {
    code_span(s, false)
}

/// A code span in a table cell, where `|` must be escaped even inside code.
fn table_code(s: &str) -> String {
    code_span(s, true)
}

fn code_span(s: &str, in_table: bool) -> String {
    let s = cap(&one_line(s), NAME_CAP);
    if s.is_empty() {
        return "`\"\"`".to_string();
    }
    let fence = "`".repeat(longest_backtick_run(&s) + 1);
    // A space keeps a backtick at either end from joining the fence (and is stripped
    // again when rendering); so does one around content that starts and ends with one.
    let pad = if s.starts_with('`') || s.ends_with('`') || (s.starts_with(' ') && s.ends_with(' '))
    {
        " "
    } else {
        ""
    };
    let s = if in_table { s.replace('|', "\\|") } else { s };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// Running text (a risk's reason): HTML escaped and Markdown's inline syntax
/// backslash-escaped, on one line.
fn inline(s: &str, max: usize) -> String {
    let s = cap(&one_line(s), max);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Text inside raw HTML (a `<summary>`), where Markdown is not parsed.
fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in one_line(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// Line breaks would end a table row, a list item or an HTML block.
fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// At most `max` chars, the last one `…` when cut.
fn cap(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn truncate_chars(mut s: String, max: usize) -> String {
    if let Some((index, _)) = s.char_indices().nth(max) {
        s.truncate(index);
    }
    s
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_outgrow_backtick_runs() {
        assert_eq!(fenced("diff", "+a\n"), "```diff\n+a\n```\n");
        assert_eq!(fenced("diff", "+````\n"), "`````diff\n+````\n`````\n");
    }

    #[test]
    fn code_spans_escape_backticks_and_pipes() {
        assert_eq!(code("web"), "`web`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(table_code("a|b"), "`a\\|b`");
        assert_eq!(code("a\nb"), "`a b`");
        assert_eq!(code(""), "`\"\"`");
    }

    #[test]
    fn inline_text_escapes_html_and_markdown() {
        assert_eq!(
            inline("<b>*x*</b> & [y](z)", 100),
            "&lt;b&gt;\\*x\\*&lt;/b&gt; &amp; \\[y\\](z)"
        );
        assert_eq!(inline("abcdef", 4), "abc…");
    }

    #[test]
    fn join_and_reads_as_prose() {
        assert_eq!(join_and(&["a"]), "a");
        assert_eq!(join_and(&["a", "b"]), "a and b");
        assert_eq!(join_and(&["a", "b", "c"]), "a, b and c");
    }

    #[test]
    fn truncation_counts_chars_not_bytes() {
        assert_eq!(truncate_chars("ééé".to_string(), 2), "éé");
        assert_eq!(truncate_chars("ab".to_string(), 5), "ab");
    }
}
