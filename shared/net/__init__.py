"""Network safety for outbound calls made on a user's behalf."""
