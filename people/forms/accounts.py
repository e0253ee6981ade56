"""Forms of the account pages (login, password change). Thin: widgets and messages only."""

from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError

from people.services import directory

NEW_PASSWORD_FIELDS = ("new_password1", "new_password2")


class KeepNewPasswordChangeForm(PasswordChangeForm):
    """Django's password change form that keeps the typed new password when only the old
    password was wrong, so the person retypes just that one field.

    A new password that is itself rejected (too short, too common, the two differ) is never
    sent back: both new-password fields are emptied then, as Django does.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in NEW_PASSWORD_FIELDS:
            self.fields[name].widget.render_value = True

    def full_clean(self) -> None:
        super().full_clean()
        if any(name in self._errors for name in NEW_PASSWORD_FIELDS):
            for name in NEW_PASSWORD_FIELDS:
                self.fields[name].widget.render_value = False


class LoginForm(AuthenticationForm):
    """Django's login form; when the company directory did not answer it says so, rather than
    calling the password wrong."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if directory.was_unreachable(self.request):
                raise ValidationError(
                    directory.DIRECTORY_UNREACHABLE, code="directory_unreachable"
                ) from None
            raise
