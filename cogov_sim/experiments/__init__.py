"""Experiments: many runs of the model, as a separate layer on top of :func:`cogov_sim.simulation.simulate`.

- :mod:`~cogov_sim.experiments.spec`: the experiment file (YAML), validated like scenarios.
- :mod:`~cogov_sim.experiments.designs`: full factorial, Latin hypercube, Sobol (Saltelli) and Morris designs,
  and the per-run seeds.
- :mod:`~cogov_sim.experiments.runner`: runs tasks on any ``concurrent.futures`` executor, retries lost tasks
  and records failed runs as data.
- :mod:`~cogov_sim.experiments.store`: one file per finished run (atomic), resume, consolidation to Parquet.
- :mod:`~cogov_sim.experiments.analysis`: summaries with intervals and SALib sensitivity, from result tables only.
- :mod:`~cogov_sim.experiments.plots`: figures drawn from the result tables.
- :mod:`~cogov_sim.experiments.sweep`: the ``cogov sweep`` command that wires them together.
"""
