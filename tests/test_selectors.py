"""Comparability of questionnaire versions is declared, symmetric in use, and transitive."""

import pytest

from surveys.selectors import comparable_versions
from tests import factories

pytestmark = pytest.mark.django_db


def test_comparability_follows_declarations_in_both_directions_and_transitively():
    questionnaire = factories.QuestionnaireFactory()
    v1, v2, v3, v4 = (factories.VersionFactory(questionnaire=questionnaire, number=n) for n in (1, 2, 3, 4))
    v3.comparable_with.add(v2)
    v2.comparable_with.add(v1)
    assert list(comparable_versions(v1)) == [v1, v2, v3]
    assert list(comparable_versions(v3)) == [v1, v2, v3]
    assert list(comparable_versions(v4)) == [v4]


def test_demo_pi_mini_v2_is_not_comparable_with_v1(demo):
    assert list(comparable_versions(demo["pi_v2"])) == [demo["pi_v2"]]
