# syntax=docker/dockerfile:1
#
# The helmpilot image: the GitHub Action (action.yml runs `helmpilot action` in it) and the
# CLI (`docker run --rm -v "$PWD:/github/workspace" IMAGE diff`).
#
# scripts/ci/lint-container.sh lints this file (hadolint); scripts/ci/build-like-docker.sh
# runs its build stages outside Docker, so keep their RUN lines free of absolute paths.

# Builder: Rust 1.95.0 on Debian bookworm, the same Debian release as the final stage, so
# the binary links against the glibc it runs with. The tag pins the toolchain; for a
# release, pin the digest as well (rust:1.95.0-slim-bookworm@sha256:...) so the exact
# image is reproducible.
FROM rust:1.95.0-slim-bookworm AS rust
WORKDIR /src

# Only the manifests, Cargo.lock and the build script. This stage reruns on any change in
# the context, but its result changes only when a manifest or the lock does, so the
# dependency layer below stays cached while sources change (Docker compares the copied
# content, not the stage that made it).
FROM rust AS manifests
COPY . .
RUN find . -type f ! -name Cargo.toml ! -name Cargo.lock \
        ! -path ./scripts/ci/cargo-build-release.sh -delete

# Dependencies compiled against empty stand-ins of the workspace's crates (see the script).
FROM rust AS dependencies
COPY --from=manifests /src /src
RUN scripts/ci/cargo-build-release.sh --deps-only

FROM dependencies AS builder
COPY . .
RUN scripts/ci/cargo-build-release.sh

# Final stage: Debian slim with what the binary calls or reads at run time: git (for
# `git worktree`, to render the pull request's base revision) and ca-certificates (TLS to
# GitHub's API and to chart repositories; rustls reads the system store).
FROM debian:bookworm-slim

LABEL org.opencontainers.image.title="helmpilot" \
      org.opencontainers.image.description="Diff rendered Helm charts on pull requests; renders like Helm v4, no helm binary" \
      org.opencontainers.image.source="https://github.com/helmpilot/helmpilot" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0"

# Package versions are not pinned (DL3008): Debian removes the previous version of a
# package from its mirrors when a security update lands, so a pinned version would make
# this build (which GitHub runs for every workflow using the action) fail on the next
# update of git or ca-certificates. Reproducibility comes from pinning the base image
# digest for releases.
#
# safe.directory: GitHub mounts the checked-out repository at /github/workspace, owned by
# the runner's user. When the container runs as another user (root on some self-hosted
# runners, or `docker run -v "$PWD:/github/workspace"` from a different account), git
# refuses the repository ("detected dubious ownership") and every git call fails. The image
# trusts every directory system-wide (/etc/gitconfig) rather than passing
# `-c safe.directory=*` on each git invocation, so it covers every git call helmpilot makes
# now or later. The check guards against a repository whose .git/config was written by
# someone else (it can name programs for git to run); here the only repository is the one
# the workflow checked out, and its .git is made by actions/checkout, never taken from the
# pull request (a commit cannot contain a .git directory).
#
# The user: uid/gid 1001 is the `runner` user of GitHub-hosted runners (and of the
# official runner image used by self-hosted runner controllers), the owner of the mounted
# workspace and of the runner's files (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, HOME). GitHub's
# docs say container actions should run as root; running as 1001 instead keeps the
# action unprivileged on those runners and leaves no root-owned files in the workspace.
# A runner whose user has another uid cannot let this user write to the workspace: see
# docs/github-action.md ("Runners").
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates git \
    && rm -rf /var/lib/apt/lists/* \
    && git config --system --add safe.directory '*' \
    && groupadd --gid 1001 helmpilot \
    && useradd --uid 1001 --gid 1001 --create-home --shell /usr/sbin/nologin helmpilot

COPY --from=builder /src/target/release/helmpilot /usr/local/bin/helmpilot

# In a container action RUNNER_TOOL_CACHE (the default cache of fetched chart dependencies
# in Actions) names a directory of the host that is not mounted into the container; keep
# the cache inside the container instead. It lives as long as the step does.
ENV HELMPILOT_CACHE_DIR=/tmp/helmpilot-cache

USER 1001:1001
# GitHub mounts the workspace here and makes it the working directory anyway; setting it
# also makes `docker run -v "$PWD:/github/workspace" IMAGE diff` work the same way.
WORKDIR /github/workspace
ENTRYPOINT ["/usr/local/bin/helmpilot"]
