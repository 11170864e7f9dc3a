#!/usr/bin/env python3
"""Builds the chart repository served by the dependency tests, with real Helm.

``fixtures/repositories/stable`` holds archives made by ``helm package`` (helm-python's
``package``) from ``fixtures/repositories/sources`` at several versions, and the
``index.yaml`` that ``helm repo index`` (``repo_index_generate``) writes for them, with
relative chart URLs. The Rust tests serve that folder from a local server.

Archives and the index carry timestamps, so running this again changes bytes: it is run
deliberately (after changing the sources or moving to a newer Helm), and the result is
committed.

    python3 scripts/oracle/deps_fixtures.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "fixtures" / "repositories" / "sources"
STABLE = ROOT / "fixtures" / "repositories" / "stable"

# (chart, versions): several matches for constraints, a prerelease, build metadata.
VERSIONS = {
    "redis-lite": ["1.0.0", "1.2.0", "1.2.3", "2.0.0-rc.1"],
    "model-server": ["0.3.0", "0.3.1+build.5"],
}


def main() -> int:
    import helm_python

    if STABLE.exists():
        shutil.rmtree(STABLE)
    STABLE.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        for chart, versions in VERSIONS.items():
            for version in versions:
                helm_python.package(SOURCES / chart, destination=tmp, version=version)
        for archive in sorted(Path(tmp).glob("*.tgz")):
            shutil.copy(archive, STABLE / archive.name)
    helm_python.repo_index_generate(STABLE)
    names = sorted(p.name for p in STABLE.iterdir())
    print(f"deps fixtures: {len(names)} files in {STABLE.relative_to(ROOT)}: {', '.join(names)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
