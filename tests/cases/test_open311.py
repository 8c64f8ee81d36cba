"""Open311 GeoReport v2 at /open311/v2/: each endpoint shaped as the spec defines it, in JSON and XML.

The spec (http://wiki.open311.org/GeoReport_v2) fixes the documents: lists are top-level arrays
(a single request too: clients index [0]), XML is `<root><item>…` with a UTF-8 declaration, and
errors are a list of {code, description}. The last tests drive the endpoint with a real client
library (`georeport`) over HTTP against pytest-django's live server.
"""

from __future__ import annotations

import datetime
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal

import pytest
import requests
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from georeport import GeoReport
from rest_framework.throttling import SimpleRateThrottle

from cases import workflow
from cases.choices import CaseSource, CaseState
from cases.models import Case, Category, Open311ApiKey
from cases.open311 import views
from cases.open311.intake import _no_place_message
from communities.models import Road
from tests.factories import (
    CaseFactory,
    CategoryFactory,
    CommunityFactory,
    CompoundFactory,
    DepartmentFactory,
    MetricFactory,
    RoadFactory,
    StaffProfileFactory,
    StreetFactory,
)

BASE = "/open311/v2"
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>'
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
ISO_WITH_OFFSET = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$"


@dataclass
class District:
    """Two streets, communities with and without coordinates, a compound, a road, categories and keys."""

    binhe: object
    danan: object
    wenyi: object
    qingnian: object
    xiaoxi: object
    daxi: object
    compound: object
    road: object
    lead: object
    category: object
    other_category: object
    retired: object
    staff: object
    officer: object
    key: Open311ApiKey
    revoked: Open311ApiKey


def build_district() -> District:
    binhe, danan = StreetFactory(name="滨河街道"), StreetFactory(name="大南街道")
    wenyi = CommunityFactory(
        street=binhe, name="文艺社区", latitude=Decimal("41.790000"), longitude=Decimal("123.430000")
    )
    qingnian = CommunityFactory(
        street=binhe, name="青年社区", latitude=Decimal("41.820000"), longitude=Decimal("123.460000")
    )
    xiaoxi = CommunityFactory(
        street=danan, name="小西社区", latitude=Decimal("41.800000"), longitude=Decimal("123.500000")
    )
    daxi = CommunityFactory(street=danan, name="大西社区")  # no coordinates
    lead = DepartmentFactory(name="沈河区城市管理行政执法局", short_name="城管执法")
    category = CategoryFactory(
        code="street-stalls",
        name="占道经营",
        campaign__name="街路沿线“十乱”整治",
        default_department=lead,
        after_photo_required=False,
        report_in_hours=2,
        resolve_hours=72,
    )
    return District(
        binhe=binhe,
        danan=danan,
        wenyi=wenyi,
        qingnian=qingnian,
        xiaoxi=xiaoxi,
        daxi=daxi,
        compound=CompoundFactory(community=qingnian, name="幸福里小区"),
        road=RoadFactory(street=danan, name="五爱街"),
        lead=lead,
        category=category,
        other_category=CategoryFactory(code="stairwell-clutter", name="楼道堆物", default_department=lead, order=2),
        retired=CategoryFactory(code="retired", name="停用类别", is_active=False),
        staff=StaffProfileFactory(street=binhe).user,
        officer=StaffProfileFactory(officer=True, department=lead).user,
        key=Open311ApiKey.objects.create(name="12345 热线"),
        revoked=Open311ApiKey.objects.create(name="旧系统", is_active=False),
    )


@pytest.fixture
def district(db) -> District:
    return build_district()


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counts live in the cache: start every test from none."""
    cache.clear()
    yield
    cache.clear()


def get(client: Client, path: str, **params):
    return client.get(f"{BASE}/{path}", params)


def xml_of(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(XML_DECLARATION)
    return ET.fromstring(response.content)


def json_of(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content.decode("utf-8"))


def post_request(client: Client, district: District, fmt: str = "json", **fields):
    """POST requests the way the spec sends it: form-encoded fields."""
    data = {
        "api_key": district.key.key,
        "service_code": district.category.code,
        "lat": "41.791000",
        "long": "123.431000",
        "description": "文艺路与青年大街交汇处有人占道经营，堆放杂物影响通行。",
    } | fields
    data = {name: value for name, value in data.items() if value is not None}
    return client.post(f"{BASE}/requests.{fmt}", data)


def created_case(response) -> Case:
    assert response.status_code == 201, response.content
    return Case.objects.get(number=json_of(response)[0]["service_request_id"])


def assert_error(response, status: int, fmt: str = "json") -> str:
    """The spec's error list with one error of this status; returns its description."""
    assert response.status_code == status, response.content
    if fmt == "xml":
        root = xml_of(response)
        assert root.tag == "errors"
        errors = root.findall("error")
        assert len(errors) == 1 and [child.tag for child in errors[0]] == ["code", "description"]
        assert errors[0].findtext("code") == str(status)
        description = errors[0].findtext("description")
    else:
        body = json_of(response)
        assert isinstance(body, list) and len(body) == 1 and set(body[0]) == {"code", "description"}
        assert body[0]["code"] == status
        description = body[0]["description"]
    assert description
    return description


