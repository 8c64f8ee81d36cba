"""Production serves vendored assets through collectstatic's manifest, as WhiteNoise does."""

import pytest
from django.core.management import call_command
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_collectstatic_with_the_manifest_storage_and_pages_use_hashed_names(client, tmp_path, settings):
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
        assert (tmp_path / "staticfiles.json").exists()
        content = client.get("/accounts/login/").content.decode()
    # Hashed names (bootstrap.min.<hash>.css) let browsers cache assets for ever.
    assert "/static/vendor/bootstrap-5.3.8/bootstrap.min." in content
    assert 'bootstrap.min.css"' not in content
