"""JSON-LD contexts shipped with the package, and RDF Dataset Canonicalization (RDFC-1.0).

A document is read as JSON-LD with its contexts taken from contexts/ (never fetched) and turned
into canonical N-Quads by pyoxigraph (compiled; about twenty times faster than pyld).
"""

import json
import re
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
_ESCAPE = re.compile(r"\\(.)")  # an escape in N-Quads text, and what it escapes
# What N-Quads allows in no IRI (IRIREF): a value with any of these is read in full instead.
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


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


def _quads(document: dict) -> list:
    """The document's RDF quads, by a full JSON-LD reading with the shipped contexts.

    :raises ContextError: for an unknown context, an undefined term or a relative IRI.
    """
    rest = {k: _inline_nested(v) for k, v in document.items() if k != "@context"}
    rest = json.dumps(rest, ensure_ascii=False)
    contexts = _inline_contexts(tuple(_addresses(document["@context"])))
    source = '{"@context":' + contexts + ("," + rest[1:] if rest != "{}" else "}")
    quads = list(
        pyoxigraph.parse(source, format=pyoxigraph.RdfFormat.JSON_LD, base_iri=RELATIVE_BASE)
    )
    for quad in quads:
        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name):
            value = "" if isinstance(term, pyoxigraph.Literal) else getattr(term, "value", "")
            if value.startswith((UNDEFINED, RELATIVE_BASE)):
                raise ContextError(f"undefined term or relative IRI: {value}")
    return quads


def _addresses(contexts) -> list[str]:
    contexts = contexts if isinstance(contexts, list) else [contexts]
    if not all(isinstance(c, str) for c in contexts):
        raise ContextError("only the shipped contexts, named by their address, are allowed")
    return contexts


# Reading JSON-LD is the costly part (type-scoped contexts are applied node by node), and a
# certificate's credentials all have one shape: the same keys and types, other values. So a
# shape is read once with a placeholder for each string value, its quads written as N-Quads
# text with a slot for each value, and a document of that shape is its text with the real
# values put in, read back by pyoxigraph's N-Quads parser (compiled: a fifth of the time of
# building the terms in Python). Only values JSON-LD never interprets are replaced: a
# placeholder found anywhere but as a whole literal or IRI (an @id or @vocab value that
# JSON-LD would resolve or expand) makes the shape unsuitable, and so does a placeholder
# missing from the quads (a term value JSON-LD expanded, as for proofPurpose): such
# documents are read in full.
_TEXT = "\ue000{}\ue001"  # private-use characters: no real value contains them
_IRI = "urn:x-puente-value:{}"
_ABSOLUTE = ("http://", "https://", "urn:")
_SHAPES: dict[str, tuple | None] = {}
_SHAPES_KEPT = 256


def _shape(value, values: list, key: str = ""):
    if isinstance(value, dict):
        return {
            k: v if k in ("@context", "type", "@type") else _shape(v, values, k)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_shape(v, values, key) for v in value]
    if isinstance(value, str) and not value.startswith("@") and "\ue000" not in value:
        values.append(value)
        pattern = _IRI if value.startswith(_ABSOLUTE) else _TEXT
        return pattern.format(len(values) - 1)
    return value  # numbers, booleans, keywords: part of the shape


def _template(shape: dict, count: int) -> list | None:
    """The shape's quads as N-Quads text in pieces: text, and (value index, is an IRI) where a
    value goes (None: not reusable)."""
    by_text = {_TEXT.format(i): i for i in range(count)}
    by_iri = {_IRI.format(i): i for i in range(count)}
    pieces: list = []
    found = set()
    for quad in _quads(shape):
        terms = [quad.subject, quad.predicate, quad.object]
        if not isinstance(quad.graph_name, pyoxigraph.DefaultGraph):
            terms.append(quad.graph_name)
        for term in terms:
            value = getattr(term, "value", "")
            index = by_text.get(value, by_iri.get(value))
            if index is not None and not isinstance(term, pyoxigraph.BlankNode):
                found.add(index)
                before, after = _term(term).split(value.translate(_ESCAPES), 1)
                pieces += [before, (index, isinstance(term, pyoxigraph.NamedNode)), after + " "]
            elif "\ue000" in value or "urn:x-puente-value:" in value:
                return None  # a value JSON-LD transformed: read such documents in full
            else:
                pieces.append(_term(term) + " ")
        pieces.append(".\n")
    if found != set(range(count)):
        return None  # a value JSON-LD dropped or expanded (e.g. an @vocab term): in full
    return pieces


