"""Watching deployed models: model schemas, prediction batches and their validation."""
