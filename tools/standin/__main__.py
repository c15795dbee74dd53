"""`python -m tools.standin`: serve the stand-in (see `--help`)."""

from tools.standin.server import main

raise SystemExit(main())
