//! The Git side of `helmpilot diff`: the enclosing repository, revisions, merge-base with
//! the default branch, and checkouts of a revision into a temporary worktree.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{anyhow, bail, Context, Result};

/// A Git repository, by its top-level directory.
pub struct Repository {
    pub root: PathBuf,
}

fn git(dir: &Path, args: &[&str]) -> Result<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .context("running git (is it installed?)")?;
    if !output.status.success() {
        bail!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

impl Repository {
    /// The repository holding `path`.
    pub fn enclosing(path: &Path) -> Result<Repository> {
        // The chart may be gone from the working tree (deleted by the change under review):
        // start from the nearest directory that exists.
        let mut dir = path;
        while !dir.is_dir() {
            match dir.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => dir = parent,
                _ => {
                    dir = Path::new(".");
                    break;
                }
            }
        }
        let root = git(dir, &["rev-parse", "--show-toplevel"]).map_err(|_| {
            anyhow!(
                "{} is not inside a Git repository: helmpilot diff compares two revisions of one \
                 (use --manifests OLD NEW to diff two rendered files)",
                path.display()
            )
        })?;
        Ok(Repository {
            root: PathBuf::from(root),
        })
    }

    /// The commit a revision names (branch, tag, SHA, `HEAD~2`, ...).
    pub fn commit(&self, revision: &str) -> Result<String> {
        git(&self.root, &["rev-parse", "--verify", "--quiet", &format!("{revision}^{{commit}}")]).map_err(|_| {
            let shallow = git(&self.root, &["rev-parse", "--is-shallow-repository"]).is_ok_and(|s| s == "true");
            if shallow {
                anyhow!(
                    "revision {revision:?} is not in this repository, which is a shallow clone: fetch the full history \
                     (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)"
                )
            } else {
                anyhow!("revision {revision:?} is not a commit of this repository")
            }
        })
    }

    /// The default base: the merge-base of HEAD with the default branch (the remote's
    /// HEAD when known, else `main`, else `master`), and how to name it.
    pub fn default_base(&self) -> Result<(String, String)> {
        let mut candidates = Vec::new();
        if let Ok(remote_head) = git(
            &self.root,
            &["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"],
        ) {
            candidates.push(remote_head.trim_start_matches("refs/remotes/").to_string());
        }
        candidates.extend(["main", "master", "origin/main", "origin/master"].map(String::from));
        for branch in candidates {
            if self.commit(&branch).is_ok() {
                let base = git(&self.root, &["merge-base", "HEAD", &branch])
                    .with_context(|| format!("finding the merge-base of HEAD and {branch}"))?;
                return Ok((format!("merge-base with {branch}"), base));
            }
        }
        bail!("can't tell the default branch (no origin/HEAD, main or master): pass --base REV")
    }

    /// The commit time of a revision (Unix seconds): the `now` both renders share.
    pub fn commit_time(&self, revision: &str) -> Result<i64> {
        git(&self.root, &["log", "-1", "--format=%ct", revision])?
            .parse()
            .context("reading a commit time")
    }

    /// Checks `commit` out into a new worktree under `parent`; removed when dropped.
    pub fn checkout(&self, commit: &str, parent: &Path) -> Result<Worktree> {
        static CHECKOUTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let short: String = commit.chars().take(12).collect();
        let n = CHECKOUTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = parent.join(format!("helmpilot-diff-{}-{n}-{short}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        // A worktree left registered by a killed run would block the path.
        let _ = git(&self.root, &["worktree", "prune"]);
        let path_text = path
            .to_str()
            .ok_or_else(|| anyhow!("temporary path is not UTF-8"))?;
        git(
            &self.root,
            &["worktree", "add", "--detach", "--quiet", path_text, commit],
        )
        .with_context(|| format!("checking out {short}"))?;
        Ok(Worktree {
            repository: self.root.clone(),
            path,
        })
    }
}

/// A temporary checkout of one revision.
pub struct Worktree {
    repository: PathBuf,
    pub path: PathBuf,
}

impl Drop for Worktree {
    fn drop(&mut self) {
        if let Some(path) = self.path.to_str() {
            let _ = git(&self.repository, &["worktree", "remove", "--force", path]);
        }
        let _ = std::fs::remove_dir_all(&self.path);
        let _ = git(&self.repository, &["worktree", "prune"]);
    }
}
