"""Each app worker keeps pages of its own: a change committed anywhere (another node, another
process) is on the next view from every worker of both nodes, never a kept copy from before."""

import pytest

from app.extensions import db
from app.users.models import Role
from tests import factories
from tests.cluster.ports import wait_until

pytestmark = pytest.mark.own_databases  # the cluster's own PostgreSQL database

BOTH = {"node-a", "node-b"}


def test_a_change_committed_elsewhere_is_on_every_nodes_next_view(cluster):
    site = cluster.world["tx1"]
    teacher = factories.make_user(Role.TEACHER, site)
    db.session.commit()
    browser = cluster.client("127.0.0.31")
    assert browser.sign_in(teacher.email).status_code == 302

    mark = cluster.log_mark()

    def kept_by_both():
        page = browser.get("/students/")
        assert page.status_code == 200
        return {node for *_, node in cluster.served_since(mark, "/students/")} == BOTH

    wait_until(kept_by_both, 15, "both nodes to answer (and keep) the students list")
    for _ in range(4):  # every worker has rendered and kept it by now
        assert "Zacarías" not in browser.get("/students/").text

    # A change from a process that is neither node: this test's own session.
    factories.make_student(site, with_user=False, given_name="Zacarías")
    db.session.commit()
    mark = cluster.log_mark()
    for _ in range(8):
        page = browser.get("/students/")
        assert page.status_code == 200 and "Zacarías" in page.text
    answering = {node for *_, node in cluster.served_since(mark, "/students/", at_least=8)}
    assert answering == BOTH
