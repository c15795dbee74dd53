"""Task-queue functions (Cloud Tasks). Names are letters and digits only: each becomes a
Cloud Tasks queue id, and the Tasks emulator ignores queues with underscores."""
