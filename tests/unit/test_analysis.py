"""Every recipe of ``docs/analysis.md`` (read from the page itself, so the page and the tests
cannot drift) has its expected output here; ``tests/e2e/test_analysis.py`` runs them."""

from tests.helpers.recipes import EXPECTED, recipes


def test_every_recipe_of_the_page_is_run_here() -> None:
    assert [recipe.name for recipe in recipes()] == list(EXPECTED)
