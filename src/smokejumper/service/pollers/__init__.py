"""Pollers: reading outside systems on a schedule and recording what changed there. The MLflow
poller reads a model registry (:mod:`.mlflow_rest`), records new model versions, stage and
alias moves in the change log (:mod:`.mlflow_poll`) and is configured under
``integrations.mlflow`` of the ``serve --config`` file (:mod:`.mlflow_config`). The thread that
runs it is :mod:`smokejumper.server.mlflow_poller`."""
