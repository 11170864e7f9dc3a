//! The endpoints the helmpilot App's gate reads, and their seeding methods:
//!
//! - `GET /repos/{owner}/{repo}/contents/{path}` (`ref`)
//! - `GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls` (`per_page`, `page`)
//! - `GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews` (`per_page`, `page`)
//! - `GET /orgs/{org}/teams/{team_slug}/memberships/{username}`
//! - `GET /repos/{owner}/{repo}/deployments` (`sha`, `environment`, `per_page`, `page`)
//! - `GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses` (`per_page`, `page`)
//!
//! Answers carry every field GitHub's OpenAPI description requires for them (checked
//! by the crate's tests), with URLs on the fake's host.

use serde_json::{json, Map, Value};

use super::{lock, not_found, reply, FakeGitHub, Inner, RecordedRequest, Shared};

/// What the gate's endpoints serve.
#[derive(Debug, Default)]
pub(super) struct AppState {
    files: Vec<File>,
    pulls: Vec<Pull>,
    reviews: Vec<StoredReview>,
    members: Vec<Member>,
    deployments: Vec<Deployment>,
    statuses: Vec<Status>,
    next_id: u64,
}

#[derive(Debug)]
struct File {
    owner: String,
    repo: String,
    git_ref: String,
    path: String,
    content: Vec<u8>,
}

#[derive(Debug)]
struct Pull {
    owner: String,
    repo: String,
    number: u64,
    author: String,
    head_sha: String,
    merge_commit_sha: Option<String>,
}

#[derive(Debug)]
struct StoredReview {
    id: u64,
    owner: String,
    repo: String,
    number: u64,
    login: String,
    state: String,
    commit_id: String,
    submitted_at: String,
    association: String,
}

#[derive(Debug)]
struct Member {
    org: String,
    slug: String,
    login: String,
    state: String,
}

#[derive(Debug)]
struct Deployment {
    id: u64,
    owner: String,
    repo: String,
    sha: String,
    git_ref: String,
    environment: String,
}

#[derive(Debug)]
struct Status {
    id: u64,
    deployment: u64,
    state: String,
}

impl AppState {
    fn id(&mut self) -> u64 {
        // Large, like GitHub's: code that squeezes ids into 32 bits fails here.
        self.next_id += 1;
        3_000_000_000 + self.next_id
    }
}

/// Seeding the gate's data.
impl FakeGitHub {
    /// Puts a file at `path` on `git_ref` (a branch, tag or SHA: the fake matches the
    /// `ref` query parameter literally).
    pub fn add_file(&self, owner: &str, repo: &str, git_ref: &str, path: &str, content: &str) {
        lock(&self.shared.inner).app.files.push(File {
            owner: owner.into(),
            repo: repo.into(),
            git_ref: git_ref.into(),
            path: path.into(),
            content: content.as_bytes().to_vec(),
        });
    }

    /// Adds pull request `number` by `author` with head `head_sha`; when
    /// `merge_commit_sha` is given it is merged, and that commit lists it too.
    pub fn add_pull_request(
        &self,
        owner: &str,
        repo: &str,
        number: u64,
        author: &str,
        head_sha: &str,
        merge_commit_sha: Option<&str>,
    ) {
        lock(&self.shared.inner).app.pulls.push(Pull {
            owner: owner.into(),
            repo: repo.into(),
            number,
            author: author.into(),
            head_sha: head_sha.into(),
            merge_commit_sha: merge_commit_sha.map(str::to_string),
        });
    }

