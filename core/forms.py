"""Form helpers shared by every app's pages."""

from __future__ import annotations

from typing import Any

from django import forms

# Ids beyond a 64-bit integer are no ids (and SQLite refuses to compare with them).
MAX_ID = 2**63 - 1

# Bootstrap's class for each kind of widget; anything else is a text-like input.
WIDGET_CLASSES = {
    forms.CheckboxInput: "form-check-input",
    forms.CheckboxSelectMultiple: "form-check-input",
    forms.RadioSelect: "form-check-input",
    forms.Select: "form-select",
    forms.SelectMultiple: "form-select",
}


def style_fields(form: forms.BaseForm) -> None:
    """Give every widget of the form the look of the site's CSS framework."""
    for field in form.fields.values():
        widget = field.widget
        css = next((name for kind, name in WIDGET_CLASSES.items() if isinstance(widget, kind)), "form-control")
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def parse_id(value: Any) -> int | None:
    """A submitted id as an int, or None when it cannot be one."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None
