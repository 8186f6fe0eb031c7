"""Every seed plan imports as typed: representative parts of the five plans in the seed documents, with
every organisation name exactly as the document writes it (untidy lists, misspellings, partners, roles),
imported with no edit other than accepting the check's suggestions. The check report is printed (run with
-s to read it) and the number of indicators each organisation answers is compared with a table made by
hand from the documents."""

import pytest

from surveys.models import Activity, Organisation
from surveys.services.programmes import new_programme
from tests import factories
from tests.plan_helpers import assert_one_rule, import_as_typed, indicator_counts, plan_xlsx

pytestmark = pytest.mark.django_db


def world(kinds):
    made = {}
    for kind, names in kinds.items():
        for name in names:
            short = ""
            if isinstance(name, tuple):
                name, short = name
            made[name] = factories.OrganisationFactory(name=name, kind=kind, short_name=short)
    return made


# Västerås stad, handlingsplan ANDTS 2022–2025: the per-indicator appendix (Aktivitet | Indikator |
# Ansvarig nämnd, the lead in bold and the co-responsible ones below it).
IDROTT = "Nämnden för idrott, fritid och förebyggande"
NPF = "Nämnden för personer med funktionsnedsättning"
VASTERAS_HEADER = ["Målområde", "Aktivitet", "Indikator", "Ansvarig nämnd", "Samverkan"]
VASTERAS = [
    [
        "1 Tillgången till alkohol, narkotika, dopningsmedel och tobak ska minska",
        "1.2 Effektiv och samordnad tobakstillsyn",
        "Tillsyn och uppföljning av tobakstillstånd ska ske riskbaserat och minst en gång per år",
        "Miljö- och konsumentnämnden",
        None,
    ],
    [
        None,
        None,
        "Vid tobakstillsyn på högstadieskolor inbjuds ANDTS-förebyggande verksamhet vid minst 5 tillfällen per år",
        "Miljö- och konsumentnämnden",
        None,
    ],
    [
        None,
        "1.3 En fungerande lokal samverkan och samordning mellan ANDTS-förebyggande och trygghetsskapande "
        "och brottsförebyggande arbete",
        "ANDTS-coacher kallas till ett samordnat möte årligen",
        IDROTT,
        "Grundskolenämnden, Utbildnings- och arbetsmarknadsnämnden, Individ- och familjenämnden, "
        "Nämnden för personer med funktionsnedsättning, och Miljö- och konsumentnämnden",
    ],
    [
        "2 Barn och unga ska skyddas",
        "2.1 Barn i familjer med riskbruk, skadligt bruk och beroende ska erbjudas ändamålsenligt stöd.",
        "Stödgrupper för barn och ungdomar - BIG två gånger per år",
        "Individ- och familjenämnden",
        "Nämnden för idrott, fritid, och förebyggande\nRegionen (BUP)",
    ],
    [
        None,
        None,
        "Stödgrupper för barn och ungdomar (Grinden) fyra gånger per år",
        "Individ- och familjenämnden",
        "Nämnden för idrott, fritid, och förebyggande\nRegionen (BUP)",
    ],
    [
        None,
        None,
        "Stöd till familjer med barn som har funktionsvariationer (GST)",
        "Individ- och familjenämnden",
        "Nämnden för personer med funktionsnedsättning",
    ],
    [
        None,
        "2.2 Tobaksfri arbetstid",
        "Informationsinsatser om tobak på olika informationskanaler",
        "Kommunstyrelsen",
        "Samtliga nämnder",
    ],
    [
        "3 Minskat bruk bland barn och unga",
        "3.2 Ökad användning av befintliga verksamma metoder för att skjuta upp alkoholdebuten",
        "Västerås föräldrainsats genomförs i Västerås grundskolor",
        "Grundskolenämnden, Utbildnings- och arbetsmarknadsnämnden, Skultuna kommunalnämnd",
        "Förskolenämnden, Nämnden för idrott, fritid och förebyggande,",
    ],
    [
        None,
        "3.3 Öka kunskap och trygghet avseende handlingsförfarande i ANDTS-frågor",
        "Minst 30 ANDTS-coacher utbildas per år",
        IDROTT,
        "Grundskolenämnden, Utbildnings- och arbetsmarknadsnämnden och Individ- och familjenämnden, "
        "Skultuna kommunalnämnden",
    ],
    [
        None,
        "3.4 Öka kunskap och trygghet hos personer som verkar i bidragsberättigad förening",
        "Information och stöd till föreningar för en ANDTS-fri miljö",
        "Kulturnämnden",
        None,
    ],
    [None, None, "Information och stöd till föreningar via Interbook GO", IDROTT, None],
    [
        "4 Stöd till personer med beroende",
        "4.2 Arbeta för att minska bruk bland stadens medarbetare",
        'Stadens "Riktlinjer-Alkohol och droger" tas upp på arbetsplatsträffar',
        "Alla nämnder",
        "Genom ansvarig chef inom samtliga förvaltningar.",
    ],
]
VASTERAS_COUNTS = {
    IDROTT: 8,
    "Grundskolenämnden": 5,
    "Utbildnings- och arbetsmarknadsnämnden": 5,
    "Individ- och familjenämnden": 7,
    NPF: 4,
    "Miljö- och konsumentnämnden": 5,
    "Skultuna kommunalnämnd": 4,
    "Förskolenämnden": 3,
    "Kulturnämnden": 3,
    "Kommunstyrelsen": 2,
    "Äldrenämnden": 2,
}


