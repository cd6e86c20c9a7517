"""The in-tree build backend: a wheel whose RECORD is true, reproducible archives, the TOML subset parser."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import shutil
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from servers import ROOT

import srcode_reward

PYTHON_DIR = ROOT / "python"
sys.path.insert(0, str(PYTHON_DIR / "build_backend"))

import srcode_build  # noqa: E402
from srcode_build import project as project_module  # noqa: E402
from srcode_build.project import ProjectError  # noqa: E402
from srcode_build.toml import TomlError, parse  # noqa: E402

VERSION = srcode_reward.__version__
DIST_INFO = f"srcode_reward-{VERSION}.dist-info"


def copy_tree(dest: Path) -> Path:
    shutil.copytree(PYTHON_DIR, dest, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".pytest_cache"))
    return dest


@pytest.fixture()
def tree(tmp_path, monkeypatch):
    """A copy of python/ as the current directory, as the hooks run in pip's subprocess."""
    source = copy_tree(tmp_path / "python")
    monkeypatch.chdir(source)
    return source


def files_of(root: Path):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_the_wheel_holds_the_package_its_data_and_a_record_of_every_file(tree, tmp_path):
    before = files_of(tree)
    name = srcode_build.build_wheel(str(tmp_path / "dist"))
    assert name == f"srcode_reward-{VERSION}-py3-none-any.whl"
    assert files_of(tree) == before, "the build wrote into the source tree"
    with zipfile.ZipFile(tmp_path / "dist" / name) as z:
        names = z.namelist()
        record = list(csv.reader(io.StringIO(z.read(f"{DIST_INFO}/RECORD").decode())))
        for path, digest, size in record[:-1]:
            data = z.read(path)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert digest == f"sha256={expected}" and int(size) == len(data), path
        meta = z.read(f"{DIST_INFO}/METADATA").decode()
        wheel = z.read(f"{DIST_INFO}/WHEEL").decode()
        entry_points = z.read(f"{DIST_INFO}/entry_points.txt").decode()
    assert record[-1] == [f"{DIST_INFO}/RECORD", "", ""]
    assert sorted(row[0] for row in record) == sorted(names) and len(names) == len(set(names))
    sources = sorted(p.name for p in (tree / "src" / "srcode_reward").iterdir())
    assert sorted(n.split("/", 1)[1] for n in names if n.startswith("srcode_reward/")) == sources
    assert "srcode_reward/py.typed" in names and not any("__pycache__" in n or n.startswith("src/") for n in names)
    first_meta = next(i for i, n in enumerate(names) if n.startswith(f"{DIST_INFO}/"))
    assert names[-1] == f"{DIST_INFO}/RECORD" and all(n.startswith(f"{DIST_INFO}/") for n in names[first_meta:])
    head = meta.split("\n\n", 1)[0].splitlines()
    for line in ("Metadata-Version: 2.1", "Name: srcode-reward", f"Version: {VERSION}", "Requires-Python: >=3.9",
                 "Provides-Extra: torch", 'Requires-Dist: torch; extra == "torch"', "License: MIT",
                 "Description-Content-Type: text/markdown"):
        assert line in head
    assert meta.split("\n\n", 1)[1] == (tree / "README.md").read_text(encoding="utf-8")
    assert "Root-Is-Purelib: true" in wheel and "Tag: py3-none-any" in wheel
    assert entry_points == "[console_scripts]\nsrcode-reward-py = srcode_reward.cli:main\n"


def test_the_sdist_rebuilds_the_same_wheel_byte_for_byte(tree, tmp_path, monkeypatch):
    out = tmp_path / "dist"
    sdist = srcode_build.build_sdist(str(out))
    wheel = srcode_build.build_wheel(str(out))
    assert sdist == f"srcode_reward-{VERSION}.tar.gz"
    raw = (out / sdist).read_bytes()
    assert int.from_bytes(raw[4:8], "little") == 315532800, "the gzip header carries the build time"
    with tarfile.open(out / sdist) as tar:
        members = tar.getnames()
        assert {m.mtime for m in tar.getmembers()} == {315532800} and {m.uid for m in tar.getmembers()} == {0}
        tar.extractall(tmp_path / "unpacked")
    top = f"srcode_reward-{VERSION}"
    assert {f"{top}/PKG-INFO", f"{top}/pyproject.toml", f"{top}/build_backend/srcode_build/__init__.py", f"{top}/src/srcode_reward/py.typed"} <= set(members)
    assert not any("/tests/" in m or "__pycache__" in m for m in members)
    # the unpacked sdist is a source tree of its own: its wheel is the tree's, byte for byte
    again = tmp_path / "again"
    monkeypatch.chdir(tmp_path / "unpacked" / top)
    assert srcode_build.build_wheel(str(again)) == wheel
    assert (again / wheel).read_bytes() == (out / wheel).read_bytes()
    # and its sdist is the first one again (sorted entries, fixed times, PKG-INFO made afresh)
    assert srcode_build.build_sdist(str(again)) == sdist
    assert (again / sdist).read_bytes() == (out / sdist).read_bytes()


