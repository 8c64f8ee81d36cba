"""Settings for the test suite: the production settings with a fixed key over plain HTTP.

The suite runs with DEBUG off, as production does; only what a test client cannot do
(HTTPS) and what would slow every test (password hashing) differ.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret-0123456789abcdef")
os.environ.setdefault("HTTPS_ONLY", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from shenhe_env.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

# WhiteNoise serves from STATIC_ROOT, which only `collectstatic` fills; the suite does not
# need it, only an existing folder so that no warning hides a real one.
STATIC_ROOT = Path(tempfile.gettempdir()) / "shenhe-test-static"
STATIC_ROOT.mkdir(exist_ok=True)

# Uploaded photos go to a throwaway folder per run, never into the checkout.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="shenhe-test-media-"))

# Throttles would trip across a suite that makes thousands of requests; the throttling tests
# set the production-like rates themselves.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": dict.fromkeys(REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "100000/minute"),  # noqa: F405
}

# Imports run inside the upload request, so a test sees the finished job at once.
VOLUNTEER_IMPORTS_INLINE = True
