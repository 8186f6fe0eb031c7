"""Demo data modelled on the seed documents: a city with its districts, an ANDTS programme with six
delmål, Preventionsindex mini V2 and an activity questionnaire, one published round from last year and
one open round. Loading twice changes nothing (everything is looked up by natural keys first)."""

import io
import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from exports import questionnaire_workbook

from .models import (
    Activity,
    Answer,
    Assignment,
    Contact,
    FocusArea,
    GoalArea,
    IndexResult,
    Indicator,
    Organisation,
    Programme,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
    Response,
    Role,
    SurveyRound,
    User,
)
from .selectors import questions_for_assignment
from .services import outbox
from .services.activity_reports import generate_activity_version
from .services.deadlines import deadline_from_date
from .services.plan_responsibility import version_freeze_responsibilities
from .services.questionnaires import import_questionnaire
from .services.scoring import compute_round_index
from .visibility import condition_holds

CITY = "Stockholms stad"
DEMO_PASSWORD = "demo-samordnare"

DISTRICTS = [
    "Bromma",
    "Enskede-Årsta-Vantör",
    "Farsta",
    "Hägersten-Älvsjö",
    "Hässelby-Vällingby",
    "Kungsholmen",
    "Norra innerstaden",
    "Rinkeby-Kista",
    "Skarpnäck",
    "Skärholmen",
    "Spånga-Tensta",
    "Södermalm",
]
DEPARTMENTS = [
    ("Socialförvaltningen", "Socialnämnden"),
    ("Utbildningsförvaltningen", "Utbildningsnämnden"),
    ("Arbetsmarknadsförvaltningen", "Arbetsmarknadsnämnden"),
    ("Kulturförvaltningen", "Kulturnämnden"),
    ("Idrottsförvaltningen", "Idrottsnämnden"),
]
COMPANIES = ["Stockholmshem AB", "Stockholms Stadshus AB"]
PARTNERS = ["Polisen", "Region Stockholm"]

GOALS = [
    (
        "1",
        "Tillgång ska minska",
        [
            ("1.1", "Tillsyn"),
            ("1.2", "Insatser mot langning"),
            ("1.3", "Metoder för att minska överservering av alkohol och narkotikaanvändning"),
            ("1.4", "Samverkan mellan ANDTS-förebyggande och brottsförebyggande arbete"),
        ],
    ),
    (
        "2",
        "Barn och unga ska skyddas",
        [
            ("2.1", "Insatser för barn och unga som anhöriga"),
            ("2.2", "Uppmärksamma och stötta föräldrar samt blivande föräldrar"),
            ("2.3", "Rökfria och nikotinfria miljöer för unga"),
        ],
    ),
    (
        "3",
        "Färre börjar och debuterar tidigt",
        [
            ("3.1", "Främjande insatser"),
            ("3.2", "Förebyggande, allmänpreventiva insatser"),
            ("3.3", "Minska riskfaktorer på grupp- och individnivå"),
            ("3.4", "Föräldraskapsstöd"),
        ],
    ),
    (
        "4",
        "Skadligt bruk minskar",
        [
            ("4.1", "Insatser för tidig upptäckt av riskbruk"),
            ("4.2", "Insatser för råd och stöd eller lotsning till stödverksamheter"),
            ("4.3", "Riktat stöd till särskilt sårbara grupper"),
            ("4.4", "Insatser för staden som arbetsgivare"),
        ],
    ),
    (
        "5",
        "Tillgång till god vård och stöd",
        [
            ("5.1", "Kunskapsbaserad vård och stöd"),
            ("5.2", "Intern samverkan kring målgruppen"),
            ("5.3", "Uppsökande arbete"),
            ("5.4", "Ett hälsofrämjande perspektiv på stödet"),
        ],
    ),
    (
        "6",
        "Skador och död minskar",
        [
            ("6.1", "Skademinimerande information till målgruppen"),
            ("6.2", "Suicidpreventivt arbete"),
            ("6.3", "Insatser kopplat till dödlighet i trafiken"),
            ("6.4", "Insatser kopplat till våldsutövare och våldsoffer"),
            ("6.5", "Rätten och möjligheten till anhörigstöd"),
        ],
    ),
]

