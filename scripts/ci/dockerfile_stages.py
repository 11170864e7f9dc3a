#!/usr/bin/env python3
"""Run a Dockerfile's build stages outside Docker (there is no Docker engine in CI).

Reads the Dockerfile, assembles the build context the way `docker build .` would (the
repository's files filtered by .dockerignore), then plays every stage the final stage
depends on in a directory of its own: WORKDIR, ENV, COPY (from the context or from an
earlier stage) and RUN (with /bin/sh -c, in the stage's working directory, with the host's
toolchain standing in for the base image). Finally it checks that every file the final
stage copies from a build stage exists, and runs the entrypoint's binary with `version`.

Only what a build stage can do without root is emulated. A build stage's RUN may not name
an absolute path (it would act on this machine, not on the stage's files); the final
stage's RUN lines (apt-get, useradd) are not run.

    python3 scripts/ci/dockerfile_stages.py [--keep] [--dir DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class Failure(Exception):
    """A check failed; the message says which and why."""


# --- .dockerignore -------------------------------------------------------------------


def ignore_patterns(path: Path) -> list[tuple[bool, re.Pattern[str]]]:
    """(is_exception, regex) per line of a .dockerignore, in order."""
    patterns = []
    if not path.exists():
        return patterns
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        exception = line.startswith("!")
        if exception:
            line = line[1:].strip()
        # Docker cleans each pattern like a path; a leading / means the context root.
        line = os.path.normpath(line).lstrip("/")
        if "[" in line or "\\" in line:
            raise Failure(f".dockerignore: character classes and escapes are not emulated: {raw!r}")
        patterns.append((exception, re.compile(_glob_regex(line))))
    return patterns


def _glob_regex(pattern: str) -> str:
    # Docker's matching: `*` and `?` stay within one path segment, `**` spans segments.
    out, i = ["^"], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    out.append("$")
    return "".join(out)


def ignored(path: str, patterns: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Whether Docker leaves `path` out of the context: the last pattern that matches the
    path or one of its parent directories decides."""
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for exception, regex in patterns:
        if any(regex.match(candidate) for candidate in candidates):
            excluded = not exception
    return excluded


def assemble_context(dest: Path) -> int:
    """Copies the files `docker build .` would send into `dest`; returns how many.

    The repository's files are the ones Git knows of (tracked, or untracked and not
    ignored), so build outputs in target/ are never considered."""
    listing = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    patterns = ignore_patterns(ROOT / ".dockerignore")
    count = 0
    for rel in sorted(set(filter(None, listing.split("\0")))):
        source = ROOT / rel
        if not source.is_file() or ignored(rel, patterns):
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        count += 1
    return count


# --- Dockerfile ----------------------------------------------------------------------


@dataclass
class Instruction:
    keyword: str
    args: str
    line: int


@dataclass
class Stage:
    name: str
    base: str
    instructions: list[Instruction] = field(default_factory=list)


def parse_dockerfile(path: Path) -> list[Stage]:
    """The stages of a Dockerfile: continuation lines joined, comments dropped."""
    stages: list[Stage] = []
    pending, start = "", 0
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not pending):
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        text = (pending + stripped).strip()
        pending = ""
        keyword, _, args = text.partition(" ")
        instruction = Instruction(keyword.upper(), args.strip(), start)
        if instruction.keyword == "FROM":
            words = instruction.args.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else f"stage{len(stages)}"
            stages.append(Stage(name=name, base=words[0]))
        elif not stages:
            if instruction.keyword != "ARG":
                raise Failure(f"Dockerfile:{start}: {keyword} before the first FROM")
        else:
            stages[-1].instructions.append(instruction)
    if not stages:
        raise Failure("Dockerfile: no FROM")
    return stages


def copy_args(instruction: Instruction) -> tuple[str | None, list[str], str]:
    """(--from stage, sources, destination) of a COPY."""
    words = shlex.split(instruction.args)
    source_stage = None
    while words and words[0].startswith("--"):
        flag = words.pop(0)
        if flag.startswith("--from="):
            source_stage = flag.split("=", 1)[1]
        elif flag.startswith(("--chown=", "--chmod=", "--link")):
            pass
        else:
            raise Failure(f"Dockerfile:{instruction.line}: COPY {flag} is not emulated")
    if len(words) < 2:
        raise Failure(f"Dockerfile:{instruction.line}: COPY needs a source and a destination")
    return source_stage, words[:-1], words[-1]


