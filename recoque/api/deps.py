"""Typed dependencies shared by routers and pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from recoque.core.settings import Settings


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_app_engine(request: Request) -> Engine:
    return request.app.state.engine


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
EngineDep = Annotated[Engine, Depends(get_app_engine)]
