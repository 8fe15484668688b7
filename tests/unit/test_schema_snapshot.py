from schema.schema import SDL_PATH, sdl


def test_the_exported_sdl_matches_the_committed_schema_graphql():
    assert SDL_PATH.read_text() == sdl(), "schema/schema.graphql is stale: run `make schema` and commit it"