def test_the_editable_wheel_points_at_the_sources_and_metadata_matches_the_wheels(tree, tmp_path):
    name = srcode_build.build_editable(str(tmp_path / "e"))
    with zipfile.ZipFile(tmp_path / "e" / name) as z:
        pth = z.read("__editable__.srcode_reward.pth").decode()
        editable_meta = z.read(f"{DIST_INFO}/METADATA")
        assert not any(n.startswith("srcode_reward/") for n in z.namelist())
    assert pth == f"{tree / 'src'}\n"
    assert srcode_build.prepare_metadata_for_build_wheel(str(tmp_path / "m")) == DIST_INFO
    assert (tmp_path / "m" / DIST_INFO / "METADATA").read_bytes() == editable_meta
    assert srcode_build.get_requires_for_build_wheel() == [] == srcode_build.get_requires_for_build_sdist()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace('readme = "README.md"', 'readme = "README.md"\nauthors-typo = []'), "authors-typo: not supported"),
        (lambda t: t.replace('dynamic = ["version"]', 'dynamic = ["version", "dependencies"]'), "only version can be dynamic"),
        (lambda t: t.replace('packages = ["src/srcode_reward"]', 'packages = ["src/nothing"]'), "src/nothing/__init__.py does not exist"),
        (lambda t: t.replace('name = "srcode-reward"', 'name = "-bad"'), "not a valid distribution name"),
    ],
)
def test_a_project_it_cannot_build_is_refused_by_field(tree, tmp_path, edit, message):
    pyproject = tree / "pyproject.toml"
    pyproject.write_text(edit(pyproject.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ProjectError, match=message) as e:
        srcode_build.build_wheel(str(tmp_path / "dist"))
    assert str(pyproject) in str(e.value)
    assert not (tmp_path / "dist").exists() or not list((tmp_path / "dist").iterdir())


def test_the_fallback_parser_reads_the_pyproject_as_tomllib_does():
    tomllib = pytest.importorskip("tomllib", reason="tomllib needs Python 3.11+ to compare against")
    text = (PYTHON_DIR / "pyproject.toml").read_text(encoding="utf-8")
    assert parse(text) == tomllib.loads(text)
    tricky = (
        '# comment\n[a."b.c"]\nx = "q\\"u\\u00e9\\n\\t\\\\ # not a comment" # one\n\'lit\' = \'C:\\path\'\n'
        "d.e = 1_000\n[t]\narr = [\n  1, # c\n  [true, false],\n  { k = 'v', n.m = -2 },\n]\nempty = {}\n"
    )
    assert parse(tricky) == tomllib.loads(tricky)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('a = """x"""', ":1: multi-line strings"),
        ("\n\nf = 1.5", ":3: unsupported value"),
        ("[[t]]\nx = 1", ":1: arrays of tables"),
        ("a = 1\na = 2", ":2: key 'a' defined twice"),
        ('a = "open', ":1: unterminated string"),
        ("a = [1, 2", ":1: expected ',' or ']'"),
        ("a = 1 b = 2", ":1: unexpected 'b'"),
    ],
)
def test_the_fallback_parser_refuses_what_it_does_not_read_naming_the_line(text, message):
    with pytest.raises(TomlError, match=message):
        parse(text, "p.toml")


def test_without_tomllib_the_backend_builds_the_same_wheel(tree, tmp_path, monkeypatch):
    first = srcode_build.build_wheel(str(tmp_path / "a"))
    monkeypatch.setattr(project_module, "load", lambda path: parse(Path(path).read_text(encoding="utf-8"), path))
    assert srcode_build.build_wheel(str(tmp_path / "b")) == first
    assert (tmp_path / "a" / first).read_bytes() == (tmp_path / "b" / first).read_bytes()
