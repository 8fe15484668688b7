"""Configuration from the environment; every setting has a default that works on a laptop."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    data_dir: Path
    host: str
    port: int
    environment: str
    pool_size: int
    log_level: str
    auth_cache_seconds: float

    @property
    def development(self) -> bool:
        return self.environment == "development"

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            database_url=env.get("DATABASE_URL") or None,
            data_dir=Path(env.get("BATON_DATA_DIR", ".baton")).resolve(),
            host=env.get("BATON_HOST", "127.0.0.1"),
            port=int(env.get("BATON_PORT", "8000")),
            environment=env.get("BATON_ENV", "development"),
            pool_size=int(env.get("BATON_DB_POOL_SIZE", "30")),
            log_level=env.get("BATON_LOG_LEVEL", "info"),
            auth_cache_seconds=float(env.get("BATON_AUTH_CACHE_SECONDS", "10")),
        )
