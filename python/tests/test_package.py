"""The package: versioned with @srcode/token-reward, installable offline, adapters importable without their trainers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from servers import ROOT

import srcode_reward

PYTHON_DIR = ROOT / "python"


def test_the_version_is_the_npm_packages():
    npm = json.loads((ROOT / "packages" / "token-reward" / "package.json").read_text())["version"]
    assert srcode_reward.__version__ == npm, "run python3 python/scripts/sync-version.py after a version bump"


def test_pip_installs_it_offline_and_the_adapters_import_without_their_trainers(tmp_path):
    target = tmp_path / "site"
    # from a copy: an in-tree build (pip without isolation) writes build/ and *.egg-info beside the sources
    source = tmp_path / "python"
    shutil.copytree(PYTHON_DIR, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".pytest_cache", "tests", "test"))
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    r = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-build-isolation", "--no-deps", "--target", str(target), str(source)],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import srcode_reward, srcode_reward.verl, srcode_reward.trl, srcode_reward.openrlhf, srcode_reward.export;"
        "print(srcode_reward.__file__, srcode_reward.__version__, srcode_reward.verl.REGISTERED)"
    )
    out = subprocess.run([sys.executable, "-I", "-c", code, str(target)], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    path, version, registered = out.stdout.split()
    assert Path(path).is_relative_to(target) and version == srcode_reward.__version__ and registered == "False"
    assert (target / "bin" / "srcode-reward-py").exists()
    meta = next(target.glob("srcode_reward-*.dist-info"))
    assert meta.name == f"srcode_reward-{srcode_reward.__version__}.dist-info"


def test_the_core_imports_nothing_outside_the_standard_library():
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); before = set(sys.modules);"
        "import srcode_reward, srcode_reward.client;"
        "extra = {m.split('.')[0] for m in set(sys.modules) - before} - {'srcode_reward'};"
        "third = sorted(m for m in extra if m not in sys.stdlib_module_names and not m.startswith('_'));"
        "print(','.join(third))"
    )
    out = subprocess.run([sys.executable, "-I", "-c", code, str(PYTHON_DIR / "src")], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_the_sources_parse_as_python_3_9():
    import ast  # noqa: PLC0415

    for path in sorted((PYTHON_DIR / "src" / "srcode_reward").glob("*.py")):
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path), feature_version=(3, 9))