def local_iso(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


# --- discovery ---------------------------------------------------------------------------------------


def test_discovery_names_the_endpoint_in_json_and_xml(client, district):
    body = json_of(get(client, "discovery.json"))
    assert list(body) == ["changeset", "contact", "key_service", "endpoints"]
    assert "/admin/cases/open311apikey/" in body["key_service"]
    assert body["endpoints"] == [
        {
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": "http://testserver/open311/v2",
            "changeset": body["changeset"],
            "type": "production",
            "formats": ["application/json", "text/xml"],
        }
    ]

    root = xml_of(get(client, "discovery.xml"))
    assert root.tag == "discovery"
    assert [child.tag for child in root] == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = root.find("endpoints/endpoint")
    assert endpoint.findtext("url") == "http://testserver/open311/v2"
    assert endpoint.findtext("type") == "production"
    assert [item.text for item in endpoint.findall("formats/format")] == ["application/json", "text/xml"]


# --- services ----------------------------------------------------------------------------------------


def test_services_lists_each_active_category_as_the_spec_shapes_a_service(client, district):
    district.category.metrics.add(MetricFactory(name="清理占道物品"))
    body = json_of(get(client, "services.json"))
    assert isinstance(body, list)
    assert [service["service_code"] for service in body] == ["street-stalls", "stairwell-clutter"]  # not "retired"
    stalls = body[0]
    assert list(stalls) == SERVICE_FIELDS
    assert stalls["service_name"] == "占道经营"
    assert stalls["metadata"] is False and stalls["type"] == "realtime"
    assert stalls["group"] == "街路沿线“十乱”整治"
    assert stalls["keywords"] == "占道经营, 街路沿线“十乱”整治, 清理占道物品"
    # The campaign and the deadlines in words.
    assert "街路沿线“十乱”整治" in stalls["description"]
    assert "2" in stalls["description"] and "72" in stalls["description"]

    root = xml_of(get(client, "services.xml"))
    assert root.tag == "services"
    services = root.findall("service")
    assert [service.findtext("service_code") for service in services] == ["street-stalls", "stairwell-clutter"]
    assert [child.tag for child in services[0]] == SERVICE_FIELDS
    assert services[0].findtext("metadata") == "false"
    assert services[0].findtext("group") == "街路沿线“十乱”整治"


def test_a_service_definition_is_the_spec_object_and_an_unknown_code_is_404(client, district):
    assert json_of(get(client, "services/street-stalls.json")) == {"service_code": "street-stalls", "attributes": []}

    root = xml_of(get(client, "services/street-stalls.xml"))
    assert root.tag == "service_definition"
    assert [child.tag for child in root] == ["service_code", "attributes"]
    assert root.findtext("service_code") == "street-stalls" and list(root.find("attributes")) == []

    assert "no-such-code" in assert_error(get(client, "services/no-such-code.json"), 404)
    assert_error(get(client, "services/retired.json"), 404)  # not offered any more
    assert_error(get(client, "services/no-such-code.xml"), 404, "xml")


# --- POST requests -----------------------------------------------------------------------------------


def test_posting_a_request_files_a_reported_case_from_open311(client, district):
    response = post_request(
        client,
        district,
        first_name="晓明",
        last_name="王",
        phone="138 1234 5678",
        email="wang.xm@example.com",
        media_url="https://example.com/photo.jpg",
        address_string="文艺路口",
    )
    body = json_of(response)
    assert isinstance(body, list) and len(body) == 1
    assert list(body[0]) == ["service_request_id", "service_notice", "account_id"]
    assert body[0]["account_id"] is None and body[0]["service_notice"]
    case = created_case(response)
    assert body[0]["service_request_id"] == case.number
    assert case.state == CaseState.REPORTED and case.source == CaseSource.OPEN311
    assert case.created_by is None
    assert case.community == district.wenyi  # the nearest community with coordinates
    assert case.street == district.binhe
    assert case.category == district.category and case.campaign == district.category.campaign
    assert (case.latitude, case.longitude) == (Decimal("41.791000"), Decimal("123.431000"))
    assert case.reporter_name == "王晓明"  # family name first
    assert case.reporter_phone == "13812345678"
    assert case.title == "文艺路与青年大街交汇处有人占道经营，堆放杂物影响通行。"[:60]
    assert case.description == (
        "文艺路与青年大街交汇处有人占道经营，堆放杂物影响通行。\n\n"
        "email: wang.xm@example.com\nmedia_url: https://example.com/photo.jpg"
    )
    assert case.address == "文艺路口"
    assert list(case.events.values_list("action", "to_state")) == [("create", "reported")]
    district.key.refresh_from_db()
    assert district.key.last_used_at is not None


def test_the_title_is_the_first_60_characters_of_the_description(client, district):
    text = "一" * 50 + "\n" + "二" * 50
    case = created_case(post_request(client, district, description=text))
    assert case.title == "一" * 50 + " " + "二" * 9
    assert case.description == text
    assert case.reporter_name == case.reporter_phone == ""


def test_a_request_may_be_posted_as_json_and_answered_in_xml(client, district):
    payload = {
        "api_key": district.key.key,
        "service_code": "stairwell-clutter",
        "lat": 41.8005,  # numbers, as JSON clients send them
        "long": 123.4995,
        "description": "楼道堆放杂物",
    }
    response = client.post(f"{BASE}/requests.xml", payload, content_type="application/json")
    assert response.status_code == 201
    root = xml_of(response)
    assert root.tag == "service_requests"
    [request] = root.findall("request")
    assert [child.tag for child in request] == ["service_request_id", "service_notice", "account_id"]
    assert request.findtext("account_id") == ""
    case = Case.objects.get(number=request.findtext("service_request_id"))
    assert case.community == district.xiaoxi and case.street == district.danan
    assert case.category == district.other_category


@pytest.mark.parametrize(
    ("address", "community", "compound", "road"),
    [
        ("沈河区青年社区南门", "qingnian", None, None),
        ("幸福里小区3号楼楼道", "qingnian", "compound", None),
        ("五爱街与小南街交汇处", "daxi", None, "road"),  # the street's first community by name (大 < 小)
        ("滨河街道 青年社区 幸福里小区", "qingnian", "compound", None),
    ],
)
def test_address_string_names_the_community_a_compound_or_a_road(client, district, address, community, compound, road):
    case = created_case(post_request(client, district, lat=None, long=None, address_string=address))
    assert case.community == getattr(district, community)
    assert case.compound == (getattr(district, compound) if compound else None)
    assert case.road == (getattr(district, road) if road else None)
    assert case.address == address
    assert case.latitude is None and case.longitude is None
    assert case.state == CaseState.REPORTED


def test_a_road_with_coordinates_takes_the_nearest_community_of_its_street(client, district):
    case = created_case(post_request(client, district, lat="41.800100", long="123.499900", address_string="五爱街"))
    assert (case.community, case.road) == (district.xiaoxi, district.road)


def test_a_named_place_wins_over_the_nearest_community(client, district):
    # The point is nearest to 文艺社区, but the address names 青年社区 in words.
    case = created_case(post_request(client, district, address_string="青年社区东门"))
    assert case.community == district.qingnian
    assert case.latitude == Decimal("41.791000")


def test_a_community_name_used_in_two_streets_is_told_apart_by_the_street_named(client, district):
    twin = CommunityFactory(street=district.danan, name="文艺社区")
    case = created_case(post_request(client, district, lat=None, long=None, address_string="大南街道文艺社区"))
    assert case.community == twin


def test_an_address_naming_no_place_is_refused_with_the_reason(client, district):
    response = post_request(client, district, lat=None, long=None, address_string="北京市朝阳区")
    assert assert_error(response, 400) == str(_no_place_message())
    response = post_request(client, district, lat=None, long=None)
    assert assert_error(response, 400) == str(_no_place_message())
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "credentials",
    [{"api_key": None}, {"api_key": ""}, {"api_key": "not-a-key"}, {"api_key": "revoked"}],
    ids=["missing", "empty", "unknown", "revoked"],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_posting_needs_an_active_api_key(client, district, credentials, fmt):
    key = credentials["api_key"]
    key = district.revoked.key if key == "revoked" else key
    assert_error(post_request(client, district, fmt, api_key=key), 403, fmt)
    assert not Case.objects.exists()
    district.revoked.refresh_from_db()
    assert district.revoked.last_used_at is None


def test_the_api_key_may_come_in_the_query_string(client, district):
    data = {"service_code": "street-stalls", "lat": "41.79", "long": "123.43", "description": "占道"}
    response = client.post(f"{BASE}/requests.json?api_key={district.key.key}", data)
    assert created_case(response).community == district.wenyi


ODD_INPUTS = {
    "unknown service": {"service_code": "no-such-code"},
    "retired service": {"service_code": "retired"},
    "no service": {"service_code": ""},
    "empty description": {"description": "   "},
    "description too long": {"description": "长" * 4001},
    "lat not a number": {"lat": "forty-one"},
    "lat huge": {"lat": "1e400", "long": "1e400"},
    "lat NaN": {"lat": "NaN"},
    "lat infinite": {"lat": "-Infinity"},
    "lat only": {"long": None},
    "long only": {"lat": None},
    "outside the district": {"lat": "39.904200", "long": "116.407400"},
    "bad phone": {"phone": "12345"},
    "bad email": {"email": "not-an-email"},
    "bad media_url": {"media_url": "javascript:alert(1)"},
    "name too long": {"first_name": "名" * 60},
    "not UTF-8": {"description": "caf\ufffd"},
}


@pytest.mark.parametrize("fields", ODD_INPUTS.values(), ids=ODD_INPUTS.keys())
def test_bad_input_is_a_400_in_the_spec_format_and_changes_nothing(client, district, fields):
    assert_error(post_request(client, district, **fields), 400)
    assert not Case.objects.exists()


def test_a_wrong_field_is_named_in_the_description(client, district):
    assert assert_error(post_request(client, district, phone="12345"), 400).startswith("phone: ")
    assert assert_error(post_request(client, district, first_name="名" * 60), 400).startswith("first_name/last_name: ")
    assert assert_error(post_request(client, district, lat="39.9", long="116.4"), 400).startswith("lat: ")


def test_odd_bodies_are_400s_never_500s(client, district):
    key = district.key.key
    url = f"{BASE}/requests.json"
    # Nothing at all: no key.
    assert_error(client.post(url, b"", content_type="application/x-www-form-urlencoded"), 403)
    assert_error(client.post(f"{url}?api_key={key}", b"", content_type="application/x-www-form-urlencoded"), 400)
    # Bytes that are not UTF-8, percent-encoded in a form and raw in JSON.
    body = f"api_key={key}&service_code=street-stalls&lat=41.79&long=123.43&description=%FF%FE".encode()
    assert_error(client.post(url, body, content_type="application/x-www-form-urlencoded"), 400)
    assert_error(client.post(url, b'{"api_key": "\xff\xfe"}', content_type="application/json"), 400)
    # JSON that is not an object, or not JSON, or a field that is not a single value.
    assert_error(client.post(url, b"[1, 2]", content_type="application/json"), 400)
    assert_error(client.post(url, b"{not json", content_type="application/json"), 400)
    nested = {"api_key": key, "service_code": "street-stalls", "lat": [41.79], "long": 123.43, "description": "x"}
    assert_error(client.post(url, nested, content_type="application/json"), 400)
    # JSON nested deeper than Python can parse.
    assert_error(client.post(url, "[" * 100_000 + "]" * 100_000, content_type="application/json"), 400)
    # A media type the endpoint does not read, a broken multipart body, a body over Django's limit.
    assert_error(client.post(url, b"description=x", content_type="text/plain"), 400)
    keyed = f"{url}?api_key={key}"
    assert_error(client.post(keyed, b"--x\r\nbroken", content_type="multipart/form-data; boundary=x"), 400)
    assert_error(client.post(keyed, b"--x\r\nbroken", content_type="multipart/form-data"), 400)
    huge = f"api_key={key}&service_code=street-stalls&lat=41.79&long=123.43&description=".encode() + b"x" * 3_000_000
    assert_error(client.post(url, huge, content_type="application/x-www-form-urlencoded"), 400)
    assert not Case.objects.exists()


def test_characters_the_database_or_xml_cannot_carry_are_dropped(client, district):
    payload = {
        "api_key": district.key.key,
        "service_code": "street-stalls",
        "lat": "41.79",
        "long": "123.43",
        "description": "占道\u0000经营\u0001\ud800",
    }
    response = client.post(f"{BASE}/requests.json", payload, content_type="application/json")
    case = created_case(response)
    assert case.description == "占道经营"
    assert xml_of(get(client, f"requests/{case.number}.xml")).findtext("request/description") == "占道经营"


def test_coordinates_are_kept_to_six_decimal_places(client, district):
    case = created_case(post_request(client, district, lat="41.79123456789", long=" 123.43 "))
    assert (case.latitude, case.longitude) == (Decimal("41.791235"), Decimal("123.430000"))


# --- GET requests ------------------------------------------------------------------------------------


def test_a_request_reads_back_as_an_array_of_one_in_the_spec_shape(client, district):
    case = created_case(post_request(client, district, address_string="文艺路口"))
    body = json_of(get(client, f"requests/{case.number}.json"))
    assert isinstance(body, list) and len(body) == 1
    request = body[0]
    assert list(request) == REQUEST_FIELDS
    assert request["service_request_id"] == case.number
    assert request["status"] == "open"
    assert request["status_notes"] == "待受理"  # the state's label, in the default language
    assert (request["service_name"], request["service_code"]) == ("占道经营", "street-stalls")
    assert request["description"] == case.description
    assert request["agency_responsible"] == "滨河街道"  # the street office, until a department leads
    assert request["service_notice"]
    assert request["requested_datetime"] == local_iso(case.created_at)
    assert request["updated_datetime"] == local_iso(case.updated_at)
    assert request["expected_datetime"] is None  # no deadline before dispatch
    assert request["address"] == "文艺路口"
    assert request["address_id"] is None and request["zipcode"] is None and request["media_url"] is None
    assert (request["lat"], request["long"]) == (41.791, 123.431)  # numbers, as in the spec's example
    assert re.match(ISO_WITH_OFFSET, request["requested_datetime"])

    root = xml_of(get(client, f"requests/{case.number}.xml"))
    assert root.tag == "service_requests"
    [element] = root.findall("request")
    assert [child.tag for child in element] == REQUEST_FIELDS
    assert element.findtext("service_request_id") == case.number
    assert element.findtext("status") == "open"
    assert element.findtext("lat") == "41.791000" and element.findtext("expected_datetime") == ""


def test_an_unknown_request_is_404(client, district):
    assert "SH-2099-999999" in assert_error(get(client, "requests/SH-2099-999999.json"), 404)
    assert_error(get(client, "requests/SH-2099-999999.xml"), 404, "xml")


def test_the_status_follows_the_workflow_and_expected_datetime_the_resolve_deadline(client, district):
    case = created_case(post_request(client, district))
    workflow.accept(district.staff, case)
    case = workflow.dispatch(district.staff, case, lead_department=district.lead)
    request = json_of(get(client, f"requests/{case.number}.json"))[0]
    assert request["status"] == "open" and request["status_notes"] == "已派遣"
    assert request["expected_datetime"] == local_iso(case.resolve_due_at)
    assert request["agency_responsible"] == "沈河区城市管理行政执法局"
    case = workflow.report_in(district.officer, case)
    case = workflow.resolve(district.officer, case, note="已清理占道物品")
    assert json_of(get(client, f"requests/{case.number}.json"))[0]["status"] == "open"  # until verified
    workflow.verify(district.staff, case)
    request = json_of(get(client, f"requests/{case.number}.json"))[0]
    assert request["status"] == "closed" and request["status_notes"] == "已结案"
    assert request["service_notice"] is None
    assert request["agency_responsible"] == "沈河区城市管理行政执法局"
    assert request["expected_datetime"] == local_iso(case.resolve_due_at)


def test_a_rejected_request_is_closed_as_not_registered(client, district):
    original = CaseFactory(category=district.category, community=district.wenyi, state=CaseState.REGISTERED)
    case = created_case(post_request(client, district))
    workflow.reject(district.staff, case, reason="重复反映", duplicate_of=original.number)
    request = json_of(get(client, f"requests/{case.number}.json"))[0]
    assert request["status"] == "closed"
    assert request["status_notes"].startswith("不予立案") and original.number in request["status_notes"]
    other = created_case(post_request(client, district))
    workflow.reject(district.staff, other, reason="不属于整治范围")
    english = client.get(f"{BASE}/requests/{other.number}.json", HTTP_ACCEPT_LANGUAGE="en")
    assert json_of(english)[0]["status_notes"] == "Not registered"


def test_no_personal_data_is_ever_shown(client, district):
    case = created_case(
        post_request(
            client,
            district,
            first_name="晓明",
            last_name="王",
            phone="13812345678",
            email="wang.xm@example.com",
            media_url="https://example.com/private.jpg",
            description="门口占道经营，联系人王晓明 13812345678，邮箱 wang.xm@example.com，座机 024-22345678",
        )
    )
    staff_case = CaseFactory(
        category=district.category,
        community=district.qingnian,
        title="楼道堆物",
        description="李先生来电反映（13900001234）",
        reporter_name="李先生",
        reporter_phone="13900001234",
        address="青年社区3号楼",
    )
    private = ["晓明", "13812345678", "wang.xm", "example.com", "22345678", "李先生", "13900001234", "private.jpg"]
    for path in (
        f"requests/{case.number}.json",
        f"requests/{case.number}.xml",
        f"requests/{staff_case.number}.json",
        "requests.json",
        "requests.xml",
    ):
        text = get(client, path).content.decode()
        assert case.number in text or staff_case.number in text
        for value in private:
            assert value not in text, (path, value)
    description = json_of(get(client, f"requests/{case.number}.json"))[0]["description"]
    assert "138****5678" in description and "王**" in description
    # Staff still see everything on the case itself.
    case.refresh_from_db()
    assert "wang.xm@example.com" in case.description and case.reporter_phone == "13812345678"


@pytest.fixture
def timeline(district):
    """Cases filed 100, 30, 10 and 1 days ago (open and closed, two services)."""
    now = timezone.now()

    def filed(days: int, **fields) -> Case:
        values = {
            "category": district.category,
            "community": district.wenyi,
            "created_at": now - datetime.timedelta(days=days),
        }
        return CaseFactory(**(values | fields))

    return {
        "old": filed(100),
        "month": filed(30, state=CaseState.CLOSED),
        "ten": filed(10, category=district.other_category),
        "day": filed(1, state=CaseState.REJECTED),
    }


def numbers(response) -> list[str]:
    return [request["service_request_id"] for request in json_of(response)]


def test_requests_lists_the_last_90_days_newest_first(client, timeline):
    assert numbers(get(client, "requests.json")) == [timeline[key].number for key in ("day", "ten", "month")]
    root = xml_of(get(client, "requests.xml"))
    assert [request.findtext("service_request_id") for request in root.findall("request")] == [
        timeline[key].number for key in ("day", "ten", "month")
    ]


def test_requests_filters_by_service_status_and_dates(client, timeline):
    assert numbers(get(client, "requests.json", service_code="stairwell-clutter")) == [timeline["ten"].number]
    assert numbers(get(client, "requests.json", service_code="stairwell-clutter,street-stalls")) == [
        timeline[key].number for key in ("day", "ten", "month")
    ]
    assert numbers(get(client, "requests.json", status="open")) == [timeline["ten"].number]
    assert numbers(get(client, "requests.json", status="closed")) == [timeline[k].number for k in ("day", "month")]
    assert len(numbers(get(client, "requests.json", status="open,closed"))) == 3
    now = timezone.now()
    start = local_iso(now - datetime.timedelta(days=120))
    end = local_iso(now - datetime.timedelta(days=20))
    assert numbers(get(client, "requests.json", start_date=start, end_date=end)) == [
        timeline[key].number for key in ("month", "old")
    ]
    # UTC with Z, as the spec's example writes it.
    start_utc = (now - datetime.timedelta(days=15)).astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert numbers(get(client, "requests.json", start_date=start_utc)) == [timeline[k].number for k in ("day", "ten")]
    # An end date alone: the 90 days before it.
    assert numbers(get(client, "requests.json", end_date=local_iso(now - datetime.timedelta(days=20)))) == [
        timeline[key].number for key in ("month", "old")
    ]
    # A "+" that the client did not percent-encode arrives as a space; it is still understood.
    unencoded = f"{BASE}/requests.json?start_date={local_iso(now - datetime.timedelta(days=15))}"
    assert numbers(client.get(unencoded)) == [timeline[k].number for k in ("day", "ten")]


def test_service_request_id_overrides_every_other_filter(client, timeline):
    wanted = f"{timeline['old'].number}, {timeline['day'].number},SH-2099-000001"
    response = get(client, "requests.json", service_request_id=wanted, status="open", service_code="none")
    assert numbers(response) == [timeline["day"].number, timeline["old"].number]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "pending"},
        {"status": "open,done"},
        {"start_date": "yesterday"},
        {"end_date": "2026-13-45T00:00:00+08:00"},
        {"start_date": "0001-01-01T00:00:00+08:00"},
        {"start_date": "2026-11-20T00:00:00+08:00", "end_date": "2026-11-01T00:00:00+08:00"},
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_filters_are_400(client, district, params, fmt):
    assert_error(get(client, f"requests.{fmt}", **params), 400, fmt)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("requests/SH-2026%00-1.json", 404),
        ("services/street%00-stalls.json", 200),  # NUL is dropped, as from every input
        ("requests.json?service_request_id=%00,SH%00", 200),
        ("requests.json?service_code=%00&start_date=2026-11-01%00", 200),
        ("requests.json?status=%FF", 400),
        ("requests.json?service_code=%FF%FE", 200),
    ],
)
def test_odd_bytes_in_paths_and_queries_are_never_500s(client, district, path, status):
    response = client.get(f"{BASE}/{path}")
    assert response.status_code == status, response.content
    if status != 200:
        assert_error(response, status)


