"""组织诊断: what HR decided about a finding, and report jobs run by the task worker.

Findings themselves are computed, never stored: a finding is named by a stable ``key`` (its
type and the positions and texts it is about), and a ``FindingNote`` keyed by it records that
HR has seen it (已知悉) or judged it not to apply (不适用), with a reason, so the next report
lists it apart instead of repeating it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from positions.models import Department


class FindingNote(models.Model):
    class Status(models.TextChoices):
        ACKNOWLEDGED = "acknowledged", "已知悉"
        NOT_APPLICABLE = "not_applicable", "不适用"

    key = models.CharField("诊断项标识", max_length=120)
    kind = models.CharField("诊断类型", max_length=40)
    summary = models.CharField("诊断项", max_length=300, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name="所涉部门",
        on_delete=models.CASCADE,
        related_name="finding_notes",
        help_text="诊断项所涉第一个职位所在的部门（决定谁可以处理）。",
    )
    status = models.CharField("处理结果", max_length=20, choices=Status.choices)
    reason = models.TextField("说明")
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="finding_notes",
    )
    marked_at = models.DateTimeField("处理时间", auto_now=True)

    class Meta:
        verbose_name = "诊断项处理"
        verbose_name_plural = "诊断项处理"
        ordering = ["-marked_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["key"], name="diagnosis_findingnote_unique_key"),
            models.CheckConstraint(
                condition=Q(status__in=["acknowledged", "not_applicable"]),
                name="diagnosis_findingnote_known_status",
            ),
            models.CheckConstraint(
                condition=~Q(reason=""), name="diagnosis_findingnote_reason_required"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.summary or self.key}（{self.get_status_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("diagnosis:report", kwargs={"pk": self.department_id})


class DiagnosisJob(models.Model):
    """A report of a large scope (or the whole organisation) computed by the task worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "诊断中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    department = models.ForeignKey(
        Department,
        verbose_name="诊断范围",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="diagnosis_jobs",
        help_text="部门及其下级部门；留空为全公司。",
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField("已完成检查项", default=0)
    total = models.PositiveIntegerField("检查项总数", default=0)
    stage = models.CharField("当前步骤", max_length=200, blank=True)
    report = models.JSONField("诊断结果", default=dict, blank=True)
    error = models.TextField("失败原因", blank=True)
    task_id = models.CharField("任务 id", max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="diagnosis_jobs",
    )
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "诊断任务"
        verbose_name_plural = "诊断任务"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done__lte=F("total")), name="diagnosis_diagnosisjob_done_within_total"
            ),
        ]

    def __str__(self) -> str:
        scope = self.department.name if self.department else "全公司"
        return f"{scope} 组织诊断（{self.get_status_display()}）"

    def get_absolute_url(self) -> str:
        return reverse("diagnosis:job", kwargs={"pk": self.pk})

    @property
    def scope_name(self) -> str:
        return self.department.name if self.department else "全公司"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return int(100 * self.done / self.total)
