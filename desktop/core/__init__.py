"""Pure domain logic: formats, validation, tokens, pricing. No Qt, no network, no database."""