def test_vasteras_appendix_imports_as_typed():
    world(
        {
            "namnd": [
                IDROTT,
                "Grundskolenämnden",
                "Utbildnings- och arbetsmarknadsnämnden",
                "Individ- och familjenämnden",
                NPF,
                "Miljö- och konsumentnämnden",
                "Skultuna kommunalnämnd",
                "Förskolenämnden",
                "Kulturnämnden",
                "Kommunstyrelsen",
                "Äldrenämnden",
            ]
        }
    )
    programme = new_programme(
        name="Handlingsplan ANDTS", start_year=2022, end_year=2025, owner="Västerås stad"
    )
    report = import_as_typed("Västerås", plan_xlsx(VASTERAS, header=VASTERAS_HEADER), programme)
    assert "Regionen (BUP)" in report.partners
    assert Activity.objects.get(number="2.1").partners == ["Regionen (BUP)"]
    assert Activity.objects.get(number="4.2").lead_group == "Alla nämnder"
    assert indicator_counts(programme) == VASTERAS_COUNTS
    assert_one_rule(programme)


# Stockholms stad, ANDTS-program 2023–2026: delmål → insatsområden; the stadsdelsförvaltningar answer the
# yearly survey, the fackförvaltningar are written as on the slides ("Arbetsmarknadsförv", "med flera").
STOCKHOLM = [
    {
        "goal": "1 Tillgång ska minska",
        "focus": "1.1 Tillsyn",
        "activity": "1.1.1 Samordnad tillsyn",
        "lead": "Socialförvaltningen",
        "co": "Alla stadsdelsförvaltningar",
        "indicator": "Antal samordnade tillsynsinsatser",
        "gender_split": "Nej",
    },
    {
        "focus": "1.2 Insatser mot langning",
        "activity": "1.2.1 Insatser mot langning",
        "lead": "Alla stadsdelsförvaltningar",
        "co": "Polisen",
        "indicator": "Antal insatser mot langning",
        "gender_split": "Nej",
    },
    {
        "goal": "2 Barn och unga ska skyddas",
        "focus": "2.1 Insatser för barn och unga som anhöriga",
        "activity": "2.1.1 Stödgrupper för barn som anhöriga",
        "lead": "Alla stadsdelsförvaltningar",
        "co": "Socialförvaltningen",
        "indicator": "Antal barn i stödgrupp",
        "gender_split": "Ja",
    },
    {
        "lead": "Socialförvaltningen",
        "co": "Arbetsmarknadsförv, Utbildningsförv",
        "indicator": "Antal utbildade medarbetare",
        "gender_split": "Nej",
    },
    {
        "goal": "5 Vård och stöd",
        "focus": "5.2 Intern samverkan",
        "activity": "5.2.1 Samverkan mellan fackförvaltningarna",
        "lead": "Socialförvaltningen",
        "co": "Arbetsmarknadsförv, Utbildningsförv, Kulturförv, Förskoleförv, Trafikkontoret, "
        "Exploateringskontoret, stadsbyggnadskontoret med flera",
        "indicator": "Antal gemensamma aktiviteter",
        "gender_split": "Nej",
    },
]
SDF = ["Bromma stadsdelsförvaltning", "Farsta stadsdelsförvaltning", "Hägersten-Älvsjö stadsdelsförvaltning"]
STOCKHOLM_COUNTS = {
    "Socialförvaltningen": 4,
    **dict.fromkeys(SDF, 3),
    "Arbetsmarknadsförvaltningen": 2,
    "Utbildningsförvaltningen": 2,
    "Kulturförvaltningen": 1,
    "Förskoleförvaltningen": 1,
    "Trafikkontoret": 1,
    "Exploateringskontoret": 1,
    "Stadsbyggnadskontoret": 1,
}


