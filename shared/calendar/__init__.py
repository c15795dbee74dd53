"""Calendar events: save and delete, expansion into occurrences, reminders, the iCalendar
feed and `.ics` import."""