# (insatsområde, number, title, när, lead, co-responsible, [(indicator, unit, target, gender split)])
ACTIVITIES = [
    (
        "1.1",
        "1.1.1",
        "Kontrollköp av tobak, folköl och receptfria läkemedel",
        "Minst 2 gånger per år",
        "Socialnämnden",
        ["Polisen"],
        [("Antal genomförda kontrollköp", "st", "40", False)],
    ),
    (
        "1.2",
        "1.2.1",
        "Kampanj mot langning till unga inför skolavslutningar",
        "Varje vår",
        "Socialnämnden",
        ["Utbildningsnämnden", "Polisen"],
        [("Antal nådda föräldrar", "personer", "2000", True)],
    ),
    (
        "1.3",
        "1.3.1",
        "Utbildning i Ansvarsfull alkoholservering",
        "Minst 4 gånger per år",
        "Socialnämnden",
        ["Region Stockholm"],
        [("Antal utbildade serveringsansvariga", "personer", "300", True)],
    ),
    (
        "2.1",
        "2.1.1",
        "Stödgrupper för barn i familjer med missbruk",
        "Löpande",
        "Socialnämnden",
        ["Utbildningsnämnden"],
        [("Antal barn i stödgrupp", "barn", "150", True)],
    ),
    (
        "2.3",
        "2.3.1",
        "Rökfria skolgårdar – tillsyn och information",
        "Varje termin",
        "Utbildningsnämnden",
        ["Socialnämnden"],
        [("Andel skolor med rökfri skolgård", "%", "100", False)],
    ),
    (
        "3.1",
        "3.1.1",
        "Fritidsaktiviteter helger och lov i samverkan med föreningar",
        "Helger och lov",
        "Kulturnämnden",
        ["Idrottsnämnden", "Arbetsmarknadsnämnden"],
        [("Antal deltagare", "personer", "5000", True)],
    ),
    (
        "3.2",
        "3.2.1",
        "ANDTS-undervisning i årskurs 7–9 och gymnasiet",
        "Varje läsår",
        "Utbildningsnämnden",
        [],
        [("Andel skolor med ANDTS-undervisning", "%", "100", False)],
    ),
    (
        "3.4",
        "3.4.1",
        "Föräldraskapsstödsprogram (t.ex. ABC, Föräldrakraft)",
        "Minst 2 grupper per termin",
        "Socialnämnden",
        ["Utbildningsnämnden", "Kulturnämnden"],
        [("Antal föräldrar som fullföljt program", "personer", "400", True)],
    ),
    (
        "4.1",
        "4.1.1",
        "Screening av riskbruk (AUDIT) inom ekonomiskt bistånd",
        "Löpande",
        "Arbetsmarknadsnämnden",
        ["Socialnämnden"],
        [("Antal genomförda screeningar", "st", "1000", True)],
    ),
    (
        "4.4",
        "4.4.1",
        "Alkohol- och drogpolicy för medarbetare med chefsutbildning",
        "Varje år",
        "Arbetsmarknadsnämnden",
        ["Idrottsnämnden"],
        [("Antal utbildade chefer", "personer", "200", True)],
    ),
    (
        "5.3",
        "5.3.1",
        "Uppsökande arbete i offentlig miljö (fältassistenter)",
        "Kvällar och helger",
        "Socialnämnden",
        ["Polisen"],
        [("Antal kontakter med unga", "st", "3000", True)],
    ),
    (
        "6.2",
        "6.2.1",
        "Utbildning i suicidprevention (YAM, MHFA)",
        "Minst 2 gånger per år",
        "Idrottsnämnden",
        ["Socialnämnden", "Utbildningsnämnden"],
        [("Antal utbildade medarbetare", "personer", "250", True)],
    ),
]

# Preventionsindex mini V2 -----------------------------------------------------------------------------
# Categories: (code, name, cap, parent). Struktur ≤ 22 = organisation ≤ 10 + samverkan ≤ 6 + kunskap ≤ 6;
# aktiviteter ≤ 33; total 55 scaled to 100.
PI_CATEGORIES = [
    ("struktur", "Struktur", 22, None),
    ("organisation", "Organisation, policy och resurser", 10, "struktur"),
    ("samverkan", "Samverkan", 6, "struktur"),
    ("kunskap", "Kunskap", 6, "struktur"),
    ("aktiviteter", "Aktiviteter", 33, None),
]
FREQ = [("aldrig", "Aldrig"), ("1_2", "1–2 gånger per år"), ("3_plus", "3 gånger per år eller oftare")]

