"""The fast tests: the code replayed on fixtures, in process (``pytest tests/unit``)."""
