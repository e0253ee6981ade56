"""Password rules of our own (AUTH_PASSWORD_VALIDATORS in jobdesc/settings.py)."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from positions.models import Employee

# Shorter names would refuse too many good passwords ("li" is in "reliable"); a password that
# is only such a name is refused by the minimum length anyway.
SHORTEST_NAME_CHECKED = 4


class NoAccountNameValidator:
    """Refuses a password that contains the account's username or its employee's 工号, in any
    letter case: both are known to colleagues and printed on lists."""

    def validate(self, password: str, user=None) -> None:
        if user is None:
            return
        typed = password.casefold()
        username = (user.get_username() or "").strip()
        if len(username) >= SHORTEST_NAME_CHECKED and username.casefold() in typed:
            raise ValidationError("密码不能包含您的用户名。", code="password_contains_username")
        number = _employee_no(user)
        if len(number) >= SHORTEST_NAME_CHECKED and number.casefold() in typed:
            raise ValidationError("密码不能包含您的工号。", code="password_contains_employee_no")

    def get_help_text(self) -> str:
        return "密码不能包含您的用户名或工号。"


def _employee_no(user) -> str:
    if user.pk is None:
        return ""
    number = Employee.objects.filter(user_id=user.pk).values_list("employee_no", flat=True).first()
    return (number or "").strip()


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's minimum length with its refusal in Chinese: Django 5.2 reworded that message
    and its Chinese translation is missing, so the page showed it in English."""

    def get_error_message(self) -> str:
        return f"密码太短，至少需要 {self.min_length} 个字符。"
