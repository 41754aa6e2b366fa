"""The team leader's walk: start → five questions → explained results."""

from tree import BRANCHES
from ui import frame, state, views

bank = frame.setup()
step = state.ss.step
if step == state.START:
    views.start(bank)
elif step <= len(BRANCHES):
    views.question(bank, step)
else:
    views.results(bank)
state.sync_url()
