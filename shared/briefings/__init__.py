"""The daily briefing: each user's day (events, tasks, reminders) at their local morning."""
