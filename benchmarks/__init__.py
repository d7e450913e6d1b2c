"""dolisync's benchmarks: ``python -m benchmarks.run`` (``make bench``) writes ``results/*.json``.

Benchmarks measure; they never assert timings (the CI machine is shared and noisy). The smoke
test ``tests/test_benchmarks_smoke.py`` runs them at a tiny size so the code cannot rot.
"""

from __future__ import annotations
