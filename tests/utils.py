"""Helpers shared by the tests."""

import io
import re
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client
from PIL import Image


def db_refuses(build: Callable[[], object]) -> bool:
    """Whether the database refuses what `build` writes (nothing of it stays either way)."""
    try:
        with transaction.atomic():
            build()
    except IntegrityError:
        return True
    return False


def photo_upload(name: str = "photo.png", size: tuple[int, int] = (64, 48), color: str = "green") -> SimpleUploadedFile:
    """A small, valid PNG upload."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def check_htmx_results(client, url: str, results_id: str, row_pattern: str) -> list[str]:
    """Check a list page's htmx answer against the page: only the results, with the same rows, in the same order.

    Returns the rows (the matches of `row_pattern`) so that the caller can say which ones it expects.
    """
    import re

    page = client.get(url)
    fragment = client.get(url, HTTP_HX_REQUEST="true")
    assert page.status_code == fragment.status_code == 200
    page_html, fragment_html = page.content.decode(), fragment.content.decode()
    # The filter form asks for the fragment and keeps the filters in the address bar; it works without JS too.
    form = re.search(r'<form method="get"[^>]*role="search"[^>]*>', page_html, re.S).group(0)
    assert f'hx-target="#{results_id}"' in form and 'hx-push-url="true"' in form and "hx-get=" in form
    assert "<html" not in fragment_html and "<nav" not in fragment_html and "<form" not in fragment_html
    assert fragment_html.lstrip().startswith(f'<section id="{results_id}"')
    # The export links come along (out of band), carrying the same filters as the page's.
    exports = re.findall(r'href="([^"]+)" data-testid="export-xlsx"', fragment_html)
    assert exports == re.findall(r'href="([^"]+)" data-testid="export-xlsx"', page_html)
    assert f'id="{results_id}-exports" hx-swap-oob="true"' in fragment_html
    section = page_html[page_html.index(f'<section id="{results_id}"') :]
    rows = re.findall(row_pattern, fragment_html)
    assert rows == re.findall(row_pattern, section.split("</section>")[0])
    assert "HX-Request" in fragment["Vary"]
    # Restoring htmx's history (a cache miss) needs the whole page.
    restored = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true").content.decode()
    assert "<html" in restored
    return rows


def check_htmx_invalid_filters(client, url: str) -> None:
    """Invalid filters asked by htmx: still a 400, and htmx loads the whole page (the errors are beside the fields)."""
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert response["HX-Redirect"] == url


def client_for(user) -> Client:
    """A test client signed in as `user`."""
    client = Client()
    client.force_login(user)
    return client


def numbers_on(content: str) -> list[str]:
    """The case numbers a list page links to, in order."""
    return re.findall(r'href="/cases/(SH-\d{4}-\d{6})/"', content)
