import pytest

from servicekit.testing.probe import ConsumerService, ProducerService, create_probe_tables


@pytest.fixture(scope="session")
def probe_databases(run_id):
    from servicekit.testing.infra import create_database, drop_database

    names = {"producer": f"awwt_{run_id}_probe_producer", "consumer": f"awwt_{run_id}_probe_consumer"}
    urls = {}
    for key, name in names.items():
        urls[key] = create_database(name)
        create_probe_tables(urls[key])
    yield urls
    for name in names.values():
        drop_database(name)


@pytest.fixture
def producer(container_factory, probe_databases):
    return container_factory(ProducerService, probe_databases["producer"], OUTBOX_CONFIRM_TIMEOUT=2)


@pytest.fixture
def consumer(container_factory, probe_databases):
    return container_factory(ConsumerService, probe_databases["consumer"])
