"""Project-wide pytest set-up: settings need a SECRET_KEY when DEBUG is off."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
