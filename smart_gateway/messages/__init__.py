"""The only place XML enters the gateway: safe parsing, the schema, canonical mapping."""
