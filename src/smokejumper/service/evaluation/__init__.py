"""Evaluation runs: which windows are due, loading what their monitors read, storing the
observations (:func:`.runner.run_once`)."""