def test_stockholm_programme_imports_as_typed():
    world(
        {
            "forvaltning": [
                "Socialförvaltningen",
                "Arbetsmarknadsförvaltningen",
                "Utbildningsförvaltningen",
                "Kulturförvaltningen",
                "Förskoleförvaltningen",
                "Trafikkontoret",
                "Exploateringskontoret",
                "Stadsbyggnadskontoret",
            ],
            "sdf": SDF,
        }
    )
    programme = new_programme(name="ANDTS-program", start_year=2023, end_year=2026, owner="Stockholms stad")
    report = import_as_typed("Stockholm", plan_xlsx(STOCKHOLM), programme)
    assert list(report.partners) == ["Polisen"]
    assert indicator_counts(programme) == STOCKHOLM_COUNTS
    assert_one_rule(programme)


# Norsjö kommun, genomförandeplan ANDT och BRÅ: Aktivitet | Vad | När | Samverkan | Ansvarig | Uppföljning,
# with roles ("Samordnaren", "Fritid") and people ("Polisen- Bosse S") as responsible.
NORSJO_HEADER = ["Målområde", "Aktivitet", "Vad", "När", "Samverkan", "Ansvarig", "Uppföljning"]
NORSJO = [
    [
        "1 Samverkan och organisering",
        "Lokal förebyggargrupp",
        "Samverkan i det drog- och brottsförebyggande arbetet samt uppföljning av arbetet",
        "Minst 4 gånger per år",
        "IFO, elevhälsan, rektorer, fritidsgård, flyktingverksamhet, polis, samordnare",
        "Samordnaren",
        "Mötesprotokoll Utvärdering av träffarna",
    ],
    [
        None,
        "Samverkan med allmänheten, föreningar, företag, organisationer m.fl.",
        "Info, Dialogforum med allmänhet. Bl.a. Medborgarlöften",
        "1 gång per år. September månad",
        "Samordnaren Polis",
        "Polisen- Bosse S",
        "Anteckningar från forumet",
    ],
    [
        None,
        "Ungdomsarrangemang",
        "Stärka samverkan kring drogfria ungdomsarrangemang",
        "Löpande",
        "Fritidsgård, ungdomar, föräldrar, föreningar, organisationer, företag",
        "Fritidsgården",
        "Antal aktiviteter i samverkan",
    ],
    [
        "2 Föreningsliv",
        "Samverkan med föreningar i drogfrågor",
        None,
        "Minst 2 gånger per år",
        "Samordnaren Fritid NIDS",
        "Samordnaren",
        "Intern utvärdering",
    ],
    [
        None,
        "Drogfria aktiviteter på lov",
        None,
        "Varje lov",
        "Fritidsgården, Samordnaren",
        "Fritid",
        "Antal drogfria lovaktiviteter",
    ],
]
NORSJO_COUNTS = {"Individ- och familjeomsorgen": 1, "Elevhälsan": 1, "Fritidsgården": 3}


def test_norsjo_genomforandeplan_imports_as_typed():
    world(
        {
            "forvaltning": [("Individ- och familjeomsorgen", "IFO"), "Elevhälsan", "Fritidsgården"],
        }
    )
    programme = new_programme(name="Genomförandeplan ANDT och BRÅ", start_year=2017, end_year=2018)
    report = import_as_typed("Norsjö", plan_xlsx(NORSJO, header=NORSJO_HEADER), programme)
    assert "Samordnaren" in report.partners and "Polisen- Bosse S" in report.partners
    assert Activity.objects.get(title="Lokal förebyggargrupp").lead_partner == "Samordnaren"
    assert indicator_counts(programme) == NORSJO_COUNTS
    assert not Organisation.objects.filter(name__in=["Samordnaren", "polis", "rektorer"]).exists()
    assert_one_rule(programme)


