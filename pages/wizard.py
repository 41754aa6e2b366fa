"""The team leader's walk: start → five questions → explained results."""

from tree import BRANCHES
from ui import frame, practice_views, state, wizard_views

bank = frame.setup()
step = state.ss.step
if step == state.START:
    wizard_views.start(bank)
elif step <= len(BRANCHES):
    wizard_views.question(bank, step)
    practice_views.footer(bank, state.lang(), "question")
else:
    wizard_views.results(bank)
state.sync_url()
