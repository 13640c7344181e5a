"""Development SMS providers: `ConsoleSmsProvider` prints, `FileSmsProvider` appends one JSON line per text.

Both accept the same status-callback body, a list (or one object) of
`{"biz_id": ..., "out_id": ..., "phone_number": ..., "success": true, "err_code": ..., "report_time": ...}`,
the shape of the common gateways' delivery receipts.
"""

from __future__ import annotations

import json
import sys
import threading
import uuid
from pathlib import Path
from typing import Any, TextIO

from arrears.channels.sms.provider import DeliveryReport, SmsReceipt, SmsRequest


def _record(request: SmsRequest, biz_id: str) -> dict[str, Any]:
    return {
        "biz_id": biz_id,
        "out_id": request.out_id,
        "to": request.to,
        "sign_name": request.sign_name,
        "template_code": request.template_code,
        "template_params": dict(request.template_params),
        "text": request.rendered(),
    }


def parse_receipts(payload: Any) -> list[DeliveryReport]:
    items = payload if isinstance(payload, list) else [payload]
    out: list[DeliveryReport] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("biz_id"), str) or not item["biz_id"]:
            raise ValueError(f"status callback item {i}: field biz_id is missing")
        success = item.get("success")
        if not isinstance(success, bool):
            raise ValueError(f"status callback item {i}: field success must be true or false")
        out.append(
            DeliveryReport(
                provider_message_id=item["biz_id"],
                out_id=item.get("out_id"),
                to=str(item.get("phone_number", "")),
                status="delivered" if success else "failed",
                error_code=None if success else str(item.get("err_code") or "UNKNOWN"),
                reported_at=item.get("report_time"),
            )
        )
    return out


class ConsoleSmsProvider:
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    @property
    def name(self) -> str:
        return "console"

    def submit(self, request: SmsRequest) -> SmsReceipt:
        biz_id = f"console-{uuid.uuid4().hex}"
        print(json.dumps(_record(request, biz_id), ensure_ascii=False), file=self.stream or sys.stdout, flush=True)
        return SmsReceipt(provider_message_id=biz_id, accepted=True)

    def parse_status_callback(self, payload: Any) -> list[DeliveryReport]:
        return parse_receipts(payload)


class FileSmsProvider:
    _lock = threading.Lock()

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def name(self) -> str:
        return "file"

    def submit(self, request: SmsRequest) -> SmsReceipt:
        biz_id = f"file-{uuid.uuid4().hex}"
        line = json.dumps(_record(request, biz_id), ensure_ascii=False)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock, self.path.open("a", encoding="utf-8") as f:
                f.write(line + "\n")
        except OSError as e:
            return SmsReceipt(provider_message_id="", accepted=False, code="io", message=str(e), permanent=False)
        return SmsReceipt(provider_message_id=biz_id, accepted=True)

    def parse_status_callback(self, payload: Any) -> list[DeliveryReport]:
        return parse_receipts(payload)
