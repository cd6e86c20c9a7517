"""The package: versioned with @srcode/token-reward, installable offline, adapters importable without their trainers."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from servers import ROOT

import srcode_reward

PYTHON_DIR = ROOT / "python"


def test_the_version_is_the_npm_packages():
    npm = json.loads((ROOT / "packages" / "token-reward" / "package.json").read_text())["version"]
    assert srcode_reward.__version__ == npm, "run python3 python/scripts/sync-version.py after a version bump"


# no index: an install that tried to download a build backend (or anything else) fails instead
PIP_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
PIP_ENV.update({"PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_CACHE_DIR": "1"})
IMPORTS = (
    "import srcode_reward, srcode_reward.verl, srcode_reward.trl, srcode_reward.openrlhf, srcode_reward.export;"
    "print(srcode_reward.__file__, srcode_reward.__version__, srcode_reward.verl.REGISTERED)"
)


def source_copy(tmp_path: Path) -> Path:
    """python/ without its tests, copied: the install must not need (or write into) the repository."""
    source = tmp_path / "python"
    shutil.copytree(PYTHON_DIR, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".pytest_cache", "tests", "test"))
    return source


def tree_of(root: Path):
    return sorted((str(p.relative_to(root)), p.stat().st_size) for p in root.rglob("*") if "__pycache__" not in p.parts)


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=120, env=PIP_ENV, cwd=cwd)


@pytest.mark.parametrize("isolation", [["--no-build-isolation"], []], ids=["no-build-isolation", "isolated"])
def test_pip_installs_it_offline_into_a_target_and_the_adapters_import_without_their_trainers(tmp_path, isolation):
    target = tmp_path / "site"
    source = source_copy(tmp_path)
    before = tree_of(source)
    r = run(sys.executable, "-m", "pip", "install", *isolation, "--no-deps", "--target", str(target), str(source), cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert tree_of(source) == before, "the build wrote beside the sources"
    code = "import sys; sys.path.insert(0, sys.argv[1]);" + IMPORTS
    out = subprocess.run([sys.executable, "-I", "-c", code, str(target)], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    path, version, registered = out.stdout.split()
    assert Path(path).is_relative_to(target) and version == srcode_reward.__version__ and registered == "False"
    assert (target / "bin" / "srcode-reward-py").exists() and (target / "srcode_reward" / "py.typed").exists()
    meta = next(target.glob("srcode_reward-*.dist-info"))
    assert meta.name == f"srcode_reward-{srcode_reward.__version__}.dist-info"


def plain_venv(path: Path) -> Path:
    """A venv without the system's site packages (so without ``wheel``); skips when venv cannot make one."""
    if importlib.util.find_spec("venv") is None or importlib.util.find_spec("ensurepip") is None:
        pytest.skip(f"{sys.executable} -m venv is unavailable (Debian: apt-get install python3-venv)")
    r = subprocess.run([sys.executable, "-m", "venv", str(path)], capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        reason = (r.stderr.strip().splitlines() or ["no message"])[-1]
        pytest.skip(f"{sys.executable} -m venv failed ({reason}; Debian: apt-get install python3-venv)")
    return path / "bin" / "python"


def test_a_plain_venv_installs_it_offline_every_way_and_uninstall_removes_everything(tmp_path):
    python = plain_venv(tmp_path / "venv")
    probe = run(str(python), "-c", "import importlib.util as u; print(u.find_spec('wheel') is None)", cwd=tmp_path)
    assert probe.stdout.strip() == "True", "the venv sees the wheel package: it would not test a plain venv"
    source = source_copy(tmp_path)
    before = tree_of(source)
    venv_files = tree_of(tmp_path / "venv")
    site = next((tmp_path / "venv" / "lib").glob("python3*/site-packages"))
    for how in (["--no-build-isolation"], [], ["--editable"]):
        r = run(str(python), "-m", "pip", "install", *how, str(source), cwd=tmp_path)
        assert r.returncode == 0, f"pip install {' '.join(how)}: {r.stdout}{r.stderr}"
        out = run(str(python), "-I", "-c", IMPORTS, cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        path, version, registered = out.stdout.split()
        home = source / "src" if how == ["--editable"] else site
        assert Path(path).is_relative_to(home), f"{how}: imported from {path}"
        assert version == srcode_reward.__version__ and registered == "False"
        script = run(str(tmp_path / "venv" / "bin" / "srcode-reward-py"), "--version", cwd=tmp_path)
        assert script.returncode == 0 and srcode_reward.__version__ in script.stdout, script.stderr
        r = run(str(python), "-m", "pip", "uninstall", "--yes", "srcode-reward", cwd=tmp_path)
        assert r.returncode == 0, r.stdout + r.stderr
        assert tree_of(tmp_path / "venv") == venv_files, f"pip uninstall left files of the {how} install behind"
        assert not list((tmp_path / "venv").rglob("*srcode*")), f"pip uninstall left files of the {how} install behind"
        assert run(str(python), "-I", "-c", "import srcode_reward", cwd=tmp_path).returncode != 0
    assert tree_of(source) == before, "a build wrote beside the sources"


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

    sources = [*(PYTHON_DIR / "src" / "srcode_reward").glob("*.py"), *(PYTHON_DIR / "build_backend").rglob("*.py")]
    assert len(sources) > 20
    for path in sorted(sources):
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path), feature_version=(3, 9))