def needed_stages(stages: list[Stage]) -> list[str]:
    """Names of the stages the final one depends on, in file order."""
    by_name = {stage.name: stage for stage in stages}
    needed: set[str] = set()

    def visit(stage: Stage) -> None:
        deps = [stage.base] + [
            copy_args(i)[0] for i in stage.instructions if i.keyword == "COPY"
        ]
        for dep in deps:
            if dep in by_name and dep not in needed:
                needed.add(dep)
                visit(by_name[dep])

    visit(stages[-1])
    return [stage.name for stage in stages if stage.name in needed]


# --- playing the stages --------------------------------------------------------------


class Player:
    def __init__(self, work: Path, context: Path, stages: list[Stage]):
        self.work = work
        self.context = context
        self.stages = {stage.name: stage for stage in stages}
        self.roots: dict[str, Path] = {}
        self.workdirs: dict[str, str] = {}
        self.envs: dict[str, dict[str, str]] = {}
        # How many later instructions still read each stage: the last FROM of a stage
        # takes its files over instead of copying them (a release target/ is gigabytes).
        self.readers: dict[str, int] = {}
        for stage in stages:
            self._count(stage.base)
            for i in stage.instructions:
                if i.keyword == "COPY":
                    self._count(copy_args(i)[0])

    def _count(self, name: str | None) -> None:
        if name in self.stages:
            self.readers[name] = self.readers.get(name, 0) + 1

    def host(self, stage: str, path: str) -> Path:
        """Where a path of a stage's file system is here."""
        if not path.startswith("/"):
            path = self.workdirs[stage].rstrip("/") + "/" + path
        return self.roots[stage] / os.path.normpath(path).lstrip("/")

    def play(self, name: str) -> None:
        stage = self.stages[name]
        root = self.work / "stages" / name
        if stage.base in self.roots:
            self.readers[stage.base] -= 1
            if self.readers[stage.base] == 0:
                self.roots[stage.base].rename(root)
            else:
                shutil.copytree(self.roots[stage.base], root, symlinks=True)
            self.workdirs[name] = self.workdirs[stage.base]
            self.envs[name] = dict(self.envs[stage.base])
        else:
            root.mkdir(parents=True)
            self.workdirs[name] = "/"
            self.envs[name] = {}
        self.roots[name] = root
        print(f"  stage {name} (FROM {stage.base})", flush=True)
        for instruction in stage.instructions:
            self.step(name, instruction)

    def step(self, name: str, instruction: Instruction) -> None:
        keyword = instruction.keyword
        if keyword == "WORKDIR":
            path = instruction.args
            if not path.startswith("/"):
                path = self.workdirs[name].rstrip("/") + "/" + path
            self.workdirs[name] = os.path.normpath(path)
            self.host(name, ".").mkdir(parents=True, exist_ok=True)
        elif keyword == "ENV":
            for word in shlex.split(instruction.args):
                key, _, value = word.partition("=")
                self.envs[name][key] = value
        elif keyword == "COPY":
            self.copy(name, instruction)
        elif keyword == "RUN":
            self.run(name, instruction)
        elif keyword in ("LABEL", "USER", "ENTRYPOINT", "CMD", "ARG", "EXPOSE", "SHELL"):
            pass
        else:
            raise Failure(f"Dockerfile:{instruction.line}: {keyword} is not emulated")

    def copy(self, name: str, instruction: Instruction) -> None:
        source_stage, sources, dest = copy_args(instruction)
        if source_stage is not None:
            if source_stage not in self.roots:
                raise Failure(f"Dockerfile:{instruction.line}: stage {source_stage} was not built")
            self.readers[source_stage] -= 1
        for source in sources:
            if source_stage is None:
                origin = self.context / os.path.normpath(source).lstrip("/")
            else:
                origin = self.host(source_stage, source)
            if not origin.exists():
                raise Failure(f"Dockerfile:{instruction.line}: COPY source {source} does not exist")
            target = self.host(name, dest)
            if origin.is_dir():
                # Docker copies a directory's contents, not the directory itself.
                shutil.copytree(origin, target, symlinks=True, dirs_exist_ok=True)
            else:
                if dest.endswith("/") or target.is_dir():
                    target = target / origin.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, target)

    def run(self, name: str, instruction: Instruction) -> None:
        command = instruction.args
        if command.startswith("["):
            raise Failure(f"Dockerfile:{instruction.line}: exec-form RUN is not emulated")
        for word in shlex.split(command):
            if word.startswith("/") or "=/" in word:
                raise Failure(
                    f"Dockerfile:{instruction.line}: a build stage's RUN names an absolute "
                    f"path ({word}); it cannot be run outside Docker"
                )
        env = {k: v for k, v in os.environ.items() if k != "CARGO_TARGET_DIR"}
        env.update(self.envs[name])
        print(f"    RUN {command}", flush=True)
        started = time.monotonic()
        result = subprocess.run(["/bin/sh", "-c", command], cwd=self.host(name, "."), env=env)
        if result.returncode != 0:
            raise Failure(f"Dockerfile:{instruction.line}: RUN exited with {result.returncode}")
        print(f"    ({time.monotonic() - started:.0f} s)", flush=True)


