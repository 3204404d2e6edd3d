"""Open Badges 3.0 OpenBadgeCredential (a W3C Verifiable Credential) for a certificate."""

from flask import current_app

from app.certificates.signing import load_private_key, public_key_multibase, sign_document
from app.certificates.status import status_entry
from app.credits.rules import Rules, rules_for
from app.installation import issuer_id, key_id, legacy_key_id

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


def verify_url(code: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/verify/{code}"


def key_document(method_id: str | None = None) -> dict:
    """The installation's public key as a Multikey verification method."""
    return {
        "id": method_id or key_id(),
        "type": "Multikey",
        "controller": issuer_id(),
        "publicKeyMultibase": public_key_multibase(load_private_key()),
    }


def issuer_document(services: list[dict] | None = None) -> dict:
    """The issuer's controller document: where a verifier finds the public key (under its own
    address, and under the fragment older proofs name), and what this installation serves."""
    methods = [key_document(), key_document(legacy_key_id())]
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


def criteria_narrative(rules: Rules) -> str:
    """What earning the credit took, from the awarding state's rules (rules.toml)."""
    return (
        f"Unit tests passed at {rules.unit_pass_percent:g} % or more; course grade = mean "
        "of each unit's best test score."
    )


def build_credential(
    serial: str, code: str, issued_at: str, facts: dict, status_index: int | None = None
) -> dict:
    """The unsigned credential: the achievement (the course) and what the student earned;
    with `status_index`, its bit in the installation's revocation list (credentialStatus)."""
    base = current_app.config["PUBLIC_BASE_URL"]
    course, result, student = facts["course"], facts["result"], facts["student"]
    achievement_id = f"{base}/achievements/{course['code']}/{course['version']}"
    identifiers = [
        {
            "type": "IdentityObject",
            "identityType": "name",
            "hashed": False,
            "identityHash": f"{student['given_name']} {student['family_name']}",
        },
    ]
    for kind, value in (("ext:MSIXID", student["msix_id"]), ("ext:CURP", student["curp"])):
        if value:
            identifiers.append(
                {
                    "type": "IdentityObject",
                    "identityType": kind,
                    "hashed": False,
                    "identityHash": value,
                }
            )
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
            "identifier": identifiers,
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
            ],
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
    }
    if status_index is not None:
        credential["credentialStatus"] = status_entry(status_index)
    return credential


def sign_credential(credential: dict, created: str) -> dict:
    return sign_document(credential, load_private_key(), key_id(), created)
