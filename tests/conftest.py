import pytest
from django.core.management import call_command


@pytest.fixture(autouse=True, scope="session")
def archive_data_dir(tmp_path_factory):
    """Anything the site writes during tests goes to a temporary folder, never var/."""
    from django.conf import settings

    path = tmp_path_factory.mktemp("archive-data")
    settings.ARCHIVE_DATA_DIR = path
    return path


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
