"""Users of the service desk tests: a lead, two agents (customer_service role), a designer (no service module)."""

from __future__ import annotations

import pytest

from shopops.core.roles import Role

PASSWORD = "pw-service-1"


@pytest.fixture
def desk(db):
    from shopops.service.models import BusinessHoursSetting, Priority, SlaPolicy
    from shopops.service.selectors import calendar_register
    from shopops.service.services import agent_ensure
    from shopops.service.sla import weekdays
    from shopops.team.services import role_groups_sync, user_create

    role_groups_sync()
    users = {
        "lead": user_create(username="cslead", password=PASSWORD, role=Role.CUSTOMER_SERVICE),
        "mei": user_create(username="mei", password=PASSWORD, role=Role.CUSTOMER_SERVICE),
        "jie": user_create(username="jie", password=PASSWORD, role=Role.CUSTOMER_SERVICE),
        "designer": user_create(username="designer", password=PASSWORD, role=Role.DESIGNER),
    }
    agents = {
        "lead": agent_ensure(user=users["lead"], nickname="主管", is_lead=True),
        "mei": agent_ensure(user=users["mei"], nickname="小美"),
        "jie": agent_ensure(user=users["jie"], nickname="阿杰"),
    }
    BusinessHoursSetting.objects.create(store_id="", opens_minute=9 * 60, closes_minute=18 * 60)
    for p, (fr, res) in {Priority.LOW: (240, 2880), Priority.NORMAL: (60, 480), Priority.HIGH: (30, 240),
                         Priority.URGENT: (15, 120)}.items():
        SlaPolicy.objects.create(ticket_type="", priority=p, first_response_minutes=fr, resolution_minutes=res)
    calendar_register(weekdays)  # hand-counted cases below use Monday–Friday
    yield {"users": users, "agents": agents}
    calendar_register(None)


# --- reviews (svc-reviews): one trained sentiment model per test run (training takes ~30–60 s CPU),
# on the shared corpora when they are here, else the seed model; trained by the first xdist worker
# (or pass of make test) that needs it, loaded from its file by the others (tests/support/shared_build.py)


@pytest.fixture(scope="session")
def review_model():
    from shopops.service import sentiment, sentiment_corpus, sentiment_seed
    from support.shared_build import shared_build

    def build(out):
        data = sentiment_corpus.data_dir()
        if data is not None:
            df = sentiment_corpus.read(data)
            model = sentiment.train(df["review"].tolist(), df["label"].tolist())
        else:
            model = sentiment.train(*sentiment_seed.seed_corpus(), c=10.0)
        model.save(out / "sentiment.npz")

    return sentiment.load(shared_build("review-model", build) / "sentiment.npz")


@pytest.fixture
def review_model_file(review_model, monkeypatch, tmp_path_factory):
    """The session model as this installation's model ($SHOPOPS_SENTIMENT_MODEL)."""
    path = tmp_path_factory.mktemp("model-file") / "sentiment.npz"
    review_model.save(path)
    monkeypatch.setenv("SHOPOPS_SENTIMENT_MODEL", str(path))
    return path
