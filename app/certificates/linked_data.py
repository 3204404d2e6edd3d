"""JSON-LD contexts shipped with the package, and RDF Dataset Canonicalization (RDFC-1.0).

A document is read as JSON-LD with its contexts taken from contexts/ (never fetched) and turned
into canonical N-Quads by pyoxigraph (compiled; about twenty times faster than pyld).
"""

import json
from functools import cache
from pathlib import Path

import pyoxigraph

CONTEXT_DIR = Path(__file__).parent / "contexts"
CONTEXT_FILES = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json": "clr-v2p0-context-2.0.1.json",
}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
# Safe mode: a term no context defines, or a relative IRI, would be silently dropped; read
# with this vocabulary and base it becomes visible instead, and the document is refused. A
# document without such terms gives exactly the same quads either way.
UNDEFINED = "urn:puente:undefined-term#"
RELATIVE_BASE = "https://relative-iri.invalid/"
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


class ContextError(ValueError):
    """A document names a JSON-LD context Puente does not ship, or uses a term none defines."""


@cache
def load_context(url: str) -> dict:
    """The context document published at `url`, from the copy shipped in contexts/."""
    name = CONTEXT_FILES.get(url)
    if name is None:
        raise ContextError(f"unknown JSON-LD context {url}")
    return json.loads((CONTEXT_DIR / name).read_text(encoding="utf-8"))


@cache
def _inline_contexts(contexts: tuple[str, ...]) -> str:
    """The `@context` addresses replaced by the contexts' shipped content, as JSON."""
    shipped = [load_context(c)["@context"] for c in contexts]
    return json.dumps([*shipped, {"@vocab": UNDEFINED}], ensure_ascii=False)


def _shipped(contexts) -> list:
    contexts = contexts if isinstance(contexts, list) else [contexts]
    if not all(isinstance(c, str) for c in contexts):
        raise ContextError("only the shipped contexts, named by their address, are allowed")
    return [load_context(c)["@context"] for c in contexts]


def _inline_nested(value):
    """A copy of `value` whose embedded documents' @context addresses are replaced by the
    shipped contexts (e.g. the course credentials inside a CLR)."""
    if isinstance(value, list):
        return [_inline_nested(v) for v in value]
    if isinstance(value, dict):
        return {k: _shipped(v) if k == "@context" else _inline_nested(v) for k, v in value.items()}
    return value


def _term(term) -> str:
    if isinstance(term, pyoxigraph.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    text = f'"{term.value.translate(_ESCAPES)}"'
    if term.language:
        return f"{text}@{term.language}"
    if term.datatype.value != XSD_STRING:
        return f"{text}^^<{term.datatype.value}>"
    return text


def canonical_nquads(document: dict) -> str:
    """The document's RDF dataset in canonical N-Quads (RDFC-1.0), one sorted line per quad.

    :raises ContextError: for an unknown context, an undefined term or a relative IRI (what
        JSON-LD's safe mode refuses), so nothing is signed or accepted that a term hides.

    Literals are escaped as RDFC-1.0 says (only \\\\ \\" \\n \\r), which is why the quads are
    written here rather than by pyoxigraph's serializer (which also escapes control characters).
    """
    contexts = document["@context"]
    contexts = tuple(contexts) if isinstance(contexts, list) else (contexts,)
    if not all(isinstance(c, str) for c in contexts):
        raise ContextError("only the shipped contexts, named by their address, are allowed")
    rest = {k: _inline_nested(v) for k, v in document.items() if k != "@context"}
    rest = json.dumps(rest, ensure_ascii=False)
    source = '{"@context":' + _inline_contexts(contexts) + ("," + rest[1:] if rest != "{}" else "}")
    dataset = pyoxigraph.Dataset(
        pyoxigraph.parse(source, format=pyoxigraph.RdfFormat.JSON_LD, base_iri=RELATIVE_BASE)
    )
    for quad in dataset:
        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name):
            value = getattr(term, "value", "") if not isinstance(term, pyoxigraph.Literal) else ""
            if value.startswith((UNDEFINED, RELATIVE_BASE)):
                raise ContextError(f"undefined term or relative IRI: {value}")
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    lines = []
    for quad in dataset:
        graph = (
            ""
            if isinstance(quad.graph_name, pyoxigraph.DefaultGraph)
            else " " + _term(quad.graph_name)
        )
        lines.append(
            f"{_term(quad.subject)} {_term(quad.predicate)} {_term(quad.object)}{graph} .\n"
        )
    return "".join(sorted(lines))
