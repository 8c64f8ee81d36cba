"""Issue 17, field readiness, more of it in a real browser at phone (375×812) and desktop widths.

Duplicates point both ways: a case rejected as a repeat links to its original, the original lists it,
and the reject form states (and holds to) the rule for what may be an original. Moving a party
branch that would leave a community without a branch warns and changes nothing until confirmed;
the community list then finds that community among the unpaired ones. The demo tells one story in
time: the running drive's dashboard, its weekly bulletin and its campaigns show cases and the
volunteers' clean-ups together.

The module's tests share one seeded demo: each makes its own cases and moves its own branch.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from cases import workflow
from cases.demo.reference import CAMPAIGNS, drive_dates
from cases.models import Case, CaseState
from cases.workflow import DUPLICATE_TARGET_RULE
from communities.models import Community
from dashboard.views import MOBILISATION_LABELS
from tests.e2e.helpers import assert_no_horizontal_scroll, login, switch_language
from tests.e2e.test_case_loop import expect_state, open_action
from tests.e2e.test_field_readiness import DEVICES, demo_user, device_page, registered_case
from volunteers.demo import WORKS
from volunteers.models import BranchPairing

# --- 1. duplicates point both ways -------------------------------------------------------------------


def fact(page: Page, label: str):
    """The value (<dd>) of the case page's fact with this label (<dt>)."""
    term = page.locator(".case-facts dt", has_text=re.compile(rf"^{re.escape(label)}$"))
    return term.locator("xpath=following-sibling::dd[1]")


def reject_as_duplicate(page: Page, reason: str, original: str):
    """Fill in and send the case page's reject form naming `original`; returns the form's duplicate field block."""
    form = open_action(page, "reject")
    form.locator("textarea[name=reject-reason]").fill(reason)
    form.locator("input[name=reject-duplicate_of]").fill(original)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    return page.locator("#action-reject .field-duplicate_of")


@pytest.mark.parametrize("device", DEVICES)
def test_a_duplicate_links_to_its_original_and_the_original_lists_it(make_page, live_server, screenshot, device):
    where = {"phone": "手机", "desktop": "电脑"}[device]
    original = registered_case(f"路口堆放旧家具（{where}）")
    repeat = registered_case(f"路口又见旧家具，重复上报（{where}）")
    assert (repeat.category, repeat.community) == (original.category, original.community)

    page = device_page(make_page, device)
    login(page, live_server, "staff")
    page.goto(f"{live_server.url}/cases/{repeat.number}/")
    form = open_action(page, "reject")
    # The field offers the open cases of the same category and place, the original among them.
    expect(form.locator(f"datalist#duplicate-candidates option[value='{original.number}']")).to_have_count(1)
    expect(form.locator(".field-duplicate_of .form-text")).to_have_text(str(DUPLICATE_TARGET_RULE))
    if device == "phone":
        assert_no_horizontal_scroll(page)
    screenshot(page, "reject-form")
    reject_as_duplicate(page, "与原案为同一处堆物，居民重复上报", original.number)
    expect_state(page, "不予立案")

    # The duplicate names its original, and the link opens it.
    link = fact(page, "重复的原案件").locator("a")
    expect(link).to_have_text(original.number)
    screenshot(page, "duplicate")
    link.click()
    page.wait_for_url(f"**/cases/{original.number}/")
    expect(page.locator("h1")).to_have_text(original.title)
    expect_state(page, "已立案")
    expect(fact(page, "重复的原案件")).to_have_count(0)  # an original repeats nothing

    # The original lists its duplicate, and that link opens it.
    listed = page.get_by_test_id("duplicates")
    expect(listed).to_contain_text(repeat.title)
    if device == "phone":
        assert_no_horizontal_scroll(page)
    screenshot(page, "original")
    listed.get_by_role("link", name=repeat.number).click()
    page.wait_for_url(f"**/cases/{repeat.number}/")
    expect(page.locator("h1")).to_have_text(repeat.title)
    expect_state(page, "不予立案")
    assert Case.objects.get(pk=repeat.pk).duplicate_of_id == original.pk


