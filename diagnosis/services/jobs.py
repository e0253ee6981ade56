"""Large scopes' reports as jobs run by the task worker, with progress.

``request_job`` queues the job (once the transaction commits); the worker runs ``run_job``,
which stores the report as JSON on the job (``DiagnosisJob.report``) and moves ``done`` /
``total`` / ``stage`` as each check finishes, for the job page's progress bar.
"""

from __future__ import annotations

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from diagnosis import tasks
from diagnosis.models import DiagnosisJob
from diagnosis.services import report as reports
from positions.models import Department

logger = logging.getLogger(__name__)


def request_job(*, department: Department | None, user: AbstractBaseUser | None) -> DiagnosisJob:
    """Queue a report of ``department``'s subtree (None: the whole organisation); a job of
    the same scope still queued or running is returned instead of a second one."""
    running = DiagnosisJob.objects.filter(
        department=department,
        status__in=[DiagnosisJob.Status.QUEUED, DiagnosisJob.Status.RUNNING],
    ).first()
    if running is not None:
        return running
    job = DiagnosisJob.objects.create(
        department=department, requested_by=user, total=reports.rule_count()
    )

    def enqueue() -> None:
        result = tasks.run_diagnosis.enqueue(job.pk)
        DiagnosisJob.objects.filter(pk=job.pk).update(task_id=str(result.id))

    transaction.on_commit(enqueue)
    return job


def latest_job(department: Department | None) -> DiagnosisJob | None:
    return DiagnosisJob.objects.filter(department=department).order_by("-created_at", "-pk").first()


def run_job(job_id: int) -> DiagnosisJob:
    job = DiagnosisJob.objects.select_related("department").get(pk=job_id)
    DiagnosisJob.objects.filter(pk=job_id).update(
        status=DiagnosisJob.Status.RUNNING,
        done=0,
        total=reports.rule_count(),
        stage="开始诊断",
        error="",
        started_at=timezone.now(),
    )

    def progress(done: int, total: int, label: str) -> None:
        DiagnosisJob.objects.filter(pk=job_id).update(
            done=min(done, total), total=total, stage=f"正在检查：{label}"[:200]
        )

    try:
        report = reports.build_report(job.department, progress=progress)
    except Exception as exc:
        logger.exception("Diagnosis job %s failed", job_id)
        DiagnosisJob.objects.filter(pk=job_id).update(
            status=DiagnosisJob.Status.FAILED,
            error=f"诊断失败（{type(exc).__name__}），请稍后重试或联系管理员。",
            finished_at=timezone.now(),
        )
        raise
    DiagnosisJob.objects.filter(pk=job_id).update(
        status=DiagnosisJob.Status.DONE,
        done=reports.rule_count(),
        stage="已完成",
        report=report.as_dict(),
        finished_at=timezone.now(),
    )
    return DiagnosisJob.objects.get(pk=job_id)


def job_report(job: DiagnosisJob) -> reports.Report | None:
    if job.status != DiagnosisJob.Status.DONE or not job.report:
        return None
    return reports.Report.from_dict(job.report)
