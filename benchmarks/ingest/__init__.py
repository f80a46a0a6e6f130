"""The parts of ``ingest_throughput.py``, one job each.

- :mod:`ingest.settings`: the benchmark's constants (model, batch sizes, targets, paths).
- :mod:`ingest.data`: request bodies (JSON, Arrow IPC), the reference and the model.
- :mod:`ingest.server`: the ``smokejumper serve`` subprocess and what ``/proc`` says of it.
- :mod:`ingest.machine`: CPU time of the whole machine, steal time and a speed probe.
- :mod:`ingest.clients`: the load clients and one scenario run (RSS sampled meanwhile).
- :mod:`ingest.memory`: RSS over the sustained run: the slope and its section.
- :mod:`ingest.stages`, :mod:`ingest.batch_costs`, :mod:`ingest.breakdown`: where the time goes
  in-process, stage by stage, in a fresh child.
- :mod:`ingest.pyspy`: py-spy on the live server, samples per ingest stage.
- :mod:`ingest.targets`, :mod:`ingest.tables`, :mod:`ingest.sections`, :mod:`ingest.report`:
  the targets, the result tables and the results document.
- :mod:`ingest.run`: the whole run, in order.

The entry script ``benchmarks/ingest_throughput.py`` parses the command line; its folder is
first on ``sys.path``, so the package imports as ``ingest``.
"""
