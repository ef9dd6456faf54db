"""The hash cache's shortcut for absolute paths agrees with ``os.path.abspath``."""

from __future__ import annotations

import os
import random

import pytest

from capdecl.hashing import _plainly_absolute

PARTS = ["", "/", "//", ".", "..", "a", ".a", "a.", "..a", "a/", "/.", "./", "/..", "../", "b"]


@pytest.mark.skipif(os.sep != "/", reason="the shortcut is for POSIX paths only")
def test_a_plainly_absolute_path_is_its_own_abspath() -> None:
    rng = random.Random(7)
    taken = 0
    for _ in range(50_000):
        path = "".join(rng.choice(PARTS) for _ in range(rng.randint(1, 6)))
        if _plainly_absolute(path):
            taken += 1
            assert os.path.abspath(path) == path, path
    assert taken > 1_000  # the shortcut is taken often, not only for trivial paths


@pytest.mark.parametrize(
    ("path", "plain"),
    [
        ("/data/.work/w1/a.csv", True),  # a name starting with a dot
        ("/data/a..b/c.csv", True),
        ("/data/./a.csv", False),
        ("/data/../a.csv", False),
        ("/data//a.csv", False),
        ("//data/a.csv", False),
        ("/data/a/", False),
        ("/data/..", False),
        ("data/a.csv", False),
    ],
)
def test_plainly_absolute_cases(path: str, plain: bool) -> None:
    assert _plainly_absolute(path) is plain
