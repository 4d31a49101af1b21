import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="session")
def archive_data_dir(tmp_path_factory):
    """Anything the site writes during tests goes to a temporary folder, never var/: the
    search index included."""
    from django.conf import settings
    from haystack import connections

    path = tmp_path_factory.mktemp("archive-data")
    settings.ARCHIVE_DATA_DIR = path
    connections.connections_info["default"]["PATH"] = str(path / "whoosh")
    connections.thread_local.connections = {}
    return path


@pytest.fixture
def search_index(db):
    """An empty search index for this test; `search_index()` applies the queued changes."""
    from haystack import connections

    from statements.indexing import index_queue_apply

    connections["default"].get_backend().clear()
    yield lambda: index_queue_apply()
    connections["default"].get_backend().clear()


@pytest.fixture
def indexed_seed(seeded, search_index):
    search_index()


@pytest.fixture
def seeded(db):
    """The curated seed archive: two published articles, their speakers, topics and quotes."""
    call_command("load_seed", verbosity=0)


@pytest.fixture
def editor(db, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        username="editor", password="correct horse battery staple", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def file_archive(tmp_path):
    """The seed archive in a file database and index of its own, for tests that need real
    processes (each commits independently). Returns `manage(*args, check=True)`, which runs
    manage.py there and returns the completed process."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SEARCH_URL"}}
    env.update(ARCHIVE_DATA_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")

    def manage(*args, check=True):
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        if check:
            assert result.returncode == 0, result.stderr[-3000:]
        return result

    manage("migrate", "--noinput", "-v0")
    manage("load_seed")
    manage.env = env
    return manage