def test_requests_answers_at_most_the_limit(client, timeline, monkeypatch):
    monkeypatch.setattr(views, "MAX_RESULTS", 2)
    assert numbers(get(client, "requests.json")) == [timeline["day"].number, timeline["ten"].number]


def test_listing_requests_takes_the_same_queries_for_few_or_many(client, district):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert get(client, "requests.json").status_code == 200
        return len(captured)

    lead = DepartmentFactory()
    for _ in range(2):
        case = CaseFactory(category=district.category, community=district.wenyi, state=CaseState.DISPATCHED)
        case.assignments.create(department=lead, role="lead")
    few = queries()
    for _ in range(8):
        case = CaseFactory(category=district.other_category, community=district.qingnian, state=CaseState.DISPATCHED)
        case.assignments.create(department=lead, role="lead")
    assert queries() == few == 2


# --- formats, methods, throttles ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["services.yaml", "requests.csv", "discovery.html", "services/street-stalls.txt", "requests/SH-2026-000001.pdf"],
)
def test_an_unknown_format_is_a_404_in_json(client, district, path):
    assert_error(client.get(f"{BASE}/{path}"), 404)


@pytest.mark.parametrize("path", ["", "services", "nothing.json", "requests/a/b.json"])
def test_anything_else_under_the_endpoint_is_the_spec_404(client, district, path):
    assert_error(client.get(f"{BASE}/{path}"), 404)
    assert_error(client.post(f"{BASE}/{path}"), 404)
    assert_error(client.get(f"{BASE}/nothing.xml"), 404, "xml")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("put", "requests.json", "GET, HEAD, POST"),
        ("delete", "requests.json", "GET, HEAD, POST"),
        ("post", "services.json", "GET, HEAD"),
        ("post", "services/street-stalls.xml", "GET, HEAD"),
        ("patch", "requests/SH-2026-000001.json", "GET, HEAD"),
        ("post", "discovery.json", "GET, HEAD"),
    ],
)
def test_a_wrong_method_is_405_in_the_spec_format(client, district, method, path, allowed):
    response = getattr(client, method)(f"{BASE}/{path}")
    assert_error(response, 405, "xml" if path.endswith(".xml") else "json")
    assert response["Allow"] == allowed


