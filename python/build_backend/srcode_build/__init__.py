"""An in-tree PEP 517 / PEP 660 build backend of the standard library alone: pure-Python wheels and sdists.

Declared in ``pyproject.toml`` with ``requires = []`` and ``backend-path``, it needs nothing installed
(no setuptools, no ``wheel``), so ``pip install`` works offline with or without build isolation. It
writes only into the directories pip hands it, never beside the sources. What it packs is read from
``[project]`` and ``[tool.srcode-build]`` (see :mod:`srcode_build.project`).
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional

from srcode_build.archive import Wheel, write_sdist
from srcode_build.project import Project

__all__ = [
    "build_editable",
    "build_sdist",
    "build_wheel",
    "get_requires_for_build_editable",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
    "prepare_metadata_for_build_editable",
    "prepare_metadata_for_build_wheel",
]

#: The backend's own version, named in each wheel's ``WHEEL`` file.
BACKEND_VERSION = "1.0"
#: Pure Python, any Python 3 on any platform.
TAG = "py3-none-any"

ConfigSettings = Optional[Dict[str, Any]]


def get_requires_for_build_wheel(config_settings: ConfigSettings = None) -> List[str]:
    """Nothing beyond the standard library."""
    return []


def get_requires_for_build_sdist(config_settings: ConfigSettings = None) -> List[str]:
    """Nothing beyond the standard library."""
    return []


def get_requires_for_build_editable(config_settings: ConfigSettings = None) -> List[str]:
    """Nothing beyond the standard library."""
    return []


def _metadata_files(project: Project) -> Dict[str, bytes]:
    """The ``.dist-info`` files other than ``RECORD``, by name."""
    wheel = f"Wheel-Version: 1.0\nGenerator: srcode_build {BACKEND_VERSION}\nRoot-Is-Purelib: true\nTag: {TAG}\n"
    files = {"METADATA": project.metadata().encode("utf-8"), "WHEEL": wheel.encode("utf-8")}
    entry_points = project.entry_points()
    if entry_points:
        files["entry_points.txt"] = entry_points.encode("utf-8")
    for name in project.license_files():
        with open(os.path.join(project.root, name), "rb") as f:
            files[name] = f.read()
    return files


def prepare_metadata_for_build_wheel(metadata_directory: str, config_settings: ConfigSettings = None) -> str:
    """Writes the wheel's ``.dist-info`` (no ``RECORD``) into ``metadata_directory``; returns its name."""
    project = Project(os.getcwd())
    target = os.path.join(metadata_directory, project.dist_info)
    os.makedirs(target, exist_ok=True)
    for name, data in _metadata_files(project).items():
        with open(os.path.join(target, name), "wb") as f:
            f.write(data)
    return project.dist_info


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def _build(wheel_directory: str, editable: bool) -> str:
    project = Project(os.getcwd())
    wheel = Wheel(project.dist_info)
    if editable:
        # one .pth line a source directory: the installed name imports the files being edited
        roots = sorted({os.path.join(project.root, os.path.dirname(p)) if os.path.dirname(p) else project.root for p in project.packages})
        wheel.add(f"__editable__.{project.dist_name}.pth", "".join(f"{r}\n" for r in roots).encode("utf-8"))
    else:
        for arcname, rel in project.package_files():
            with open(os.path.join(project.root, rel), "rb") as f:
                wheel.add(arcname, f.read())
    for name, data in _metadata_files(project).items():
        wheel.add(f"{project.dist_info}/{name}", data)
    basename = f"{project.dist_name}-{project.version}-{TAG}.whl"
    os.makedirs(wheel_directory, exist_ok=True)
    wheel.write(os.path.join(wheel_directory, basename))
    return basename


def build_wheel(wheel_directory: str, config_settings: ConfigSettings = None, metadata_directory: Optional[str] = None) -> str:
    """Builds ``name-version-py3-none-any.whl`` into ``wheel_directory``; returns its file name."""
    return _build(wheel_directory, editable=False)


def build_editable(wheel_directory: str, config_settings: ConfigSettings = None, metadata_directory: Optional[str] = None) -> str:
    """PEP 660: a wheel whose ``.pth`` puts the source directory on ``sys.path``; returns its file name."""
    return _build(wheel_directory, editable=True)


def build_sdist(sdist_directory: str, config_settings: ConfigSettings = None) -> str:
    """Builds ``name-version.tar.gz`` (``PKG-INFO`` and the ``sdist`` files) into ``sdist_directory``."""
    project = Project(os.getcwd())
    top = f"{project.dist_name}-{project.version}"
    files = [("PKG-INFO", project.metadata().encode("utf-8"))]
    for rel in project.sdist_files():
        with open(os.path.join(project.root, rel), "rb") as f:
            files.append((rel, f.read()))
    os.makedirs(sdist_directory, exist_ok=True)
    write_sdist(os.path.join(sdist_directory, f"{top}.tar.gz"), top, files)
    return f"{top}.tar.gz"
