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


class ParentedSelect(forms.Select):
    """A select that site.js narrows to the options whose `key` is the value chosen in the field `parent`."""

    # The select names the field it follows (data-follows), each option its parent's value (data-parent).
    # The key is read on every option's instance: a plain column such as street_id, so no option costs a query.

    def __init__(self, *, parent: str, key: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({**(attrs or {}), "data-follows": parent})
        self.parent, self.key = parent, key

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)  # a ModelChoiceIteratorValue; the empty choice has none
        if instance is not None:
            parent = getattr(instance, self.key)
            if parent is not None:
                option["attrs"]["data-parent"] = str(parent)
        return option


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
