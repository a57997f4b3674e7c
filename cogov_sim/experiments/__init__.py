"""Experiments: many runs of the model, as a separate layer on top of :func:`cogov_sim.simulation.simulate`.

The files:

- :mod:`~cogov_sim.experiments.files`: what every experiment file shares (base scenario, changes, name, indicators).
- :mod:`~cogov_sim.experiments.spec`: the sweep's experiment file (YAML), validated like scenarios, with its swept
  parameters (:mod:`~cogov_sim.experiments.parameters`).
- :mod:`~cogov_sim.experiments.whatif`: the what-if file: a base scenario and named policies.

Running them:

- :mod:`~cogov_sim.experiments.designs`: full factorial, Latin hypercube, Sobol (Saltelli) and Morris designs,
  and the per-run seeds.
- :mod:`~cogov_sim.experiments.runner`: runs tasks on any ``concurrent.futures`` executor, retries lost tasks
  and records failed runs as data; :mod:`~cogov_sim.experiments.executors` opens process pools and Dask.
- :mod:`~cogov_sim.experiments.store`: one file per finished run (atomic), resume, consolidation to Parquet.
- :mod:`~cogov_sim.experiments.command`: what ``cogov sweep`` (:mod:`~cogov_sim.experiments.sweep`) and
  ``cogov whatif`` (:mod:`~cogov_sim.experiments.whatif_run`) share: the executor, the run loop, the closing lines.

Reading the results (tables only, never the model):

- :mod:`~cogov_sim.experiments.analysis` and :mod:`~cogov_sim.experiments.plots`: a sweep's summaries with
  intervals and SALib sensitivity, and its figures.
- :mod:`~cogov_sim.experiments.effects` and :mod:`~cogov_sim.experiments.whatif_report`: a what-if's paired
  effects, and its figures and ``report.md``.
"""
