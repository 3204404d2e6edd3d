"""This installation's identity: the public address that names it, its issuer id and key ids."""

import ipaddress
from urllib.parse import urlsplit

from flask import Flask, current_app

KEY_NAME = "key-1"


class InstallationConfigError(RuntimeError):
    """The installation cannot start: its public address is missing or wrong."""


def check_public_base_url(app: Flask) -> None:
    """Refuse to start in production without a real public address: every credential, package
    and QR code is signed with it, so a wrong one cannot be corrected afterwards.

    :raises InstallationConfigError: naming the setting and what is wrong with it.
    """
    if not app.config.get("REQUIRE_PUBLIC_BASE_URL"):
        return
    url = app.config.get("PUBLIC_BASE_URL") or ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InstallationConfigError(
            "Set PUBLIC_BASE_URL to this installation's public address, for example "
            "https://puente.example.org: it names the installation in every credential and package."
        )
    if _is_loopback(parts.hostname):
        raise InstallationConfigError(
            f"PUBLIC_BASE_URL is {url}, a loopback address: other installations and verifiers "
            "could never reach it. Set the address the public uses."
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise InstallationConfigError(
            f"PUBLIC_BASE_URL is {url}: give the address without a path, query or fragment."
        )


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"]


def issuer_id() -> str:
    """The installation's id: the address of its issuer (controller) document."""
    return f"{base_url()}/issuer"


def key_id(name: str = KEY_NAME) -> str:
    """A verification method in proofs: an address that returns the Multikey itself."""
    return f"{issuer_id()}/keys/{name}"


def legacy_key_id() -> str:
    """The verification method of proofs made before key documents had their own address."""
    return f"{issuer_id()}#{KEY_NAME}"


def key_ids_of(issuer: str) -> set[str]:
    """The verification methods of an installation's first key (`issuer` its /issuer address)."""
    return {f"{issuer}/keys/{KEY_NAME}", f"{issuer}#{KEY_NAME}"}


def key_name_of(issuer: str, method: str) -> str | None:
    """The key name (key-1, key-2, …) a verification method of `issuer` names, or None."""
    for prefix in (f"{issuer}/keys/", f"{issuer}#"):
        if isinstance(method, str) and method.startswith(prefix):
            name = method[len(prefix) :]
            number = name.removeprefix("key-")
            if name.startswith("key-") and number.isdigit() and len(number) < 6:
                return name
    return None


def did_web() -> str:
    """The installation as a did:web identifier (its host; a port is written %3A)."""
    netloc = urlsplit(base_url()).netloc
    return "did:web:" + netloc.replace(":", "%3A")


PEER_API_PATH = "/peer/v1"
PEER_SERVICE_TYPE = "PuenteTransferService"


def peer_service(places: list[str]) -> dict:
    """The issuer document's service entry: where other installations send records, and the
    states (ISO 3166-2) this installation serves."""
    return {
        "id": f"{issuer_id()}#transfers",
        "type": PEER_SERVICE_TYPE,
        "serviceEndpoint": f"{base_url()}{PEER_API_PATH}",
        "areaServed": places,
    }
