from __future__ import annotations

from pathlib import Path

import pytest
from helpers import TAXONOMY_FIXTURE

from nearmiss.record.taxonomy import Taxonomy, parse_taxonomy


@pytest.fixture(autouse=True)
def private_cache_dir(tmp_path_factory: pytest.TempPathFactory,
                      monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own result cache, so no test ever writes to ~/.cache."""
    cache_dir = tmp_path_factory.mktemp("nearmiss-cache")
    monkeypatch.setenv("NEARMISS_CACHE_DIR", str(cache_dir))
    return cache_dir


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    """The small test vocabulary in fixtures/taxonomy/_taxonomy.yaml."""
    return parse_taxonomy(TAXONOMY_FIXTURE.read_bytes(), str(TAXONOMY_FIXTURE))
