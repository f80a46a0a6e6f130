"""The drill scenarios, one theme per module; each registers its scenarios on import."""
