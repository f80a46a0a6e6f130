"""The client SDK: log predictions and labels to a Smokejumper server from a model's code.

    from smokejumper.client import Client

    client = Client()  # SMOKEJUMPER_URL and SMOKEJUMPER_TOKEN
    churn = client.monitor("churn")
    churn.log(features={"age": 41, "plan": "pro"}, prediction=0.71, latency_ms=12.5)

Logging never blocks on the network or the disk and never raises; see ``docs/instrumenting.md``.
:class:`AdminClient` registers models, declares monitors and SLOs and reads results, one
synchronous request at a time.

>>> sorted(name for name in __all__)
['AdminClient', 'Client', 'ClientError', 'ClientStats', 'ModelMonitor']
"""

from __future__ import annotations

from smokejumper.client.admin import AdminClient
from smokejumper.client.client import Client
from smokejumper.client.monitor import ModelMonitor
from smokejumper.client.stats import ClientStats
from smokejumper.errors import ClientError

__all__ = ["AdminClient", "Client", "ClientError", "ClientStats", "ModelMonitor"]
