"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live server.

What every test here gets:

- the marker `e2e` (`-m 'not e2e'` leaves them out);
- the demo world of `manage.py seed_demo`, seeded once per test module (`e2e_demo`) and flushed
  when the module ends. Tests of a module share it: what one test changes, the next ones see.
  Keep tests independent (e.g. each files its own case) or ask for `fresh_demo`, which flushes
  and seeds again before the test (6 s or more);
- no per-test transaction: the server thread must see what the test writes and the other way
  round, so the test database is simply open for the whole module. Do not ask for `db`,
  `transactional_db` or the `django_db` mark here (they fail with a clear message);
- pages (`page`, `phone_page`, `make_page`) that fail the test on any console error, uncaught
  script error, HTTP status 500 or more, or request to a host other than the live server
  (the district's network may be closed: no CDN). A test that causes one on purpose says so:
  `browser_problems.allow_status(404)` (chromium logs a 404 page as a console error) or
  `browser_problems.allow(regex)`;
- `screenshot(page, name)`: a full-page PNG in
  test-output/screenshots/<module>/<test>/<NN>-<name>.png; a failing test also leaves
  failure-<N>.png there for each of its open pages.

Helpers (login, logout, switch_language, open_menu, assert_no_horizontal_scroll) are in helpers.py.

Chromium: /usr/bin/chromium (Debian's; never `playwright install`), or the path in E2E_CHROMIUM.
When it cannot start the tests skip loudly, and fail when CI is set.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Route, WebError, sync_playwright
from playwright.sync_api import Error as PlaywrightError

E2E_DIR = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
# Root in a container: chromium's sandbox needs user namespaces it does not get there, and
# /dev/shm is often tiny.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage"]
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}
# Reduced motion: Bootstrap then opens menus and dialogs without its CSS transitions, so tests
# need not wait for animations (and screenshots never catch one half-way).
CONTEXT_DEFAULTS = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai", "reduced_motion": "reduce"}
# Pages answer in well under a second; waiting longer only delays the report of a failure.
TIMEOUT_MS = 10_000
DB_FIXTURES = ("db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark every test under tests/e2e `e2e` (this hook sees the whole session's items)."""
    for item in items:
        if item.path.is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.e2e)


# --- the browser ------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser():
    """One headless chromium for all the browser tests.

    Playwright's sync API keeps an asyncio event loop marked as *running* in the main thread
    from start() to stop(), even between calls. Django sees that loop and behaves as if the
    test were async code:

    - it refuses ORM calls (SynchronousOnlyOperation). DJANGO_ALLOW_ASYNC_UNSAFE lets the
      tests, the seeding and the flush use the ORM beside the loop. That is safe: the loop only
      waits on the browser, no coroutine ever touches the database;
    - its connection handler keeps the connections of "async code" apart from the thread's
      (asgiref's thread-critical Local): the ORM would open a second connection, invisible once
      Playwright stops, so never closed (PostgreSQL then cannot drop the test database), and on
      SQLite not the one the live server shares. So the thread's own connections are put in
      that async storage too: the test, the server thread and Django's teardown use the same.

    Package scope, not session: Playwright (the loop) and the variable live only while
    tests/e2e runs; the tests after it run as they would without it.
    """
    executable = os.environ.get("E2E_CHROMIUM") or CHROMIUM
    unsafe_before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    thread_connections = {alias: connections[alias] for alias in connections}
    playwright = sync_playwright().start()
    for alias, connection in thread_connections.items():
        connections[alias] = connection
    try:
        try:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        except PlaywrightError as error:
            _cannot_run_browser(executable, error)
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if unsafe_before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = unsafe_before


def _cannot_run_browser(executable: str, error: Exception) -> None:
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if os.environ.get("CI"):
        pytest.fail(
            f"The browser tests need chromium at {executable} and it did not start: {first_line}. "
            "CI installs Debian's `chromium` and `fonts-wqy-zenhei` (.ci/run); never `playwright install`.",
            pytrace=False,
        )
    pytest.skip(
        f"CHROMIUM DID NOT START ({executable}), BROWSER TESTS NOT RUN: {first_line} -- "
        "install Debian's chromium (apt-get install chromium fonts-wqy-zenhei) or point E2E_CHROMIUM at one "
        "(CI fails here)."
    )


# --- the server and its database --------------------------------------------------------------


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, started only once the test database exists.

    With SQLite in memory the server thread must share the test's connection to the test
    database; pytest-django picks the connections to share when the server starts.
    """
    return live_server


@pytest.fixture(autouse=True)
def _live_server_helper(request):
    """Replaces pytest-django's autouse helper of this name (pytest-django 4.14).

    Theirs gives every test that uses live_server a `transactional_db`, which empties the
    database after each test: the module's demo would be gone after the first test. Here
    `e2e_demo` keeps the database seeded and open for the whole module instead; this keeps the
    helper's other duty, the live server's settings (its host in ALLOWED_HOSTS).
    """
    if "live_server" not in request.fixturenames:
        yield
        return
    asked = [name for name in DB_FIXTURES if name in request.fixturenames]
    if asked or request.node.get_closest_marker("django_db"):
        pytest.fail(
            f"Browser tests share the module's seeded database with the live server; do not use "
            f"{', '.join(asked) or 'the django_db mark'} (see tests/e2e/conftest.py).",
            pytrace=False,
        )
    server = request.getfixturevalue("live_server")
    server._live_server_modified_settings.enable()
    yield
    server._live_server_modified_settings.disable()
    # Should a later pytest-django rename its helper, both would run and the demo be flushed after
    # this test: say so rather than let the next test fail to sign in.
    if "transactional_db" in request.fixturenames:
        pytest.fail(
            "pytest-django gave this browser test a transactional_db: "
            "update _live_server_helper in tests/e2e/conftest.py"
        )


@pytest.fixture(scope="module", autouse=True)
def e2e_demo(browser, seeded, django_db_blocker):
    """The demo world, seeded once for the module (tests/conftest.py `seeded`, which flushes it
    at the module's end), with the database open to the test and the server thread meanwhile.

    It asks for the browser first so that a machine without chromium skips before seeding.
    """
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def fresh_demo(e2e_demo):
    """A test that needs the demo exactly as seeded: flush and seed again (a seeding: 6 s or more)."""
    call_command("flush", interactive=False, verbosity=0)
    call_command("seed_demo", verbosity=0)


# --- pages and what they must not do ----------------------------------------------------------


class BrowserProblems:
    """What went wrong in the browser during one test, over all its pages."""

    def __init__(self, origin: str):
        self.origin = origin.rstrip("/")
        self.seen: list[str] = []
        self.allowed: list[re.Pattern[str]] = []
        self.contexts: list[BrowserContext] = []

    def allow(self, pattern: str) -> None:
        """Accept problems whose description matches this regex, e.g. r"status of 404" for a
        test that opens a missing page on purpose. Say why in the test."""
        self.allowed.append(re.compile(pattern))

    def allow_status(self, *statuses: int) -> None:
        """Accept these HTTP statuses, e.g. allow_status(404) for a page that must be "not found"
        (chromium logs every 4xx/5xx page load as a console error)."""
        for status in statuses:
            self.allow(rf"^HTTP {status} for |the server responded with a status of {status}\b")

    def watch(self, context: BrowserContext) -> None:
        self.contexts.append(context)
        context.on("console", self._console)
        context.on("weberror", self._web_error)
        context.on("response", self._response)
        # Only requests to another origin reach the handler (the regex is evaluated in the browser driver).
        context.route(re.compile(rf"^(?!{re.escape(self.origin)}/)"), self._foreign)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location or {}
            self.seen.append(
                f"console error: {message.text} (at {where.get('url', '?')}:{where.get('lineNumber', '?')}, "
                f"page {message.page.url if message.page else '?'})"
            )

    def _web_error(self, web_error: WebError) -> None:
        page = web_error.page
        self.seen.append(
            f"uncaught script error: {web_error.error.stack or web_error.error} (page {page.url if page else '?'})"
        )

    def _response(self, response) -> None:
        if response.status >= 500:
            self.seen.append(f"HTTP {response.status} for {response.request.method} {response.url}")

    def _foreign(self, route: Route) -> None:
        self.seen.append(f"request to another host (aborted): {route.request.method} {route.request.url}")
        route.abort("blockedbyclient")

    def pages(self) -> list[Page]:
        return [page for context in self.contexts for page in context.pages if not page.is_closed()]

    def settle(self) -> None:
        """Let events the browser has already sent reach the handlers above."""
        for page in self.pages():
            with contextlib.suppress(PlaywrightError):
                page.evaluate("0")

    def unexpected(self) -> list[str]:
        return [problem for problem in self.seen if not any(pattern.search(problem) for pattern in self.allowed)]


PROBLEMS = pytest.StashKey[BrowserProblems]()


def screenshot_dir(item: pytest.Item) -> Path:
    """test-output/screenshots/<module>/<test>/ under the repository's root."""
    return item.config.rootpath / "test-output" / "screenshots" / item.path.stem / _safe_name(item.name)


def _safe_name(name: str) -> str:
    """A file name from a test's or screenshot's name: test_home[officer-housing] -> test_home_officer-housing."""
    return re.sub(r"[^\w.-]+", "_", name).strip("_")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail a test whose pages had problems; keep screenshots of the pages of a failing test."""
    problems = item.stash.get(PROBLEMS, None)
    try:
        result = yield
    except BaseException:
        if problems is not None:
            problems.settle()
            lines = [*problems.seen, *_failure_screenshots(item, problems)]
            if lines:
                item.add_report_section("call", "browser", "\n".join(lines))
        raise
    if problems is not None:
        problems.settle()
        unexpected = problems.unexpected()
        if unexpected:
            _failure_screenshots(item, problems)
            pytest.fail("The browser saw problems:\n  " + "\n  ".join(unexpected), pytrace=False)
    return result


def _failure_screenshots(item: pytest.Item, problems: BrowserProblems) -> list[str]:
    saved = []
    directory = screenshot_dir(item)
    for number, page in enumerate(problems.pages(), start=1):
        path = directory / f"failure-{number}.png"
        try:
            directory.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=path, full_page=True)
        except PlaywrightError:
            continue
        saved.append(f"screenshot of {page.url}: {path}")
    return saved


@pytest.fixture
def browser_problems(request, live_server) -> BrowserProblems:
    """The problems of this test's pages; `.allow(regex)` accepts one caused on purpose."""
    problems = BrowserProblems(live_server.url)
    request.node.stash[PROBLEMS] = problems
    return problems


@pytest.fixture
def make_page(browser, browser_problems):
    """Make a page in a new browser context (its own cookies: another user, another language).

    `make_page()` is a desktop page (1280×900), `make_page(phone=True)` a phone (375×740, touch);
    both zh-CN, Asia/Shanghai, reduced motion. Keyword arguments go to Browser.new_context and
    override these defaults (e.g. locale="en-US").
    """

    def make(*, phone: bool = False, **options) -> Page:
        context = browser.new_context(**{**CONTEXT_DEFAULTS, **(PHONE if phone else DESKTOP), **options})
        context.set_default_timeout(TIMEOUT_MS)
        browser_problems.watch(context)
        return context.new_page()

    yield make
    for context in browser_problems.contexts:
        context.close()


@pytest.fixture
def page(make_page) -> Page:
    """A desktop page: 1280×900, zh-CN, Asia/Shanghai."""
    return make_page()


@pytest.fixture
def phone_page(make_page) -> Page:
    """A phone-width page: 375×740, mobile, touch, zh-CN, Asia/Shanghai."""
    return make_page(phone=True)


@pytest.fixture
def screenshot(request):
    """`screenshot(page, name)` saves a full-page PNG as <NN>-<name>.png in the test's folder
    (emptied when the test starts) and returns its path."""
    directory = screenshot_dir(request.node)
    shutil.rmtree(directory, ignore_errors=True)
    numbers = itertools.count(1)

    def take(page: Page, name: str) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{next(numbers):02d}-{_safe_name(name)}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take
