"""The order tests run in on pytest-xdist's workers: long ones first.

A chapter's tests take from a fraction of a second (a parser table) to half
a minute (Bochs booting OVMF). Those long ones are marked `long`:

    @pytest.mark.long
    def test_make_run_bochs_...

Where the tests are spread over workers (make test runs `-n 2`), each
worker's collection puts them first (in_order), and the controller deals
tests out one at a time (OneAtATime): first round the workers, then to
whichever is free. So the long ones start at once, on both workers, and the
short ones fill in around them. With xdist's own scheduler a worker took a
run of consecutive tests, all the long ones went to one worker, and the
other sat idle for the last half-minute.

Two tests on different workers run at the same time: tests that share one
thing of the chapter's own take turns (plugin.Chapter.taking_turns).
"""

from __future__ import annotations

import pytest

try:
    from xdist.scheduler import LoadScheduling
except ImportError:          # no pytest-xdist: tests run one after another
    LoadScheduling = None

MARKER = "long"
MARKER_HELP = ("long: a test of many seconds (a Bochs boot, a lab's whole run); it starts "
               "before the short ones, so that the workers end together")
# Tests a worker holds: the one it runs and the next, which pytest must know
# before it tears the first one down (a worker runs nothing with one in hand).
IN_HAND = 2


def in_order(items: list[pytest.Item]) -> None:
    """Long tests first, each group in collection order (sorted is stable)."""
    items.sort(key=lambda item: item.get_closest_marker(MARKER) is None)


if LoadScheduling is not None:
    class OneAtATime(LoadScheduling):
        """xdist's load scheduling, a test at a time, in the collection's order."""

        def schedule(self) -> None:
            assert self.collection_is_completed
            if self.collection is None:
                if not self._check_nodes_have_same_collection():
                    self.log("**Different tests collected, aborting run**")
                    return
                self.collection = list(self.node2collection.values())[0]
                self.pending[:] = range(len(self.collection))
                if not self.collection:
                    return
                # Dealt round the workers, a test each time: the first two long
                # tests go to two workers, not both to the first.
                for _ in range(IN_HAND):
                    for node in self.nodes:
                        self._send_tests(node, 1)
            for node in self.nodes:
                self.check_schedule(node)

        def check_schedule(self, node, duration: float = 0) -> None:
            if node.shutting_down:
                return
            if self.pending:
                self._send_tests(node, max(0, IN_HAND - len(self.node2pending[node])))
            else:
                node.shutdown()
