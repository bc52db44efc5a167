"""The service API: tickets (idempotent on request_id) and survey answers, with server keys."""

from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa
import pytest

from shopops.ingest.services import api_key_create
from shopops.service.models import SurveyKind, SurveySend, Ticket
from shopops.warehouse.loader import load


@pytest.fixture
def key(warehouse, desk):
    load(warehouse, "stores", pa.table({"store_id": ["tmall", "jd"], "platform": ["tmall", "jd"], "name": ["天猫店", "京东店"],
                                        "currency": ["CNY", "CNY"], "time_zone": ["Asia/Shanghai"] * 2}))
    return api_key_create(store_id="tmall", kind="server", name="chat tool")[1]


def post(client, url, body, key=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def test_needs_a_key(client, key):
    assert post(client, "/api/service/tickets", {}).status_code == 401


def test_create_is_idempotent_and_scoped_to_the_store(client, key):
    body = {"request_id": "qn-778", "ticket_type": "logistics", "subject": "快递三天没动", "order_id": "T1"}
    first = post(client, "/api/service/tickets", body, key)
    again = post(client, "/api/service/tickets", body, key)
    assert first.status_code == 200 and first.json()["created"] is True
    assert again.json()["created"] is False and again.json()["id"] == first.json()["id"]
    assert Ticket.objects.get().store_id == "tmall" and Ticket.objects.get().source == "api"
    assert first.json()["first_response_due"] is not None
    assert post(client, "/api/service/tickets", {**body, "store_id": "jd", "request_id": "x"}, key).status_code == 403
    bad = post(client, "/api/service/tickets", {**body, "request_id": "y", "ticket_type": "refundz", "priority": 9}, key)
    assert bad.status_code == 422
    assert {f["field"] for f in bad.json()["error"]["fields"]} == {"ticket_type", "priority"}
    assert Ticket.objects.count() == 1
    got = client.get(f"/api/service/tickets/{first.json()['id']}", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert got.status_code == 200 and got.json()["status"] == "new"


def test_survey_answers(client, key):
    now = dt.datetime.now(dt.UTC)
    SurveySend.objects.create(kind=SurveyKind.NPS, trigger=SurveySend.Trigger.DELIVERED, store_id="tmall", customer_id="c",
                              order_id="O1", channel="sms", token="tok-1", status=SurveySend.Status.SENT, sent_at=now,
                              expires_at=now + dt.timedelta(days=7))
    r = post(client, "/api/service/surveys/answer", {"token": "tok-1", "score": 11}, key)
    assert r.status_code == 422 and "score 11 is outside 0–10 for a NPS survey" in r.json()["error"]["message"]
    r = post(client, "/api/service/surveys/answer", {"token": "nope", "score": 9}, key)
    assert r.status_code == 422 and "unknown link" in r.json()["error"]["message"]
    r = post(client, "/api/service/surveys/answer", {"token": "tok-1", "score": 9}, key)
    assert r.status_code == 200 and r.json() == {"kind": "nps", "score": 9}
    r = post(client, "/api/service/surveys/answer", {"token": "tok-1", "score": 10}, key)
    assert r.status_code == 422 and "already answered" in r.json()["error"]["message"]
