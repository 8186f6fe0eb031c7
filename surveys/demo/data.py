"""The demo world as data, modelled on the seed documents: a city with its districts, its administrations
and companies, the people who log in, an ANDTS programme with six delmål, Preventionsindex mini (V1 for
history, V2 in use) and the name of the activity questionnaire (its questions come from the plan). Nothing
here touches the database; surveys/demo/loader.py hands this data to the services."""

from ..models import Organisation, Questionnaire, QuestionType, Role

Kind = Organisation.Kind

CITY = "Stockholms stad"

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

# (name, kind, parent, short name, other spellings one per line)
ORGANISATIONS = [
    ("Kommunstyrelsen", Kind.NAMND, None, "", "KS"),
    ("Stadsledningskontoret", Kind.FORVALTNING, "Kommunstyrelsen", "SLK", ""),
    *[
        row
        for district in DISTRICTS
        for row in (
            (f"{district} stadsdelsnämnd", Kind.NAMND, None, "", ""),
            (
                district,
                Kind.SDF,
                f"{district} stadsdelsnämnd",
                district,
                f"{district} stadsdelsförvaltning\n{district} SDF",
            ),
        )
    ],
    *[
        row
        for administration, board in DEPARTMENTS
        for row in (
            (board, Kind.NAMND, None, "", board.replace("nämnden", "nämnd")),
            (administration, Kind.FORVALTNING, board, "", ""),
        )
    ],
    *[(company, Kind.BOLAG, None, "", "") for company in COMPANIES],
    *[(partner, Kind.EXTERN, None, "", "") for partner in PARTNERS],
]

_ASCII = str.maketrans({"å": "a", "ä": "a", "ö": "o", " ": "-", ",": ""})

# (organisation, name, e-mail): two per district (colleagues answer together), one per other nämnd,
# administration and company; none for the districts' nämnder and the external partners.
CONTACTS = [
    (name, f"{title} {short or name}", f"{local}.{name.lower().translate(_ASCII)}@demo.arsrunda.se")
    for name, kind, _, short, _ in ORGANISATIONS
    if kind != Kind.EXTERN and not name.endswith("stadsdelsnämnd")
    for title, local in [("ANDTS-samordnare", "samordnare")]
    + ([("Enhetschef förebyggande", "chef")] if kind == Kind.SDF else [])
]

DEMO_PASSWORD = "demo-samordnare"
COORDINATOR = "samordnare"

# (username, password, role, other fields)
USERS = [
    (
        COORDINATOR,
        DEMO_PASSWORD,
        Role.COORDINATOR,
        {"email": "samordnare@demo.arsrunda.se", "first_name": "Sara", "last_name": "Samordnare"},
    ),
    (
        "slk",
        "demo-lasare",
        Role.READER,
        {"email": "slk@demo.arsrunda.se", "first_name": "Stadsledningskontoret"},
    ),
    ("admin", "demo-admin", Role.ADMIN, {"email": "admin@demo.arsrunda.se", "is_superuser": True}),
]

PROGRAMME = {
    "name": "ANDTS-program",
    "owner": CITY,
    "start_year": 2023,
    "end_year": 2026,
    "description": "Stadens program om alkohol, narkotika, dopningsmedel, tobaks- och "
    "nikotinprodukter samt spel om pengar.",
}

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


def Q(
    code: str, text: str, type: str = QuestionType.YES_NO, *, required: bool = True, **extra: object
) -> tuple:
    """A question of a demo questionnaire as (code, type, text, required, extra); see PI_SECTIONS."""
    return (code, type, text, required, extra)


def activity(code: str, text: str) -> tuple:
    """An activity's status question of the demo index: 2 points when carried out, 1 when in part."""
    return Q(code, text, QuestionType.ACTIVITY_STATUS, points={"genomford": 2, "delvis": 1})


PI_MINI = {
    "name": "Preventionsindex mini",
    "kind": Questionnaire.Kind.INDEX,
    "description": "Årlig enkät till stadsdelsförvaltningarna i november.",
}
ACTIVITY_QUESTIONNAIRE = {
    "name": "Uppföljning av ANDTS-programmets aktiviteter",
    "kind": Questionnaire.Kind.ACTIVITY,
    "description": "Årlig rapportering från ansvariga nämnder till stadsledningskontoret.",
}

