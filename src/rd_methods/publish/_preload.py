"""Imported once by the forkserver of :class:`rd_methods.publish.prefork.KernelPool`, before it
forks the pool's workers.

Imports :mod:`rd_methods.publish.worker` (papermill, nbconvert, nbformat: about two
seconds, mostly nbformat's JSON-schema dependency, one of them spared: see below) and
warms its renderer up (:func:`~rd_methods.publish.worker.warm_up`), then imports what
kernels import (:func:`~rd_methods.publish.prefork.preload`), so that every worker, and
every kernel forked from a worker, starts with all of it in memory. ``rd-methods run`` starts
the forkserver first thing, so this happens while the main process imports the runner and
validates the campaigns.
"""

import sys

# nbformat's jsonschema loads rfc3987-syntax, when it is installed (a Jupyter extra), for the
# "iri" format, which notebook validation never checks: it compiles a grammar for about a
# second, on the way to every run's first notebook. Kept out while jsonschema is imported,
# then importable again (by a notebook that wants it).
_blocked = "rfc3987_syntax" not in sys.modules
if _blocked:
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
try:
    from rd_methods.publish import prefork, worker
finally:
    if _blocked and sys.modules.get("rfc3987_syntax", 0) is None:
        del sys.modules["rfc3987_syntax"]

worker.warm_up()
if prefork.enabled():
    prefork.preload()
