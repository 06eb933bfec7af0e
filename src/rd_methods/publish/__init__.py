"""Run the notebooks of campaigns and publish them as an offline HTML site.

``rd-methods run`` ends in :func:`rd_methods.publish.runner.run`, which composes three steps
(plan → execute → publish); each module below does one thing:

- :mod:`~rd_methods.publish.runner` — ``run()``: the three steps in a row, stopping on Ctrl-C / SIGTERM;
- :mod:`~rd_methods.publish.tasks` — frozen, picklable records: ``RunOptions``, ``NotebookSpec``,
  ``NotebookTask``, ``TaskResult``, ``NotebookOutcome``, ``CampaignRun``;
- :mod:`~rd_methods.publish.notebooks` — find the notebooks, select ``--only``, type ``--param``, pick the kernel;
- :mod:`~rd_methods.publish.plan` — load the campaigns, decide per notebook: not applicable, reused or executed;
- :mod:`~rd_methods.publish.cache` — the inputs key that decides whether an execution is reused;
- :mod:`~rd_methods.publish.reuse` — carry a published execution over into this run (copied and rescanned);
- :mod:`~rd_methods.publish.execute` — hand the tasks to an executor, synthesis notebooks last;
- :mod:`~rd_methods.publish.executors` — where tasks run: a local process pool or a Dask cluster (one interface);
- :mod:`~rd_methods.publish.worker` — one task in a worker: papermill, both HTML editions, the name scan;
- :mod:`~rd_methods.publish.prefork` — kernels forked from preloaded workers (the pool the local executor uses);
- :mod:`~rd_methods.publish.publication` — a campaign's results.json, provenance.json, run.json and index,
  the last disclosure check, then the swap;
- :mod:`~rd_methods.publish.swap` — the atomic swap of a report folder, and the clean-up after a killed run;
- :mod:`~rd_methods.publish.comparison` — the cross-campaign notebooks, published at ``reports/comparison/``;
- :mod:`~rd_methods.publish.indexes` — ``reports/index.html``, the campaign indexes, previous/next links;
- :mod:`~rd_methods.publish.html` — the HTML pages of an executed notebook (nbconvert, offline);
- :mod:`~rd_methods.publish.provenance` — git state, package versions, data fingerprint, date;
- :mod:`~rd_methods.publish.parameters` — a notebook's parameters cell: inspect, type ``NAME=VALUE``;
- :mod:`~rd_methods.publish.stopping` — stop every kernel's process group at once;
- :mod:`~rd_methods.publish.catalog` — what ``list``, ``inspect`` and ``open`` show.

The modules import each other without a cycle (``tests/test_publish_imports.py`` checks it).
"""
