"""Aura's Cloud Functions: thin adapters over `shared/`, one deployed function per module.

Importing this package sets the global options, and it must happen before any function
module is imported: the SDK merges global options into each function when its decorator
runs. `main.py` imports `functions` first for exactly that reason.

Why these values: `cpu` defaults to the 1st-gen share, which forces concurrency 1; with a
whole vCPU an instance serves CONCURRENCY requests at once (AI streams are I/O-bound), and
the functions framework serves them on THREADS threads, set to the same number in `.env`
(tests/test_deployment_manifest.py holds the two together).
"""

from firebase_functions import options

from functions.params import CONCURRENCY, MAX_INSTANCES, MEMORY, REGION, TIMEOUT_S
from shared.platform import clients

options.set_global_options(
    region=REGION,
    cpu=1,
    concurrency=CONCURRENCY,
    memory=MEMORY,
    timeout_sec=TIMEOUT_S,
    max_instances=MAX_INSTANCES,
)

# Callables verify ID tokens with the default Admin app before our code (or an `init`
# hook) runs, so it must exist from import. Initialising it is offline and ~0.1 ms.
clients.get_app()
