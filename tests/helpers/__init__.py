"""What the tests share: running the project's commands (``runs``), reading what a run left
(``outputs``), the sites they crawl (``sites``), and the helpers of the alert, merge and pipeline
tests. Tests import these, never ``conftest`` or another test module; fixtures stay in
``conftest.py``."""
