"""The GOP queue drops whole GOPs (or a GOP's tail), never a single frame, and stays bounded."""

from hypothesis import given, settings
from hypothesis import strategies as st

from camera_bridge.gop_queue import GopQueue


def stream(gop_sizes: list[int], size: int = 1000):
    """(gop, index in gop, key) for consecutive GOPs."""
    for gop, length in enumerate(gop_sizes):
        for index in range(length):
            yield gop, index, index == 0


def test_everything_passes_when_the_link_keeps_up():
    queue = GopQueue(max_age_s=1.0, max_bytes=100_000, rate_bps=10_000_000, burst_bytes=100_000)
    sent = []
    for n, item in enumerate(stream([10, 10, 10])):
        queue.offer(item, 1000, item[2], n * 0.1)
        while queue.peek(n * 0.1) is not None:
            sent.append(queue.pop().item)
    assert sent == list(stream([10, 10, 10]))
    assert queue.counters.dropped_packets == 0


def test_nothing_is_sent_before_the_first_key_frame():
    queue = GopQueue(max_age_s=1.0, max_bytes=100_000, rate_bps=1e7, burst_bytes=100_000)
    assert not queue.offer("p-frame", 1000, False, 0.0)
    assert queue.offer("key", 1000, True, 0.1)
    assert queue.counters.dropped_packets == 1 and queue.counters.dropped_gops == 0


def test_a_stuck_link_drops_whole_gops_from_the_next_key_frame():
    queue = GopQueue(max_age_s=0.5, max_bytes=1_000_000, rate_bps=1e7, burst_bytes=100_000)
    for n, item in enumerate(stream([10, 10, 10])):  # 1 s GOPs at 10 fps, nothing ever sent
        queue.offer(item, 1000, item[2], n * 0.1)
    queued = [queue.pop().item for _ in range(len(queue))]
    assert queued == list(stream([10]))  # the first GOP whole; the next two dropped whole
    assert queue.counters.dropped_gops == 2 and queue.counters.dropped_packets == 20


def test_the_budget_paces_output():
    queue = GopQueue(max_age_s=10.0, max_bytes=1_000_000, rate_bps=80_000, burst_bytes=10_000)  # 10 kB/s
    for n in range(20):
        queue.offer(n, 1000, n == 0, 0.0)
    sent_at = {}
    t = 0.0
    for _ in range(100):
        if not len(queue):
            break
        if queue.peek(t) is not None:
            sent_at[queue.pop().item] = t
        else:
            t += queue.wait_s(t)
    assert len(sent_at) == 20
    assert sent_at[9] == 0.0  # the burst
    assert 0.99 <= sent_at[19] <= 1.01  # then 10 kB/s


@settings(max_examples=150, deadline=None)
@given(gops=st.lists(st.integers(1, 12), min_size=1, max_size=12),
       sizes=st.lists(st.integers(100, 30_000), min_size=1, max_size=20),
       link=st.lists(st.integers(0, 3), min_size=1, max_size=30))
def test_property_whole_gops_and_bounded(gops, sizes, link):
    queue = GopQueue(max_age_s=0.3, max_bytes=40_000, rate_bps=400_000, burst_bytes=20_000)
    sent: list[tuple[int, int, bool]] = []
    for n, item in enumerate(stream(gops)):
        now = n * 0.1
        queue.offer(item, sizes[n % len(sizes)], item[2], now)
        assert queue.queued_bytes <= 40_000 + max(sizes)
        for _ in range(link[n % len(link)]):  # how many the socket takes this tick
            if queue.peek(now) is None:
                break
            sent.append(queue.pop().item)
    c = queue.counters
    assert c.packets_in == len(sent) + len(queue) + c.dropped_packets
    by_gop: dict[int, list[int]] = {}
    for gop, index, _key in sent:
        by_gop.setdefault(gop, []).append(index)
    for indexes in by_gop.values():
        assert indexes == list(range(len(indexes)))  # a GOP's head, in order, without holes
