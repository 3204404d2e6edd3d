"""Open Badges 3.0 OpenBadgeCredential (a W3C Verifiable Credential) for a certificate."""

import hashlib
import secrets

from flask import current_app

from app.certificates.integrity import sign_rdfc
from app.certificates.keys import CurrentKey, current_signing_key, published_keys
from app.certificates.models import SigningKey
from app.certificates.status import status_entry
from app.credits.rules import Rules, rules_for
from app.installation import did_web, issuer_id, key_id, legacy_key_id

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
# 1EdTech's JSON Schema for an OB 3.0 AchievementCredential (OpenBadgeCredential).
OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)


def verify_url(code: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/verify/{code}"


def key_document(key: SigningKey, method_id: str | None = None, controller: str = "") -> dict:
    """One of the installation's public keys as a Multikey verification method."""
    return {
        "id": method_id or key_id(key.name),
        "type": "Multikey",
        "controller": controller or issuer_id(),
        "publicKeyMultibase": key.public_key_multibase,
    }


def issuer_document(services: list[dict] | None = None) -> dict:
    """The issuer's controller document: where a verifier finds every public key it signed
    with (under its own address, and key-1 also under the fragment older proofs name), and
    what this installation serves."""
    keys = published_keys()
    methods = [key_document(k) for k in keys] + [key_document(keys[0], legacy_key_id())]
    document = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": issuer_id(),
        "name": current_app.config["INSTALLATION_NAME"],
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }
    if services:
        document["service"] = services
    return document


def hashed_identifier(kind: str, value: str) -> dict:
    """An IdentityObject that names the value only by its salted SHA-256 (OB 3.0 IdentityHash):
    whoever holds the student's papers can check it; nobody can read it."""
    salt = secrets.token_hex(16)
    digest = hashlib.sha256((value + salt).encode()).hexdigest()
    return {
        "type": "IdentityObject",
        "identityType": kind,
        "hashed": True,
        "identityHash": f"sha256${digest}",
        "salt": salt,
    }


def student_identifiers(student: dict) -> list[dict]:
    """The name in clear (the registrar reads it); birth date, MSIX ID and CURP hashed."""
    identifiers = [
        {
            "type": "IdentityObject",
            "identityType": "name",
            "hashed": False,
            "identityHash": f"{student['given_name']} {student['family_name']}",
        },
    ]
    for kind, value in (
        ("ext:BirthDate", student.get("birth_date")),
        ("ext:MSIXID", student.get("msix_id")),
        ("ext:CURP", student.get("curp")),
    ):
        if value:
            identifiers.append(hashed_identifier(kind, value))
    return identifiers


def criteria_narrative(rules: Rules) -> str:
    """What earning the credit took, from the awarding state's rules (rules.toml)."""
    return (
        f"Unit tests passed at {rules.unit_pass_percent:g} % or more; course grade = mean "
        "of each unit's best test score."
    )


def credit_narrative(result: dict) -> str:
    """Full or partial credit, in English and Spanish."""
    if result.get("is_partial"):
        done, total = result["units_passed"], result["unit_count"]
        return (
            f"Partial credit: {done} of {total} units · Crédito parcial: {done} de {total} unidades"
        )
    return "Full credit · Crédito completo"


