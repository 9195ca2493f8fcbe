from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import TAXONOMY_FIXTURE


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty learning log with the fixture taxonomy, as the working directory."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "incidents").mkdir()
    shutil.copy(TAXONOMY_FIXTURE, tmp_path / "incidents" / "_taxonomy.yaml")
    return tmp_path / "incidents"
