"""The notifications inbox: `users/{uid}/notifications/{nid}`, written by the server."""
