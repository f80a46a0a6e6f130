"""Typed settings, read once from the environment at the edge (CLI, server).

Nothing deeper in the package reads the environment: it receives a :class:`Settings`.

>>> s = Settings(home="/tmp/sj")
>>> s.database_url
'sqlite:////tmp/sj/smokejumper.db'
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Smokejumper's configuration; every field maps to ``SMOKEJUMPER_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="SMOKEJUMPER_", extra="ignore")

    home: Path = Field(default=Path(".smokejumper"), description="data folder")
    database_url: str = Field(default="", description="SQLAlchemy URL; default SQLite in home")
    url: str = Field(default="http://127.0.0.1:8800", description="server address for clients")
    token: str | None = Field(default=None, description="API token for clients")
    max_body_bytes: int = Field(default=64 * 1024 * 1024, description="largest request body")
    evaluate_every: float = Field(
        default=60.0, description="seconds between monitor evaluations in the server; 0 = off"
    )
    deliver_every: float = Field(
        default=1.0, description="seconds between outbox deliveries in the server; 0 = off"
    )
    external_url: str = Field(
        default="",
        description="the server's address as people reach it, for links in notifications "
        "(default: url)",
    )
    postmortem_templates: Path | None = Field(
        default=None,
        description="folder whose postmortem.md.j2 / postmortem.html.j2 replace the shipped "
        "post-mortem templates",
    )

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.home / 'smokejumper.db'}"
        return self
