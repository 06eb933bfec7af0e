"""Imported once by the forkserver of :class:`rd_methods.publish.prefork.KernelPool`, before it
forks the pool's workers.

Imports :mod:`rd_methods.publish.worker` (papermill, nbconvert, nbformat: about two
seconds, mostly nbformat's JSON-schema dependency) and warms its renderer up
(:func:`~rd_methods.publish.worker.warm_up`), then imports what kernels import
(:func:`~rd_methods.publish.prefork.preload`), so that every worker, and every kernel forked
from a worker, starts with all of it in memory. The runner starts the forkserver first
thing, so this happens while the main process validates the campaigns.
"""

from rd_methods.publish import prefork, worker

worker.warm_up()
if prefork.enabled():
    prefork.preload()
