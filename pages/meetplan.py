"""From advice to meetplan: a few questions, then the plan to take to the team and the municipality."""

from ui import frame, meetplan_views

bank = frame.setup()
meetplan_views.page(bank)
