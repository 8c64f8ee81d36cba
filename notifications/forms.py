"""The notification settings form: e-mail on or off, and the language of e-mails."""

from __future__ import annotations

from django import forms

from core.forms import style_fields
from notifications.models import NotificationSettings


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = ["email", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