    /// Adds a review of pull request `number` (`state`: `APPROVED`, `CHANGES_REQUESTED`,
    /// `COMMENTED`, `DISMISSED`) given on `commit_id` at `submitted_at`
    /// (`2024-01-02T03:04:05Z`) by `login` with `association` (`MEMBER`, ...). Returns
    /// its id. Reviews are listed in the order they were added.
    #[allow(clippy::too_many_arguments)]
    pub fn add_review(
        &self,
        owner: &str,
        repo: &str,
        number: u64,
        login: &str,
        state: &str,
        commit_id: &str,
        submitted_at: &str,
        association: &str,
    ) -> u64 {
        let mut inner = lock(&self.shared.inner);
        let id = inner.app.id();
        inner.app.reviews.push(StoredReview {
            id,
            owner: owner.into(),
            repo: repo.into(),
            number,
            login: login.into(),
            state: state.into(),
            commit_id: commit_id.into(),
            submitted_at: submitted_at.into(),
            association: association.into(),
        });
        id
    }

    /// Makes `login` a member of `@org/slug` (`state`: `active` or `pending`).
    pub fn add_team_member(&self, org: &str, slug: &str, login: &str, state: &str) {
        lock(&self.shared.inner).app.members.push(Member {
            org: org.into(),
            slug: slug.into(),
            login: login.into(),
            state: state.into(),
        });
    }

    /// Adds a deployment of `sha` to `environment`; returns its id.
    pub fn add_deployment(
        &self,
        owner: &str,
        repo: &str,
        sha: &str,
        git_ref: &str,
        environment: &str,
    ) -> u64 {
        let mut inner = lock(&self.shared.inner);
        let id = inner.app.id();
        inner.app.deployments.push(Deployment {
            id,
            owner: owner.into(),
            repo: repo.into(),
            sha: sha.into(),
            git_ref: git_ref.into(),
            environment: environment.into(),
        });
        id
    }

    /// Adds a status (`success`, `failure`, `in_progress`, ...) to deployment `id`;
    /// returns the status's id.
    pub fn add_deployment_status(&self, deployment: u64, state: &str) -> u64 {
        let mut inner = lock(&self.shared.inner);
        let id = inner.app.id();
        inner.app.statuses.push(Status {
            id,
            deployment,
            state: state.into(),
        });
        id
    }
}

/// Serves a gate endpoint, or answers 404 like GitHub for anything else.
pub(super) fn serve(
    shared: &Shared,
    inner: &Inner,
    req: &RecordedRequest,
) -> axum::response::Response {
    let segments: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
    let state = &inner.app;
    match (req.method.as_str(), segments.as_slice()) {
        ("GET", ["repos", owner, repo, "contents", path @ ..]) if !path.is_empty() => {
            content(shared, state, req, owner, repo, &path.join("/"))
        }
        ("GET", ["repos", owner, repo, "commits", sha, "pulls"]) => {
            let items = state
                .pulls
                .iter()
                .filter(|p| {
                    p.owner == *owner
                        && p.repo == *repo
                        && (p.head_sha == *sha || p.merge_commit_sha.as_deref() == Some(sha))
                })
                .map(|p| pull_json(shared, p))
                .collect();
            page(shared, req, items)
        }
        ("GET", ["repos", owner, repo, "pulls", number, "reviews"]) => {
            let Ok(n) = number.parse::<u64>() else {
                return not_found();
            };
            if !state
                .pulls
                .iter()
                .any(|p| p.owner == *owner && p.repo == *repo && p.number == n)
            {
                return not_found();
            }
            let items = state
                .reviews
                .iter()
                .filter(|r| r.owner == *owner && r.repo == *repo && r.number == n)
                .map(|r| review_json(shared, r))
                .collect();
            page(shared, req, items)
        }
        ("GET", ["orgs", org, "teams", slug, "memberships", login]) => {
            match state.members.iter().find(|m| {
                m.org.eq_ignore_ascii_case(org)
                    && m.slug == *slug
                    && m.login.eq_ignore_ascii_case(login)
            }) {
                Some(m) => reply(
                    200,
                    &json!({
                        "url": format!("{}/orgs/{org}/teams/{slug}/memberships/{login}", api(shared)),
                        "role": "member",
                        "state": m.state,
                    }),
                    &[],
                ),
                None => not_found(),
            }
        }
        ("GET", ["repos", owner, repo, "deployments"]) => {
            let sha = req.query_param("sha");
            let environment = req.query_param("environment");
            // Newest first, as GitHub lists them.
            let items = state
                .deployments
                .iter()
                .rev()
                .filter(|d| {
                    d.owner == *owner
                        && d.repo == *repo
                        && sha.map_or(true, |s| d.sha == s)
                        && environment.map_or(true, |e| d.environment == e)
                })
                .map(|d| deployment_json(shared, d))
                .collect();
            page(shared, req, items)
        }
        ("GET", ["repos", owner, repo, "deployments", id, "statuses"]) => {
            let Some(d) = id.parse::<u64>().ok().and_then(|id| {
                state
                    .deployments
                    .iter()
                    .find(|d| d.id == id && d.owner == *owner && d.repo == *repo)
            }) else {
                return not_found();
            };
            let items = state
                .statuses
                .iter()
                .rev()
                .filter(|s| s.deployment == d.id)
                .map(|s| status_json(shared, d, s))
                .collect();
            page(shared, req, items)
        }
        _ => not_found(),
    }
}