def test_the_extension_decides_the_format_whatever_the_accept_header(client, district):
    response = client.get(f"{BASE}/services.xml", HTTP_ACCEPT="application/json")
    assert xml_of(response).tag == "services"
    response = client.get(f"{BASE}/services.json", HTTP_ACCEPT="text/xml")
    assert isinstance(json_of(response), list)
    assert client.head(f"{BASE}/services.json").status_code == 200


def test_posting_is_throttled_by_its_own_scope(client, district, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"open311_post": "2/hour", "anon": "1000/hour"})
    for _ in range(2):
        created_case(post_request(client, district))
    response = post_request(client, district)
    assert_error(response, 429)
    assert int(response["Retry-After"]) > 0
    assert Case.objects.count() == 2
    assert get(client, "services.json").status_code == 200  # reading has its own (anonymous) rate


def test_reading_is_throttled_at_the_anonymous_rate(client, district, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"open311_post": "1000/hour", "anon": "2/hour"})
    assert get(client, "services.json").status_code == 200
    assert get(client, "requests.xml").status_code == 200
    assert_error(get(client, "services.xml"), 429, "xml")


def test_no_session_or_csrf_token_is_needed(district):
    client = Client(enforce_csrf_checks=True)
    assert created_case(post_request(client, district)).source == CaseSource.OPEN311
    assert "sessionid" not in client.cookies


