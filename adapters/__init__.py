"""One adapter per ERP kind, translating between the gateway's canonical
messages (schemas/gateway/v1) and what the ERP speaks.  See base.py for the
interface and registry.py for the one table of kinds."""
