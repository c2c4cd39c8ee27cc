"""Settings, read once from the environment and passed down (never read at import)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .messages.safe_xml import XmlLimits


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///smart-gateway.db"
    host: str = "127.0.0.1"
    port: int = 8080
    limits: XmlLimits = field(default_factory=XmlLimits)
    outbox_max_attempts: int = 8
    outbox_base_delay: float = 1.0   # seconds; doubles per attempt
    push_timeout: float = 10.0       # seconds per push; a dead worker's claims wait ~batch x this
    outbox_batch: int = 20

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        url = env.get("SMART_GATEWAY_DATABASE_URL")
        if not url:
            path = Path(env.get("SMART_GATEWAY_SQLITE_PATH", "smart-gateway.db")).resolve()
            url = f"sqlite:///{path}"
        return cls(
            database_url=url,
            host=env.get("SMART_GATEWAY_HOST", "127.0.0.1"),
            port=int(env.get("SMART_GATEWAY_PORT", "8080")),
            outbox_max_attempts=int(env.get("SMART_GATEWAY_OUTBOX_MAX_ATTEMPTS", "8")),
            outbox_base_delay=float(env.get("SMART_GATEWAY_OUTBOX_BASE_DELAY", "1.0")),
            outbox_batch=int(env.get("SMART_GATEWAY_OUTBOX_BATCH", "20")),
            push_timeout=float(env.get("SMART_GATEWAY_PUSH_TIMEOUT", "10")),
            limits=XmlLimits(max_bytes=int(env.get("SMART_GATEWAY_MAX_BYTES", 4 * 1024 * 1024)),
                             max_depth=int(env.get("SMART_GATEWAY_MAX_DEPTH", 32))),
        )
