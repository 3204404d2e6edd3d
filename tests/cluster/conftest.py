"""One running cluster for the package: nginx, two nodes, two workers, PostgreSQL and Redis."""

import pytest

from app import create_app
from app.certificates.p256 import jwt_key_file, load_p256_key
from app.certificates.signing import load_private_key
from app.extensions import db
from config import TestingConfig
from tests import factories
from tests.cluster import harness


@pytest.fixture(scope="package")
def cluster(tmp_path_factory):
    """The layout running on a new database, seeded with a world (`cluster.world`); the
    seeding app's context stays pushed, so tests read the database with `db.session`."""
    folder = tmp_path_factory.mktemp("cluster")
    with harness.postgresql_database() as database_url, harness.redis_server(folder) as redis:
        cluster = harness.Cluster(folder, database_url, redis)

        class SeedConfig(TestingConfig):
            SQLALCHEMY_DATABASE_URI = database_url
            SIGNING_KEY_FILE = cluster.signing_key_file
            PUBLIC_BASE_URL = harness.PUBLIC_BASE_URL

        app = create_app(SeedConfig)
        with app.app_context():
            db.create_all()
            # The signing keys are made once and copied to every machine (README): here one
            # folder all of them read.
            load_private_key()
            load_p256_key(jwt_key_file())
            cluster.world = factories.make_world()
            db.session.commit()
            try:
                cluster.start()
                yield cluster
            finally:
                cluster.stop()
                db.session.remove()
                db.engine.dispose()
