"""Installation identity: a real public address in production, and key ids that dereference."""

import pytest

from app import create_app
from app.installation import InstallationConfigError
from config import ProductionConfig


def production(address: str):
    class Config(ProductionConfig):
        PUBLIC_BASE_URL = address
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    return create_app(Config)


@pytest.mark.parametrize(
    "address",
    [
        "",
        "puente.example.org",
        "http://127.0.0.1:5000",
        "http://localhost:8000",
        "https://[::1]",
        "https://puente.example.org/portal",
    ],
)
def test_production_refuses_to_start_without_a_public_address(address):
    with pytest.raises(InstallationConfigError, match="PUBLIC_BASE_URL"):
        production(address)


def test_production_starts_with_a_public_address():
    app = production("https://puente.example.org")
    assert app.config["PUBLIC_BASE_URL"] == "https://puente.example.org"


def test_the_key_id_in_a_proof_dereferences_to_the_multikey(client):
    issuer = client.get("/issuer").get_json()
    method_id = issuer["verificationMethod"][0]["id"]
    assert method_id == "https://puente.example.org/issuer/keys/key-1"
    path = method_id.removeprefix("https://puente.example.org")
    key = client.get(path).get_json()
    assert key["type"] == "Multikey"
    assert key["controller"] == issuer["id"]
    assert key["publicKeyMultibase"].startswith("z6Mk")
    assert key["@context"] == "https://w3id.org/security/multikey/v1"
    assert method_id in issuer["assertionMethod"]
    # Older proofs name the key by a fragment of the issuer document: still published.
    assert "https://puente.example.org/issuer#key-1" in issuer["assertionMethod"]
    assert client.get("/issuer/keys/key-2").status_code == 404


def test_the_issuer_document_says_where_records_are_sent_and_which_states_are_served(client, world):
    issuer = client.get("/issuer").get_json()
    (service,) = issuer["service"]
    assert service["type"] == "PuenteTransferService"
    assert service["serviceEndpoint"] == "https://puente.example.org/peer/v1"
    assert service["areaServed"] == ["US-ND", "US-TX"]
