"""Does the model match the world? Targets from the evidence, a scorecard across seeds, calibration.

- :mod:`~cogov_sim.calibration.targets`: the targets file (YAML, validated like the other input files): named runs
  (scenario, days, sample fraction, changes) and targets (what is measured, the observed value or range, its
  uncertainty, its source).
- :mod:`~cogov_sim.calibration.probe`: one run with hooks: the daily indicators plus a flat record of the run's
  tables and of what only the World knows at its start and end (visit distances, ties, volunteer retention).
- :mod:`~cogov_sim.calibration.measures`: the registry of named statistics, one function per kind of measure,
  computed from a run's record and daily series.
- :mod:`~cogov_sim.calibration.scorecard`: intervals across seeds, the pass / near / fail rule, ``scorecard.csv``
  and ``scorecard.md``; :mod:`~cogov_sim.calibration.check_plots` its figures.
- :mod:`~cogov_sim.calibration.check`: ``cogov check TARGETS``, on the sweep runner and store (parallel, resumable).
- :mod:`~cogov_sim.calibration.calibrate`: ``cogov calibrate CALIBRATION``, history matching in waves: the file
  (:mod:`~cogov_sim.calibration.calibrate_file`), Gaussian-process emulators and implausibility
  (:mod:`~cogov_sim.calibration.emulator`, scikit-learn), figures (:mod:`~cogov_sim.calibration.calibrate_plots`).
"""
