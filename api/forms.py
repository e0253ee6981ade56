"""The form of the API 令牌 page."""

from django import forms


class TokenForm(forms.Form):
    name = forms.CharField(
        label="令牌名称",
        max_length=100,
        help_text="写明用途，如“北森同步”，以后据此认出并吊销它。",
        error_messages={
            "required": "请填写令牌名称。",
            "max_length": "令牌名称不能超过 100 个字符。",
        },
    )
