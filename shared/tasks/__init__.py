"""The user's to-dos: `users/{uid}/tasks/{tid}` (Cloud Tasks plumbing is in
`shared.platform.cloud_tasks`)."""
