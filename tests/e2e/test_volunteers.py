"""Issue 7's "Done when" in a real browser: street staff record last weekend's clean-up with 30
participants from an XLSX sign-in sheet; its outcomes reach the campaign tally and the community's
page, and the community's paired branch moves up the leaderboard."""

from __future__ import annotations

from decimal import Decimal

import openpyxl
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import Campaign
from communities.models import Community
from tests.e2e.helpers import assert_no_horizontal_scroll, base_url, login
from volunteers.models import Volunteer
from volunteers.services import paired_branch

COMMUNITY = "怀远社区"  # one of the demo `staff` account's street's communities
CAMPAIGN = "楼道清洁整治"
PARTICIPANTS = 30


def sign_in_sheet(path, community: Community, count: int) -> None:
    """The weekend's sign-in sheet as the community keeps it: its registered volunteers, then new residents."""
    known = [(volunteer.name, volunteer.phone) for volunteer in Volunteer.objects.filter(community=community)]
    new = [(f"居民{index + 1:02d}", f"177{index:08d}") for index in range(count - len(known))]
    assert len(known) < count and new, "the sheet should mix registered volunteers and new residents"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "手机号", "服务时长（小时）"])
    for name, phone in known + new:
        sheet.append([name, phone, 3])
    book.save(path)


def tally_total(page: Page, metric: str, cell: str) -> Decimal:
    """The total a tally table shows for a metric in the cell `cell` of its row; 0 when the metric is not listed."""
    row = page.get_by_test_id("tally").locator(f"tr[data-metric='{metric}']")
    return Decimal(row.locator(cell).inner_text().replace(",", "")) if row.count() else Decimal(0)


def branch_rank(page: Page, root: str, branch_pk: int) -> int:
    """The branch's rank on the branch leaderboard (all time, whole district, by hours), on whichever page it is."""
    page.goto(f"{root}/volunteers/leaderboards/")
    while True:
        cell = page.locator(f"[data-testid=branch-leaderboard] tr[data-branch='{branch_pk}'] td").first
        if cell.count():
            return int(cell.inner_text())
        with page.expect_navigation():  # no next page (the branch is not on the board) times out here
            page.locator("a[rel=next][href*=branches_page]").click()


def figures(leader: Page, staff: Page, root: str, campaign: Campaign, community: Community, branch_pk: int) -> dict:
    """What the Done-when watches: the campaign's tally on the leader's dashboard, the community's tally on its
    page and the branch's rank on the leaderboard (both as street staff see them)."""
    leader.goto(f"{root}/dashboard/campaigns/{campaign.slug}/")
    staff.goto(f"{root}/communities/{community.pk}/")
    return {
        # The dashboard's tally rows: metric, total, unit; the community's: metric, from cases, from activities, total.
        "campaign": tally_total(leader, "stairwells_cleaned", "td:nth-child(2)"),
        "community": tally_total(staff, "stairwells_cleaned", "td[data-column=total]"),
        "rank": branch_rank(staff, root, branch_pk),
    }


def test_staff_record_last_weekends_clean_up_from_a_sign_in_sheet(page, make_page, live_server, screenshot, tmp_path):
    root = base_url(live_server)
    community = Community.objects.get(name=COMMUNITY)
    branch = paired_branch(community, timezone.localdate())
    campaign = Campaign.objects.get(name=CAMPAIGN)
    title = f"{COMMUNITY}周末楼道大扫除"
    leader = make_page()
    login(leader, live_server, "leader")
    login(page, live_server, "staff")
    before = figures(leader, page, root, campaign, community, branch.pk)
    assert before["rank"] > 1, "the demo should leave the branch room to move up"

    page.goto(f"{root}/")
    page.locator("main a[href='/volunteers/activities/new/']").click()
    page.locator("input[name=title]").fill(title)
    page.locator("select[name=community]").select_option(value=str(community.pk))
    page.locator("select[name=campaign]").select_option(value=str(campaign.pk))
    # The date and times default to last weekend's morning.
    page.locator("input[name=tally_stairwells_cleaned]").fill("12")
    page.locator("input[name=tally_garbage_cleared]").fill("3")
    screenshot(page, "activity-form")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("activity-tally")).to_contain_text("清理单元楼道")

    page.get_by_test_id("import-participants").click()
    sheet = tmp_path / "签到表.xlsx"
    sign_in_sheet(sheet, community, PARTICIPANTS)
    page.locator("input[type=file]").set_input_files(str(sheet))
    with page.expect_navigation():
        page.get_by_test_id("import-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("import-done")).to_be_visible()
    screenshot(page, "import-done")
    page.locator("main").get_by_role("link", name=title).first.click()
    expect(page.get_by_test_id("participants").locator("tbody tr")).to_have_count(PARTICIPANTS)
    screenshot(page, "activity")

    after = figures(leader, page, root, campaign, community, branch.pk)
    assert after["campaign"] == before["campaign"] + 12
    assert after["community"] == before["community"] + 12
    assert after["rank"] < before["rank"]
    screenshot(page, "leaderboard")
    screenshot(leader, "campaign-dashboard")
    page.goto(f"{root}/communities/{community.pk}/")
    expect(page.locator("#activities")).to_contain_text(title)
    screenshot(page, "community")


def test_the_leaderboards_and_the_activity_form_fit_a_phone(phone_page, live_server):
    login(phone_page, live_server, "staff")
    phone_page.goto(f"{base_url(live_server)}/volunteers/leaderboards/")
    expect(phone_page.get_by_test_id("branch-leaderboard")).to_be_visible()
    assert_no_horizontal_scroll(phone_page)
    phone_page.goto(f"{base_url(live_server)}/volunteers/activities/new/")
    expect(phone_page.locator("main form")).to_be_visible()
    assert_no_horizontal_scroll(phone_page)
