"""Masking of personal data for people who may not see it in full (PIPL)."""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    """138****1234: keep the first three and last four digits."""
    if len(phone) < 8:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"