# A question: (code, type, text, required, extra) where extra may hold
#   options=[(code, label)], points={answer code: points}, thresholds={min value: points},
#   category, condition=(code, operator, value), min, max, max_length, help.
PI_SECTIONS = [
    (
        "Organisation, policy och resurser",
        "organisation",
        [
            (
                "ORG_1",
                QuestionType.YES_NO,
                "Finns en politiskt antagen lokal plan för det ANDTS-förebyggande arbetet?",
                True,
                {},
            ),
            (
                "ORG_2",
                QuestionType.YES_NO,
                "Finns en utsedd ANDTS-samordnare i stadsdelsförvaltningen?",
                True,
                {},
            ),
            (
                "ORG_3",
                QuestionType.DECIMAL,
                "Hur stor del av en heltid arbetar samordnaren med ANDTS-frågor (procent)?",
                True,
                {
                    "condition": ("ORG_2", "equals", "ja"),
                    "min": 0,
                    "max": 100,
                    "thresholds": {50: 1},
                    "help": "Ange en siffra mellan 0 och 100.",
                },
            ),
            ("ORG_4", QuestionType.YES_NO, "Finns en budget avsatt för ANDTS-förebyggande arbete?", True, {}),
            (
                "ORG_5",
                QuestionType.YES_NO,
                "Finns en styrgrupp eller ledningsgrupp som följer arbetet?",
                True,
                {},
            ),
            ("ORG_6", QuestionType.YES_NO, "Följs arbetet upp i verksamhetsplanen?", True, {}),
            ("ORG_7", QuestionType.YES_NO, "Har ledningen fått en årlig rapport om ANDTS-arbetet?", True, {}),
            (
                "ORG_8",
                QuestionType.YES_NO,
                "Finns en kartläggning av lokala risk- och skyddsfaktorer som är högst tre år gammal?",
                True,
                {},
            ),
            ("ORG_9", QuestionType.YES_NO, "Finns en alkohol- och drogpolicy för medarbetare?", True, {}),
            (
                "ORG_10",
                QuestionType.YES_NO,
                "Har policyn följts upp under året?",
                False,
                {"condition": ("ORG_9", "equals", "ja")},
            ),
            ("ORG_11", QuestionType.YES_NO, "Finns en handlingsplan för spel om pengar?", True, {}),
            (
                "ORG_12",
                QuestionType.YES_NO,
                "Ingår ANDTS-frågorna i förvaltningens trygghetsarbete?",
                True,
                {},
            ),
        ],
    ),
    (
        "Samverkan",
        "samverkan",
        [
            (
                "SAM_1",
                QuestionType.YES_NO,
                "Finns en lokal samverkansgrupp för ANDTS-förebyggande arbete?",
                True,
                {},
            ),
            (
                "SAM_2",
                QuestionType.SINGLE,
                "Hur ofta träffas samverkansgruppen?",
                True,
                {"options": FREQ, "points": {"1_2": 1, "3_plus": 2}, "condition": ("SAM_1", "equals", "ja")},
            ),
            (
                "SAM_3",
                QuestionType.YES_NO,
                "Finns ett samverkansavtal med polisen (t.ex. medborgarlöfte)?",
                True,
                {},
            ),
            ("SAM_4", QuestionType.YES_NO, "Samverkar ni med skolorna i stadsdelen kring ANDTS?", True, {}),
            ("SAM_5", QuestionType.YES_NO, "Samverkar ni med föreningslivet kring ANDTS?", True, {}),
            (
                "SAM_6",
                QuestionType.YES_NO,
                "Samverkar ni med Region Stockholm (t.ex. ungdomsmottagning, beroendevård)?",
                True,
                {},
            ),
            (
                "SAM_7",
                QuestionType.MULTIPLE,
                "Vilka aktörer ingår i samverkansgruppen?",
                False,
                {
                    "options": [
                        ("skola", "Skola"),
                        ("polis", "Polis"),
                        ("fritid", "Fritid"),
                        ("region", "Region"),
                        ("forening", "Föreningsliv"),
                    ],
                    "points": {"skola": 1, "polis": 1, "region": 1},
                },
            ),
            (
                "SAM_8",
                QuestionType.TEXT,
                "Beskriv kort den viktigaste samverkan under året.",
                False,
                {"max_length": 2000},
            ),
        ],
    ),
    (
        "Kunskap",
        "kunskap",
        [
            (
                "KUN_1",
                QuestionType.YES_NO,
                "Har medarbetare fått utbildning i ANDTS-frågor under året?",
                True,
                {},
            ),
            (
                "KUN_2",
                QuestionType.INTEGER,
                "Hur många medarbetare har utbildats i ANDTS-frågor under året?",
                True,
                {
                    "min": 0,
                    "max": 100000,
                    "thresholds": {30: 1, 100: 2},
                    "condition": ("KUN_1", "equals", "ja"),
                },
            ),
            (
                "KUN_3",
                QuestionType.YES_NO,
                "Används lokal statistik (t.ex. Stockholmsenkäten) i planeringen?",
                True,
                {},
            ),
            (
                "KUN_4",
                QuestionType.YES_NO,
                "Har chefer fått utbildning i tidig upptäckt av riskbruk?",
                True,
                {},
            ),
            ("KUN_5", QuestionType.YES_NO, "Sprids kunskap om spel om pengar till medarbetare?", True, {}),
            ("KUN_6", QuestionType.DATE, "När gjordes den senaste kartläggningen av ANDTS-läget?", False, {}),
            (
                "KUN_7",
                QuestionType.YES_NO,
                "Har samordnaren deltagit i stadens nätverk för ANDTS-samordnare?",
                True,
                {},
            ),
            ("KUN_8", QuestionType.YES_NO, "Finns en kompetensutvecklingsplan för ANDTS-området?", True, {}),
        ],
    ),
    (
        "Aktiviteter",
        "aktiviteter",
        [
            (
                "AKT_1",
                QuestionType.ACTIVITY_STATUS,
                "Kontrollköp av tobak och folköl (1.1)",
                True,
                {"points": {"genomford": 2, "delvis": 1}},
            ),
            (
                "AKT_2",
                QuestionType.ACTIVITY_STATUS,
                "Tillsyn av serveringsställen i samverkan med polisen (1.1)",
                True,
                {"points": {"genomford": 2, "delvis": 1}},
            ),
            (
                "AKT_3",
                QuestionType.ACTIVITY_STATUS,
                "Kampanj mot langning inför skolavslutningar (1.2)",
                True,
                {"points": {"genomford": 2, "delvis": 1}},
            ),
            (
                "AKT_4",
                QuestionType.ACTIVITY_STATUS,
                "Utbildning i Ansvarsfull alkoholservering (1.3)",
                True,
                {"points": {"genomford": 2, "delvis": 1}},
            ),
            (
                "AKT_5",
                QuestionType.YES_NO,
                "Finns stödgrupper för barn i familjer med missbruk (2.1)?",
                True,
                {},
            ),
            ("AKT_6", QuestionType.YES_NO, "Har föräldramöten om ANDTS hållits i skolorna (2.2)?", True, {}),
            (
                "AKT_7",
                QuestionType.YES_NO,
                "Arbetar ni för rökfria och nikotinfria miljöer för unga (2.3)?",
                True,
                {},
            ),
            (
                "AKT_8",
                QuestionType.ACTIVITY_STATUS,
                "Fritidsaktiviteter helger och lov (3.1)",
                True,
                {"points": {"genomford": 2, "delvis": 1}},
            ),
            (
                "AKT_9",
                QuestionType.ACTIVITY_STATUS,
                "ANDTS-undervisning i skolan (3.2)",
                True,
                {"points": {"genomford": 2, "delvis": 1}},
            ),
            (
                "AKT_10",
                QuestionType.INTEGER,
                "Hur många föräldrar har fullföljt ett föräldraskapsstödsprogram (3.4)?",
                True,
                {"min": 0, "max": 100000, "thresholds": {10: 1, 50: 2}},
            ),
            (
                "AKT_11",
                QuestionType.MULTIPLE,
                "Vilka föräldraskapsstödsprogram erbjuds (3.4)?",
                False,
                {
                    "options": [
                        ("abc", "ABC"),
                        ("komet", "Komet"),
                        ("foraldrakraft", "Föräldrakraft"),
                        ("cope", "COPE"),
                        ("annat", "Annat"),
                    ],
                    "points": {"abc": 1, "komet": 1, "foraldrakraft": 1, "cope": 1},
                },
            ),
            (
                "AKT_12",
                QuestionType.YES_NO,
                "Screenas riskbruk (t.ex. AUDIT) inom ekonomiskt bistånd (4.1)?",
                True,
                {},
            ),
            ("AKT_13", QuestionType.YES_NO, "Erbjuds rådgivning eller lotsning till stöd (4.2)?", True, {}),
            (
                "AKT_14",
                QuestionType.YES_NO,
                "Finns riktat stöd till särskilt sårbara grupper (4.3)?",
                True,
                {},
            ),
            (
                "AKT_15",
                QuestionType.ACTIVITY_STATUS,
                "Chefsutbildning om alkohol- och drogpolicyn (4.4)",
                True,
                {"points": {"genomford": 2, "delvis": 1}},
            ),
            (
                "AKT_16",
                QuestionType.YES_NO,
                "Används kunskapsbaserade metoder i missbruksvården (5.1)?",
                True,
                {},
            ),
            (
                "AKT_17",
                QuestionType.ACTIVITY_STATUS,
                "Uppsökande arbete med fältassistenter (5.3)",
                True,
                {"points": {"genomford": 2, "delvis": 1}},
            ),
            (
                "AKT_18",
                QuestionType.YES_NO,
                "Sprids skademinimerande information till målgruppen (6.1)?",
                True,
                {},
            ),
            (
                "AKT_19",
                QuestionType.ACTIVITY_STATUS,
                "Utbildning i suicidprevention (6.2)",
                True,
                {"points": {"genomford": 2, "delvis": 1}},
            ),
            ("AKT_20", QuestionType.YES_NO, "Erbjuds stöd till anhöriga (6.5)?", True, {}),
        ],
    ),
    (
        "Övrigt",
        None,
        [
            (
                "OVR_1",
                QuestionType.BREAKDOWN,
                "Hur många deltog i stadsdelens ANDTS-aktiviteter under året?",
                False,
                {"help": "Fyll i de delar ni känner till. Totalt ska vara summan av delarna."},
            ),
            (
                "OVR_2",
                QuestionType.DECIMAL,
                "Hur mycket pengar (tkr) satsades på ANDTS-förebyggande arbete?",
                False,
                {"min": 0, "max": 100000},
            ),
            (
                "OVR_3",
                QuestionType.DATE,
                "När antogs den lokala planen?",
                False,
                {"condition": ("ORG_1", "equals", "ja")},
            ),
            ("OVR_4", QuestionType.TEXT, "Övriga kommentarer", False, {"max_length": 4000}),
        ],
    ),
]
# Yes/no questions give 1 point for "ja" unless they say otherwise; free text, dates and Övrigt give none.


