"""Provenance of a published run: code version, package versions, data fingerprint, date.

Everything a reader (or a partner lab) needs to know which code ran on which data, shown
in the header and footer of every page and written to ``provenance.json``.
"""

from __future__ import annotations

import datetime as _dt
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

__all__ = ["git_state", "package_versions", "campaign_provenance"]

#: Packages whose versions are shown on every page.
SHOWN_PACKAGES = ("rd_methods", "pandas", "statsmodels")
#: Packages whose versions go into provenance.json as well.
RECORDED_PACKAGES = (
    "rd_methods", "pandas", "numpy", "scipy", "statsmodels", "networkx", "pingouin",
    "pandera", "matplotlib", "seaborn", "papermill", "nbconvert", "nbclient", "ipykernel",
)


def git_state(root: str | Path) -> dict[str, Any]:
    """``{"commit": <sha or None>, "dirty": bool or None}`` of the code at ``root``.

    ``dirty`` is true when tracked files differ from the commit (untracked files, such as
    the generated ``reports/``, do not count). Without git, both are ``None``.
    """
    root = Path(root)

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=20, check=False
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "dirty": None}
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": None if status is None else bool(status)}


def package_versions(names: tuple[str, ...] = RECORDED_PACKAGES) -> dict[str, str]:
    """Python and package versions (``"absent"`` for a package that is not installed)."""
    out = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "absent"
    return out


def campaign_provenance(camp: Any, *, root: str | Path, kernel: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """Provenance block of one campaign run (JSON-able)."""
    first, last = camp.period
    return {
        "campaign": camp.id,
        "title": camp.title,
        "territory": getattr(camp, "territory", None),
        "period": [int(first), int(last)],
        "synthetic": bool(camp.synthetic),
        "fingerprint": camp.fingerprint,
        "parameters": parameters,
        "git": git_state(root),
        "versions": package_versions(),
        "kernel": kernel,
        "run_at": _dt.datetime.now(_dt.UTC).astimezone().isoformat(timespec="seconds"),
    }