def test_messages_follow_the_clients_language(client, district):
    english = client.get(f"{BASE}/services/none.json", HTTP_ACCEPT_LANGUAGE="en")
    assert assert_error(english, 404) == "There is no service with the code none."
    english = client.put(f"{BASE}/requests.json", HTTP_ACCEPT_LANGUAGE="en")
    assert assert_error(english, 405) == 'Method "PUT" not allowed.'


# --- the demo world ----------------------------------------------------------------------------------


def test_the_demo_world_through_open311(client, db):
    # Seeded inside this test (and rolled back with it), not with the module-wide `demo` fixture:
    # its data would still be there for the live-server test below, which needs an empty database.
    call_command("seed_demo", verbosity=0)
    services = json_of(get(client, "services.json"))
    assert [service["service_code"] for service in services] == list(
        Category.objects.filter(is_active=True)
        .order_by("campaign__drive__starts_on", "campaign__order", "order", "code")
        .values_list("code", flat=True)
    )
    assert all(set(service) == set(SERVICE_FIELDS) for service in services)
    start = local_iso(timezone.now() - datetime.timedelta(days=3650))
    response = get(client, "requests.json", start_date=start)
    listed = json_of(response)
    assert len(listed) == min(Case.objects.count(), 1000) > 0
    assert {request["status"] for request in listed} == {"open", "closed"}
    text = response.content.decode()
    for name, phone in Case.objects.exclude(reporter_phone="").values_list("reporter_name", "reporter_phone"):
        assert phone not in text
        assert len(name) < 2 or name not in text
    xml_of(get(client, "requests.xml", start_date=start))

    key = Open311ApiKey.objects.create(name="移动端")
    road = Road.objects.select_related("street").get(name="青年大街")
    response = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": key.key,
            "service_code": services[0]["service_code"],
            "address_string": "青年大街88号门前",
            "description": "门前堆物",
        },
    )
    case = created_case(response)
    first = min(road.street.communities.all(), key=lambda community: (community.name, community.pk))
    assert (case.community, case.road, case.street) == (first, road, road.street)
    assert case.state == CaseState.REPORTED and case.source == CaseSource.OPEN311


