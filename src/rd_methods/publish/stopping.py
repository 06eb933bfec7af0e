"""Stopping a run at once: kernels first, whatever they are computing.

Each notebook's kernel runs in a process group of its own (jupyter_client starts it in a new
session; :mod:`rd_methods.publish.prefork` makes its forked kernels group leaders too), so
neither Ctrl-C in the terminal nor a signal to the runner reaches it, and a kernel stuck in
C code (a graph algorithm, a solver) ignores the polite interrupt anyway. When a run is
interrupted, :func:`stop_kernels` sends SIGTERM to the process group of every kernel the run
started, waits a short grace period, then sends SIGKILL to whatever is left; the executors
then kill their own workers without waiting for them (a busy worker would otherwise keep
the process pool's exit waiting).

:func:`adopt_orphans` makes the runner a *child subreaper* (Linux): a kernel whose worker
died first is re-parented to the runner instead of ``init``, so it is still found and stopped.
"""

from __future__ import annotations

import contextlib
import os
import signal

__all__ = ["GRACE_SECONDS", "adopt_orphans", "kernel_groups", "stop_kernels"]

#: seconds a kernel gets to exit after SIGTERM before SIGKILL
GRACE_SECONDS = 2.0
_PR_SET_CHILD_SUBREAPER = 36


def adopt_orphans() -> bool:
    """Ask Linux to re-parent this process's orphaned descendants to it (``prctl``);
    ``False`` where that is not available (the run still stops the kernels it can see)."""
    if not hasattr(os, "fork") or not os.uname().sysname == "Linux":
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):  # pragma: no cover - exotic libc
        return False


def kernel_groups(root: int | None = None) -> list[int]:
    """Process groups led by a descendant of ``root`` (default: this process): the kernels
    (and the kernels-to-be of :mod:`~rd_methods.publish.prefork`), never ``root``'s own group."""
    import psutil

    root = os.getpid() if root is None else root
    try:
        children = psutil.Process(root).children(recursive=True)
    except psutil.Error:
        return []
    own = os.getpgid(root)
    groups = []
    for child in children:
        with contextlib.suppress(OSError):
            if os.getpgid(child.pid) == child.pid and child.pid != own:
                groups.append(child.pid)
    return groups


def _signal_groups(groups: list[int], signum: int) -> None:
    for pgid in groups:
        with contextlib.suppress(OSError):
            os.killpg(pgid, signum)


def stop_kernels(root: int | None = None, grace: float = GRACE_SECONDS) -> list[int]:
    """SIGTERM every kernel process group under ``root``, then SIGKILL what is left after
    ``grace`` seconds (every process of those groups, children included). Returns the groups."""
    import psutil

    groups = kernel_groups(root)
    if not groups:
        return []
    members = [p for p in psutil.process_iter(["pid"]) if _pgid(p.pid) in set(groups)]
    _signal_groups(groups, signal.SIGTERM)
    _, alive = psutil.wait_procs(members, timeout=grace)
    if alive:
        _signal_groups(groups, signal.SIGKILL)
        psutil.wait_procs(alive, timeout=grace)
    return groups


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except OSError:
        return None
