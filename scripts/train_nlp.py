"""Train (default) or ``--evaluate`` Rapport's sentiment and intent model.

A thin entry point for ``python -m rapport.nlp.train``; see docs/nlp.md. Set
``OMP_NUM_THREADS=1`` on a shared machine: embedding the public data is the long part,
and it is cached (``--cache``) so each post is embedded once.
"""

from __future__ import annotations

import sys

from rapport.nlp.train import main

if __name__ == "__main__":
    sys.exit(main())
