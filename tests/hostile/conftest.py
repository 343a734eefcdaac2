"""Fixtures of the hostile corpus: the generated inputs, made once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.generate import generate


@pytest.fixture(scope="session")
def generated_inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of large and derived hostile inputs (`tests.hostile.generate`)."""
    return generate(tmp_path_factory.mktemp("hostile-inputs"))
