"""The project a build packs: ``[project]`` of ``pyproject.toml`` as core metadata, and ``[tool.srcode-build]``.

``[tool.srcode-build]`` names what ``setuptools`` would otherwise find: ``packages`` (directories copied
into the wheel whole, package data included, caches left out), ``version-file`` (the file whose
``__version__ = "..."`` line is the version when ``[project]`` lists it as dynamic) and ``sdist`` (the
files and directories a source archive carries besides ``PKG-INFO``). A ``[project]`` key this backend
does not write into the metadata is refused by name, so no field is dropped silently.
"""

from __future__ import annotations

import os
import re
from typing import Any, Dict, Iterator, List, Tuple

from srcode_build.toml import load

_NAME = re.compile(r"^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$")
_VERSION_LINE = re.compile(r"""^__version__\s*=\s*["']([^"']+)["']""", re.MULTILINE)
_KNOWN = {
    "name", "version", "description", "readme", "license", "requires-python", "dynamic", "dependencies",
    "optional-dependencies", "classifiers", "keywords", "urls", "authors", "maintainers", "scripts",
    "gui-scripts", "entry-points",
}
_SKIPPED_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".git"}


class ProjectError(ValueError):
    """``pyproject.toml`` asks for something this backend cannot build: names the file and the field."""


def _people(field: str, people: List[Dict[str, str]]) -> List[Tuple[str, str]]:
    """``Author``/``Author-email`` lines of ``authors`` or ``maintainers``."""
    names = [p["name"] for p in people if "name" in p and "email" not in p]
    emails = [f'{p["name"]} <{p["email"]}>' if "name" in p else p["email"] for p in people if "email" in p]
    out = []
    if names:
        out.append((field, ", ".join(names)))
    if emails:
        out.append((f"{field}-email", ", ".join(emails)))
    return out


