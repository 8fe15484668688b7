"""Every method the engine may choose has its GraphQL enum value, and nothing else does."""

from domain.forecasting import methods
from schema.types.forecast import ForecastMethod


def test_the_graphql_methods_are_the_engines():
    assert {m.value for m in ForecastMethod} == set(methods.ALL)
