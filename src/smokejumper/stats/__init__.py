"""The statistics core: mergeable profiles, drift methods, corrections and ``compare``.

Pure: it imports nothing from the server, the CLI or the store.
"""
