"""The canvas layout: cards top to bottom, lanes for forks, jumps, loops, loose steps."""

from __future__ import annotations

from journeys.builder.layout import (
    Card,
    EndOfJourney,
    Fork,
    Jump,
    Lane,
    Node,
    Outcome,
    Slot,
    lay_out,
)


def step(node_id: str, *targets: tuple[str, str | None]) -> Node:
    return Node(node_id, tuple(Outcome(key, key.title(), target) for key, target in targets))


def test_an_empty_journey_is_one_insert_slot_and_the_end():
    layout = lay_out([])

    assert layout.start == Slot(None, None, None)
    assert layout.items == (EndOfJourney(),)


def test_a_straight_journey_is_a_column_of_cards_with_a_slot_below_each():
    layout = lay_out([step("hello", ("next", "wait")), step("wait", ("next", None))])

    assert layout.start == Slot(None, None, "hello")
    assert layout.items == (
        Card("hello", Slot("hello", "next", "wait")),
        Card("wait", Slot("wait", "next", None)),
        EndOfJourney(),
    )
    assert layout.order == ("hello", "wait")


def test_a_wait_with_a_timeout_path_opens_two_lanes_that_meet_at_the_exit():
    nodes = [
        step("hello", ("next", "wait_upload")),
        step("wait_upload", ("event", "praise"), ("timeout", "nudge")),
        step("praise", ("next", "end")),
        step("nudge", ("next", "end")),
        step("end"),
    ]

    layout = lay_out(nodes)

    fork = layout.items[1]
    assert fork == Fork(
        "wait_upload",
        (
            Lane(
                Outcome("event", "Event", "praise"),
                Slot("wait_upload", "event", "praise"),
                (Card("praise", Slot("praise", "next", "end")),),
            ),
            Lane(
                Outcome("timeout", "Timeout", "nudge"),
                Slot("wait_upload", "timeout", "nudge"),
                (Card("nudge", Slot("nudge", "next", "end")),),
            ),
        ),
        "end",
    )
    assert layout.items[2] == Card("end", None)
    assert len(layout.items) == 3
    assert layout.order == ("hello", "wait_upload", "praise", "nudge", "end")


def test_outcomes_that_go_to_the_same_step_still_get_a_lane_each():
    layout = lay_out([step("branch", ("then", "end"), ("else", "end")), step("end")])

    fork = layout.items[0]
    assert [lane.items for lane in fork.lanes] == [(), ()]
    assert [lane.slot for lane in fork.lanes] == [
        Slot("branch", "then", "end"),
        Slot("branch", "else", "end"),
    ]
    assert layout.items[1] == Card("end", None)


def test_a_lane_that_exits_leaves_the_other_lane_to_carry_on_below_the_fork():
    nodes = [
        step("split", ("a", "exit_a"), ("b", "msg")),
        step("exit_a"),
        step("msg", ("next", None)),
    ]

    layout = lay_out(nodes)

    assert layout.items == (
        Fork(
            "split",
            (
                Lane(
                    Outcome("a", "A", "exit_a"),
                    Slot("split", "a", "exit_a"),
                    (Card("exit_a", None),),
                ),
                Lane(Outcome("b", "B", "msg"), Slot("split", "b", "msg"), ()),
            ),
            "msg",
        ),
        Card("msg", Slot("msg", "next", None)),
        EndOfJourney(),
    )


def test_a_step_on_one_lane_stays_in_that_lane_when_the_other_lane_goes_straight_to_the_exit():
    # Issue 18: "Yes" → SMS → End and "No" → End meet at End; the SMS is drawn in "Yes",
    # not below both lanes as if "No" went there too.
    nodes = [
        step("branch", ("then", "sms"), ("else", "end")),
        step("sms", ("next", "end")),
        step("end"),
    ]

    layout = lay_out(nodes)

    fork = layout.items[0]
    assert [lane.items for lane in fork.lanes] == [(Card("sms", Slot("sms", "next", "end")),), ()]
    assert fork.join == "end"
    assert layout.items[1:] == (Card("end", None),)


def test_lanes_that_each_exit_end_the_canvas_there():
    nodes = [step("split", ("a", "exit_a"), ("b", "exit_b")), step("exit_a"), step("exit_b")]

    layout = lay_out(nodes)

    assert [lane.items for lane in layout.items[0].lanes] == [
        (Card("exit_a", None),),
        (Card("exit_b", None),),
    ]
    assert len(layout.items) == 1


def test_a_nested_fork_whose_lanes_never_meet_stops_at_the_outer_join():
    nodes = [
        step("outer", ("then", "inner"), ("else", "join")),
        step("inner", ("then", "quit"), ("else", "join")),
        step("quit"),
        step("join", ("next", None)),
    ]

    layout = lay_out(nodes)

    outer = layout.items[0]
    assert outer.node == "outer"
    assert outer.join == "join"
    inner = outer.lanes[0].items[0]
    assert inner.node == "inner"
    assert [lane.items for lane in inner.lanes] == [(Card("quit", None),), ()]
    assert layout.items[1] == Card("join", Slot("join", "next", None))


def test_a_loop_back_shows_as_a_jump_back():
    nodes = [
        step("remind", ("next", "wait")),
        step("wait", ("event", None), ("timeout", "remind")),
    ]

    layout = lay_out(nodes)

    fork = layout.items[1]
    assert fork.lanes[0].items == (EndOfJourney(),)
    assert fork.lanes[1].items == (Jump("remind", back=True),)


def test_a_path_into_a_step_drawn_in_another_lane_shows_a_jump_to_it():
    nodes = [
        step("branch", ("then", "a"), ("else", "b")),
        step("a", ("next", "shared")),
        step("b", ("next", "c")),
        step("shared", ("next", "end")),
        step("c", ("next", "shared2")),
        step("shared2", ("next", "end")),
        step("end"),
    ]
    # "b" also leads into "shared" through a second branch.
    nodes[2] = Node("b", (Outcome("yes", "Yes", "shared"), Outcome("no", "No", "c")))

    layout = lay_out(nodes)

    fork = layout.items[0]
    inner = fork.lanes[1].items[0]
    assert inner.lanes[0].items == (Jump("shared", back=False),)


def test_steps_nothing_leads_to_are_drawn_apart():
    nodes = [step("hello", ("next", None)), step("orphan", ("next", "hello"))]

    layout = lay_out(nodes)

    assert layout.items == (Card("hello", Slot("hello", "next", None)), EndOfJourney())
    assert layout.unconnected == (
        (Card("orphan", Slot("orphan", "next", "hello")), Jump("hello", back=False)),
    )


def test_a_path_to_a_missing_step_stops_drawing():
    layout = lay_out([step("hello", ("next", "nowhere"))])

    assert layout.items == (Card("hello", Slot("hello", "next", "nowhere")),)


def test_two_hundred_and_fifty_steps_lay_out():
    nodes = []
    for index in range(0, 250, 5):
        base = f"s{index}"
        after = f"s{index + 5}" if index + 5 < 250 else None
        nodes += [
            step(base, ("then", f"{base}a"), ("else", f"{base}b")),
            step(f"{base}a", ("next", f"{base}c")),
            step(f"{base}b", ("next", f"{base}c")),
            step(f"{base}c", ("next", f"{base}d")),
            step(f"{base}d", ("next", after)),
        ]

    layout = lay_out(nodes)

    assert len(layout.order) == 250
    assert not layout.unconnected
    assert sum(isinstance(item, Fork) for item in layout.items) == 50
