"""Scenario discovery and robust policies: what holds under which conditions, and which policy holds up.

- :mod:`~cogov_sim.discovery.explore` and :mod:`~cogov_sim.discovery.explore_run`: the exploration file
  (uncertainties apart from policies) and ``cogov explore`` (futures × policies with paired seeds, through the
  sweep layer's runner and store: resumable, parallel, Dask).
- :mod:`~cogov_sim.discovery.results`, :mod:`~cogov_sim.discovery.expression`, :mod:`~cogov_sim.discovery.boxes`,
  :mod:`~cogov_sim.discovery.discover` and :mod:`~cogov_sim.discovery.discover_report`: ``cogov discover``, PRIM
  (EMA Workbench) and CART (scikit-learn) on any results folder for a condition written as a safe expression.
- :mod:`~cogov_sim.discovery.robust` and :mod:`~cogov_sim.discovery.robust_report`: ``cogov robust``, regret,
  satisficing and rankings across futures, and where each policy fails.
- :mod:`~cogov_sim.discovery.ema`: export to EMA Workbench's archive and a ready ``ema_workbench.Model``.
- :mod:`~cogov_sim.discovery.commands`: the four subcommands' arguments (registered by :mod:`cogov_sim.cli`).
"""
