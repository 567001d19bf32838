"""Every test under ``tests/e2e/`` is an end-to-end test: marked ``e2e`` here, so that
``pytest -m "not e2e"`` (or ``pytest tests/unit``) is the fast loop and no module has to say so."""

from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.e2e)
