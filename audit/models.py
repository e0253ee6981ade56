"""The audit trail (审计日志): who did what, when, from where, to which object.

Events are appended, never changed: no page and no admin view offers a change or a deletion,
and the model refuses both too. Only ``prune_audit_events`` removes events, those older than
the retention period (``AUDIT_RETENTION_DAYS``, at least 180 days).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class AppendOnlyError(Exception):
    """An attempt to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("审计记录只能追加，不能修改。")

    def delete(self):
        raise AppendOnlyError("审计记录只能追加，不能删除；过期记录由 prune_audit_events 清理。")

    def prune(self) -> int:
        """Delete these events: for ``prune_audit_events`` only, which checks the retention."""
        count, _ = models.QuerySet.delete(self)
        return count


class AuditAction(models.TextChoices):
    """What happened; the labels are what the audit pages and the xlsx show."""

    LOGIN = "login", "登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOCKOUT = "lockout", "登录锁定"
    ROLE_CHANGE = "role_change", "角色变更"
    SCOPE_ADD = "scope_add", "新增编辑范围"
    SCOPE_CHANGE = "scope_change", "修改编辑范围"
    SCOPE_DELETE = "scope_delete", "删除编辑范围"
    ADMIN_ADD = "admin_add", "后台新增"
    ADMIN_CHANGE = "admin_change", "后台修改"
    ADMIN_DELETE = "admin_delete", "后台删除"
    SUBMIT = "submit", "提交审核"
    REVIEW = "review", "审核通过"
    APPROVE = "approve", "审批通过"
    REJECT = "reject", "退回"
    HISTORICAL_IMPORT = "historical_import", "历史文件导入"
    EXPORT_EXCEL = "export_excel", "导出 Excel"
    EXPORT_WORD = "export_word", "下载 Word"
    EXPORT_DRAFT_PDF = "export_draft_pdf", "下载工作稿 PDF"
    EXPORT_BOOK = "export_book", "下载汇编"
    EXPORT_ACKNOWLEDGEMENTS = "export_acknowledgements", "导出员工确认"
    EXPORT_RECEIPT = "export_receipt", "下载签收单"
    EXPORT_BACKUP = "export_backup", "导出完整备份"
    EXPORT_AUDIT = "export_audit", "导出审计日志"
    PRUNE = "prune", "清理过期审计记录"
    # The REST API (the api app): its writes, its reads of personal data, its tokens.
    API_CREATE = "api_create", "API 新建职位"
    API_UPDATE = "api_update", "API 修改职位"
    API_EXPORT = "api_export", "API 导出"
    API_TOKEN_CREATE = "api_token_create", "创建 API 令牌"
    API_TOKEN_REVOKE = "api_token_revoke", "吊销 API 令牌"


class AuditEvent(models.Model):
    """One thing that happened, appended to the trail."""

    Action = AuditAction

    created_at = models.DateTimeField("时间", auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    username = models.CharField("用户名", max_length=150, blank=True)
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    action = models.CharField("操作", max_length=30, choices=Action.choices)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象 ID", max_length=64, blank=True)
    object_label = models.CharField("对象", max_length=255, blank=True)
    details = models.JSONField("详情", default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["created_at"], name="audit_event_created_idx"),
            models.Index(fields=["user", "created_at"], name="audit_event_user_idx"),
            models.Index(fields=["action", "created_at"], name="audit_event_action_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_event_object_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=AuditAction.values),
                name="audit_event_known_action",
            ),
            models.CheckConstraint(
                condition=Q(object_id="") | ~Q(object_type=""),
                name="audit_event_object_id_has_type",
            ),
        ]

    def __str__(self) -> str:
        who = self.username or "—"
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {who} {self.get_action_display()}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("审计记录只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计记录只能追加，不能删除；过期记录由 prune_audit_events 清理。")
