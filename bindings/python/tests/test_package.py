"""Packaging: version source, typing files."""

from __future__ import annotations

import importlib.metadata
import pathlib
import re

import kilndb

HEADER = pathlib.Path(__file__).resolve().parents[3] / "capi" / "include" / "kiln.h"


def test_version_matches_header():
    if HEADER.exists():
        m = re.search(r'#define\s+KILN_VERSION_STRING\s+"([^"]+)"', HEADER.read_text())
        assert m and m.group(1) == kilndb.__version__
    assert importlib.metadata.version("kilndb") == kilndb.__version__


def test_typing_files_are_installed():
    pkg = pathlib.Path(kilndb.__file__).parent
    assert (pkg / "py.typed").exists()
    assert (pkg / "_native.pyi").exists()


def test_public_api_is_documented():
    for name in kilndb.__all__:
        obj = getattr(kilndb, name)
        if callable(obj):
            assert obj.__doc__, name
    for cls in (kilndb.Database, kilndb.Collection, kilndb.Batch, kilndb.Subscription,
                kilndb._native.Database, kilndb._native.Subscription):
        for attr, member in vars(cls).items():
            if callable(member) and not attr.startswith("_"):
                assert member.__doc__, f"{cls.__name__}.{attr}"
