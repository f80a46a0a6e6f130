"""The services of post-mortems: what does I/O for them (the store, receivers, trackers)."""
