"""Test settings: production settings with a throwaway key, plain HTTP and fast password hashing."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("HTTPS", "0")
# Playwright's sync API runs an event loop in the test thread; the ORM calls there are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from annotator.settings import *  # noqa: E402,F403

ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405
# Password guessing is off, so that tests signing in many times from 127.0.0.1 are never locked out;
# the tests of the limits switch it on with the `settings` fixture (tests/test_api_auth.py, test_pages_auth.py).
AXES_ENABLED = False
# Jobs run at once, inside the request or call that starts them; tests of the worker switch to the database
# backend with the `settings` fixture (tests/test_jobs.py). Result files go to a scratch directory.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES["job_results"] = {  # noqa: F405
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": os.path.join(tempfile.gettempdir(), "news-annotator-test-job-results")},
}
