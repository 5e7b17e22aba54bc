"""Unit-level fixtures: single resources in moto, shaped by template.yaml, without provisioning the stack."""

from __future__ import annotations

import boto3
import pytest
from template_tables import template_table_properties

from zik.dynamo import Table

# Which unit tests make dates runs at every moved instant: those that read a day from the clock
# (``clock.today``, a user's day or a UTC budget day of ``clock.now``, in the code or in the test), marked
# clock: whole modules (``pytestmark``) test_career_ats ("Present" is today), test_career_market (a rebuild
# dates its aggregates today), test_clock and test_quests_recurrence (a rule's today); single tests in
# test_ai_image_gateway and test_studio_tryon_ai (what the AI budget counts on a UTC day), test_studio_jobs
# and test_studio_tryons (the try-on quota's day and its reset at the user's midnight). A module whose tests
# pass their days in (test_days, test_points_rules, test_journal_analytics) or pin the clock themselves
# (test_career_interviews) gives the same answer at every instant; `make test-dates` still runs them all.


@pytest.fixture
def users_table(aws) -> Table:
    """A table with UsersTable's keys, empty, wrapped in zik.dynamo.Table."""
    client = boto3.client("dynamodb")
    client.create_table(TableName="test-users", **template_table_properties("UsersTable"))
    return Table("test-users", client=client)
