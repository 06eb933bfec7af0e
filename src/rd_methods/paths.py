"""Where things live: project root, raw and processed data, reports, notebooks.

Every location can be moved with an environment variable, so that a partner lab can keep
its data or its published site elsewhere:

========================  ==============================  =========================
environment variable      default                         function
========================  ==============================  =========================
``RD_METHODS_DATA_DIR``       ``<root>/data/raw``             :func:`raw_dir`
``RD_METHODS_PROCESSED_DIR``  ``<root>/data/processed``       :func:`processed_dir`
``RD_METHODS_REPORTS_DIR``    ``<root>/reports``              :func:`reports_dir`
``RD_METHODS_NOTEBOOKS_DIR``  ``<root>/notebooks``            :func:`notebooks_dir`
========================  ==============================  =========================

The project root is the nearest folder above the current directory (or above this file)
that holds a ``pyproject.toml`` declaring ``rd_methods``; ``RD_METHODS_ROOT`` overrides it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "project_root",
    "raw_dir",
    "processed_dir",
    "reports_dir",
    "notebooks_dir",
    "campaign_dir",
    "overridden",
]


def _is_root(folder: Path) -> bool:
    pyproject = folder / "pyproject.toml"
    try:
        return pyproject.is_file() and 'name = "rd_methods"' in pyproject.read_text("utf-8")
    except OSError:
        return False


def project_root() -> Path:
    """Return the project root folder.

    ``RD_METHODS_ROOT`` wins; otherwise the first folder holding the project's
    ``pyproject.toml``, searched upwards from the current directory, then from this file.
    Falls back to the current directory.
    """
    env = os.environ.get("RD_METHODS_ROOT")
    if env:
        return Path(env).expanduser().resolve()
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for folder in (start, *start.parents):
            if _is_root(folder):
                return folder
    return Path.cwd()


def _from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


def raw_dir() -> Path:
    """Folder holding one sub-folder per campaign (``data/raw``)."""
    return _from_env("RD_METHODS_DATA_DIR", project_root() / "data" / "raw")


def processed_dir() -> Path:
    """Folder where the runner writes typed tables per campaign (``data/processed``)."""
    return _from_env("RD_METHODS_PROCESSED_DIR", project_root() / "data" / "processed")


def reports_dir() -> Path:
    """Folder of the published site (``reports``)."""
    return _from_env("RD_METHODS_REPORTS_DIR", project_root() / "reports")


def notebooks_dir() -> Path:
    """Folder of the parameterised notebooks (``notebooks``)."""
    return _from_env("RD_METHODS_NOTEBOOKS_DIR", project_root() / "notebooks")


def campaign_dir(campaign: str | os.PathLike[str], data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Resolve a campaign given as an id (folder under the data dir) or as a path.

    A value that names an existing folder (absolute or relative to the current
    directory) is taken as a path; otherwise it is an id under ``data_dir``
    (default :func:`raw_dir`). The folder is not required to exist.
    """
    candidate = Path(campaign).expanduser()
    if candidate.is_dir() and (candidate / "campaign.yml").exists():
        return candidate.resolve()
    base = Path(data_dir).expanduser() if data_dir else raw_dir()
    return (base / str(campaign)).resolve()


@contextlib.contextmanager
def overridden(**values: str | None) -> Iterator[None]:
    """Set environment variables (e.g. ``RD_METHODS_DATA_DIR``) for a block, then restore them.

    ``None`` values are ignored. Used by the CLI for ``--data-dir`` / ``--reports-dir`` and by
    ``reproduce``, so that a call never leaks its locations into the rest of the process.
    """
    values = {k: str(v) for k, v in values.items() if v is not None}
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old
