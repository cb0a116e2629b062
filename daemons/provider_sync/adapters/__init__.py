"""One pure module per provider: requests to make, responses to rows (no I/O here)."""
