"""Form helpers shared by every app's pages."""

from __future__ import annotations

from django import forms

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
