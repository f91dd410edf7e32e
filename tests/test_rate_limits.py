"""Rate limits shared by every worker and server: counts in the database (or Redis), fixed windows, 429s."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from django.db import connections
from django.test import Client, RequestFactory
from django.urls import reverse

from articles import rate_limits
from articles.models import RateCounter
from articles.rate_limits import Rate, count_request
from tests.api_client import api_as, url

NOW = 1_000_000.0  # 20 seconds before a minute's window ends


def in_other_workers(function, workers: int = 1) -> list:
    """Run `function` in threads that each use a database connection of their own, as other workers would,
    all starting at once; return their results."""
    start, results, errors = threading.Barrier(workers), [None] * workers, []

    def run(index: int) -> None:
        try:
            start.wait()
            results[index] = function()
        except Exception as error:  # re-raised in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


@pytest.mark.django_db(transaction=True)
def test_rate_limits_are_shared_by_all_workers():
    """Another connection continues the same count, and a fresh connection sees what all of them counted."""
    rate = Rate(3, 60)

    def count() -> int:
        return count_request("test", "caller", rate, now=NOW).count

    counts = [count(), *in_other_workers(count), count(), *in_other_workers(count)]
    assert counts == [1, 2, 3, 4]
    assert in_other_workers(lambda: list(RateCounter.objects.values_list("hits", flat=True))) == [[4]]
    assert count_request("test", "caller", rate, now=NOW) == rate_limits.Verdict(False, 5, 20)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_of_many_workers_lose_no_count():
    """Eight workers counting at once: every request gets its own number, none is lost (an atomic upsert)."""
    if connections["default"].vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database locks tables without waiting (a file database waits)")

    def twenty_five() -> list[int]:
        return [count_request("test", "busy", Rate(1000, 60), now=NOW).count for _ in range(25)]

    counts = [n for batch in in_other_workers(twenty_five, workers=8) for n in batch]
    assert sorted(counts) == list(range(1, 201))


@pytest.mark.django_db
def test_a_limit_allows_its_rate_then_answers_with_the_seconds_until_a_new_window():
    rate = Rate(3, 60)
    verdicts = [count_request("test", 7, rate, now=NOW + offset) for offset in (0, 1, 2, 3)]
    assert [(v.allowed, v.count, v.retry_after) for v in verdicts] == [
        (True, 1, 20),
        (True, 2, 19),
        (True, 3, 18),
        (False, 4, 17),
    ]
    assert count_request("test", 8, rate, now=NOW).allowed  # another caller counts alone
    assert count_request("test", 7, rate, now=NOW + 20) == rate_limits.Verdict(True, 1, 60)


@pytest.mark.django_db
def test_windows_that_have_ended_are_deleted_when_a_caller_opens_a_new_one():
    count_request("test", "early", Rate(3, 60), now=NOW)
    count_request("test", "hourly", Rate(3, 3600), now=NOW)
    count_request("test", "late", Rate(3, 60), now=NOW + 20)
    assert sorted(RateCounter.objects.values_list("key", flat=True)) == [
        f"test:hourly:{int(NOW // 3600)}",
        f"test:late:{int((NOW + 20) // 60)}",
    ]


@pytest.mark.django_db
def test_long_callers_are_hashed_into_the_key():
    count_request("test", "x" * 5000, Rate(3, 60), now=NOW)
    assert len(RateCounter.objects.get().key) < 100


@pytest.mark.django_db
def test_url_imports_share_one_count_between_the_page_and_the_api(team):
    """The import page and the API count a user's fetches together; past the rate the API answers 429 with
    Retry-After, and the page says so on the form."""
    browser = Client()
    browser.force_login(team["owner"])
    page = reverse("project_import", args=[team["project"].pk])
    statuses = [browser.post(page, {"url": "http://127.0.0.1/", "format": "auto"}).status_code for _ in range(10)]
    assert statuses == [302] * 10  # each starts an import job (which reports the private address), counted
    response = api_as(team["owner"]).post(
        url("api_project_import_url", team["project"].pk), {"url": "http://127.0.0.1/"}
    )
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 60
    again = browser.post(page, {"url": "http://127.0.0.1/", "format": "auto"})
    assert again.status_code == 422 and b"Too many imports from the web" in again.content


def test_the_caller_address_is_the_peer_unless_our_proxy_says_otherwise(settings):
    """X-Forwarded-For is the client's to write, except the entry our own proxy appends (BEHIND_PROXY)."""
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9")
    settings.BEHIND_PROXY = False
    assert rate_limits.client_address(request) == "10.1.2.3"
    settings.BEHIND_PROXY = True
    assert rate_limits.client_address(request) == "203.0.113.9"
    assert rate_limits.client_address(RequestFactory().get("/", REMOTE_ADDR="", HTTP_X_FORWARDED_FOR="junk")) is None


@pytest.fixture
def redis_url(settings):
    redis = pytest.importorskip("redis")
    address = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(address, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server at 127.0.0.1:6379")
    settings.REDIS_URL = address
    return address


@pytest.mark.django_db
def test_rate_limits_use_redis_when_redis_url_is_set(redis_url):
    """Separate clients (as separate workers) share one count; it expires with its window; no database rows."""
    caller, window = uuid.uuid4().hex, int(time.time() // 60) + 1  # the next minute: Redis expires past ones
    now, window_end = window * 60 + 40.0, (window + 1) * 60
    other_worker = rate_limits.RedisCounters(redis_url)
    first = count_request("test", caller, Rate(2, 60), now=now)
    second = other_worker.increment(f"test:{caller}:{window}", window_end=window_end, now=now)
    third = count_request("test", caller, Rate(2, 60), now=now)
    assert (first.count, second, third.allowed, third.retry_after) == (1, 2, False, 20)
    key = f"rate:test:{caller}:{window}"
    assert other_worker.client.expiretime(key) == window_end + 1
    assert not RateCounter.objects.exists()
    other_worker.client.delete(key)
