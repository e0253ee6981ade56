"""Form fields for ids: what the user posts is checked with ``positions.ids.parse_id`` first."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from positions.ids import parse_id


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Several objects by id: "²" or a 40-digit number is ``invalid_pk_value`` (shown to the
    user), where Django's field would query with it (a 40-digit number overflows: a 500)."""

    def _check_values(self, value):
        for pk in value:
            if parse_id(pk) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)