# PI mini V1 (2018) is kept for history; V2 (2023) is not comparable with it.
PI_V1_CATEGORIES = [("total", "Totalt", 10, None)]
PI_V1_SECTIONS = [
    (
        "Struktur och aktiviteter",
        "total",
        [Q(f"V1_{i}", f"Fråga {i} i den äldre versionen") for i in range(1, 11)],
    )
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

# A question: code, text, type (yes/no unless named), required (unless required=False), and what else it
# needs: options=[(code, label)], points={answer code: points}, thresholds={min value: points},
# condition=(code, operator, value), min, max, max_length, help. Yes/no questions give 1 point for "ja"
# unless they say otherwise; free text, dates and Övrigt give none.
PI_SECTIONS = [
    (
        "Organisation, policy och resurser",
        "organisation",
        [
            Q("ORG_1", "Finns en politiskt antagen lokal plan för det ANDTS-förebyggande arbetet?"),
            Q("ORG_2", "Finns en utsedd ANDTS-samordnare i stadsdelsförvaltningen?"),
            Q(
                "ORG_3",
                "Hur stor del av en heltid arbetar samordnaren med ANDTS-frågor (procent)?",
                QuestionType.DECIMAL,
                condition=("ORG_2", "equals", "ja"),
                min=0,
                max=100,
                thresholds={50: 1},
                help="Ange en siffra mellan 0 och 100.",
            ),
            Q("ORG_4", "Finns en budget avsatt för ANDTS-förebyggande arbete?"),
            Q("ORG_5", "Finns en styrgrupp eller ledningsgrupp som följer arbetet?"),
            Q("ORG_6", "Följs arbetet upp i verksamhetsplanen?"),
            Q("ORG_7", "Har ledningen fått en årlig rapport om ANDTS-arbetet?"),
            Q(
                "ORG_8",
                "Finns en kartläggning av lokala risk- och skyddsfaktorer som är högst tre år gammal?",
            ),
            Q("ORG_9", "Finns en alkohol- och drogpolicy för medarbetare?"),
            Q(
                "ORG_10",
                "Har policyn följts upp under året?",
                required=False,
                condition=("ORG_9", "equals", "ja"),
            ),
            Q("ORG_11", "Finns en handlingsplan för spel om pengar?"),
            Q("ORG_12", "Ingår ANDTS-frågorna i förvaltningens trygghetsarbete?"),
        ],
    ),
    (
        "Samverkan",
        "samverkan",
        [
            Q("SAM_1", "Finns en lokal samverkansgrupp för ANDTS-förebyggande arbete?"),
            Q(
                "SAM_2",
                "Hur ofta träffas samverkansgruppen?",
                QuestionType.SINGLE,
                options=FREQ,
                points={"1_2": 1, "3_plus": 2},
                condition=("SAM_1", "equals", "ja"),
            ),
            Q("SAM_3", "Finns ett samverkansavtal med polisen (t.ex. medborgarlöfte)?"),
            Q("SAM_4", "Samverkar ni med skolorna i stadsdelen kring ANDTS?"),
            Q("SAM_5", "Samverkar ni med föreningslivet kring ANDTS?"),
            Q("SAM_6", "Samverkar ni med Region Stockholm (t.ex. ungdomsmottagning, beroendevård)?"),
            Q(
                "SAM_7",
                "Vilka aktörer ingår i samverkansgruppen?",
                QuestionType.MULTIPLE,
                required=False,
                options=[
                    ("skola", "Skola"),
                    ("polis", "Polis"),
                    ("fritid", "Fritid"),
                    ("region", "Region"),
                    ("forening", "Föreningsliv"),
                ],
                points={"skola": 1, "polis": 1, "region": 1},
            ),
            Q(
                "SAM_8",
                "Beskriv kort den viktigaste samverkan under året.",
                QuestionType.TEXT,
                required=False,
                max_length=2000,
            ),
        ],
    ),
    (
        "Kunskap",
        "kunskap",
        [
            Q("KUN_1", "Har medarbetare fått utbildning i ANDTS-frågor under året?"),
            Q(
                "KUN_2",
                "Hur många medarbetare har utbildats i ANDTS-frågor under året?",
                QuestionType.INTEGER,
                min=0,
                max=100000,
                thresholds={30: 1, 100: 2},
                condition=("KUN_1", "equals", "ja"),
            ),
            Q("KUN_3", "Används lokal statistik (t.ex. Stockholmsenkäten) i planeringen?"),
            Q("KUN_4", "Har chefer fått utbildning i tidig upptäckt av riskbruk?"),
            Q("KUN_5", "Sprids kunskap om spel om pengar till medarbetare?"),
            Q(
                "KUN_6",
                "När gjordes den senaste kartläggningen av ANDTS-läget?",
                QuestionType.DATE,
                required=False,
            ),
            Q("KUN_7", "Har samordnaren deltagit i stadens nätverk för ANDTS-samordnare?"),
            Q("KUN_8", "Finns en kompetensutvecklingsplan för ANDTS-området?"),
        ],
    ),
    (
        "Aktiviteter",
        "aktiviteter",
        [
            activity("AKT_1", "Kontrollköp av tobak och folköl (1.1)"),
            activity("AKT_2", "Tillsyn av serveringsställen i samverkan med polisen (1.1)"),
            activity("AKT_3", "Kampanj mot langning inför skolavslutningar (1.2)"),
            activity("AKT_4", "Utbildning i Ansvarsfull alkoholservering (1.3)"),
            Q("AKT_5", "Finns stödgrupper för barn i familjer med missbruk (2.1)?"),
            Q("AKT_6", "Har föräldramöten om ANDTS hållits i skolorna (2.2)?"),
            Q("AKT_7", "Arbetar ni för rökfria och nikotinfria miljöer för unga (2.3)?"),
            activity("AKT_8", "Fritidsaktiviteter helger och lov (3.1)"),
            activity("AKT_9", "ANDTS-undervisning i skolan (3.2)"),
            Q(
                "AKT_10",
                "Hur många föräldrar har fullföljt ett föräldraskapsstödsprogram (3.4)?",
                QuestionType.INTEGER,
                min=0,
                max=100000,
                thresholds={10: 1, 50: 2},
            ),
            Q(
                "AKT_11",
                "Vilka föräldraskapsstödsprogram erbjuds (3.4)?",
                QuestionType.MULTIPLE,
                required=False,
                options=[
                    ("abc", "ABC"),
                    ("komet", "Komet"),
                    ("foraldrakraft", "Föräldrakraft"),
                    ("cope", "COPE"),
                    ("annat", "Annat"),
                ],
                points={"abc": 1, "komet": 1, "foraldrakraft": 1, "cope": 1},
            ),
            Q("AKT_12", "Screenas riskbruk (t.ex. AUDIT) inom ekonomiskt bistånd (4.1)?"),
            Q("AKT_13", "Erbjuds rådgivning eller lotsning till stöd (4.2)?"),
            Q("AKT_14", "Finns riktat stöd till särskilt sårbara grupper (4.3)?"),
            activity("AKT_15", "Chefsutbildning om alkohol- och drogpolicyn (4.4)"),
            Q("AKT_16", "Används kunskapsbaserade metoder i missbruksvården (5.1)?"),
            activity("AKT_17", "Uppsökande arbete med fältassistenter (5.3)"),
            Q("AKT_18", "Sprids skademinimerande information till målgruppen (6.1)?"),
            activity("AKT_19", "Utbildning i suicidprevention (6.2)"),
            Q("AKT_20", "Erbjuds stöd till anhöriga (6.5)?"),
        ],
    ),
    (
        "Övrigt",
        None,
        [
            Q(
                "OVR_1",
                "Hur många deltog i stadsdelens ANDTS-aktiviteter under året?",
                QuestionType.BREAKDOWN,
                required=False,
                help="Fyll i de delar ni känner till. Totalt ska vara summan av delarna.",
            ),
            Q(
                "OVR_2",
                "Hur mycket pengar (tkr) satsades på ANDTS-förebyggande arbete?",
                QuestionType.DECIMAL,
                required=False,
                min=0,
                max=100000,
            ),
            Q(
                "OVR_3",
                "När antogs den lokala planen?",
                QuestionType.DATE,
                required=False,
                condition=("ORG_1", "equals", "ja"),
            ),
            Q("OVR_4", "Övriga kommentarer", QuestionType.TEXT, required=False, max_length=4000),
        ],
    ),
]

# (version number, label, scoring scheme, categories, sections)
PI_VERSIONS = [
    (1, "PI mini V1 (2018)", "PI mini V1", PI_V1_CATEGORIES, PI_V1_SECTIONS),
    (2, "PI mini V2 (2023)", "Preventionsindex mini V2", PI_CATEGORIES, PI_SECTIONS),
]