def _aware(d, hour=9):
    return timezone.make_aware(datetime.combine(d, time(hour, 0)))


@transaction.atomic
def load_demo(*, today=None):
    """Create (or find) the whole demo world. Returns a dict of the objects a caller may want."""
    today = today or timezone.localdate()
    orgs = _organisations()
    coordinator = _users(orgs)
    programme = _programme(orgs)
    pi_v1, pi_v2 = _pi_mini(programme)
    activity_version = _activity_questionnaire(programme)
    last_round = _round(
        pi_v2,
        name="Preventionsindex mini",
        year=today.year - 1,
        state=SurveyRound.State.PUBLISHED,
        opens=date(today.year - 1, 11, 1),
        deadline=date(today.year - 1, 11, 30),
        programme=programme,
        districts=[orgs[n] for n in DISTRICTS],
        coordinator=coordinator,
    )
    current_opens = today - timedelta(days=10)
    current_round = _round(
        pi_v2,
        name="Preventionsindex mini",
        year=today.year,
        state=SurveyRound.State.OPEN,
        opens=current_opens,
        deadline=current_opens + timedelta(days=30),
        programme=programme,
        districts=[orgs[n] for n in DISTRICTS],
        coordinator=coordinator,
    )
    responsible = {name for *_, lead, co, _ in ACTIVITIES for name in [lead, *co]}
    activity_round = _round(
        activity_version,
        name="Aktivitetsuppföljning",
        year=today.year - 1,
        state=SurveyRound.State.CLOSED,
        opens=date(today.year - 1, 12, 1),
        deadline=date(today.year - 1, 12, 20),
        programme=programme,
        districts=[orgs[n] for n in sorted(responsible)],
        coordinator=coordinator,
    )
    _answer_round(last_round, complete=len(DISTRICTS), partial=0, seed=2025)
    _answer_round(current_round, complete=3, partial=4, seed=2026)
    _answer_round(activity_round, complete=len(responsible), partial=0, seed=2024)
    if not IndexResult.objects.filter(assignment__round=last_round).exists():
        compute_round_index(last_round, now=last_round.published_at, allow_published=True)
    return {
        "organisations": orgs,
        "coordinator": coordinator,
        "programme": programme,
        "pi_v1": pi_v1,
        "pi_v2": pi_v2,
        "activity_version": activity_version,
        "activity_round": activity_round,
        "last_round": last_round,
        "current_round": current_round,
    }


