"""The agent registry: SearchAgents by a transaction's primary key, GetAgent by id."""
from __future__ import annotations

from sqlalchemy import Connection

from ..domain.documents import DocKey
from ..domain.errors import NotFound
from . import store
from .actor import Actor


def _visible(actor: Actor, agent: dict) -> bool:
    return actor.is_admin or actor.company in (agent["sender"], agent["receiver"])


def foreign_keys(conn: Connection, agent: dict) -> list[str]:
    """The keys of the instances that triggered the agent's document (its foreign keys)."""
    out = []
    for ln in store.inbound_links(conn, agent["source_instance_id"]):
        out.append(str(store.key_of(store.get_instance(conn, ln["source_id"]))))
    return out


def search(conn: Connection, actor: Actor, key: DocKey) -> list[dict]:
    return [a | {"foreign_keys": foreign_keys(conn, a)}
            for a in store.agents_for_key(conn, str(key)) if _visible(actor, a)]


def get(conn: Connection, actor: Actor, agent_id: str) -> dict:
    agent = store.get_agent(conn, agent_id)
    if agent is None or not _visible(actor, agent):
        raise NotFound(f"no agent {agent_id} that you can see")
    return agent | {"foreign_keys": foreign_keys(conn, agent)}
