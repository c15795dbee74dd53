"""Health: per-dependency checks behind the public `health` endpoint."""
