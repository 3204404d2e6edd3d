"""What anyone with a verification code may see: what a registrar needs, never a minor's
birth date, CURP or MSIX ID (those stay on the paper certificate and with signed-in staff)."""

PRIVATE_STUDENT_FIELDS = ("birth_date", "msix_id", "curp")
NAME_IDENTITY = "name"


def public_facts(facts: dict) -> dict:
    """The certificate's facts without the student's private identifiers."""
    student = {k: v for k, v in facts["student"].items() if k not in PRIVATE_STUDENT_FIELDS}
    return {**facts, "student": student}


def has_clear_identifiers(credential: dict) -> bool:
    """Whether a signed credential names the student by an identifier in clear (not hashed)
    other than the name: such a credential (issued before identifiers were hashed) cannot be
    given out publicly, and its signature forbids removing them."""
    subject = credential.get("credentialSubject") or {}
    for identity in subject.get("identifier") or []:
        if not isinstance(identity, dict):
            continue
        if identity.get("identityType") != NAME_IDENTITY and identity.get("hashed") is not True:
            return True
    return False
