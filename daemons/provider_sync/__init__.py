"""Registration and results providers into ``project88_myappdb`` (issue 14)."""