def build_credential(
    serial: str, code: str, issued_at: str, facts: dict, status_index: int | None = None
) -> dict:
    """The unsigned credential: the achievement (the course) and what the student earned;
    with `status_index`, its bit in the installation's revocation list (credentialStatus)."""
    base = current_app.config["PUBLIC_BASE_URL"]
    course, result, student = facts["course"], facts["result"], facts["student"]
    achievement_id = f"{base}/achievements/{course['code']}/{course['version']}"
    credential = {
        "@context": CONTEXTS,
        "id": verify_url(code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{course['title_en']} / {course['title_es']}",
        "issuer": {
            "id": issuer_id(),
            "type": ["Profile"],
            "name": f"{current_app.config['INSTALLATION_NAME']} — {facts['site']['name']}",
            "address": {"type": ["Address"], "addressRegion": facts["site"]["state_code"]},
        },
        "validFrom": issued_at,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": student_identifiers(student),
            "achievement": {
                "id": achievement_id,
                "type": ["Achievement"],
                "achievementType": "Course",
                "humanCode": course["code"],
                "name": course["title_en"],
                "description": course["title_es"],
                "fieldOfStudy": course["subject"],
                "creditsAvailable": course["credit_available"],
                "criteria": {
                    "narrative": criteria_narrative(rules_for(facts["site"]["state_code"]))
                },
                "resultDescription": [
                    {
                        "id": f"{achievement_id}#percent",
                        "type": ["ResultDescription"],
                        "name": "US percent",
                        "resultType": "Percent",
                    },
                    {
                        "id": f"{achievement_id}#letter",
                        "type": ["ResultDescription"],
                        "name": "US letter grade",
                        "resultType": "LetterGrade",
                    },
                    {
                        "id": f"{achievement_id}#sep",
                        "type": ["ResultDescription"],
                        "name": "SEP grade (Mexico, 0-10)",
                        "resultType": "ext:SEPGrade",
                    },
                    {
                        "id": f"{achievement_id}#units",
                        "type": ["ResultDescription"],
                        "name": "Units completed",
                        "resultType": "ext:UnitsCompleted",
                    },
                    {
                        "id": f"{achievement_id}#sites",
                        "type": ["ResultDescription"],
                        "name": "Units completed at (site, state)",
                        "resultType": "ext:UnitsCompletedAt",
                    },
                ],
            },
            "creditsEarned": result["credit"],
            "result": [
                {
                    "type": ["Result"],
                    "resultDescription": f"{achievement_id}#percent",
                    "value": f"{result['grade_percent']:.1f}",
                },
                {
                    "type": ["Result"],
                    "resultDescription": f"{achievement_id}#letter",
                    "value": result["letter"],
                },
                {
                    "type": ["Result"],
                    "resultDescription": f"{achievement_id}#sep",
                    "value": f"{result['sep_grade']:.1f}",
                },
                {
                    "type": ["Result"],
                    "resultDescription": f"{achievement_id}#units",
                    "value": f"{result['units_passed']}/{result['unit_count']}",
                },
                *(
                    {
                        "type": ["Result"],
                        "resultDescription": f"{achievement_id}#sites",
                        "value": f"{group['units']}: {group['site']} ({group['state_code']})",
                    }
                    for group in facts.get("unit_sites", [])
                ),
            ],
            "narrative": credit_narrative(result),
            "term": f"{facts['term']['season']} {facts['term']['year']}",
            "activityStartDate": facts["dates"]["started"] + "T00:00:00Z",
            "activityEndDate": facts["dates"]["awarded"] + "T00:00:00Z",
            "source": {
                "id": f"{base}/sites/{facts['site']['code']}",
                "type": ["Profile"],
                "name": facts["site"]["name"],
            },
        },
        "evidence": [{"type": ["Evidence"], "name": f"Certificate {serial}"}],
        "credentialSchema": [{"id": OB_SCHEMA, "type": "JsonSchema"}],
    }
    if status_index is not None:
        credential["credentialStatus"] = status_entry(status_index)
    return credential


def did_document() -> dict:
    """The installation as did:web (/.well-known/did.json): the same keys, the DID's ids."""
    did = did_web()
    methods = [key_document(k, f"{did}#{k.name}", did) for k in published_keys()]
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "alsoKnownAs": [issuer_id()],
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }


def sign_credential(credential: dict, created: str, key: CurrentKey | None = None) -> dict:
    """The credential signed with `key`, by default the key that signs now (see keys.py)."""
    key = key or current_signing_key()
    return sign_rdfc(credential, key.private, key_id(key.name), created)
