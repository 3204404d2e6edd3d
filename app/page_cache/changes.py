"""Which sites a transaction changed, found from the rows it wrote and counted in
page_generation in that same transaction: a kept page names the generations of the sites it
shows, so every committed change to what it shows makes it a page to render again."""

import re
from dataclasses import dataclass, field
from functools import cache
from itertools import chain

from flask_sqlalchemy.session import Session
from sqlalchemy import Table, event, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import InstanceState
from sqlalchemy.sql.elements import TextClause

from app.extensions import db
from app.page_cache.models import EVERYTHING, PageGeneration

# Rows no kept page shows, some written all the time: the audit trail, deliveries, sign-in
# codes, jobs and their heartbeats, the reports' facts, keys and status lists (the verify page
# has its own validator).
UNSHOWN_TABLES = frozenset(
    {
        "page_generation",
        "audit_event",
        "notification",
        "notification_preference",
        "sign_in_token",
        "api_token",
        "peer_nonce",
        "report_enrollment",
        "report_unit_pass",
        "report_refresh",
        "certificate_job",
        "packet_job",
        "export_job",
        "roster_job",
        "status_list",
        "signing_key",
    }
)
# Columns no kept page shows of anyone but the viewer, whose own are part of the page's key.
UNSHOWN_COLUMNS = {
    "user_account": frozenset({"password_hash", "session_version", "unread_notifications"})
}
# The tables a row leads to a site through, each one step nearer.
FOLLOWED = ("attempt", "unit_progress", "enrollment", "student", "user_account")
# The columns naming whose row it is when they name an account (a student's, a guardian's).
SUBJECT_ACCOUNTS = frozenset({"user_id", "guardian_id"})
MAX_IDS = 1000  # a change wider than this counts for every page (one bump, not a long lookup)
_INFO = "puente.page_changes"
_ROWS_OPTION = "puente_touching"


@dataclass
class Changes:
    """What the transaction wrote so far: site ids, rows that lead to sites, or everything."""

    everything: bool = False
    sites: set[int] = field(default_factory=set)
    rows: dict[str, set[int]] = field(default_factory=lambda: {name: set() for name in FOLLOWED})

    def __bool__(self) -> bool:
        return self.everything or bool(self.sites) or any(self.rows.values())


def changes_of(session) -> Changes:
    return session.info.setdefault(_INFO, Changes())


def touching(table_name: str, ids) -> dict:
    """Execution options naming the rows (of a FOLLOWED table) a bulk statement changes the
    pages of: `update(ApprovalRequest)…execution_options(**touching("unit_progress", [id]))`
    then counts for that unit's site, not for everything."""
    return {_ROWS_OPTION: (table_name, frozenset(ids))}


def note_everything_changed(session) -> None:
    """For writes no session event sees (COPY, a connection's own statements)."""
    changes_of(session).everything = True


def _followed_keys(state: InstanceState) -> tuple:
    """(column, attribute key, the table it names) of each foreign key that leads to a site."""
    return _mapper_followed_keys(state.mapper)


@cache
def _mapper_followed_keys(mapper) -> tuple:
    """_followed_keys of a mapped class's rows (read once: a bulk issue writes thousands)."""
    table = mapper.local_table
    if table.name == "user_account":
        return ()  # an account is found through its student or guardian links (sites_changed)
    found = []
    for column in table.columns:
        for foreign_key in column.foreign_keys:
            target = foreign_key.column.table.name
            if target == "user_account" and column.name not in SUBJECT_ACCOUNTS:
                continue  # who did it (added_by_id, graded_by_id…): not whose it is
            if target == "site" or target in FOLLOWED:
                found.append((column, mapper.get_property_by_column(column).key, target))
    return tuple(found)


def _column_values(state: InstanceState, key: str, by_id: bool) -> set | None:
    """Every value the foreign key `key` held in this flush, before and after (an earlier
    value never loaded was read before the flush); None when one is not known and the row's
    own id (`by_id`) cannot stand for it."""
    history = state.attrs[key].history
    values = {v for v in chain(history.added, history.unchanged, history.deleted) if v is not None}
    if not values and key not in state.dict and not by_id:
        return None  # never loaded: only the row itself could tell
    return values


def _shows_nothing_new(state: InstanceState, name: str) -> bool:
    """A persistent row whose changed columns no kept page shows of anyone else."""
    changed = {
        prop.key
        for prop in state.mapper.column_attrs
        if state.attrs[prop.key].history.has_changes()
    }
    return bool(changed) and changed <= UNSHOWN_COLUMNS.get(name, frozenset())


def _note_row(changes: Changes, state: InstanceState, kind: str) -> None:
    """Follow one written row (`kind`: new, dirty or deleted) to the sites it belongs to."""
    mapper = state.mapper
    table = mapper.local_table
    name = table.name
    if name in UNSHOWN_TABLES or (kind == "dirty" and _shows_nothing_new(state, name)):
        return
    if name == "site":  # a site's name or state shows in menus and lists everywhere
        changes.everything = True
        return
    by_id = name in FOLLOWED and kind != "deleted"  # a deleted row is found by what it named
    if by_id:
        changes.rows[name].add(mapper.primary_key_from_instance(state.obj())[0])
    led = by_id  # the row names a site, or a row that leads to one
    for _column, key, target in _followed_keys(state):
        values = _column_values(state, key, by_id)
        if values is None:
            changes.everything = True
            return
        (changes.sites if target == "site" else changes.rows[target]).update(values)
        led = led or bool(values)
    if not led:  # a row naming no site belongs to everything
        changes.everything = True