fn api(shared: &Shared) -> String {
    format!("{}{}", shared.base_url, shared.prefix)
}

/// A page of `items` by `per_page`/`page`, with GitHub's `Link` header.
fn page(shared: &Shared, req: &RecordedRequest, items: Vec<Value>) -> axum::response::Response {
    let per_page = req
        .query_param("per_page")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|v| *v > 0)
        .unwrap_or(30)
        .min(100);
    let page = req
        .query_param("page")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|v| *v > 0)
        .unwrap_or(1);
    let last = items.len().div_ceil(per_page).max(1);
    let chunk: Vec<Value> = items
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .collect();
    let link = |p: usize| {
        let mut query: Vec<(String, String)> = req
            .query
            .iter()
            .filter(|(k, _)| k != "page")
            .cloned()
            .collect();
        query.push(("page".to_string(), p.to_string()));
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query)
            .finish();
        format!("<{}{}?{encoded}>", api(shared), req.path)
    };
    let mut links = Vec::new();
    if page < last {
        links.push(format!("{}; rel=\"next\"", link(page + 1)));
        links.push(format!("{}; rel=\"last\"", link(last)));
    }
    if page > 1 {
        links.push(format!("{}; rel=\"prev\"", link((page - 1).min(last))));
        links.push(format!("{}; rel=\"first\"", link(1)));
    }
    let headers: Vec<(&str, String)> = if links.is_empty() {
        Vec::new()
    } else {
        vec![("link", links.join(", "))]
    };
    reply(200, &Value::Array(chunk), &headers)
}

fn content(
    shared: &Shared,
    state: &AppState,
    req: &RecordedRequest,
    owner: &str,
    repo: &str,
    path: &str,
) -> axum::response::Response {
    // Without `ref`, GitHub reads the default branch; the fake's is `main`.
    let git_ref = req.query_param("ref").unwrap_or("main");
    let Some(f) = state
        .files
        .iter()
        .find(|f| f.owner == owner && f.repo == repo && f.git_ref == git_ref && f.path == path)
    else {
        return not_found();
    };
    let sha = fake_sha(&f.content);
    let api_url = format!(
        "{}/repos/{owner}/{repo}/contents/{path}?ref={git_ref}",
        api(shared)
    );
    let html = format!("{}/{owner}/{repo}/blob/{git_ref}/{path}", shared.base_url);
    let git = format!("{}/repos/{owner}/{repo}/git/blobs/{sha}", api(shared));
    let name = path.rsplit('/').next().unwrap_or(path);
    reply(
        200,
        &json!({
            "type": "file",
            "encoding": "base64",
            "size": f.content.len(),
            "name": name,
            "path": path,
            "content": base64_lines(&f.content),
            "sha": sha,
            "url": api_url,
            "git_url": git,
            "html_url": html,
            "download_url": format!("{}/raw/{owner}/{repo}/{git_ref}/{path}", shared.base_url),
            "_links": {"self": api_url, "git": git, "html": html},
        }),
        &[],
    )
}

