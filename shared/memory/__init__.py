"""Long-term memory: short texts the user keeps, found by meaning (`users/{uid}/memories`)."""
