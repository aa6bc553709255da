"""The selected task's stack and locals, as a tree: each frame of the stack can be chosen
(Enter: its locals and line), and a local that holds an object or a container opens into its
attributes or items, fetched from the agent when opened (under the same repr limits)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

Ask = Callable[..., bool]
"""The dashboard's ``command(name, *args, then=...)``."""


@dataclass
class Place:
    """What a node stands for: a frame of the stack, or a part of one of its locals."""

    frame: int
    path: tuple[str, ...] = ()
    loaded: bool = False


class FrameView(Tree[Place]):
    # Every node added, and a new virtual size, asks Tree for a layout of the whole screen
    # by default: a third of the UI's time in a run of drive commands. The pane's own size
    # never changes, so a repaint and its scrollbars are enough (overrides of the pinned
    # Textual version's internals, as in TailLog).
    virtual_size = Reactive(Size(0, 0), layout=False)

    def watch_virtual_size(self, size: Size) -> None:
        self._scroll_update(size)

    def _invalidate(self) -> None:
        self._clear_line_cache()
        self._updates += 1
        self.root._reset()
        self.refresh()

    @dataclass
    class FrameShown(Message):
        """Another frame of the stack was chosen: the source pane follows its line."""

        file: str
        line: int

    def __init__(self, ask: Ask, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.ask = ask
        self.show_root = True
        self.task_id: int | None = None
        self.guide_depth = 2
        self._greyed = False
        self._body: dict[str, Any] | None = None
        """What the nodes under the root were built from: kept when only the state changes
        and nothing was fetched into them since (a value opened then may have changed)."""

    @property
    def text(self) -> str:
        """Every line on show, as plain text (for tests and screen readers)."""
        lines: list[str] = []

        def walk(node: TreeNode[Place], depth: int) -> None:
            lines.append("  " * depth + str(node.label))
            if node.is_expanded:
                for child in node.children:
                    walk(child, depth + 1)

        walk(self.root, 0)
        return "\n".join(lines)

    def show(self, where: dict[str, Any] | None, label: str | None = None) -> None:
        """``label``: the name the other panes show the task by. When only the task's state
        changed (a step through history, a switch), only the root's line is redrawn, and
        the frames and values the user opened stay open."""
        if where is None:
            self.clear()
            self._body = None
            self.root.set_label("")
            self.task_id = None
            return
        state = where.get("state") or ""
        # A suspended frame stays in view, greyed, saying what resumes it.
        waiting = where.get("waiting")
        said = (waiting, "italic grey62") if waiting else (state, "")
        body = {k: v for k, v in where.items() if k not in ("state", "waiting")}
        if body == self._body:  # _body is None once the agent was asked for more
            self.root.set_label(Text.assemble((label or where["name"], "bold"), "  ", said))
            if bool(waiting) != self._greyed:
                self._greyed = bool(waiting)
                frames = [node for node in self.root.children if node.data is not None]
                for node, frame in zip(frames, where["stack"], strict=False):
                    node.set_label(_frame_label(frame, self._greyed))
            return
        self.clear()
        self._greyed = bool(waiting)
        self._body = body
        self.task_id = where.get("task")
        self.root.set_label(Text.assemble((label or where["name"], "bold"), "  ", said))
        chosen = where.get("frame")
        if not where["stack"]:
            self.root.add_leaf(Text("(not running: no frame)", style="grey50"))
        for index, frame in enumerate(where["stack"]):
            node = self.root.add(
                _frame_label(frame, self._greyed),
                Place(index, loaded=index == chosen),
                expand=index == chosen,
                allow_expand=True,
            )
            if index == chosen:
                self._add_locals(node, where)
        self.root.expand()

    def _add_locals(self, node: TreeNode[Place], where: dict[str, Any]) -> None:
        openable = set(where.get("open", ()))
        frame = node.data.frame if node.data else 0
        if where.get("locals_recorded") is False:
            node.add_leaf(Text("(locals not recorded here: --record-locals)", style="grey50"))
        elif not where["locals"]:
            node.add_leaf(Text("(no locals)", style="grey50"))
        elif where.get("locals_seq") is not None:
            node.add_leaf(Text(f"(as recorded at event {where['locals_seq']})", style="grey50"))
        for name, value in where["locals"].items():
            label = Text.assemble((name, "cyan"), f" = {value}")
            node.add(label, Place(frame, (name,)), allow_expand=name in openable)

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[Place]) -> None:
        """A frame or a value opened: its contents are asked for the first time."""
        event.stop()
        node, place = event.node, event.node.data
        if place is None or place.loaded or self.task_id is None:
            return
        place.loaded = True
        if not place.path:
            self._ask_frame(node, place.frame)
            return

        def parts_arrived(data: dict[str, Any]) -> None:
            self._parts_arrived(node, data)

        self.ask("expand", self.task_id, place.frame, *place.path, then=parts_arrived)

    def on_tree_node_selected(self, event: Tree.NodeSelected[Place]) -> None:
        """Enter on a frame: its locals, and the source pane at its line."""
        event.stop()
        place = event.node.data
        if place is not None and not place.path and self.task_id is not None:
            self._ask_frame(event.node, place.frame)

    def _ask_frame(self, node: TreeNode[Place], frame: int) -> None:
        def frame_arrived(where: dict[str, Any]) -> None:
            self._frame_arrived(node, where)

        self.ask("where", self.task_id, frame, then=frame_arrived)

    def _frame_arrived(self, node: TreeNode[Place], where: dict[str, Any]) -> None:
        self._body = None
        node.remove_children()
        self._add_locals(node, where)
        node.expand()
        source = where.get("source")
        if source:
            self.post_message(self.FrameShown(source["file"], source["line"]))

    def _parts_arrived(self, node: TreeNode[Place], data: dict[str, Any]) -> None:
        place = node.data
        assert place is not None
        self._body = None
        node.remove_children()
        if not data["parts"]:
            node.add_leaf(Text("(empty)", style="grey50"))
        for token, name, value, opens in data["parts"]:
            label = Text.assemble((name, "cyan"), f" = {value}")
            node.add(label, Place(place.frame, (*place.path, token)), allow_expand=opens)


def _frame_label(frame: dict[str, Any], greyed: bool) -> Text:
    """A frame of the stack: library frames, and a suspended task's, in grey."""
    place = f"{os.path.basename(frame['file'])}:{frame['line']} {frame['function']}"
    return Text(place, style="" if frame["user"] and not greyed else "grey50")
