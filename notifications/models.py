"""Notifications (e-mail, group-chat robots) and webhooks: who wants what, and what was sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Channel(models.TextChoices):
    EMAIL = "email", "电子邮件"
    WECOM = "wecom", "企业微信"
    DINGTALK = "dingtalk", "钉钉"
    FEISHU = "feishu", "飞书"


ROBOT_CHANNELS = (Channel.WECOM, Channel.DINGTALK, Channel.FEISHU)


class ChatRobot(models.Model):
    """A group chat's robot (企业微信/钉钉/飞书 webhook URL), set up by superusers or HR."""

    name = models.CharField("名称", max_length=100)
    kind = models.CharField(
        "类型", max_length=20, choices=[(c.value, c.label) for c in ROBOT_CHANNELS]
    )
    url = models.URLField("Webhook 地址", max_length=500)
    secret = models.CharField(
        "签名密钥",
        max_length=200,
        blank=True,
        help_text="钉钉“加签”或飞书“签名校验”的密钥；企业微信不需要。",
    )
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "群机器人"
        verbose_name_plural = "群机器人"
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.name}"


class PreferenceQuerySet(models.QuerySet):
    def for_users(self, user_ids) -> dict[int, Preference]:
        return {p.user_id: p for p in self.filter(user_id__in=user_ids)}


class Preference(models.Model):
    """One user's choice of channels; without a row: e-mail only, one message per event."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name="用户",
    )
    email = models.BooleanField("电子邮件", default=True)
    wecom = models.BooleanField("企业微信群", default=False)
    dingtalk = models.BooleanField("钉钉群", default=False)
    feishu = models.BooleanField("飞书群", default=False)
    digest = models.BooleanField(
        "每日汇总", default=False, help_text="每天汇总成一条发送，而不是每件事发一条。"
    )

    objects = PreferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "通知设置"
        verbose_name_plural = "通知设置"

    def __str__(self) -> str:
        return f"{self.user}的通知设置"

    def channels(self) -> list[str]:
        return [c.value for c in Channel if getattr(self, c.value)]


class MessageQuerySet(models.QuerySet):
    def for_log(self):
        return self.select_related("recipient", "robot", "position").order_by("-created_at", "-pk")


class Message(models.Model):
    """One notification to one person on one channel: the message log HR reads."""

    class Event(models.TextChoices):
        REVIEW_WAITING = "review_waiting", "待审核"
        APPROVAL_WAITING = "approval_waiting", "待审批"
        RETURNED = "returned", "已退回"
        ACK_WAITING = "ack_waiting", "待员工确认"
        ACK_REMINDER = "ack_reminder", "员工确认提醒"
        REVIEW_DUE = "review_due", "复核到期"
        DIGEST = "digest", "每日汇总"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        HELD = "held", "待汇总"
        DIGESTED = "digested", "已汇总发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="收件人",
    )
    event = models.CharField("事件", max_length=30, choices=Event.choices)
    channel = models.CharField("渠道", max_length=20, choices=Channel.choices)
    robot = models.ForeignKey(
        ChatRobot, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="群机器人"
    )
    address = models.CharField("发送地址", max_length=500, blank=True)
    position = models.ForeignKey(
        "positions.Position",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="职位",
    )
    reference = models.CharField("去重标识", max_length=100, blank=True, db_index=True)
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    status = models.CharField("状态", max_length=20, choices=Status.choices)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = "通知记录"
        verbose_name_plural = "通知记录"
        constraints = [
            models.CheckConstraint(
                condition=~Q(channel="email") | ~Q(address=""),
                name="notifications_message_email_has_address",
            )
        ]

    def __str__(self) -> str:
        return self.subject


class Subscription(models.Model):
    """A webhook subscription of another system, managed by superusers in the admin."""

    class Event(models.TextChoices):
        VERSION_PUBLISHED = "version.published", "新版本生效"
        POSITION_ARCHIVED = "position.archived", "职位归档"
        EMPLOYEE_TRANSFERRED = "employee.transferred", "员工调岗"
        EMPLOYEE_LEFT = "employee.left", "员工离职"
        ACKNOWLEDGEMENT_COMPLETED = "acknowledgement.completed", "员工确认完成"

    name = models.CharField("名称", max_length=100)
    url = models.URLField("接收地址", max_length=500)
    secret = models.CharField(
        "签名密钥", max_length=200, help_text="用于 X-Jobdesc-Signature 的 HMAC-SHA256 密钥。"
    )
    events = models.JSONField("订阅事件", default=list)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "Webhook 订阅"
        verbose_name_plural = "Webhook 订阅"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DeliveryQuerySet(models.QuerySet):
    def unfinished(self):
        return self.filter(status__in=[Delivery.Status.WAITING, Delivery.Status.QUEUED])


class Delivery(models.Model):
    """One event to one subscription: its tries, last answer and response time."""

    class Status(models.TextChoices):
        WAITING = "waiting", "等待前一事件"
        QUEUED = "queued", "排队中"
        SUCCEEDED = "succeeded", "成功"
        FAILED = "failed", "已放弃"

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries", verbose_name="订阅"
    )
    event = models.CharField("事件", max_length=40, choices=Subscription.Event.choices)
    position = models.ForeignKey(
        "positions.Position",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="职位",
    )
    body = models.TextField("请求正文")
    status = models.CharField("状态", max_length=20, choices=Status.choices)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    response_status = models.PositiveSmallIntegerField("响应状态码", null=True, blank=True)
    response_ms = models.PositiveIntegerField("响应时间（毫秒）", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = "Webhook 投递"
        verbose_name_plural = "Webhook 投递"
        ordering = ["-pk"]
        indexes = [
            models.Index(
                fields=["subscription", "position", "status"],
                name="notif_delivery_order_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(attempts__lte=8), name="notifications_delivery_at_most_8_attempts"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} → {self.subscription}"