/// Base64 in lines of 60 characters, each ending with `\n`, as the contents API sends it.
fn base64_lines(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut flat = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                flat.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                flat.push('=');
            }
        }
    }
    let mut out = String::new();
    for line in flat.as_bytes().chunks(60) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out
}

/// A stable 40-hex id for content (not git's blob hash; nothing checks it).
fn fake_sha(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}{:016x}{:08x}", h.rotate_left(17), (h >> 7) as u32)
}

fn user_id(login: &str) -> u64 {
    login
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(b.into()))
        % 100_000_000
}

/// A simple-user object (also the author of the fake's issue comments).
pub(super) fn user_json(shared: &Shared, login: &str) -> Value {
    let base = &shared.base_url;
    let id = user_id(login);
    let url = format!(
        "{}/users/{}",
        api(shared),
        login.replace('[', "%5B").replace(']', "%5D")
    );
    let bot = login.ends_with("[bot]");
    json!({
        "login": login,
        "id": id,
        "node_id": format!("U_fake{id}"),
        "avatar_url": format!("{base}/avatars/u/{id}"),
        "gravatar_id": "",
        "url": url,
        "html_url": if bot {
            format!("{base}/apps/{}", login.trim_end_matches("[bot]"))
        } else {
            format!("{base}/{login}")
        },
        "followers_url": format!("{url}/followers"),
        "following_url": format!("{url}/following{{/other_user}}"),
        "gists_url": format!("{url}/gists{{/gist_id}}"),
        "starred_url": format!("{url}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{url}/subscriptions"),
        "organizations_url": format!("{url}/orgs"),
        "repos_url": format!("{url}/repos"),
        "events_url": format!("{url}/events{{/privacy}}"),
        "received_events_url": format!("{url}/received_events"),
        "type": if bot { "Bot" } else { "User" },
        "user_view_type": "public",
        "site_admin": false,
    })
}

