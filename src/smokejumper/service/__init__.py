"""The service layer: what does I/O on behalf of the domain.

Each module is one use case area (ingest, evaluation, slices, configuration, models, monitors,
labels, windows). A service function opens one unit of work
(:func:`smokejumper.store.database.unit_of_work`), calls the store's repositories and the pure
domain, and commits; routes, the CLI and background workers call these functions and nothing
below them.
"""
