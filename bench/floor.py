"""The floor of a no-op plan: the listing requests a plan makes, made raw with
``requests`` (one session, each answer decoded with ``.json()``), plus ``os.stat`` of
every declared file. Nothing is compared, validated or hashed.

    python bench/floor.py URL PROJECT FILE_LIST   (token in $CAPDECL_TOKEN)

Run as a script it is the floor of the ``capdecl plan`` command (interpreter start-up and
``import requests`` included); :func:`floor` is the floor of the in-process plan.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import requests

LISTINGS = (
    "captureconfiguration",
    "capture",
    "metadata",
    "metadata-relationship",
    "label-relationship",
)


def floor(url: str, token: str, project: str, files: Sequence[str]) -> int:
    """Six GETs (the project list, then the project's five listings) and one stat per
    file; returns the number of requests made."""
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {token}"
        projects = session.get(url + "project/", timeout=60).json()
        uuid = next(p["uuid"] for p in projects if p["name"] == project)
        for listing in LISTINGS:
            session.get(f"{url}project/{uuid}/{listing}/", timeout=60).json()
    for path in files:
        os.stat(path)
    return 1 + len(LISTINGS)


def main() -> None:
    url, project, file_list = sys.argv[1:4]
    with open(file_list, encoding="utf-8") as handle:
        files = handle.read().splitlines()
    floor(url, os.environ["CAPDECL_TOKEN"], project, files)


if __name__ == "__main__":
    main()
