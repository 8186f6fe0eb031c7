"""One factory per model: a test names only what matters to it."""

from datetime import timedelta

import factory
from django.utils import timezone

from surveys import models


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.se")
    role = models.Role.COORDINATOR
    password = factory.django.Password("secret-pass-123")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organisation

    name = factory.Sequence(lambda n: f"Stadsdelsförvaltning {n}")
    kind = models.Organisation.Kind.SDF


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Contact

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Kontakt {n}")
    email = factory.Sequence(lambda n: f"kontakt{n}@example.se")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Programme

    name = "ANDTS-program"
    start_year = 2023
    end_year = 2026


class GoalAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.GoalArea

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    title = factory.Sequence(lambda n: f"Målområde {n + 1}")


class FocusAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.FocusArea

    goal_area = factory.SubFactory(GoalAreaFactory)
    number = factory.Sequence(lambda n: f"1.{n + 1}")
    title = factory.Sequence(lambda n: f"Insatsområde {n + 1}")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Activity

    goal_area = factory.SubFactory(GoalAreaFactory)
    number = factory.Sequence(lambda n: f"1.{n + 1}")
    title = factory.Sequence(lambda n: f"Aktivitet {n + 1}")
    lead = factory.SubFactory(OrganisationFactory, kind=models.Organisation.Kind.NAMND)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Indicator

    activity = factory.SubFactory(ActivityFactory)
    text = factory.Sequence(lambda n: f"Antal deltagare {n}")
    unit = "personer"


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Questionnaire

    name = factory.Sequence(lambda n: f"Enkät {n}")
    kind = models.Questionnaire.Kind.INDEX


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.QuestionnaireVersion

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    number = factory.Sequence(lambda n: n + 1)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Section

    version = factory.SubFactory(VersionFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Avsnitt {n + 1}")


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Question

    section = factory.SubFactory(SectionFactory)
    version = factory.SelfAttribute("section.version")
    order = factory.Sequence(lambda n: n + 1)
    code = factory.Sequence(lambda n: f"Q_{n + 1}")
    text = factory.Sequence(lambda n: f"Fråga {n + 1}?")
    type = models.QuestionType.YES_NO


class OptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Option

    question = factory.SubFactory(QuestionFactory, type=models.QuestionType.SINGLE)
    order = factory.Sequence(lambda n: n + 1)
    code = factory.Sequence(lambda n: f"opt{n + 1}")
    label = factory.Sequence(lambda n: f"Alternativ {n + 1}")


class ScoringSchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ScoringScheme

    version = factory.SubFactory(VersionFactory)


class ScoringCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ScoringCategory

    scheme = factory.SubFactory(ScoringSchemeFactory)
    code = factory.Sequence(lambda n: f"cat{n + 1}")
    name = factory.Sequence(lambda n: f"Kategori {n + 1}")


class ScoringRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ScoringRule

    category = factory.SubFactory(ScoringCategoryFactory)
    scheme = factory.SelfAttribute("category.scheme")
    question = factory.LazyAttribute(
        lambda o: QuestionFactory(section=SectionFactory(version=o.scheme.version))
    )
    option_code = "ja"
    points = 1


class SurveyRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SurveyRound

    name = "Preventionsindex mini"
    version = factory.SubFactory(VersionFactory)
    year = 2026
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=29))
    state = models.SurveyRound.State.OPEN


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Assignment
        skip_postgeneration_save = True

    round = factory.SubFactory(SurveyRoundFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    response = factory.RelatedFactory("tests.factories.ResponseFactory", factory_related_name="assignment")


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Response

    assignment = factory.SubFactory(AssignmentFactory, response=None)


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Answer

    response = factory.SubFactory(ResponseFactory)
    question = factory.SubFactory(QuestionFactory)
    value = "ja"


class OutboundEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.OutboundEmail

    key = factory.Sequence(lambda n: f"test:{n}")
    kind = models.OutboundEmail.Kind.RECEIPT
    to_email = factory.Sequence(lambda n: f"mottagare{n}@example.se")
    subject = "Ämne"
    body = "Text"


class ExportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ExportJob

    round = factory.SubFactory(SurveyRoundFactory)
