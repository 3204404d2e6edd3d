"""Verifying Puente's credentials with tools written by others: Digital Bazaar's @digitalbazaar/vc,
DCC's @digitalcredentials/verifier-core and jose (node, pinned in package-lock.json), and 1EdTech's
JSON Schemas (vendored in schemas/)."""

import json
import subprocess
from functools import cache
from pathlib import Path

from jsonschema import Draft201909Validator

from app.certificates.linked_data import CONTEXT_DIR, CONTEXT_FILES
from config import BASE_DIR

HERE = Path(__file__).parent
VERIFY_SCRIPT = HERE / "verifiers" / "verify.mjs"
# https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json
# as built by 1EdTech (github.com/1EdTech/openbadges-specification, docs/schema/
# achievementcredential.json, commit c73e9663, 2024-07-30).
OB_SCHEMA_FILE = HERE / "schemas" / "ob_v3p0_achievementcredential_schema.json"
OB_SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)


@cache
def ob_schema_validator() -> Draft201909Validator:
    return Draft201909Validator(json.loads(OB_SCHEMA_FILE.read_text()))


def ob_schema_errors(credential: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in ob_schema_validator().iter_errors(credential)
    ]


def run_verifiers(origin: str, credentials=(), jwts=()) -> dict:
    """Every verifier's report on each credential (and each VC-JWT), from verify.mjs."""
    contexts = {url: str(CONTEXT_DIR / name) for url, name in CONTEXT_FILES.items()}
    request = {
        "origin": origin,
        "contexts": contexts,
        # What verifier-core fetches itself (a context it does not bundle, the JSON Schema)
        # is answered with the shipped copies; nothing leaves the machine.
        "files": {OB_SCHEMA_URL: str(OB_SCHEMA_FILE), **contexts},
        "credentials": list(credentials),
        "jwts": list(jwts),
        "jwks_url": f"{origin}/.well-known/jwks.json",
    }
    result = subprocess.run(
        ["node", str(VERIFY_SCRIPT)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=BASE_DIR,
        timeout=120,
    )
    assert result.returncode == 0 and result.stdout, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
