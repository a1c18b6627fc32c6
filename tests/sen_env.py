"""Loaded by pytest before Django starts (pyproject addopts `-p tests.sen_env`): the
environment that makes cms.settings a test configuration."""

import os
import tempfile

os.environ["SEN_ENV"] = "test"
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright + live_server
os.environ["SEN_VAR_DIR"] = tempfile.mkdtemp(prefix="sen-test-")
