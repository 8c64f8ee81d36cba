"""Constraints of the drive, campaign and category reference data."""

import datetime

import pytest

from tests.factories import CampaignFactory, CategoryFactory, DriveFactory, MetricFactory
from tests.utils import db_refuses

pytestmark = pytest.mark.django_db


def test_drive_cannot_end_before_it_starts():
    assert db_refuses(lambda: DriveFactory(starts_on=datetime.date(2021, 8, 24), ends_on=datetime.date(2021, 8, 1)))
    assert not db_refuses(
        lambda: DriveFactory(starts_on=datetime.date(2021, 8, 24), ends_on=datetime.date(2021, 8, 24))
    )


def test_campaign_numbers_and_names_are_unique_within_a_drive():
    campaign = CampaignFactory(order=1, name="楼道清洁整治")
    assert db_refuses(lambda: CampaignFactory(drive=campaign.drive, order=1))
    assert db_refuses(lambda: CampaignFactory(drive=campaign.drive, name="楼道清洁整治"))
    assert not db_refuses(lambda: CampaignFactory(order=1, name="楼道清洁整治"))


def test_campaign_slug_is_unique_across_drives():
    CampaignFactory(slug="stairwell-cleaning")
    assert db_refuses(lambda: CampaignFactory(slug="stairwell-cleaning"))


@pytest.mark.parametrize("field", ["report_in_hours", "resolve_hours", "whistle_report_in_minutes"])
def test_category_deadlines_must_be_positive(field):
    assert db_refuses(lambda: CategoryFactory(**{field: 0}))


def test_category_code_is_unique():
    CategoryFactory(code="zombie-car")
    assert db_refuses(lambda: CategoryFactory(code="zombie-car"))


def test_campaign_cannot_end_before_it_starts():
    assert db_refuses(lambda: CampaignFactory(starts_on=datetime.date(2021, 8, 24), ends_on=datetime.date(2021, 8, 23)))


def test_category_name_is_unique_within_its_campaign():
    category = CategoryFactory(name="僵尸车")
    assert db_refuses(lambda: CategoryFactory(campaign=category.campaign, name="僵尸车"))
    assert not db_refuses(lambda: CategoryFactory(name="僵尸车"))


@pytest.mark.parametrize("field", ["code", "name"])
def test_metric_code_and_name_are_unique(field):
    metric = MetricFactory()
    assert db_refuses(lambda: MetricFactory(**{field: getattr(metric, field)}))
