"""Through the proxy, the two nodes are one site: a session works on both, a sign-out on one
ends it on both, and the rate limits count across both."""

import pytest

from app.extensions import db
from app.users.models import Role
from tests import factories
from tests.cluster.harness import csrf_of
from tests.cluster.ports import wait_until

pytestmark = pytest.mark.own_databases  # the cluster's own PostgreSQL database

BOTH = {"node-a", "node-b"}


def new_teacher(cluster):
    teacher = factories.make_user(Role.TEACHER, cluster.world["tx1"])
    db.session.commit()
    return teacher


def test_a_session_works_on_both_nodes_and_a_sign_out_on_one_ends_it_on_both(cluster):
    teacher = new_teacher(cluster)
    browser = cluster.client("127.0.0.11")
    assert browser.sign_in(teacher.email, remember=True).status_code == 302
    assert {cookie.name for cookie in browser.http.cookies} >= {"session", "remember_token"}

    mark = cluster.log_mark()

    def profile_served_by_both():
        page = browser.get("/profile/")
        assert page.status_code == 200 and teacher.email in page.text
        return {node for *_, node in cluster.served_since(mark, "/profile/")} == BOTH

    wait_until(profile_served_by_both, 15, "both nodes to answer the signed-in page")
    before_sign_out = browser.http.cookies.copy()

    browser.csrf = csrf_of(browser.get("/profile/").text)
    mark = cluster.log_mark()
    signed_out = browser.post("/logout")
    assert signed_out.status_code == 302 and signed_out.headers["Location"].endswith("/login")
    ((*_, signed_out_on),) = cluster.served_since(mark, "/logout", at_least=1)

    # The cookies from before the sign-out, replayed (session and remember-me): refused by
    # whichever node answers, the one that never saw the sign-out included.
    replay = cluster.client("127.0.0.12")
    replay.http.cookies.update(before_sign_out)
    mark = cluster.log_mark()
    for _ in range(4):
        refused = replay.get("/profile/")
        assert refused.status_code == 302 and "/login" in refused.headers["Location"]
    refusing = {node for *_, node in cluster.served_since(mark, "/profile/", at_least=4)}
    assert refusing == BOTH, f"signed out on {signed_out_on}, refused by {refusing}"


def failed_sign_ins(client, emails: list[str]) -> list[int]:
    """POST the sign-in form once per email (wrong password), one CSRF token for all, so the
    requests alternate between the nodes; the status codes."""
    client.csrf = csrf_of(client.get("/login").text)
    return [
        client.post("/login", {"email": email, "password": "not the password"}).status_code
        for email in emails
    ]


def test_rate_limits_count_across_both_nodes(cluster):
    """LOGIN_FAILURE_LIMIT (5 a minute per account and address) and LOGIN_RATE_LIMIT (10 a
    minute per address): hit at exactly that count though the requests alternate between the
    nodes (four gunicorn workers), each client counted by its own address behind the proxy."""
    teacher = new_teacher(cluster)
    guesser = cluster.client("127.0.0.21")
    mark = cluster.log_mark()
    assert failed_sign_ins(guesser, [teacher.email] * 6) == [401] * 5 + [429]
    tries = cluster.served_since(mark, "/login", at_least=7)  # a GET, six POSTs
    posts = [node for method, _path, _status, node in tries if method == "POST"]
    assert len(posts) == 6 and set(posts[:5]) == BOTH, posts  # both nodes counted the failures

    sprayer = cluster.client("127.0.0.22")  # a different account each time, one address
    mark = cluster.log_mark()
    emails = [f"nobody{n}@example.org" for n in range(11)]
    assert failed_sign_ins(sprayer, emails) == [401] * 10 + [429]
    served = cluster.served_since(mark, "/login", at_least=12)  # a GET, eleven POSTs
    posts = [node for method, *_, node in served if method == "POST"]
    assert set(posts[:10]) == BOTH, posts

    # Another address behind the same proxy has its own count, and the real user theirs.
    assert failed_sign_ins(cluster.client("127.0.0.23"), ["nobody0@example.org"]) == [401]
    assert cluster.client("127.0.0.24").sign_in(teacher.email).status_code == 302
