"""glibc's allocator told to hand large blocks straight back to the system (Linux only).

glibc serves a block of more than ``M_MMAP_THRESHOLD`` bytes (128 KB at first) with a
mapping of its own, unmapped when freed. But each time such a block is freed, it raises the
threshold to that block's size (up to 32 MB), so after the first million-element numpy
array is freed the next ones come from the heaps instead, and what is freed there stays in
the process: the first count's temporaries (a score per document, a term's postings) left
tens of MB resident in the window after they were freed, on top of what was alive. Setting
the threshold fixes it where it starts (glibc then stops moving it).
"""

from __future__ import annotations

import ctypes
import sys

M_MMAP_THRESHOLD = -3  # mallopt's parameter number (malloc.h)
# Blocks of at least this many bytes get a mapping of their own, given back when freed.
MMAP_THRESHOLD = 128 * 1024


def tune_allocator() -> bool:
    """Fix glibc's mmap threshold for this process; False where there is no glibc."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # another C library (musl has no mallopt)
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
