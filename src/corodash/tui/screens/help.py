"""The ``?`` screen: every key, what it does."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

HELP = """\
[b]corodash keys[/b]

[b]Drive the selected task[/b] (with none selected: the newest live one)
  n      next()     run a generator or iterator to its next value
  s      send()     resume a generator with a value (a Python literal)
  t      throw()    raise an exception inside a generator
  x      close()    close a generator
  w      switch()   switch into the selected greenlet

[b]Run the program[/b]
  space  step one event     c  continue     p  pause
  u      run to the selected task's next event
  b      a breakpoint on the source pane's line (again: removes it);
         the program stops there before the line runs
  B      the breakpoints: off/on, remove; add one on a yield of the
         selected task, a switch into it, or a block of gevent's hub
  h      steps stop at switches into gevent's hub too (again: not)
  m      patch mode auto → on → off (restarts in a fresh agent)
  r      restart            e  export the trace (JSON Lines, Chrome)
  v      compare the program patched and unpatched, side by side

[b]Go back in time[/b] (history: every pane as of an event; the program waits)
  [ ]    one event back, forward     { }  the selected task's previous, next
  < >    the previous, next switch   '    where the yield's value came from
  .      back to the present (drive keys work there again)

[b]Look around[/b]
  ↑ ↓    choose a task      tab  the next pane (source: a line cursor)
  f      only the selected task's events (again: all)
  k      cycle the kinds of events shown
  /      search the events or output; n, N: next and previous match
  1 2 3  the Events, Output and Timeline tabs (g: the timeline too;
         there + - zoom, ← → scroll)
  o      the source pane's file in $EDITOR at its line
  z      the focused pane fills the screen (z or escape: back)
  ctrl+p the command palette: every action by name
  ?      this help          escape  the gallery of demos
  q      quit (ends the program: no process is left behind)

Drive commands run your code at any stop: after a step, a pause,
or the end of the top level; what they cause is recorded like the
program's own events. Time spent stopped is not the program's: it
counts in no elapsed time and is never a block.

When the program waits for a line of input, the Output tab opens
with a line entry under its prompt: type the line, then Enter;
escape leaves the entry.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static(HELP)


def open_help(app: App) -> None:
    """Help is made once and kept: composing it again cost half of each opening."""
    if not app.is_screen_installed("help"):
        app.install_screen(HelpScreen(), "help")
    app.push_screen("help")