def _filled(template: list, values: list) -> list:
    """The quads of a document of the template's shape, whose values are `values`.

    :raises ValueError: for a value no IRI may hold (the full reading says what is wrong).
    """
    text = []
    for piece in template:
        if piece.__class__ is str:
            text.append(piece)
            continue
        value = values[piece[0]]
        if piece[1]:
            if _NOT_IN_IRI.search(value):
                raise ValueError(f"not an IRI: {value!r}")
            text.append(value)
        else:
            text.append(value.translate(_ESCAPES))
    try:
        return list(pyoxigraph.parse("".join(text), format=pyoxigraph.RdfFormat.N_QUADS))
    except SyntaxError as error:  # e.g. an IRI pyoxigraph finds invalid
        raise ValueError(str(error)) from error


def _has_nested_context(document: dict) -> bool:
    def walk(value) -> bool:
        if isinstance(value, dict):
            return "@context" in value or any(walk(v) for v in value.values())
        return isinstance(value, list) and any(walk(v) for v in value)

    return any(walk(v) for k, v in document.items() if k != "@context")


def _sorted(quads) -> list[str]:
    """The quads comparable whatever their blank node labels."""
    dataset = pyoxigraph.Dataset(quads)
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(str(q) for q in dataset)


def document_quads(document: dict) -> list:
    """The document's RDF quads, as a full JSON-LD reading gives them (see _SHAPES above)."""
    if _has_nested_context(document):
        return _quads(document)  # documents embedding documents (a CLR): always in full
    values: list = []
    shape = _shape(document, values)
    key = json.dumps(shape, ensure_ascii=False)  # key order matters: it orders `values`
    if key not in _SHAPES:
        if len(_SHAPES) >= _SHAPES_KEPT:
            _SHAPES.clear()
        template = _template(shape, len(values))
        # A placeholder JSON-LD drops without a trace (a @vocab-typed value such as
        # proofPurpose can be) would go unnoticed: a shape is reused only if its first
        # document reads the same both ways.
        if template is not None:
            try:
                same = _sorted(_filled(template, values)) == _sorted(_quads(document))
            except ValueError:  # this document's values: read in full, the shape decided later
                return _quads(document)
            template = template if same else None
        _SHAPES[key] = template
    template = _SHAPES[key]
    if template is None:
        return _quads(document)
    try:
        return _filled(template, values)
    except ValueError:  # not a valid IRI: let the full reading say what is wrong
        return _quads(document)


def canonical_nquads(document: dict, *, full: bool = False) -> str:
    """The document's RDF dataset in canonical N-Quads (RDFC-1.0), one sorted line per quad.

    :param full: read the JSON-LD in full, without reusing the quads of a known shape (tests
        compare both).
    :raises ContextError: for an unknown context, an undefined term or a relative IRI (what
        JSON-LD's safe mode refuses), so nothing is signed or accepted that a term hides.

    Literals are escaped as RDFC-1.0 says (only \\\\ \\" \\n \\r). pyoxigraph's serializer writes
    the same lines, four times faster, except that it also escapes other control characters
    (a tab as \\t): a document with any is written here term by term instead.
    """
    dataset = pyoxigraph.Dataset(_quads(document) if full else document_quads(document))
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    text = pyoxigraph.serialize(dataset, format=pyoxigraph.RdfFormat.N_QUADS).decode()
    if "\\" in text and any(m.group(1) not in '\\"nr' for m in _ESCAPE.finditer(text)):
        return _written_by_term(dataset)
    # Split on newlines only: a literal may hold U+2028 or NEL, which splitlines() splits on.
    return "".join(sorted(line + "\n" for line in text.split("\n") if line))


def _written_by_term(dataset) -> str:
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
