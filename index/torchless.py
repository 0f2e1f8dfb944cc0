"""Import a library that would import torch for nothing, without torch; and the lock our own torch imports take.

spaCy's layer library, thinc, imports torch when it is installed (``thinc/compat.py``) only to offer torch layers;
the English pipeline the judge parses with runs on numpy and never uses them. A cold
``rag ask --backend extractive`` that needs no torch otherwise spent 1.0-1.5 s importing it: 6.2 s -> 4.7 s
without (``python bench/archive_scale.py --skip-build``; 21,578 stories, 2 cores).

While the import runs, ``sys.modules["torch"]`` is None, so ``import torch`` raises ImportError. The code here that
imports torch (sentence-transformers for embedding and reranking) does it under ``TORCH_IMPORT``, which
``without_torch`` holds too, so it never sees that. When torch is already loaded nothing is hidden.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

TORCH_IMPORT = threading.RLock()


@contextmanager
def without_torch() -> Iterator[None]:
    """Run the block with torch unimportable, unless torch is loaded already."""
    with TORCH_IMPORT:
        if "torch" in sys.modules:
            yield
            return
        sys.modules["torch"] = None  # type: ignore[assignment]
        try:
            yield
        finally:
            if sys.modules.get("torch", ...) is None:
                del sys.modules["torch"]
