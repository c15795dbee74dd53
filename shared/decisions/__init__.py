"""The decision engine: decisions with confidence, recorded outcomes, and calibration.

`calibration` maps the model's stated confidence through a fit on the user's outcomes
(pure, no I/O); `simulation` measures that feedback loop on a simulated user for
`make bench`. Method and figures: docs/decisions-engine.md.
"""
