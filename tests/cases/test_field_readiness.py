"""Issue 17, field readiness: nothing filed or done twice, sent-back cases, road cases without a community,
duplicates both ways, the inbox's 报到 button."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from rest_framework.test import APIClient

from cases import workflow
from cases.choices import CaseState
from cases.models import Case, CaseEvent, IdempotencyKey, TallyEntry
from tests.cases.test_views import ACTION_FORM_CASES, action_post, intake_data
from tests.factories import CompoundFactory, DepartmentFactory, StaffProfileFactory
from tests.utils import client_for, numbers_on

TOKEN = "tok-0123456789abcdef"


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def token_on(content: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', content).group(1)


# --- 1. nothing is filed or done twice ------------------------------------------------------------------


def test_every_form_that_files_or_acts_carries_a_fresh_one_time_token(world):
    client = client_for(world.users["staff_own"])
    first, second = (token_on(client.get("/cases/new/").content.decode()) for _ in range(2))
    assert first != second
    case = world.case_in(CaseState.REGISTERED)
    page = client.get(f"/cases/{case.number}/").content.decode()
    forms = re.findall(r"<form method=\"post\".*?</form>", page, flags=re.S)
    assert forms and all('name="form_token"' in form and "data-send-once" in form for form in forms)


def test_intake_sent_twice_with_one_token_files_one_case(world):
    client = client_for(world.users["staff_own"])
    data = intake_data(world, form_token=TOKEN)
    first = client.post("/cases/new/", data)
    again = client.post("/cases/new/", data)
    case = Case.objects.get()
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == f"/cases/{case.number}/"
    assert case.number in messages_of(again)[-1]  # "Case … has been filed", as after the first
    assert CaseEvent.objects.filter(action="create").count() == 1


def test_intake_token_reused_with_other_content_is_refused_and_files_nothing(world):
    client = client_for(world.users["staff_own"])
    client.post("/cases/new/", intake_data(world, form_token=TOKEN))
    case = Case.objects.get()
    refused = client.post("/cases/new/", intake_data(world, form_token=TOKEN, title="另一个问题"))
    assert refused.status_code == 422
    content = refused.content.decode()
    assert case.number in content  # it names the case the form filed
    assert token_on(content) != TOKEN  # sending the form again (a new token) files the new case
    assert Case.objects.count() == 1


def test_the_same_token_from_another_user_is_another_request(world):
    client_for(world.users["staff_own"]).post("/cases/new/", intake_data(world, form_token=TOKEN))
    other_staff = StaffProfileFactory(street=world.street).user
    client_for(other_staff).post("/cases/new/", intake_data(world, form_token=TOKEN))
    assert Case.objects.count() == 2


def test_a_refused_intake_leaves_its_token_free_for_the_corrected_form(world):
    client = client_for(world.users["staff_own"])
    assert client.post("/cases/new/", intake_data(world, form_token=TOKEN, title="")).status_code == 400
    assert client.post("/cases/new/", intake_data(world, form_token=TOKEN)).status_code == 302
    assert Case.objects.count() == 1


@pytest.mark.parametrize("action", list(ACTION_FORM_CASES))
def test_every_action_form_sent_twice_with_one_token_does_it_once(world, action):
    user, state, valid, _invalid, _field, _refused = ACTION_FORM_CASES[action]
    case = world.case_in(
        state, pending_extension=action == "approve_extension", pending_deferral=action == "decide_deferral"
    )
    client = client_for(world.users[user])
    url = f"/cases/{case.number}/{action}/"
    first = client.post(url, action_post(world, action, valid) | {"form_token": TOKEN})
    again = client.post(url, action_post(world, action, valid) | {"form_token": TOKEN})
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    # The answer of the first: "done", never a refusal that the action is no longer allowed.
    assert [message.level_tag for message in get_messages(again.wsgi_request)] == ["success", "success"]
    assert messages_of(again)[-1].startswith("操作成功")
    assert CaseEvent.objects.filter(case=case, action=action).count() == 1
    assert IdempotencyKey.objects.get(key=f"form:{TOKEN}").event == CaseEvent.objects.get(case=case, action=action)


def test_an_action_token_reused_with_other_content_is_refused(world):
    case = world.case_in(CaseState.IN_PROGRESS)
    client = client_for(world.users["officer_assist"])
    url = f"/cases/{case.number}/comment/"
    client.post(url, {"comment-note": "第一条", "form_token": TOKEN})
    refused = client.post(url, {"comment-note": "第二条", "form_token": TOKEN})
    assert refused.status_code == 302 and refused["Location"] == f"/cases/{case.number}/"
    assert [message.level_tag for message in get_messages(refused.wsgi_request)][-1] == "error"
    assert list(CaseEvent.objects.filter(case=case).values_list("note", flat=True)) == ["第一条"]
    # Nor may the token be spent on another case.
    other = world.case_in(CaseState.IN_PROGRESS)
    client.post(f"/cases/{other.number}/comment/", {"comment-note": "第一条", "form_token": TOKEN})
    assert CaseEvent.objects.filter(case=other).count() == 0


def test_a_refused_action_leaves_its_token_free(world):
    case = world.case_in(CaseState.DISPATCHED)
    client = client_for(world.users["officer_lead"])
    url = f"/cases/{case.number}/send_back/"
    assert client.post(url, {"send_back-reason": "", "form_token": TOKEN}).status_code == 400
    assert client.post(url, {"send_back-reason": "不归我们", "form_token": TOKEN}).status_code == 302
    assert CaseEvent.objects.filter(case=case, action="send_back").count() == 1


def test_api_actions_honour_the_idempotency_key_too(world):
    case = world.case_in(CaseState.DISPATCHED)
    client = APIClient()
    client.force_authenticate(world.users["officer_lead"])
    url = f"/api/v1/cases/{case.number}/report_in/"
    first = client.post(url, {"note": "到了"}, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    again = client.post(url, {"note": "到了"}, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["state"] == CaseState.IN_PROGRESS
    assert CaseEvent.objects.filter(case=case, action="report_in").count() == 1
    changed = client.post(url, {"note": "又到了"}, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert (changed.status_code, changed.json()["code"]) == (422, "idempotency_mismatch")
    # Without a key a repeat is simply refused by the state rule.
    assert client.post(url, {}, format="json").status_code == 409


# --- 2. a sent-back case does not go back to the department that sent it ---------------------------------


def selected_lead(content: str) -> str | None:
    select = re.search(r'<select name="dispatch-lead_department".*?</select>', content, flags=re.S).group(0)
    chosen = re.search(r'<option value="(\d+)" selected>', select)
    return chosen.group(1) if chosen else None


@pytest.mark.parametrize(
    ("sent_back_by", "preselected"),
    [
        (None, "lead"),  # never sent back: the category's department
        ("officer_lead", None),  # the category's department refused: nothing chosen for the staff
        ("officer_other", "lead"),  # another department refused: the category's department again
    ],
)
def test_the_dispatch_form_of_a_sent_back_case(world, sent_back_by, preselected):
    other = DepartmentFactory(name="市场监管局")
    officer_other = StaffProfileFactory(officer=True, department=other).user
    case = world.case_in(CaseState.REGISTERED)
    if sent_back_by == "officer_lead":
        case = workflow.dispatch(world.users["staff_own"], case, lead_department=world.lead)
        workflow.send_back(world.users["officer_lead"], case, reason="不属于本部门职责")
    elif sent_back_by == "officer_other":
        case = workflow.dispatch(world.users["staff_own"], case, lead_department=other)
        workflow.send_back(officer_other, case, reason="应由城管执法办理")
    content = client_for(world.users["staff_own"]).get(f"/cases/{case.number}/").content.decode()
    assert selected_lead(content) == ({"lead": str(world.lead.pk)}.get(preselected))
    if sent_back_by is None:
        assert 'data-testid="sent-back"' not in content
    else:
        notice = content.split('data-testid="sent-back"')[1].split("</div>")[0]
        refuser = world.lead.name if sent_back_by == "officer_lead" else other.name
        assert refuser in notice
        assert ("不属于本部门职责" if sent_back_by == "officer_lead" else "应由城管执法办理") in notice


def test_a_sent_back_case_has_no_lead_department_in_the_list_api_and_open311(world):
    case = world.case_in(CaseState.DISPATCHED)
    workflow.send_back(world.users["officer_lead"], case, reason="非本部门职责")
    content = client_for(world.users["staff_own"]).get("/cases/").content.decode()
    row = content.split(f'data-case="{case.number}"')[1].split("</tr>")[0]
    assert world.lead.name not in row
    client = APIClient()
    client.force_authenticate(world.users["staff_own"])
    assert client.get(f"/api/v1/cases/{case.number}/").json()["lead_department"] is None
    # Once dispatched again, the new lead shows.
    workflow.dispatch(world.users["staff_own"], Case.objects.get(pk=case.pk), lead_department=world.assist)
    content = client_for(world.users["staff_own"]).get("/cases/").content.decode()
    assert world.assist.name in content.split(f'data-case="{case.number}"')[1].split("</tr>")[0]


# --- 3. road cases without a community ----------------------------------------------------------------


def test_a_road_chief_files_a_road_case_without_a_community(world):
    data = intake_data(world, community="", road=world.road.pk)
    response = client_for(world.users["roadchief_own"]).post("/cases/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get()
    assert (case.community, case.road, case.street) == (None, world.road, world.street)
    page = client_for(world.users["roadchief_own"]).get(response["Location"]).content.decode()
    assert world.road.name in page
    # Visible by street to the street's staff, in the list and its exports.
    staff = client_for(world.users["staff_own"])
    assert case.number in numbers_on(staff.get("/cases/").content.decode())
    assert staff.get("/cases/export.csv").status_code == 200
    assert staff.get("/cases/export.xlsx").status_code == 200


def test_a_case_with_neither_community_nor_road_is_refused(world):
    response = client_for(world.users["staff_own"]).post("/cases/new/", intake_data(world, community=""))
    assert response.status_code == 400
    assert 'id="id_community_error"' in response.content.decode()
    assert Case.objects.count() == 0


def test_a_compound_gives_the_case_its_community(world):
    compound = CompoundFactory(community=world.community)
    response = client_for(world.users["staff_own"]).post(
        "/cases/new/", intake_data(world, community="", compound=compound.pk)
    )
    assert response.status_code == 302
    assert Case.objects.get().community == world.community


def test_the_road_chiefs_whistle_starts_with_the_categorys_department(world):
    client = client_for(world.users["roadchief_own"])
    content = client.get(f"/cases/new/?category={world.category.code}").content.decode()
    select = re.search(r'<select name="whistle_lead".*?</select>', content, flags=re.S).group(0)
    assert f'<option value="{world.lead.pk}" selected>' in select
    assert 'id="category-departments"' in content


def test_the_api_files_and_shows_a_road_case_without_a_community(world):
    client = APIClient()
    client.force_authenticate(world.users["roadchief_own"])
    body = {"title": "路面坑洼", "category": world.category.code, "road": world.road.pk}
    response = client.post("/api/v1/cases/", body, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["community"], response.json()["street"]) == (None, world.street.pk)
    listed = client.get("/api/v1/cases/").json()["results"]
    assert [case["community"] for case in listed] == [None]
    refused = client.post("/api/v1/cases/", {"title": "无处", "category": world.category.code}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (400, "validation_error")
    assert "community" in refused.json()["fields"]


def test_a_road_case_is_resolved_with_its_tally_and_shows_in_open311(world):
    case = workflow.create_case(
        world.users["roadchief_own"], title="路面垃圾", category=world.category, road=world.road
    )
    case = workflow.dispatch(world.users["staff_own"], case, lead_department=world.lead)
    case = workflow.report_in(world.users["officer_lead"], case)
    workflow.resolve(world.users["officer_lead"], case, note="已清理", tally={world.metric.code: "3"})
    entry = TallyEntry.objects.get(case=case)
    assert entry.community is None
    client = APIClient()
    client.force_authenticate(world.users["staff_own"])
    tally = client.get(f"/api/v1/tally/?street={world.street.pk}").json()["results"]
    assert [row["case"] for row in tally] == [case.number] or len(tally) == 1
    requests = client.get("/open311/v2/requests.json").json()
    assert any(row["service_request_id"] == case.number for row in requests)


# --- 4. duplicates both ways ---------------------------------------------------------------------------


def test_an_original_lists_the_cases_rejected_as_its_duplicates(world):
    original = world.case_in(CaseState.DISPATCHED, title="原案件")
    repeat = world.case_in(CaseState.REGISTERED, title="重复反映")
    workflow.reject(world.users["staff_own"], repeat, reason="重复", duplicate_of=original.number)
    client = client_for(world.users["staff_own"])
    page = client.get(f"/cases/{original.number}/").content.decode()
    assert repeat.number in page.split('data-testid="duplicates"')[1].split("</dd>")[0]
    back = client.get(f"/cases/{repeat.number}/").content.decode()
    assert f'href="/cases/{original.number}/"' in back


def test_the_reject_forms_help_says_the_rule_for_an_original(world):
    from cases.workflow import DUPLICATE_TARGET_RULE

    case = world.case_in(CaseState.REGISTERED)
    content = client_for(world.users["staff_own"]).get(f"/cases/{case.number}/").content.decode()
    assert str(DUPLICATE_TARGET_RULE) in content.replace("&quot;", '"')


@pytest.mark.parametrize(
    ("original_state", "same_street", "allowed"),
    [
        (CaseState.DISPATCHED, True, True),
        (CaseState.CLOSED, True, True),  # "open or closed"
        (CaseState.REJECTED, True, False),  # "not itself rejected"
        (CaseState.DISPATCHED, False, False),  # "of the same street"
    ],
)
def test_what_may_be_an_original(world, original_state, same_street, allowed):
    from tests.factories import CommunityFactory

    place = (
        {}
        if same_street
        else {"street": world.other_street, "community": CommunityFactory(street=world.other_street), "road": None}
    )
    original = world.case_in(original_state, **place)
    repeat = world.case_in(CaseState.REGISTERED)
    response = client_for(world.users["staff_own"]).post(
        f"/cases/{repeat.number}/reject/", {"reject-reason": "重复", "reject-duplicate_of": original.number}
    )
    assert (response.status_code == 302) == allowed
    assert Case.objects.get(pk=repeat.pk).duplicate_of_id == (original.pk if allowed else None)


# --- 5. the inbox's 报到 ------------------------------------------------------------------------------


def test_the_officer_reports_in_from_the_inbox(world):
    case = world.case_in(CaseState.DISPATCHED)
    client = client_for(world.users["officer_lead"])
    content = client.get("/cases/inbox/").content.decode()
    waiting = content.split('data-testid="inbox-waiting"')[1].split("</table>")[0]
    assert f'action="/cases/{case.number}/report_in/"' in waiting
    assert 'data-testid="time-left"' in waiting
    token = token_on(waiting)
    data = {"form_token": token, "next": "/cases/inbox/"}
    first = client.post(f"/cases/{case.number}/report_in/", data)
    again = client.post(f"/cases/{case.number}/report_in/", data)
    assert first["Location"] == again["Location"] == "/cases/inbox/"
    assert CaseEvent.objects.filter(case=case, action="report_in").count() == 1
    content = client.get("/cases/inbox/").content.decode()
    assert case.number not in content.split('data-testid="inbox-waiting"')[-1].split("</section>")[0] or (
        f'action="/cases/{case.number}/report_in/"' not in content
    )


def test_the_inbox_offers_no_button_where_the_rule_refuses_it(world):
    case = world.case_in(CaseState.RESOLVED)  # the assisting department never reported in; the work is done
    content = client_for(world.users["officer_assist"]).get("/cases/inbox/").content.decode()
    assert f'action="/cases/{case.number}/report_in/"' not in content


def test_next_must_stay_on_the_site(world):
    case = world.case_in(CaseState.DISPATCHED)
    response = client_for(world.users["officer_lead"]).post(
        f"/cases/{case.number}/report_in/", {"next": "https://evil.example/"}
    )
    assert response["Location"].startswith(f"/cases/{case.number}/")
