"""Robots (superusers and HR), webhook subscriptions and their deliveries (superusers), each
permission answered by ``positions.permissions``. A delivery is read, never edited; the
「重新发送」 action sends its body again as a new delivery."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from notifications.forms import ChatRobotForm, SubscriptionForm
from notifications.models import ChatRobot, Delivery, Subscription
from notifications.services import webhooks
from positions import permissions
from positions.admin.base import AsksPermissions


@admin.register(ChatRobot)
class ChatRobotAdmin(AsksPermissions, admin.ModelAdmin):
    form = ChatRobotForm
    list_display = ("name", "kind", "url", "is_active")
    list_filter = ("kind", "is_active")


@admin.register(Subscription)
class SubscriptionAdmin(AsksPermissions, admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ("name", "url", "events", "is_active", "created_at")
    list_filter = ("is_active",)


@admin.register(Delivery)
class DeliveryAdmin(AsksPermissions, admin.ModelAdmin):
    list_display = (
        "pk",
        "subscription",
        "event",
        "position",
        "status",
        "attempts",
        "response_status",
        "response_ms",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "event", "subscription")
    readonly_fields = (
        "subscription",
        "event",
        "position",
        "body",
        "status",
        "attempts",
        "response_status",
        "response_ms",
        "last_error",
        "next_attempt_at",
        "created_at",
        "finished_at",
    )
    actions = ["resend"]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description="重新发送")
    def resend(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        if not permissions.can_manage_webhooks(request.user):
            raise PermissionDenied("只有超级管理员可以重新发送 Webhook。")
        count = 0
        for delivery in queryset.select_related("subscription").order_by("pk"):
            webhooks.resend(delivery)
            count += 1
        messages.success(request, f"已重新排队发送 {count} 条投递。")
