"""What does I/O for post-mortems: gathering an incident's facts, storing sections and their
revisions, rendering, publishing, and the library across incidents."""
