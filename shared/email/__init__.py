"""Email as a delivery channel: notifications that also go by email, through one outbox."""
