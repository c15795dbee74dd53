"""Scheduled functions (Cloud Scheduler). The local clock (tools/clock.py) fires them on
their cron under the emulator."""