def _organisations():
    orgs = {}

    def org(name, kind, parent=None, short="", aliases=""):
        obj, _ = Organisation.objects.get_or_create(
            name=name, defaults={"kind": kind, "parent": parent, "short_name": short, "aliases": aliases}
        )
        orgs[name] = obj
        return obj

    ks = org("Kommunstyrelsen", Organisation.Kind.NAMND, aliases="KS")
    org("Stadsledningskontoret", Organisation.Kind.FORVALTNING, parent=ks, short="SLK")
    for district in DISTRICTS:
        namnd = org(f"{district} stadsdelsnämnd", Organisation.Kind.NAMND)
        org(
            district,
            Organisation.Kind.SDF,
            parent=namnd,
            short=district,
            aliases=f"{district} stadsdelsförvaltning\n{district} SDF",
        )
    for administration, board in DEPARTMENTS:
        namnd = org(board, Organisation.Kind.NAMND, aliases=board.replace("nämnden", "nämnd"))
        org(administration, Organisation.Kind.FORVALTNING, parent=namnd)
    for company in COMPANIES:
        org(company, Organisation.Kind.BOLAG)
    for partner in PARTNERS:
        org(partner, Organisation.Kind.EXTERN)
    # Contacts: two per district (colleagues answer together), one per administration and company.
    for name, obj in orgs.items():
        if (
            obj.kind == Organisation.Kind.EXTERN
            or obj.kind == Organisation.Kind.NAMND
            and "stadsdelsnämnd" in name
        ):
            continue
        slug = _slug(name)
        people = [("ANDTS-samordnare", f"samordnare.{slug}")]
        if obj.kind == Organisation.Kind.SDF:
            people.append(("Enhetschef förebyggande", f"chef.{slug}"))
        for title, local in people:
            Contact.objects.get_or_create(
                organisation=obj,
                email=f"{local}@demo.arsrunda.se",
                defaults={"name": f"{title} {obj.short_name or name}"},
            )
    return orgs


