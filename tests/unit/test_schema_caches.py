"""The always-on caches must actually be hit: a repeated query is validated once, limits included."""

from strawberry.extensions.validation_cache import _get_validate_cache

from schema.schema import schema


async def test_a_repeated_query_is_validated_once():
    cache = _get_validate_cache(512)
    query = "query CacheProbe { __typename }"
    await schema.execute(query)
    before = cache.cache_info()
    result = await schema.execute(query)
    after = cache.cache_info()
    assert result.errors is None
    assert (after.hits - before.hits, after.misses - before.misses) == (1, 0)


async def test_a_cached_validation_still_refuses_a_query_past_the_depth_limit():
    too_deep = "{ " + "orders { nodes { customer { " * 5 + "id" + " } } }" * 5 + " }"
    for _ in range(2):
        result = await schema.execute(too_deep)
        assert result.errors and "exceeds maximum operation depth" in result.errors[0].message