def test_the_reject_form_states_what_may_be_an_original_and_holds_to_it(
    make_page, live_server, screenshot, browser_problems
):
    browser_problems.allow_status(400)  # a refused original comes back as the case page with status 400
    staff = demo_user("staff")
    repeat = registered_case("Repeat report of a stairwell pile")
    rejected = workflow.reject(staff, registered_case("Not a case at all"), reason="不属于环境问题")
    elsewhere = workflow.create_case(
        demo_user("staff2"),
        title="Another street's case",
        category=repeat.category,
        community=demo_user("staff2").staff_profile.street.communities.order_by("name").first(),
    )
    closed = Case.objects.filter(street=repeat.street, state=CaseState.CLOSED).order_by("number").first()
    assert closed is not None, "the demo has closed cases in 滨河街道"

    page = make_page()
    login(page, live_server, "staff")
    switch_language(page, "en")
    page.goto(f"{live_server.url}/cases/{repeat.number}/")
    form = open_action(page, "reject")
    with translation.override("en"):
        rule = str(DUPLICATE_TARGET_RULE)
        refused_rejected = translation.gettext("That case was itself rejected; name the case it repeats.")
        refused_elsewhere = translation.gettext("There is no case with this number in your street.")
    help_text = form.locator(".field-duplicate_of .form-text")
    expect(help_text).to_have_text(rule)
    assert "not itself rejected" in rule and "same street" in rule and "open or closed" in rule
    # Screen readers read the rule with the field.
    described_by = form.locator("input[name=reject-duplicate_of]").get_attribute("aria-describedby") or ""
    assert help_text.get_attribute("id") in described_by.split()
    screenshot(page, "rule")

    # "not itself rejected": refused with the reason, the case stays registered.
    field = reject_as_duplicate(page, "Same pile, reported twice", rejected.number)
    expect(field.locator(".invalid-feedback")).to_have_text(refused_rejected)
    expect_state(page, "Registered")
    screenshot(page, "refused-rejected")
    # "of the same street": another street's case is refused too.
    field = reject_as_duplicate(page, "Same pile, reported twice", elsewhere.number)
    expect(field.locator(".invalid-feedback")).to_have_text(refused_elsewhere)
    expect_state(page, "Registered")
    assert Case.objects.get(pk=repeat.pk).state == CaseState.REGISTERED

    # "open or closed": a closed case of the street is a fine original.
    reject_as_duplicate(page, "Same pile as the closed case", closed.number)
    expect_state(page, "Not registered")
    expect(fact(page, "Duplicate of").locator("a")).to_have_text(closed.number)
    assert Case.objects.get(pk=repeat.pk).duplicate_of_id == closed.pk


# --- 2. pairing moves warn -----------------------------------------------------------------------------


def current_pairing(branch_id: int) -> tuple[int, datetime.date]:
    pairing = BranchPairing.objects.get(branch_id=branch_id, ends_on__isnull=True)
    return pairing.community_id, pairing.starts_on


def propose_move(page: Page, live_server, branch_id: int, target: Community) -> None:
    """On the branch's page, choose another community and press "更换包保社区" (the day is today, as offered)."""
    page.goto(f"{live_server.url}/volunteers/branches/{branch_id}/")
    page.locator("select[name=community]").select_option(label=f"{target.street.name} · {target.name}")
    with page.expect_navigation():
        page.get_by_role("button", name="更换包保社区").click()