def _slug(name):
    table = str.maketrans({"å": "a", "ä": "a", "ö": "o", " ": "-", ",": ""})
    return name.lower().translate(table)


def _users(orgs):
    coordinator, created = User.objects.get_or_create(
        username="samordnare",
        defaults={
            "role": Role.COORDINATOR,
            "is_staff": True,
            "email": "samordnare@demo.arsrunda.se",
            "first_name": "Sara",
            "last_name": "Samordnare",
        },
    )
    if created:
        coordinator.set_password(DEMO_PASSWORD)
        coordinator.save()
        # Staff see the admin with their role's group (surveys.services.roles), nothing that grants rights.
        from .services.roles import user_set_role

        user_set_role(user=coordinator, role=Role.COORDINATOR, actor=None)
    reader, created = User.objects.get_or_create(
        username="slk",
        defaults={
            "role": Role.READER,
            "email": "slk@demo.arsrunda.se",
            "first_name": "Stadsledningskontoret",
        },
    )
    if created:
        reader.set_password("demo-lasare")
        reader.save()
    admin, created = User.objects.get_or_create(
        username="admin",
        defaults={
            "role": Role.ADMIN,
            "is_staff": True,
            "is_superuser": True,
            "email": "admin@demo.arsrunda.se",
        },
    )
    if created:
        admin.set_password("demo-admin")
        admin.save()
    return coordinator


def _programme(orgs):
    programme, _ = Programme.objects.get_or_create(
        name="ANDTS-program",
        owner=CITY,
        start_year=2023,
        defaults={
            "end_year": 2026,
            "description": "Stadens program om alkohol, narkotika, dopningsmedel, tobaks- och "
            "nikotinprodukter samt spel om pengar.",
        },
    )
    focus = {}
    for order, (number, title, areas) in enumerate(GOALS):
        goal, _ = GoalArea.objects.get_or_create(
            programme=programme,
            number=number,
            defaults={"title": title, "order": order, "national_goal": f"Mål {number}"},
        )
        for forder, (fnumber, ftitle) in enumerate(areas):
            focus[fnumber], _ = FocusArea.objects.get_or_create(
                goal_area=goal, number=fnumber, defaults={"title": ftitle, "order": forder}
            )
    for order, (fnumber, number, title, when, lead, co, indicators) in enumerate(ACTIVITIES):
        area = focus[fnumber]
        activity, created = Activity.objects.get_or_create(
            goal_area=area.goal_area,
            number=number,
            defaults={
                "focus_area": area,
                "title": title,
                "frequency": when,
                "lead": orgs[lead],
                "order": order,
            },
        )
        if created:
            activity.co_responsible.set([orgs[name] for name in co])
            for iorder, (text, unit, target, split) in enumerate(indicators):
                Indicator.objects.create(
                    activity=activity,
                    text=text,
                    unit=unit,
                    target=target,
                    gender_split=split,
                    order=iorder,
                    due_date=date(programme.end_year, 12, 31),
                )
    return programme


def _pi_mini(programme):
    questionnaire, _ = Questionnaire.objects.get_or_create(
        name="Preventionsindex mini",
        defaults={
            "kind": Questionnaire.Kind.INDEX,
            "programme": programme,
            "description": "Årlig enkät till stadsdelsförvaltningarna i november.",
        },
    )
    # V1 (2018) is kept for history; V2 (2023) is not comparable with it. Both are imported from a
    # questionnaire workbook, as a coordinator would.
    v1_sections = [
        (
            "Struktur och aktiviteter",
            "total",
            [
                (f"V1_{i}", QuestionType.YES_NO, f"Fråga {i} i den äldre versionen", True, {})
                for i in range(1, 11)
            ],
        )
    ]
    v1 = _imported_version(
        questionnaire, 1, "PI mini V1 (2018)", "PI mini V1", [("total", "Totalt", 10, None)], v1_sections
    )
    v2 = _imported_version(
        questionnaire, 2, "PI mini V2 (2023)", "Preventionsindex mini V2", PI_CATEGORIES, PI_SECTIONS
    )
    return v1, v2