# Region Kronoberg, regional handlingsplan 2022–2026: Insatser | Ansvarig | Samverkansparter | Uppföljning,
# with Beredningsgruppen, Länsstyrelsen and networks.
KRONOBERG_HEADER = ["Delmål", "Insatser", "Ansvarig", "Samverkansparter", "Uppföljning"]
KRONOBERG = [
    [
        "1 Förbättrade förutsättningar för ANDTS- och BF-arbetet",
        "Följa och stötta den kommunala organiseringen för ANDTS- och BF-arbetet i kommunerna.",
        "Beredningsgruppen",
        "Nätverk för länets kommunala ANDT-samordnare Nätverk för kommunala BF-samordnare Länets kommunpoliser",
        "Årlig uppföljning av kommunernas samordning och ledning av ANDT- och BF-arbetet.",
    ],
    [
        None,
        "Kunskapshöjande insatser till politiker och beslutsfattare i länet.",
        "Beredningsgruppen",
        "Kommunerna Region Kronoberg Arbetsgrupp idéburen sektor",
        "Antal kunskapshöjande insatser.",
    ],
    [
        "2 Tillsyn och tillgänglighet",
        "Anordna informations- och utbildningstillfällen i tillsynsarbetet.",
        "Länsstyrelsen Polisen",
        "Nätverk för alkoholhandläggare Nätverk för tobakshandläggare Länets kommunpolis",
        "Antal informations- och utbildningstillfällen.",
    ],
    [
        None,
        "Genomföra verksamhetstillsyn och rådgivning hos samtliga kommuner.",
        "Länsstyrelsen",
        "Kommunerna Nätverk för alkoholhandläggare Nätverk för tobakshandläggare",
        "Antal verksamhetstillsyner.",
    ],
    [None, None, None, None, "Antal kommuner som fått verksamhetstillsyn."],
    [
        None,
        "Genomföra tillsynsinsatser gällande dopning på länets träningsanläggningar.",
        "Polisen RF-SISU Småland",
        "Nätverk för 100 % ren hårdträning Kronoberg",
        "Antal genomförda tillsyner på träningsanläggningar.",
    ],
]
KRONOBERG_COUNTS = {"Beredningsgruppen": 2, "Länsstyrelsen Kronoberg": 2}


def test_kronoberg_regional_plan_imports_as_typed():
    world(
        {
            "extern": [
                "Beredningsgruppen",
                ("Länsstyrelsen Kronoberg", "Länsstyrelsen"),
                "Polismyndigheten",
                "Region Kronoberg",
            ]
        }
    )
    programme = new_programme(name="Regional handlingsplan ANDTS och BF", start_year=2022, end_year=2026)
    report = import_as_typed("Kronoberg", plan_xlsx(KRONOBERG, header=KRONOBERG_HEADER), programme)
    assert "Länsstyrelsen Polisen" in report.partners
    assert indicator_counts(programme) == KRONOBERG_COUNTS
    assert_one_rule(programme)


# Växjö kommun, ANDTS-plan 2022–2027: development areas and insatsområden, no activities, no responsible.
VAXJO = [
    {"goal": "1 Insatser för alla", "focus": "1.1 Tillgänglighet och tillsyn"},
    {"focus": "1.2 Information och kunskap"},
    {"goal": "2 Insatser för särskilda grupper", "focus": "2.1 Barn och unga i riskmiljöer"},
    {"goal": "3 Insatser för enskilda", "focus": "3.1 Stöd och behandling"},
]


def test_vaxjo_plan_without_activities_imports_as_typed():
    world({"namnd": ["Socialnämnden"]})
    programme = new_programme(name="ANDTS-plan", start_year=2022, end_year=2027, owner="Växjö kommun")
    report = import_as_typed("Växjö", plan_xlsx(VAXJO), programme)
    assert report.created["goal_areas"] == 3 and report.created["focus_areas"] == 4
    assert indicator_counts(programme) == {}
    assert_one_rule(programme)
