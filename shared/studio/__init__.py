"""Generation studio: prompt -> files -> static gate -> (one repair) -> done."""