def _imported_version(questionnaire, number, label, scheme, categories, sections):
    """Version `number` of the questionnaire, imported once from a workbook built from the demo data."""
    version = QuestionnaireVersion.objects.filter(questionnaire=questionnaire, number=number).first()
    if version is not None:
        return version
    workbook = questionnaire_workbook.write_questionnaire(_tables(scheme, categories, sections))
    report = import_questionnaire(upload=io.BytesIO(workbook), questionnaire=questionnaire, label=label)
    if not report.ok:
        raise RuntimeError("The demo questionnaire does not import: " + "; ".join(map(str, report.errors)))
    return report.version


def _tables(scheme, categories, sections):
    """The sheets of a questionnaire workbook for the demo's compact description of a questionnaire."""
    tables = {
        questionnaire_workbook.SETTINGS: [
            {"key": "Poängsättning", "value": scheme},
            {"key": "Skala till", "value": 100},
        ],
        questionnaire_workbook.SECTIONS: [{"title": title, "description": ""} for title, _, _ in sections],
        questionnaire_workbook.QUESTIONS: [],
        questionnaire_workbook.OPTIONS: [],
        questionnaire_workbook.RULES: [],
        questionnaire_workbook.CATEGORIES: [
            {"code": code, "name": name, "parent": parent or "", "cap": cap}
            for code, name, cap, parent in categories
        ],
    }
    for title, category, items in sections:
        for code, qtype, text, required, extra in items:
            condition = extra.get("condition") or ("", "", "")
            tables[questionnaire_workbook.QUESTIONS].append(
                {
                    "code": code,
                    "section": title,
                    "type": str(qtype),
                    "text": text,
                    "help": extra.get("help", ""),
                    "required": "Ja" if required else "Nej",
                    "condition_question": condition[0],
                    "condition_operator": condition[1],
                    "condition_value": condition[2],
                    "min": extra.get("min"),
                    "max": extra.get("max"),
                    "max_length": extra.get("max_length"),
                }
            )
            tables[questionnaire_workbook.OPTIONS] += [
                {"question": code, "code": option, "label": text} for option, text in extra.get("options", [])
            ]
            if category is None:
                continue
            points = extra.get("points", {"ja": 1} if qtype == QuestionType.YES_NO else {})
            rules = [(option, None, value) for option, value in points.items()]
            rules += [("", threshold, value) for threshold, value in extra.get("thresholds", {}).items()]
            tables[questionnaire_workbook.RULES] += [
                {
                    "question": code,
                    "option": option,
                    "threshold": threshold,
                    "points": value,
                    "category": category,
                }
                for option, threshold, value in rules
            ]
    return tables


def _activity_questionnaire(programme):
    """The Västerås shape, generated from the plan as a coordinator's request does: per activity its
    status, each indicator's value (split by gender where the indicator says so, hidden when the activity
    is "ej aktuell") and a comment."""
    questionnaire, _ = Questionnaire.objects.get_or_create(
        name="Uppföljning av ANDTS-programmets aktiviteter",
        defaults={
            "kind": Questionnaire.Kind.ACTIVITY,
            "programme": programme,
            "description": "Årlig rapportering från ansvariga nämnder till stadsledningskontoret.",
        },
    )
    version = questionnaire.versions.filter(number=1).first()
    if version is None:
        label = f"Aktivitetsuppföljning {programme.start_year}–{programme.end_year}"
        version = generate_activity_version(programme, questionnaire=questionnaire, label=label)
    return version


def _round(version, *, name, year, state, opens, deadline, programme, districts, coordinator):
    survey_round, created = SurveyRound.objects.get_or_create(
        version=version,
        year=year,
        defaults={
            "name": name,
            "programme": programme,
            "state": state,
            "opens_at": _aware(opens, 8),
            "deadline": deadline_from_date(deadline),  # a date means the end of that day
            "created_by": coordinator,
            "grace_hours": 48,
        },
    )
    if created:
        now = timezone.now()
        if state in (SurveyRound.State.OPEN, SurveyRound.State.CLOSED, SurveyRound.State.PUBLISHED):
            survey_round.opened_at = survey_round.opens_at
            if version.frozen_at is None:
                version.frozen_at = survey_round.opens_at
                version.save(update_fields=["frozen_at"])
            version_freeze_responsibilities(version=version)
        if state in (SurveyRound.State.CLOSED, SurveyRound.State.PUBLISHED):
            survey_round.closed_at = survey_round.deadline
        if state == SurveyRound.State.PUBLISHED:
            survey_round.published_at = min(now, survey_round.deadline + timedelta(days=20))
        survey_round.save()
        for organisation in districts:
            assignment = Assignment.objects.create(round=survey_round, organisation=organisation)
            Response.objects.create(assignment=assignment)
        if survey_round.opened_at:
            _record_invitations(survey_round)
    return survey_round


