from tests.journeys.core.conftest import welcome  # noqa: F401 - the same sample journey