def check_toolchain(stages: list[Stage]) -> None:
    """The host's rustc must be the one the builder image pins, or the emulation proves
    nothing about the image."""
    for stage in stages:
        match = re.match(r"(?:docker\.io/)?(?:library/)?rust:(\d+\.\d+\.\d+)", stage.base)
        if match:
            want = match.group(1)
            have = subprocess.run(["rustc", "--version"], check=True, capture_output=True, text=True).stdout
            if have.split()[1] != want:
                raise Failure(f"the Dockerfile builds with Rust {want}, this machine has {have.strip()}")
            print(f"  toolchain: {have.strip()} (the Dockerfile pins rust:{want})")
            return
    raise Failure("Dockerfile: no rust:X.Y.Z builder image found")


def check_final(player: Player, final: Stage) -> None:
    copied: dict[str, Path] = {}
    for instruction in final.instructions:
        if instruction.keyword != "COPY":
            continue
        source_stage, sources, dest = copy_args(instruction)
        if source_stage is None:
            raise Failure(f"Dockerfile:{instruction.line}: the final stage copies from the context")
        for source in sources:
            origin = player.host(source_stage, source)
            if not origin.exists():
                raise Failure(f"Dockerfile:{instruction.line}: {source} is missing from stage {source_stage}")
            size = origin.stat().st_size if origin.is_file() else 0
            print(f"  final stage copies {source_stage}:{source} ({size / 2**20:.1f} MiB) to {dest}")
            copied[dest.rstrip("/")] = origin
    entry = next((i for i in final.instructions if i.keyword == "ENTRYPOINT"), None)
    if entry is None:
        raise Failure("Dockerfile: the final stage has no ENTRYPOINT")
    program = shlex.split(entry.args.strip("[]").replace(",", " "))[0]
    if program not in copied:
        raise Failure(f"Dockerfile: the ENTRYPOINT {program} is not copied from a build stage")
    version = subprocess.run([str(copied[program]), "version"], capture_output=True, text=True)
    if version.returncode != 0:
        raise Failure(f"{program} version failed: {version.stderr.strip()}")
    print(f"  {program} version: {version.stdout.splitlines()[0]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--dir", type=Path, help="work directory (default: a new temporary one)")
    args = parser.parse_args()

    work = args.dir or Path(tempfile.mkdtemp(prefix="helmpilot-docker-build-"))
    if args.dir:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
    started = time.monotonic()
    try:
        stages = parse_dockerfile(ROOT / "Dockerfile")
        check_toolchain(stages)
        context = work / "context"
        count = assemble_context(context)
        print(f"  context: {count} files (.dockerignore applied)")
        player = Player(work, context, stages)
        for name in needed_stages(stages):
            player.play(name)
        check_final(player, stages[-1])
    except Failure as failure:
        print(f"build-like-docker: {failure}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"  work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"build-like-docker: ok ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
