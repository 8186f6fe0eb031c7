"""The demo world as data, modelled on the seed documents: a city with its districts, its administrations
and companies, the people who log in, an ANDTS programme with six delmål, Preventionsindex mini (V1 for
history, V2 in use) and the shape of the activity questionnaire. No code runs here; surveys/demo/loader.py
hands this data to the services."""

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
        [
            (f"V1_{i}", QuestionType.YES_NO, f"Fråga {i} i den äldre versionen", True, {})
            for i in range(1, 11)
        ],
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

# (version number, label, scoring scheme, categories, sections)
PI_VERSIONS = [
    (1, "PI mini V1 (2018)", "PI mini V1", PI_V1_CATEGORIES, PI_V1_SECTIONS),
    (2, "PI mini V2 (2023)", "Preventionsindex mini V2", PI_CATEGORIES, PI_SECTIONS),
]