class Project:
    """One ``pyproject.toml`` and the tree beside it, read once; every path is relative to ``root``."""

    def __init__(self, root: str = ".") -> None:
        self.root = os.path.abspath(root)
        self.file = os.path.join(self.root, "pyproject.toml")
        doc = load(self.file)
        self.meta: Dict[str, Any] = doc.get("project") or {}
        self.tool: Dict[str, Any] = (doc.get("tool") or {}).get("srcode-build") or {}
        unknown = sorted(set(self.meta) - _KNOWN)
        if unknown:
            raise ProjectError(f"{self.file}: [project] {', '.join(unknown)}: not supported by this backend")
        self.name = str(self.meta.get("name", ""))
        if not _NAME.match(self.name):
            raise ProjectError(f"{self.file}: [project] name {self.name!r} is not a valid distribution name")
        self.version = self._version()
        #: The name as wheel and sdist file names spell it (lower case, runs of ``-_.`` as one ``_``).
        self.dist_name = re.sub(r"[-_.]+", "_", self.name).lower()
        self.packages: List[str] = [str(p).strip("/") for p in self.tool.get("packages", [])]
        if not self.packages:
            raise ProjectError(f"{self.file}: [tool.srcode-build] packages lists no package directory")
        for p in self.packages:
            if not os.path.isfile(os.path.join(self.root, p, "__init__.py")):
                raise ProjectError(f"{self.file}: [tool.srcode-build] packages: {p}/__init__.py does not exist")

    def _version(self) -> str:
        dynamic = self.meta.get("dynamic", [])
        if set(dynamic) - {"version"}:
            raise ProjectError(f"{self.file}: [project] dynamic: only version can be dynamic here, not {dynamic}")
        if "version" not in dynamic:
            return str(self.meta["version"])
        rel = self.tool.get("version-file")
        if not rel:
            raise ProjectError(f"{self.file}: version is dynamic but [tool.srcode-build] has no version-file")
        with open(os.path.join(self.root, rel), encoding="utf-8") as f:
            m = _VERSION_LINE.search(f.read())
        if m is None:
            raise ProjectError(f'{os.path.join(self.root, rel)}: no __version__ = "..." line')
        return m.group(1)

    @property
    def dist_info(self) -> str:
        """The wheel's metadata directory, ``name-version.dist-info``."""
        return f"{self.dist_name}-{self.version}.dist-info"

    def readme(self) -> Tuple[str, str]:
        """The long description and its content type (``text/markdown`` for ``.md``)."""
        readme = self.meta.get("readme")
        if readme is None:
            return "", ""
        if isinstance(readme, str):
            readme = {"file": readme}
        if "text" in readme:
            return readme["text"], readme.get("content-type", "text/plain")
        path = readme["file"]
        kind = readme.get("content-type") or {".md": "text/markdown", ".rst": "text/x-rst"}.get(os.path.splitext(path)[1].lower(), "text/plain")
        with open(os.path.join(self.root, path), encoding="utf-8") as f:
            return f.read(), kind

    def metadata(self) -> str:
        """Core metadata 2.1 (``METADATA`` of the wheel, ``PKG-INFO`` of the sdist)."""
        m = self.meta
        lines: List[Tuple[str, str]] = [("Metadata-Version", "2.1"), ("Name", self.name), ("Version", self.version)]
        if m.get("description"):
            lines.append(("Summary", m["description"]))
        for field, key in (("Author", "authors"), ("Maintainer", "maintainers")):
            lines += _people(field, m.get(key, []))
        lic = m.get("license")
        if isinstance(lic, str):
            lines.append(("License", lic))
        elif isinstance(lic, dict) and "text" in lic:
            lines.append(("License", lic["text"]))
        if m.get("keywords"):
            lines.append(("Keywords", ",".join(m["keywords"])))
        lines += [("Project-URL", f"{k}, {v}") for k, v in m.get("urls", {}).items()]
        lines += [("Classifier", c) for c in m.get("classifiers", [])]
        if m.get("requires-python"):
            lines.append(("Requires-Python", m["requires-python"]))
        lines += [("Requires-Dist", d) for d in m.get("dependencies", [])]
        for extra, deps in m.get("optional-dependencies", {}).items():
            lines.append(("Provides-Extra", extra))
            for d in deps:
                req, _, marker = d.partition(";")
                cond = f'({marker.strip()}) and extra == "{extra}"' if marker.strip() else f'extra == "{extra}"'
                lines.append(("Requires-Dist", f"{req.strip()}; {cond}"))
        body, kind = self.readme()
        if kind:
            lines.append(("Description-Content-Type", kind))
        for k, v in lines:
            if "\n" in str(v):
                raise ProjectError(f"{self.file}: [project] value of {k} spans several lines")
        head = "".join(f"{k}: {v}\n" for k, v in lines)
        return head + ("\n" + body if body else "")

    def entry_points(self) -> str:
        """``entry_points.txt`` (console and GUI scripts included), empty when there are none."""
        groups: Dict[str, Dict[str, str]] = {}
        if self.meta.get("scripts"):
            groups["console_scripts"] = self.meta["scripts"]
        if self.meta.get("gui-scripts"):
            groups["gui_scripts"] = self.meta["gui-scripts"]
        for group, items in self.meta.get("entry-points", {}).items():
            if group in ("console_scripts", "gui_scripts"):
                raise ProjectError(f"{self.file}: [project.entry-points.{group}]: use [project.scripts] or [project.gui-scripts]")
            groups[group] = items
        return "\n".join(f"[{g}]\n" + "".join(f"{k} = {v}\n" for k, v in items.items()) for g, items in groups.items())

    def walk(self, rel: str) -> Iterator[str]:
        """The files under ``rel`` (a file or directory), sorted, caches and compiled files left out."""
        path = os.path.join(self.root, rel)
        if os.path.isfile(path):
            yield rel
            return
        if not os.path.isdir(path):
            raise ProjectError(f"{self.file}: [tool.srcode-build] names {rel}, which does not exist")
        for entry in sorted(os.listdir(path)):
            if entry in _SKIPPED_DIRS or entry.endswith((".pyc", ".pyo")) or entry.endswith(".egg-info"):
                continue
            sub = f"{rel}/{entry}"
            if os.path.isdir(os.path.join(self.root, sub)):
                yield from self.walk(sub)
            elif os.path.isfile(os.path.join(self.root, sub)):
                yield sub

    def package_files(self) -> Iterator[Tuple[str, str]]:
        """``(path in the wheel, path in the tree)`` of every package file."""
        for pkg in self.packages:
            parent = os.path.dirname(pkg)
            for rel in self.walk(pkg):
                yield (rel[len(parent) + 1 :] if parent else rel), rel

    def sdist_files(self) -> List[str]:
        """The files a source archive carries besides ``PKG-INFO``: ``pyproject.toml`` and ``sdist``."""
        listed = ["pyproject.toml", *self.tool.get("sdist", [])]
        files: List[str] = []
        for rel in listed:
            for f in self.walk(str(rel).strip("/")):
                if f not in files:
                    files.append(f)
        return sorted(files)

    def license_files(self) -> List[str]:
        """``LICENSE*``/``COPYING*`` files at the root, copied into the wheel's ``.dist-info``."""
        return sorted(f for f in os.listdir(self.root) if re.match(r"(LICEN[CS]E|COPYING|NOTICE)", f) and os.path.isfile(os.path.join(self.root, f)))
