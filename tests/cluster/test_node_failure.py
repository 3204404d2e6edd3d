"""An app node dies (SIGKILL, master and workers) while students save answers through the proxy:
nginx keeps serving from the other node, every answer acknowledged is in the database, and the
only errors are the requests the dead node held at that moment."""

import threading
import time
import uuid
from dataclasses import dataclass

import pytest
import requests
from sqlalchemy import select

from app.courses.models import Section
from app.extensions import db
from app.learning.models import AnswerReceipt
from tests import factories

pytestmark = pytest.mark.own_databases  # the cluster's own PostgreSQL database

WRITERS = 4
# Seconds of load on two nodes, then on one: past nginx's fail_timeout (5 s), when it tries
# the dead node again and must send those requests to the live one.
BEFORE_KILL, AFTER_KILL = 1.5, 8.0


@dataclass
class Sent:
    key: str
    started: float
    status: int | str  # the HTTP status, or the error when no answer came (a cut connection)


def practice_writer(cluster, source: str):
    """A student signed in through the proxy, and a function sending one practice answer."""
    student = factories.make_student(cluster.world["tx1"])
    enrollment = factories.make_enrollment(student, cluster.world["course"])
    progress = enrollment.units[0]
    item_id = progress.unit.items_in(Section.PRACTICE)[0].id
    db.session.commit()
    phone = cluster.client(source)
    assert phone.sign_in(student.user.email).status_code == 302
    path = f"/learn/units/{progress.id}/practice/autosave"

    def send(answer: str) -> Sent:
        key = str(uuid.uuid4())  # the phone's idempotency key: the write's id
        started = time.monotonic()
        try:
            response = phone.post(
                path, json={"key": key, "item_id": item_id, "response": answer, "age_ms": 0}
            )
        except requests.RequestException as error:
            return Sent(key, started, type(error).__name__)
        saved = response.status_code == 200 and response.json()["outcome"] == "saved"
        return Sent(key, started, 200 if saved else response.status_code)

    return send, phone


def test_killing_a_node_under_writes_loses_no_acknowledged_write(cluster):
    writers = [practice_writer(cluster, f"127.0.0.{31 + n}") for n in range(WRITERS)]
    _send, reader = practice_writer(cluster, "127.0.0.39")  # reloads the dashboard meanwhile
    stop = threading.Event()
    sent: list[Sent] = []
    reads: list[tuple[float, int | str]] = []

    def write(send):
        while not stop.is_set():
            sent.append(send("b" if len(sent) % 2 else "a"))

    def read():
        while not stop.is_set():
            started = time.monotonic()
            try:
                reads.append((started, reader.get("/learn/").status_code))
            except requests.RequestException as error:
                reads.append((started, type(error).__name__))

    threads = [threading.Thread(target=write, args=(send,)) for send, _ in writers]
    threads.append(threading.Thread(target=read))
    node = cluster.nodes[0]
    mark = cluster.log_mark()
    for thread in threads:
        thread.start()
    try:
        time.sleep(BEFORE_KILL)
        node.kill()  # returns once its port refuses connections
        killed = time.monotonic()
        time.sleep(AFTER_KILL)
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
        node.start()  # back for the next test
        node.wait_ready()
        cluster.wait_balanced()

    acknowledged = {s.key for s in sent if s.status == 200}
    failed = [s for s in sent if s.status != 200]
    stored = set(
        db.session.scalars(
            select(AnswerReceipt.idempotency_key).where(
                AnswerReceipt.idempotency_key.in_([s.key for s in sent])
            )
        )
    )
    db.session.rollback()
    after = [s for s in sent if s.started >= killed]
    retried = sum(", " in upstreams for *_, upstreams in cluster.upstreams_since(mark))
    # After fail_timeout nginx tried the dead node again: refused, and sent to the other one.
    probes = cluster.nginx.error_log().count("connect() failed (111: Connection refused)")
    print(
        f"\nnode killed under load: {len(sent)} writes sent, {len(acknowledged)} acknowledged "
        f"({sum(s.status == 200 for s in after)} after the kill), {len(failed)} failed "
        f"({[s.status for s in failed]}), {len(reads)} reads; nginx asked the other node for "
        f"{retried} requests, {probes} after finding the dead node still refusing"
    )
    assert acknowledged and acknowledged <= stored  # no acknowledged write is lost
    # Only what the dead node held when it died failed: at most one request per writer, none
    # started after the node was gone; nginx answers 502 (or cuts the connection when the node
    # died mid-answer), never a 4xx or another 5xx.
    assert len(failed) <= WRITERS and all(s.started < killed for s in failed), failed
    assert all(s.status == 502 or isinstance(s.status, str) for s in failed), failed
    assert len(after) >= WRITERS and all(s.status == 200 for s in after)
    # A GET the dead node held is asked again of the other node (unless part of the answer
    # had already reached the client), and every GET after the kill is answered.
    failed_reads = [(started, status) for started, status in reads if status != 200]
    assert len(failed_reads) <= 1 and all(started < killed for started, _ in failed_reads)
    assert any(started >= killed for started, _ in reads)
    # Requests that found the dead node refusing (after fail_timeout) were answered by the
    # other node: every request started after the kill succeeded.
    assert probes >= 1 and retried >= probes
