"""Publish a report folder atomically: build it hidden, swap it in, clean up after a killed run.

A run writes a campaign's report into ``reports/.<id>.tmp-<pid>-…`` (:func:`work_folder`) and,
once everything is written and checked, replaces ``reports/<id>`` with it in two renames
(:func:`swap_in`). A run killed at any point leaves the previously published report in place:
the next run removes the hidden leftovers, and restores the old report if the kill fell
between the two renames (:func:`clean_leftovers`).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
from pathlib import Path

__all__ = ["work_folder", "swap_in", "clean_leftovers"]

_LEFTOVER = re.compile(r"^\.(?P<id>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)-")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def work_folder(reports: Path, name: str) -> Path:
    """A new hidden folder ``reports/.<name>.tmp-<pid>-…`` (readable by all, as the published one)."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-{os.getpid()}-", dir=reports))
    tmp.chmod(0o755)
    return tmp


def clean_leftovers(reports: Path, campaign: str) -> None:
    """Remove what a killed run left (``.<id>.tmp-*``), restore an old report if needed."""
    if not reports.is_dir():
        return
    target = reports / campaign
    for entry in sorted(reports.iterdir()):
        m = _LEFTOVER.match(entry.name)
        if not m or m["id"] != campaign or _pid_alive(int(m["pid"])) and int(m["pid"]) != os.getpid():
            continue
        if m["kind"] == "old" and not target.exists():
            os.rename(entry, target)  # the kill fell between the two renames of a swap
        else:
            shutil.rmtree(entry, ignore_errors=True)


def swap_in(tmp: Path, target: Path) -> None:
    """Replace ``target`` by ``tmp``: rename the old one away, rename the new one in, delete the old.

    Each rename is atomic on one file system; a kill between the two leaves
    ``.<id>.old-<pid>-…``, which :func:`clean_leftovers` renames back on the next run.
    """
    if not target.exists():
        os.rename(tmp, target)
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}-{secrets.token_hex(4)}")
    os.rename(target, old)
    os.rename(tmp, target)
    shutil.rmtree(old, ignore_errors=True)
