"""The demo tells the whole story, and every page it links to renders for every role."""

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import func, select

from app.certificates.models import Certificate
from app.credits.models import CreditAward
from app.demo.data import DEMO_PASSWORD, STAFF, STUDENTS
from app.demo.services import load_demo
from app.enrollments.models import UnitProgress, UnitStatus
from app.extensions import db
from app.learning.models import Attempt, Mode
from app.sites.models import Site
from app.students.models import Student, StudentKind


@pytest.fixture
def demo(session):
    counts = load_demo()
    db.session.commit()  # a savepoint: the test's transaction still rolls it all back
    return counts


def test_demo_covers_states_kinds_and_every_stage(demo):
    assert {s.state_code for s in db.session.scalars(select(Site))} >= {"US-TX", "US-ND", "MX-MIC"}
    assert 25 <= demo["students"] <= 40
    kinds = set(db.session.scalars(select(Student.kind)))
    assert kinds == {StudentKind.SECONDARY, StudentKind.OSY}
    statuses = dict(
        db.session.execute(
            select(UnitProgress.status, func.count()).group_by(UnitProgress.status)
        ).all()
    )
    for status in (
        UnitStatus.NOT_STARTED,
        UnitStatus.IN_PROGRESS,
        UnitStatus.AWAITING_GRADING,
        UnitStatus.RETURNED,
        UnitStatus.PASSED,
    ):
        assert statuses.get(status, 0) > 0, status
    assert db.session.scalar(select(func.count()).select_from(CreditAward)) > 0
    assert demo["certificates"] > 0
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == demo["certificates"]
    assert db.session.scalar(select(func.count()).where(Attempt.mode == Mode.PAPER)) > 0


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def crawl(client, start="/", limit=120) -> dict[str, int]:
    """GET every same-site page reachable from `start` (up to `limit`); path → status."""
    seen, queue = {}, deque([start])
    while queue and len(seen) < limit:
        path = queue.popleft()
        if path in seen:
            continue
        response = client.get(path)
        seen[path] = response.status_code
        if response.status_code == 302:
            queue.append(urlsplit(response.headers["Location"]).path)
        if "text/html" not in response.content_type:
            continue
        parser = Links()
        parser.feed(response.get_data(as_text=True))
        for href in parser.hrefs:
            url = urlsplit(urljoin(path, href))
            if url.netloc or url.path.startswith(("/static", "/api")):
                continue
            queue.append(url.path + (f"?{url.query}" if url.query else ""))
    return seen


SIGN_INS = [STAFF[0][0], STAFF[1][0], STAFF[4][0], *(row[6] for row in STUDENTS[:4])]


@pytest.mark.parametrize("email", SIGN_INS)
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_linked_page_renders(demo, client, email, language):
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    client.post("/language", data={"locale": language})
    assert f'<html lang="{language}"' in client.get("/profile/").get_data(as_text=True)
    pages = crawl(client)
    assert len(pages) > 5
    broken = {path: status for path, status in pages.items() if status >= 400}
    assert broken == {}
