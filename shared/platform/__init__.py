"""What every feature uses and none owns.

clients        Firestore, Pub/Sub and the Admin app, created lazily once per instance;
               where the code runs (emulator or production)
logs           structured JSON logs with the request's context
cloud_tasks    enqueueing by derived task name, with hops past the 30-day horizon
ratelimit      fixed-window limits on Firestore
sandbox        worker processes that evaluate untrusted expressions under limits
"""
