"""The leader's dashboard in a real browser: figures, the seven campaigns, a chart, and a bulletin that prints on A4."""

from playwright.sync_api import expect

from tests.e2e.helpers import assert_no_horizontal_scroll, login


def test_the_leader_sees_the_drive_and_its_campaigns_with_a_chart(page, live_server, screenshot):
    login(page, live_server, "leader")
    page.locator("#site-nav a[href='/dashboard/']").click()
    expect(page.get_by_test_id("campaigns").locator(".card")).to_have_count(7)
    expect(page.locator(".dashboard-chart svg")).to_have_count(1)
    expect(page.get_by_test_id("tally")).to_contain_text("清除小招贴、喷涂")
    screenshot(page, "overview")
    page.get_by_test_id("campaigns").locator("a").first.click()
    expect(page.get_by_test_id("breakdown-street")).to_be_visible()
    screenshot(page, "campaign")


def test_the_weekly_bulletin_prints_on_a4(page, live_server, screenshot, tmp_path):
    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/dashboard/bulletin/?date_from=2026-11-01&date_to=2026-11-30")
    expect(page.get_by_test_id("bulletin")).to_contain_text("周通报")
    screenshot(page, "bulletin")
    pdf = tmp_path / "bulletin.pdf"
    page.emulate_media(media="print")
    expect(page.locator(".site-navbar")).to_be_hidden()
    page.pdf(path=str(pdf), format="A4", print_background=True)
    data = pdf.read_bytes()
    # A4 is 595 × 842 points; the bulletin fits on a few pages.
    assert b"/MediaBox [0 0 595.91998 842.88]" in data or b"/MediaBox [0 0 595 842]" in data
    assert 1 <= data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") + data.count(b"/Type /Page>") <= 4


def test_the_dashboard_fits_a_phone(phone_page, live_server):
    login(phone_page, live_server, "leader")
    phone_page.goto(f"{live_server.url}/dashboard/")
    expect(phone_page.get_by_test_id("campaigns")).to_be_visible()
    assert_no_horizontal_scroll(phone_page)
