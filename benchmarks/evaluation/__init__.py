"""The parts of ``monitor_evaluation.py``, one job each.

- :mod:`evaluation.settings`: the benchmark's constants (model, features, targets, paths).
- :mod:`evaluation.monitors`: the 50 monitors, as a monitors file would declare them.
- :mod:`evaluation.store`: the temporary store: model, reference, windows, labels, monitors.
- :mod:`evaluation.passes`: one timed ``run_once`` with the window cache on or off.
- :mod:`evaluation.check`: the bit-for-bit check against each monitor evaluated on its own.
- :mod:`evaluation.timers`, :mod:`evaluation.split`, :mod:`evaluation.profiling`: where the
  time goes (timed wrappers around the runner's calls, and cProfile).
- :mod:`evaluation.result`, :mod:`evaluation.tables`, :mod:`evaluation.report`: what a run
  measured, its tables and the results document.
- :mod:`evaluation.run`: the whole run, in order.

The entry script ``benchmarks/monitor_evaluation.py`` parses the command line; its folder is
first on ``sys.path``, so the package imports as ``evaluation``.
"""