/// A full repository object (what a pull request's `head.repo` and `base.repo` hold).
fn repository_json(shared: &Shared, owner: &str, repo: &str) -> Value {
    let api_repo = format!("{}/repos/{owner}/{repo}", api(shared));
    let html = format!("{}/{owner}/{repo}", shared.base_url);
    let mut m = Map::new();
    // The `*_url` templates GitHub lists for a repository, by the suffix they add.
    let templated = [
        ("archive_url", "/{archive_format}{/ref}"),
        ("assignees_url", "/assignees{/user}"),
        ("blobs_url", "/git/blobs{/sha}"),
        ("branches_url", "/branches{/branch}"),
        ("collaborators_url", "/collaborators{/collaborator}"),
        ("comments_url", "/comments{/number}"),
        ("commits_url", "/commits{/sha}"),
        ("compare_url", "/compare/{base}...{head}"),
        ("contents_url", "/contents/{+path}"),
        ("git_commits_url", "/git/commits{/sha}"),
        ("git_refs_url", "/git/refs{/sha}"),
        ("git_tags_url", "/git/tags{/sha}"),
        ("issue_comment_url", "/issues/comments{/number}"),
        ("issue_events_url", "/issues/events{/number}"),
        ("issues_url", "/issues{/number}"),
        ("keys_url", "/keys{/key_id}"),
        ("labels_url", "/labels{/name}"),
        ("milestones_url", "/milestones{/number}"),
        (
            "notifications_url",
            "/notifications{?since,all,participating}",
        ),
        ("pulls_url", "/pulls{/number}"),
        ("releases_url", "/releases{/id}"),
        ("statuses_url", "/statuses/{sha}"),
        ("trees_url", "/git/trees{/sha}"),
        ("contributors_url", "/contributors"),
        ("deployments_url", "/deployments"),
        ("downloads_url", "/downloads"),
        ("events_url", "/events"),
        ("forks_url", "/forks"),
        ("hooks_url", "/hooks"),
        ("languages_url", "/languages"),
        ("merges_url", "/merges"),
        ("stargazers_url", "/stargazers"),
        ("subscribers_url", "/subscribers"),
        ("subscription_url", "/subscription"),
        ("tags_url", "/tags"),
        ("teams_url", "/teams"),
    ];
    for (key, suffix) in templated {
        m.insert(key.to_string(), json!(format!("{api_repo}{suffix}")));
    }
    let host = shared.base_url.trim_start_matches("http://");
    let rest = json!({
        "id": user_id(&format!("{owner}/{repo}")),
        "node_id": format!("R_fake{}", user_id(&format!("{owner}/{repo}"))),
        "name": repo,
        "full_name": format!("{owner}/{repo}"),
        "owner": user_json(shared, owner),
        "private": false,
        "html_url": html,
        "description": null,
        "fork": false,
        "url": api_repo,
        "git_url": format!("git://{host}/{owner}/{repo}.git"),
        "ssh_url": format!("git@{host}:{owner}/{repo}.git"),
        "clone_url": format!("{html}.git"),
        "svn_url": html,
        "mirror_url": null,
        "homepage": null,
        "language": null,
        "forks": 0,
        "forks_count": 0,
        "stargazers_count": 0,
        "watchers": 0,
        "watchers_count": 0,
        "size": 1,
        "default_branch": "main",
        "open_issues": 0,
        "open_issues_count": 0,
        "has_issues": true,
        "has_projects": true,
        "has_wiki": true,
        "has_pages": false,
        "has_downloads": true,
        "archived": false,
        "disabled": false,
        "license": null,
        "pushed_at": "2024-01-02T03:04:05Z",
        "created_at": "2023-01-02T03:04:05Z",
        "updated_at": "2024-01-02T03:04:05Z",
    });
    if let Value::Object(rest) = rest {
        m.extend(rest);
    }
    Value::Object(m)
}

fn pull_json(shared: &Shared, p: &Pull) -> Value {
    let repo_api = format!("{}/repos/{}/{}", api(shared), p.owner, p.repo);
    let html = format!(
        "{}/{}/{}/pull/{}",
        shared.base_url, p.owner, p.repo, p.number
    );
    let pr_api = format!("{repo_api}/pulls/{}", p.number);
    let issue_api = format!("{repo_api}/issues/{}", p.number);
    let merged = p.merge_commit_sha.is_some();
    let side = |r: &str, sha: &str| {
        json!({
            "label": format!("{}:{r}", p.owner),
            "ref": r,
            "sha": sha,
            "user": user_json(shared, &p.owner),
            "repo": repository_json(shared, &p.owner, &p.repo),
        })
    };
    let links = json!({
        "self": {"href": pr_api},
        "html": {"href": html},
        "issue": {"href": issue_api},
        "comments": {"href": format!("{issue_api}/comments")},
        "review_comments": {"href": format!("{pr_api}/comments")},
        "review_comment": {"href": format!("{repo_api}/pulls/comments{{/number}}")},
        "commits": {"href": format!("{pr_api}/commits")},
        "statuses": {"href": format!("{repo_api}/statuses/{}", p.head_sha)},
    });
    let urls = json!({
        "url": pr_api,
        "html_url": html,
        "diff_url": format!("{html}.diff"),
        "patch_url": format!("{html}.patch"),
        "issue_url": issue_api,
        "commits_url": format!("{pr_api}/commits"),
        "review_comments_url": format!("{pr_api}/comments"),
        "review_comment_url": format!("{repo_api}/pulls/comments{{/number}}"),
        "comments_url": format!("{issue_api}/comments"),
        "statuses_url": format!("{repo_api}/statuses/{}", p.head_sha),
    });
    let closed = if merged {
        json!("2024-01-03T03:04:05Z")
    } else {
        Value::Null
    };
    let mut pull = json!({
        "id": 4_000_000_000u64 + p.number,
        "node_id": format!("PR_fake{}", p.number),
        "number": p.number,
        "state": if merged { "closed" } else { "open" },
        "locked": false,
        "title": format!("Change #{}", p.number),
        "user": user_json(shared, &p.author),
        "body": null,
        "labels": [],
        "milestone": null,
        "active_lock_reason": null,
        "created_at": "2024-01-02T03:04:05Z",
        "updated_at": "2024-01-03T03:04:05Z",
        "closed_at": closed.clone(),
        "merged_at": closed,
        "merge_commit_sha": p.merge_commit_sha,
        "assignee": null,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "head": side(&format!("change-{}", p.number), &p.head_sha),
        "base": side("main", "0000000000000000000000000000000000000000"),
        "_links": links,
        "author_association": "MEMBER",
        "auto_merge": null,
        "draft": false,
    });
    if let (Value::Object(pull), Value::Object(urls)) = (&mut pull, urls) {
        pull.extend(urls);
    }
    pull
}

