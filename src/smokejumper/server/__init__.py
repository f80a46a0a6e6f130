"""The HTTP service: FastAPI app, token auth, thin routes over the monitoring core."""