@pytest.mark.parametrize("device", DEVICES)
def test_a_move_that_leaves_a_community_without_a_branch_warns_and_waits_for_a_yes(
    make_page, live_server, screenshot, device
):
    # Two communities of 滨河街道, each with its demo branch; the phone and the desktop move different ones.
    street = demo_user("staff").staff_profile.street
    communities = list(street.communities.order_by("name"))
    left, target = communities[2:4] if device == "phone" else communities[4:6]
    pairing = BranchPairing.objects.select_related("branch").get(community=left, ends_on__isnull=True)
    branch = pairing.branch
    before = current_pairing(branch.pk)
    place = f"{street.name} · {left.name}"

    page = device_page(make_page, device)
    login(page, live_server, "leader")
    propose_move(page, live_server, branch.pk, target)
    warning = page.get_by_test_id("pairing-warning")
    expect(warning).to_contain_text(f"此次调整将使 {place} 没有包保党支部。")
    expect(page.get_by_role("button", name="仍然调整")).to_be_visible()
    # Nothing has changed yet: the page still shows the branch with its community.
    expect(page.locator("main")).to_contain_text(f"目前包保 {place}")
    if device == "phone":
        assert_no_horizontal_scroll(page)
    screenshot(page, "warning")
    assert current_pairing(branch.pk) == before

    # Looking at the communities without a branch instead: the move was not made, so this one is not there.
    warning.get_by_role("link", name="查看无包保支部的社区").click()
    page.wait_for_url(re.compile(r"/communities/\?paired=false"))
    expect(page.locator("select[name=paired]")).to_have_value("false")
    expect(page.locator(f"tr[data-community='{left.pk}']")).to_have_count(0)
    assert current_pairing(branch.pk) == before

    # Cancelling: back on the branch's page, unchanged.
    propose_move(page, live_server, branch.pk, target)
    page.get_by_role("link", name="取消").click()
    page.wait_for_url(f"**/volunteers/branches/{branch.pk}/")
    expect(page.get_by_test_id("pairing-warning")).to_have_count(0)
    expect(page.locator("main")).to_contain_text(f"目前包保 {place}")
    expect(page.get_by_test_id("pairing-history").locator("tbody tr")).to_have_count(1)
    assert current_pairing(branch.pk) == before

    # Confirming makes the move and says which community is left without a branch.
    propose_move(page, live_server, branch.pk, target)
    page.get_by_role("button", name="仍然调整").click()
    page.wait_for_url(f"**/volunteers/branches/{branch.pk}/")
    expect(page.locator("main .alert-warning")).to_contain_text(f"{left.name} 现在没有包保党支部")
    expect(page.locator("main")).to_contain_text(f"目前包保 {target.street.name} · {target.name}")
    expect(page.get_by_test_id("pairing-history").locator("tbody tr")).to_have_count(2)
    screenshot(page, "moved")
    assert current_pairing(branch.pk) == (target.pk, timezone.localdate())

    # The community list's "without a branch" filter now shows that community (and not the one paired instead).
    page.goto(f"{live_server.url}/communities/")
    page.locator(".filter-panel summary").click()
    page.locator("select[name=paired]").select_option("false")
    with page.expect_response(lambda response: "/communities/" in response.url and "paired=false" in response.url):
        page.get_by_role("button", name="筛选", exact=True).click()
    row = page.locator(f"tr[data-community='{left.pk}']")
    expect(row).to_be_visible()
    expect(page.locator(f"tr[data-community='{target.pk}']")).to_have_count(0)
    if device == "phone":
        assert_no_horizontal_scroll(page)
    screenshot(page, "unpaired-communities")
    row.get_by_role("link", name=left.name).click()
    page.wait_for_url(f"**/communities/{left.pk}/")
    expect(page.locator("main")).to_contain_text("本社区目前没有包保党支部。")


# --- 3. the demo tells one story in time ---------------------------------------------------------------


CAMPAIGN_NAMES = {slug: name for slug, name, _description in CAMPAIGNS}
# The campaigns of the demo's weekend clean-ups (volunteers/demo.py WORKS); sample cases are filed in each.
# The other tests of this module file cases of 乱堆乱放 (街路沿线“十乱”整治), never of these: their
# figures here are the demo's.
CLEAN_UP_CAMPAIGNS = sorted({work.campaign for work in WORKS.values()})


def drive_name() -> str:
    """The demo drive's name: it began some five weeks before today (reference.drive_dates) and runs now."""
    return f"{drive_dates(timezone.localdate())[0].year} 环境整治攻坚月"


def number(text: str) -> float:
    return float(text.replace(",", "").strip())


def mobilisation(page: Page) -> dict[str, float]:
    """The dashboard's mobilisation figures by key (branches, volunteers, activities, people_times, hours)."""
    section = page.get_by_test_id("mobilisation")
    expect(section).to_be_visible()
    shown = {
        item.locator(".small").inner_text().strip(): number(item.locator(".figure-value").inner_text())
        for item in section.locator(":scope > div").all()
    }
    labels = {str(label): name for name, label in MOBILISATION_LABELS.items()}
    assert set(shown) == set(labels), shown
    return {labels[label]: value for label, value in shown.items()}


def intake(page: Page, scope: str = "[data-testid=figures]") -> float:
    return number(page.locator(f"{scope} [data-figure=intake]").inner_text())


def clean_up_campaigns_intake(page: Page, rows: str, name: str) -> dict[str, float]:
    """The intake of each clean-up campaign in the page's campaign cards or rows (`name`: the name's element)."""
    intakes = {}
    for slug in CLEAN_UP_CAMPAIGNS:
        row = page.locator(rows).filter(has=page.locator(name, has_text=CAMPAIGN_NAMES[slug]))
        expect(row).to_have_count(1)
        intakes[slug] = number(row.locator("[data-figure=intake]").inner_text())
    return intakes


