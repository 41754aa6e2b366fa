"""A workshop participant on a phone: join with the code, tap an answer, see the advice."""

from ui import frame, participant_views, projector

bank = frame.setup()
projector.phone()
participant_views.page(bank)