def _before_flush(session, _context, _instances) -> None:
    """Read the earlier value of a foreign key changed on a row loaded before it was set (an
    expired row): a student moved away must change the pages of the site left too."""
    changes = changes_of(session)
    for obj in session.dirty:
        state = inspect(obj)
        if state.mapper.local_table.name in UNSHOWN_TABLES or changes.everything:
            continue
        for column, key, target in _followed_keys(state):
            history = state.attrs[key].history
            if not history.added or history.deleted:
                continue
            table = column.table
            primary = state.mapper.primary_key_from_instance(obj)
            where = [c == v for c, v in zip(table.primary_key.columns, primary, strict=True)]
            with session.no_autoflush:
                earlier = session.execute(select(column).where(*where)).scalar()
            if earlier is not None:
                (changes.sites if target == "site" else changes.rows[target]).add(earlier)


def _after_flush(session, _context) -> None:
    changes = changes_of(session)
    if changes.everything:
        return
    for kind, objects in (
        ("new", session.new),
        ("dirty", session.dirty),
        ("deleted", session.deleted),
    ):
        for obj in objects:
            if kind == "dirty" and not session.is_modified(obj):
                continue
            _note_row(changes, inspect(obj), kind)
            if changes.everything:
                return


def _on_execute(execute_state) -> None:
    """A bulk INSERT, UPDATE or DELETE (or SQL text that writes) is seen as a whole."""
    statement = execute_state.statement
    if execute_state.is_insert or execute_state.is_update or execute_state.is_delete:
        named = execute_state.execution_options.get(_ROWS_OPTION)
        if named is not None and named[0] in FOLLOWED:
            changes_of(execute_state.session).rows[named[0]].update(named[1])
            return
        table = getattr(statement, "table", None)
        name = getattr(table, "name", None)
        if name in UNSHOWN_TABLES:
            return
        if execute_state.is_update and name in UNSHOWN_COLUMNS:
            columns = {getattr(c, "key", c) for c in (getattr(statement, "_values", None) or {})}
            if columns and columns <= UNSHOWN_COLUMNS[name]:
                return
        changes_of(execute_state.session).everything = True
    elif isinstance(statement, TextClause) and not re.match(
        r"\s*select\b", statement.text, re.IGNORECASE
    ):  # SQL text may write however it begins (WITH … UPDATE, a function): all but a SELECT
        changes_of(execute_state.session).everything = True


def _rows(session, table_name: str, ids: set[int], *columns: str) -> list | None:
    """(id, *columns) of the rows `ids`; None when one of them is gone."""
    if not ids:
        return []
    table: Table = db.metadata.tables[table_name]
    query = select(table.c.id, *(table.c[name] for name in columns)).where(table.c.id.in_(ids))
    rows = session.execute(query).all()
    return rows if len(rows) == len(ids) else None


def sites_changed(session, changes: Changes) -> set[int] | None:
    """The site ids `changes` touched; None for every page."""
    if changes.everything or sum(map(len, changes.rows.values())) > MAX_IDS:
        return None
    rows, sites = changes.rows, set(changes.sites)
    found = _rows(session, "attempt", rows["attempt"], "unit_progress_id", "site_id")
    if found is None:
        return None
    rows["unit_progress"].update(progress for _id, progress, _site in found)
    sites.update(site for _id, _progress, site in found if site is not None)
    found = _rows(session, "unit_progress", rows["unit_progress"], "enrollment_id")
    if found is None:
        return None
    rows["enrollment"].update(enrollment for _id, enrollment in found)
    found = _rows(session, "enrollment", rows["enrollment"], "student_id")
    if found is None:
        return None
    rows["student"].update(student for _id, student in found)
    if rows["user_account"] and not _students_of_users(
        session, rows["user_account"], rows["student"]
    ):
        return None
    found = _rows(session, "student", rows["student"], "site_id")
    if found is None:
        return None
    sites.update(site for _id, site in found)
    return sites


def _students_of_users(session, users: set[int], students: set[int]) -> bool:
    """Add the students `users` are (or are guardians of) to `students`, whose present sites
    show them (an account's own site stays where it was made when its student moves); False
    when one of `users` is neither: staff, whose names show wherever their work does."""
    student = db.metadata.tables["student"]
    link = db.metadata.tables["guardian_link"]
    own = session.execute(
        select(student.c.user_id, student.c.id).where(student.c.user_id.in_(users))
    ).all()
    followed = session.execute(
        select(link.c.guardian_id, link.c.student_id).where(link.c.guardian_id.in_(users))
    ).all()
    students.update(student_id for _user, student_id in chain(own, followed))
    return {user for user, _student in chain(own, followed)} == users


def bump_generations(session, site_ids: set[int] | None) -> None:
    """Count one more change of each of `site_ids` (None: of everything) in this transaction,
    in site order, so two transactions never wait on each other's rows in a circle."""
    table = PageGeneration.__table__
    ids = [EVERYTHING] if site_ids is None else sorted(site_ids)
    dialect = session.connection().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).values([{"site_id": site_id, "value": 1} for site_id in ids])
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.site_id], set_={"value": table.c.value + 1}
        )
    )


def _before_commit(session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: its rows count at the transaction's own commit
    session.flush()  # the last flush runs after this hook: its rows count too
    changes = session.info.pop(_INFO, None)
    if not changes:
        return
    site_ids = sites_changed(session, changes)
    if site_ids == set():
        return
    bump_generations(session, site_ids)


def _after_transaction_end(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_INFO, None)


def install() -> None:
    """Listen to every Flask-SQLAlchemy session (once a process)."""
    if event.contains(Session, "after_flush", _after_flush):
        return
    event.listen(Session, "before_flush", _before_flush)
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _on_execute)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_transaction_end", _after_transaction_end)