@pytest.mark.parametrize("device", DEVICES)
def test_the_dashboard_shows_the_running_drives_cases_and_clean_ups(make_page, live_server, screenshot, device):
    page = device_page(make_page, device)
    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.locator("main h1")).to_have_text(f"综合看板 · {drive_name()}")
    expect(page.locator("main header p")).to_contain_text("全部日期")
    assert intake(page) > 0
    # Cases of each campaign the volunteers' clean-ups were of, and the clean-ups themselves.
    intakes = clean_up_campaigns_intake(page, "[data-testid=campaigns] .card", "h3")
    assert all(intakes.values()), intakes
    mobilised = mobilisation(page)
    assert mobilised["activities"] > 0 and mobilised["people_times"] > 0, mobilised
    assert mobilised["people_times"] >= 4 * mobilised["activities"]  # every demo clean-up has 4 to 10 people
    if device == "phone":
        assert_no_horizontal_scroll(page)
    screenshot(page, "dashboard")


# The rows of the bulletin's second table, 二、各专项整治情况.
BULLETIN_CAMPAIGN_ROWS = "xpath=//h2[normalize-space()='二、各专项整治情况']/following-sibling::table[1]/tbody/tr"


def test_the_weekly_bulletin_has_cases_and_work_and_its_week_has_clean_ups(page, live_server, screenshot):
    today = timezone.localdate()
    week = f"{(today - datetime.timedelta(days=6)).isoformat()} – {today.isoformat()}"
    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/dashboard/bulletin/")
    bulletin = page.get_by_test_id("bulletin")
    expect(bulletin.locator("header p")).to_have_text(f"{drive_name()} · {week}")
    assert intake(page, ".bulletin-figures") > 0
    # The week's cases include some of the campaigns the clean-ups are of.
    intakes = clean_up_campaigns_intake(page, BULLETIN_CAMPAIGN_ROWS, "th")
    assert any(intakes.values()), intakes
    work = bulletin.locator("h2", has_text="六、工作量盘点").locator("xpath=following-sibling::p[1]")
    expect(work).to_be_visible()
    work_done = [entry.strip() for entry in work.inner_text().split("；")]
    assert work_done and all(re.search(r" \d+(\.\d+)? \S+$", entry) for entry in work_done), work_done
    screenshot(page, "bulletin")

    # The same week on the overview (its link keeps the bulletin's dates): cases, clean-ups and the same work.
    page.locator("nav a.nav-link", has_text="总览").click()
    page.wait_for_url(re.compile(r"/dashboard/\?.*date_from="))
    expect(page.locator("main header p")).to_contain_text(week)
    assert intake(page) > 0
    mobilised = mobilisation(page)
    assert mobilised["activities"] > 0 and mobilised["people_times"] > 0, (
        f"the bulletin's week ({week}) has no volunteer clean-up: {mobilised}"
    )
    tally = {
        row.locator("td").nth(0).inner_text(): row.locator("td").nth(1).inner_text()
        for row in page.get_by_test_id("tally").locator("tbody tr").all()
    }
    for entry in work_done:
        name, total, _unit = entry.rsplit(" ", 2)
        assert tally[name] == total, (entry, tally)
    screenshot(page, "overview-of-the-week")


@pytest.mark.parametrize("slug", [*CLEAN_UP_CAMPAIGNS, "street-disorder"])
def test_one_campaign_on_the_dashboard_shows_its_cases_and_its_clean_ups(page, live_server, screenshot, slug):
    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/dashboard/")
    page.locator(".filter-panel summary").click()
    page.locator("select[name=campaign]").select_option(slug)
    page.get_by_role("button", name="筛选", exact=True).click()
    page.wait_for_url(re.compile(rf"campaign={slug}"))
    expect(page.locator("main h1")).to_have_text(f"综合看板 · {drive_name()}")
    expect(page.locator("select[name=campaign] option:checked")).to_have_text(CAMPAIGN_NAMES[slug])
    assert intake(page) > 0
    mobilised = mobilisation(page)
    if slug in CLEAN_UP_CAMPAIGNS:
        assert mobilised["activities"] > 0 and mobilised["people_times"] > 0, mobilised
    else:
        # No clean-up was of this campaign: the filter narrows the mobilisation too.
        assert mobilised["activities"] == 0 and mobilised["people_times"] == 0, mobilised
    screenshot(page, f"campaign-{slug}")
