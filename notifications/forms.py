"""Forms: the user's 通知设置, and the admin's robot and subscription forms (URL checked
against WEBHOOK_ALLOWED_HOSTS, events chosen from the list)."""

from __future__ import annotations

from django import forms

from notifications.models import ChatRobot, Preference, Subscription
from notifications.services.outbound import url_refusal


class PreferenceForm(forms.ModelForm):
    """The channels one person chooses; a channel nobody can deliver on is refused."""

    class Meta:
        model = Preference
        fields = ("email", "wecom", "dingtalk", "feishu", "digest")

    def __init__(self, *args, robot_kinds: set[str], has_email: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.robot_kinds = robot_kinds
        self.has_email = has_email

    def clean(self) -> dict:
        data = super().clean()
        if data.get("email") and not self.has_email:
            self.add_error("email", "您的账号没有电子邮件地址，无法接收邮件通知，请联系 HR 填写。")
        for kind in ("wecom", "dingtalk", "feishu"):
            if data.get(kind) and kind not in self.robot_kinds:
                label = Preference._meta.get_field(kind).verbose_name
                self.add_error(kind, f"尚未配置{label}机器人，暂不能选择，请联系 HR。")
        return data


class _UrlChecked(forms.ModelForm):
    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        refusal = url_refusal(url)
        if refusal is not None:
            raise forms.ValidationError(refusal)
        return url


class ChatRobotForm(_UrlChecked):
    class Meta:
        model = ChatRobot
        fields = ("name", "kind", "url", "secret", "is_active")


class SubscriptionForm(_UrlChecked):
    events = forms.MultipleChoiceField(
        label="订阅事件", choices=Subscription.Event.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Subscription
        fields = ("name", "url", "secret", "events", "is_active")

    def clean_secret(self) -> str:
        secret = self.cleaned_data["secret"].strip()
        if len(secret) < 16:
            raise forms.ValidationError("签名密钥至少 16 个字符。")
        return secret