fn review_json(shared: &Shared, r: &StoredReview) -> Value {
    let pr_api = format!(
        "{}/repos/{}/{}/pulls/{}",
        api(shared),
        r.owner,
        r.repo,
        r.number
    );
    let html = format!(
        "{}/{}/{}/pull/{}#pullrequestreview-{}",
        shared.base_url, r.owner, r.repo, r.number, r.id
    );
    json!({
        "id": r.id,
        "node_id": format!("PRR_fake{}", r.id),
        "user": user_json(shared, &r.login),
        "body": "",
        "state": r.state,
        "html_url": html,
        "pull_request_url": pr_api,
        "_links": {"html": {"href": html}, "pull_request": {"href": pr_api}},
        "submitted_at": r.submitted_at,
        "commit_id": r.commit_id,
        "author_association": r.association,
    })
}

fn deployment_json(shared: &Shared, d: &Deployment) -> Value {
    let repo_api = format!("{}/repos/{}/{}", api(shared), d.owner, d.repo);
    let url = format!("{repo_api}/deployments/{}", d.id);
    json!({
        "url": url,
        "id": d.id,
        "node_id": format!("DE_fake{}", d.id),
        "sha": d.sha,
        "ref": d.git_ref,
        "task": "deploy",
        "payload": {},
        "original_environment": d.environment,
        "environment": d.environment,
        "description": null,
        "creator": user_json(shared, "github-actions[bot]"),
        "created_at": "2024-01-02T03:04:05Z",
        "updated_at": "2024-01-02T03:04:05Z",
        "statuses_url": format!("{url}/statuses"),
        "repository_url": repo_api,
        "transient_environment": false,
        "production_environment": d.environment == "production",
    })
}

fn status_json(shared: &Shared, d: &Deployment, s: &Status) -> Value {
    let repo_api = format!("{}/repos/{}/{}", api(shared), d.owner, d.repo);
    let deployment_url = format!("{repo_api}/deployments/{}", d.id);
    json!({
        "url": format!("{deployment_url}/statuses/{}", s.id),
        "id": s.id,
        "node_id": format!("DES_fake{}", s.id),
        "state": s.state,
        "creator": user_json(shared, "github-actions[bot]"),
        "description": "",
        "environment": d.environment,
        "target_url": format!("{}/{}/{}/actions/runs/1", shared.base_url, d.owner, d.repo),
        "created_at": "2024-01-02T03:04:05Z",
        "updated_at": "2024-01-02T03:04:05Z",
        "deployment_url": deployment_url,
        "repository_url": repo_api,
    })
}
