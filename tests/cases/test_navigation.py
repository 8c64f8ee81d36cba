"""No dead ends: every link a demo account can follow from its home page leads to a working page."""

from __future__ import annotations

import re
from collections import deque

import pytest
from django.contrib.auth.models import User
from django.test import Client

# Links that are not pages to read: files, the admin (tested on its own), actions done by POST.
SKIPPED = re.compile(r"^/(admin/|static/|media/|i18n/|accounts/logout/|cases/photos/|cases/export\.)")
MAX_PAGES = 80


def crawl(client: Client, start: str = "/") -> dict[str, int]:
    """Breadth-first over the site's own links from `start`; the status of each page reached."""
    seen: dict[str, int] = {}
    queue = deque([start])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        for link in re.findall(r'href="(/[^"#]*)', response.content.decode()):
            link = link.replace("&amp;", "&")
            if not SKIPPED.match(link) and link not in seen:
                queue.append(link)
    return seen


@pytest.mark.parametrize("username", ["staff", "staff2", "roadchief", "officer", "officer2", "leader", "admin"])
def test_every_link_a_demo_account_can_follow_works(demo, username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    statuses = crawl(client)
    broken = {url: status for url, status in statuses.items() if status != 200}
    assert broken == {}
    # The crawl reached case pages, not only the home page.
    assert any(re.match(r"^/cases/SH-\d{4}-\d{6}/$", url) for url in statuses)
