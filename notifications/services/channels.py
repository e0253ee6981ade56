"""Each channel's message format: e-mail, 企业微信, 钉钉 and 飞书 group-chat robots."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from urllib.parse import quote_plus

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from notifications.models import Channel, ChatRobot
from notifications.services import outbound


def send_email(address: str, subject: str, body: str) -> None:
    """Through Django's mail backend (the EMAIL_* settings); raises on failure."""
    connection = get_connection(timeout=settings.EMAIL_TIMEOUT)
    EmailMessage(
        subject=f"[职位说明书] {subject}",
        body=body,
        from_email=settings.NOTIFY_FROM_EMAIL,
        to=[address],
        connection=connection,
    ).send()


def robot_payload(kind: str, subject: str, body: str) -> dict:
    """The JSON each robot expects (markdown where the robot renders it, else plain text)."""
    if kind == Channel.WECOM:
        return {"msgtype": "markdown", "markdown": {"content": f"**{subject}**\n{body}"}}
    if kind == Channel.DINGTALK:
        return {
            "msgtype": "markdown",
            "markdown": {"title": subject, "text": f"### {subject}\n{body}"},
        }
    if kind == Channel.FEISHU:
        return {"msg_type": "text", "content": {"text": f"{subject}\n{body}"}}
    raise ValueError(f"unknown robot kind {kind!r}")


def _sign(secret: str, timestamp: str, *, key_is_string: bool) -> str:
    to_sign = f"{timestamp}\n{secret}".encode()
    if key_is_string:  # 飞书: the string is the key, the message is empty
        digest = hmac.new(to_sign, b"", hashlib.sha256).digest()
    else:  # 钉钉: the secret is the key
        digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_request(robot: ChatRobot, payload: dict, now: float | None = None) -> tuple[str, dict]:
    """The URL and body for ``robot``, signed when it has a secret (钉钉: ``timestamp`` and
    ``sign`` query parameters, milliseconds; 飞书: ``timestamp`` and ``sign`` in the body,
    seconds)."""
    now = time.time() if now is None else now
    url, body = robot.url, dict(payload)
    if robot.secret and robot.kind == Channel.DINGTALK:
        timestamp = str(int(now * 1000))
        sign = quote_plus(_sign(robot.secret, timestamp, key_is_string=False))
        url += f"{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"
    elif robot.secret and robot.kind == Channel.FEISHU:
        timestamp = str(int(now))
        body = {
            "timestamp": timestamp,
            "sign": _sign(robot.secret, timestamp, key_is_string=True),
        } | body
    return url, body


def send_to_robot(robot: ChatRobot, subject: str, body: str) -> None:
    """Post to the robot; raises ``RuntimeError`` with the reason when it did not take it."""
    url, payload = signed_request(robot, robot_payload(robot.kind, subject, body))
    answer = outbound.post(url, json.dumps(payload, ensure_ascii=False).encode(), {})
    if not answer.ok:
        raise RuntimeError(answer.error or "无响应")
    try:
        reply = json.loads(answer.text or "{}")
    except ValueError:
        reply = {}
    code = (
        reply.get("errcode", reply.get("code", reply.get("StatusCode", 0)))
        if isinstance(reply, dict)
        else 0
    )
    if code not in (0, None):
        raise RuntimeError(f"机器人拒收：{answer.text[:300]}")
