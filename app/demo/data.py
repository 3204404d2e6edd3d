"""The demo's cast: sites, staff and students (invented people and places)."""

DEMO_PASSWORD = "puente-demo"

SITES = [
    {
        "code": "TX-RGV",
        "name": "Rio Grande Valley PASS Center",
        "state_code": "US-TX",
        "city": "Weslaco",
    },
    {
        "code": "TX-HID",
        "name": "Hidalgo County Migrant Program",
        "state_code": "US-TX",
        "city": "Pharr",
    },
    {
        "code": "ND-RRV",
        "name": "Red River Valley Summer Program",
        "state_code": "US-ND",
        "city": "Grand Forks",
    },
    {
        "code": "MIC-MOR",
        "name": "Centro Binacional de Estudios Morelia",
        "state_code": "MX-MIC",
        "city": "Morelia",
    },
]

# (email, role, given, family, site code or None, state code or None, locale)
STAFF = [
    ("admin@example.org", "admin", "Alex", "Rivera", None, None, "en"),
    ("coordinator.tx@example.org", "coordinator", "Teresa", "Salinas", None, "US-TX", "en"),
    ("coordinator.nd@example.org", "coordinator", "Dale", "Johnson", None, "US-ND", "en"),
    (
        "coordinadora.mic@example.org",
        "coordinator",
        "Guadalupe",
        "Ochoa",
        "MIC-MOR",
        "MX-MIC",
        "es",
    ),
    ("teacher.rgv@example.org", "teacher", "Marisol", "Treviño", "TX-RGV", None, "en"),
    ("teacher.hidalgo@example.org", "teacher", "Roberto", "Cantú", "TX-HID", None, "es"),
    ("teacher.nd@example.org", "teacher", "Karen", "Olson", "ND-RRV", None, "en"),
    ("maestro.morelia@example.org", "teacher", "Javier", "Zamora", "MIC-MOR", None, "es"),
]

# Students: (given, family, site, kind, grade, stage, sign-in email or None, locale)
# Stages: not_started, in_progress, awaiting, returned, retake, paper, partial, completed.
STUDENTS = [
    (
        "Ana",
        "García López",
        "TX-RGV",
        "secondary",
        10,
        "in_progress",
        "ana.garcia@example.org",
        "es",
    ),
    (
        "Luis",
        "Hernández",
        "TX-RGV",
        "secondary",
        11,
        "awaiting",
        "luis.hernandez@example.org",
        "es",
    ),
    ("María", "Torres", "TX-RGV", "secondary", 12, "completed", "maria.torres@example.org", "en"),
    ("José", "Ramírez", "TX-RGV", "osy", None, "returned", "jose.ramirez@example.org", "es"),
    (
        "Daniela",
        "Flores",
        "TX-RGV",
        "secondary",
        9,
        "not_started",
        "daniela.flores@example.org",
        "en",
    ),
    ("Miguel", "Sánchez", "TX-RGV", "secondary", 10, "retake", None, None),
    ("Sofía", "Martínez", "TX-RGV", "secondary", 11, "paper", None, None),
    ("Carlos", "Gómez", "TX-RGV", "osy", None, "partial", None, None),
    ("Valeria", "Díaz", "TX-HID", "secondary", 10, "awaiting", None, None),
    ("Jorge", "Morales", "TX-HID", "secondary", 12, "completed", None, None),
    ("Fernanda", "Reyes", "TX-HID", "secondary", 9, "in_progress", None, None),
    ("Ricardo", "Cruz", "TX-HID", "osy", None, "paper", None, None),
    ("Paola", "Ortiz", "TX-HID", "secondary", 11, "not_started", None, None),
    ("Andrés", "Gutiérrez", "TX-HID", "secondary", 10, "returned", None, None),
    (
        "Camila",
        "Chávez",
        "ND-RRV",
        "secondary",
        10,
        "in_progress",
        "camila.chavez@example.org",
        "en",
    ),
    ("Diego", "Ramos", "ND-RRV", "secondary", 11, "partial", None, None),
    ("Lucía", "Vargas", "ND-RRV", "osy", None, "awaiting", None, None),
    ("Emilio", "Castillo", "ND-RRV", "secondary", 9, "not_started", None, None),
    ("Renata", "Jiménez", "ND-RRV", "secondary", 12, "completed", None, None),
    ("Mateo", "Ruiz", "ND-RRV", "secondary", 10, "retake", None, None),
    ("Ximena", "Mendoza", "ND-RRV", "osy", None, "in_progress", None, None),
    (
        "Santiago",
        "Aguilar",
        "MIC-MOR",
        "secondary",
        10,
        "partial",
        "santiago.aguilar@example.org",
        "es",
    ),
    ("Regina", "Medina", "MIC-MOR", "secondary", 11, "in_progress", None, None),
    ("Emiliano", "Castro", "MIC-MOR", "secondary", 9, "awaiting", None, None),
    ("Valentina", "Romero", "MIC-MOR", "osy", None, "not_started", None, None),
    ("Sebastián", "Herrera", "MIC-MOR", "secondary", 12, "completed", None, None),
    ("Mariana", "Navarro", "MIC-MOR", "secondary", 10, "paper", None, None),
    ("Leonardo", "Silva", "MIC-MOR", "osy", None, "returned", None, None),
    ("Isabella", "Peña", "TX-RGV", "secondary", 9, "in_progress", None, None),
    ("Gael", "Rojas", "TX-HID", "secondary", 11, "partial", None, None),
]

# Birth-state codes for CURPs of students born in Mexico (RENAPO two-letter codes).
BIRTH_STATES = ["MN", "JC", "GT", "OC", "ZS", "GR"]

# A move notice (as MSIX lets states send): a Texas student leaving for North Dakota, no site
# chosen yet, so North Dakota's coordinator and teacher see her in their incoming list.
# (given, family, destination, days from today, reported by, note)
MOVE = (
    "Sofía",
    "Martínez",
    "US-ND",
    14,
    "teacher.rgv@example.org",
    "The family goes to the sugar-beet harvest near Grand Forks; two paper units done. / "
    "La familia va a la cosecha de remolacha cerca de Grand Forks; dos unidades en papel hechas.",
)

# Courses Santiago Aguilar passed in Mexico, entered from his boleta by the Morelia coordinator:
# (student email, entered by, subject, level, year, SEP grade, school, state, school year)
PRIOR_COURSES = [
    (
        "santiago.aguilar@example.org",
        "coordinadora.mic@example.org",
        "Matemáticas III",
        "secundaria",
        3,
        8.6,
        "Escuela Secundaria Técnica 24",
        "MX-MIC",
        "2023-2024",
    ),
    (
        "santiago.aguilar@example.org",
        "coordinadora.mic@example.org",
        "Español III",
        "secundaria",
        3,
        9.1,
        "Escuela Secundaria Técnica 24",
        "MX-MIC",
        "2023-2024",
    ),
    (
        "santiago.aguilar@example.org",
        "coordinadora.mic@example.org",
        "Ciencias III (Química)",
        "secundaria",
        3,
        7.4,
        "Escuela Secundaria Técnica 24",
        "MX-MIC",
        "2023-2024",
    ),
]
