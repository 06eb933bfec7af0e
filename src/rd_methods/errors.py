"""Errors a user can cause and fix: the CLI prints them as one clear line plus a hint."""

from __future__ import annotations

__all__ = ["RdMethodsError", "CampaignNotFound", "ValidationFailed"]


class RdMethodsError(Exception):
    """A user-facing error: ``message`` says what is wrong, ``hint`` how to fix it."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class CampaignNotFound(RdMethodsError):
    """No campaign folder (with a ``campaign.yml``) at the given id or path."""


class ValidationFailed(RdMethodsError):
    """A campaign breaks the data contract; ``report`` lists every problem."""

    def __init__(self, message: str, report=None, hint: str | None = None):
        super().__init__(message, hint)
        self.report = report