def _record_invitations(survey_round):
    """The invitations of a round that opened before the demo was loaded went out back then."""
    rows = []
    for assignment in survey_round.assignments.select_related("organisation").prefetch_related(
        "organisation__contacts"
    ):
        for contact in assignment.organisation.contacts.all():
            row = outbox.invitation(
                assignment_id=assignment.pk,
                round_id=survey_round.pk,
                contact_id=contact.pk,
                email=contact.email,
                now=survey_round.opened_at,
            )
            row.status, row.sent_at, row.attempts = "sent", survey_round.opened_at, 1
            rows.append(row)
    outbox.queue(rows)


def _value_for(question, rng, strength):
    """A plausible answer; `strength` (0–1) is how far the organisation has come."""
    options = [o.code for o in question.options.all()]
    if question.type == QuestionType.YES_NO:
        return "ja" if rng.random() < strength else "nej"
    if question.type == QuestionType.SINGLE:
        return options[min(len(options) - 1, int(rng.random() * strength * len(options) + 0.3))]
    if question.type == QuestionType.MULTIPLE:
        return [code for code in options if rng.random() < strength]
    if question.type == QuestionType.ACTIVITY_STATUS:
        return rng.choices(
            ["genomford", "delvis", "ej_genomford", "ej_aktuell"], [strength, 0.3, 1 - strength, 0.05]
        )[0]
    if question.type == QuestionType.INTEGER:
        return int(rng.random() * strength * 150)
    if question.type == QuestionType.DECIMAL:
        return round(rng.random() * strength * float(question.max_value or 100), 1)
    if question.type == QuestionType.DATE:
        return (date(2020, 1, 1) + timedelta(days=rng.randint(0, 1400))).isoformat()
    if question.type == QuestionType.BREAKDOWN:
        parts = {p: rng.randint(0, 200) for p in ("flickor", "pojkar", "kvinnor", "man")}
        return {**parts, "total": sum(parts.values())}
    if question.type == QuestionType.TEXT:
        return (
            rng.choice(["Gott samarbete med skolorna.", "Fältgruppen har varit aktiv under sommaren.", ""])
            or None
        )
    return None


def _answer_round(survey_round, *, complete, partial, seed):
    """Fill in answers once: `complete` responses submitted, `partial` drafts about half done."""
    if Answer.objects.filter(response__assignment__round=survey_round).exists():
        return
    rng = random.Random(seed)
    questions = list(
        Question.objects.filter(version=survey_round.version)
        .select_related("condition_question", "section")
        .prefetch_related("options")
        .order_by("section__order", "order")
    )
    assignments = list(
        survey_round.assignments.select_related("response", "organisation").order_by("organisation__name")
    )
    per_organisation = survey_round.version.questionnaire.kind == Questionnaire.Kind.ACTIVITY
    moment = survey_round.opens_at + timedelta(days=3)
    rows = []
    for index, assignment in enumerate(assignments[: complete + partial]):
        strength = 0.35 + 0.6 * rng.random()
        values = {}
        cut = len(questions) if index < complete else len(questions) // 2
        shown = {}
        # An activity questionnaire asks each organisation only about what it leads or shares.
        mine = {q.pk for q in questions_for_assignment(assignment)} if per_organisation else None
        for question in questions[:cut]:
            if mine is not None and question.pk not in mine:
                continue
            shown[question.pk] = condition_holds(question, values, shown=shown)
            if not shown[question.pk]:
                continue
            value = _value_for(question, rng, strength)
            if value is None:
                continue
            values[question.pk] = value
            rows.append(Answer(response=assignment.response, question=question, value=value))
        response = assignment.response
        response.version = 1
        assignment.first_opened_at = moment
        assignment.last_activity_at = moment + timedelta(days=index % 5)
        assignment.save(update_fields=["first_opened_at", "last_activity_at"])
        if index < complete:
            response.state = Response.State.SUBMITTED
            response.submitted_at = assignment.last_activity_at
        response.save()
    Answer.objects.bulk_create(rows)