# --- a real GeoReport v2 client over HTTP ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_georeport_client_lists_services_posts_a_request_and_reads_its_status(live_server):
    district = build_district()
    root = f"{live_server.url}/open311/v2"
    client = GeoReport(root, api_key=district.key.key)

    services = client.get_service_list()
    assert [service["service_code"] for service in services] == ["street-stalls", "stairwell-clutter"]
    assert client.get_service_definition("street-stalls") == {"service_code": "street-stalls", "attributes": []}

    # georeport 0.3.1 reads only ("does not currently support the creation of new 311 service
    # requests"), so the request is posted as the spec says: form fields, with requests as it uses.
    response = requests.post(
        f"{root}/requests.json",
        data={
            "api_key": client.api_key,
            "service_code": services[0]["service_code"],
            "lat": "41.7905",
            "long": "123.4302",
            "description": "人行道上有人占道经营",
            "first_name": "晓明",
            "last_name": "王",
            "phone": "13812345678",
        },
        timeout=10,
    )
    assert response.status_code == 201
    number = response.json()[0]["service_request_id"]

    request = client.get_service_request(number)
    assert request["service_request_id"] == number and request["status"] == "open"
    assert request["service_code"] == "street-stalls" and request["lat"] == 41.7905
    assert [item["service_request_id"] for item in client.get_service_requests(service_request_id=number)] == [number]
    assert [item["service_request_id"] for item in client.get_service_requests(status="open")] == [number]
    assert client.get_service_requests(status="closed") == []

    xml_client = GeoReport(root, output_format="xml")
    xml_services = xml_client.get_service_list()
    assert [service["service_code"] for service in xml_services] == ["street-stalls", "stairwell-clutter"]
    assert xml_services[0]["metadata"] == "false" and xml_services[0]["type"] == "realtime"
    assert xml_client.get_service_definition("street-stalls") == {"service_code": "street-stalls", "attributes": None}
    xml_request = xml_client.get_service_request(number)
    assert xml_request["service_request_id"] == number and xml_request["status"] == "open"
    assert xml_request["lat"] == "41.790500"

    # The street office takes it around the loop; the client sees it closed.
    case = Case.objects.get(number=number)
    assert (case.state, case.source, case.community) == (CaseState.REPORTED, CaseSource.OPEN311, district.wenyi)
    workflow.accept(district.staff, case)
    case = workflow.dispatch(district.staff, case, lead_department=district.lead)
    assert client.get_service_request(number)["expected_datetime"] == local_iso(case.resolve_due_at)
    workflow.report_in(district.officer, case)
    workflow.resolve(district.officer, case, note="已清理")
    workflow.verify(district.staff, case)
    assert client.get_service_request(number)["status"] == "closed"
    assert xml_client.get_service_request(number)["status"] == "closed"
    assert [item["service_request_id"] for item in client.get_service_requests(status="closed")] == [number]

    # Errors come as the spec's list; the client library raises on them.
    refused = requests.post(f"{root}/requests.json", data={"api_key": "wrong"}, timeout=10)
    assert refused.status_code == 403 and refused.json()[0]["code"] == 403
    with pytest.raises(requests.HTTPError):
        client.get_service_definition("no-such-code")
    for text in ("晓明", "13812345678"):
        assert text not in requests.get(f"{root}/requests.json", timeout=10).text
