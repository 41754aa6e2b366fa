"""A databank that learns from practice: fault reports, experiences and proposals from visitors,
public only after a curator approved them (:mod:`.submissions` checks, :mod:`.store` keeps,
:mod:`.guard` rate-limits)."""
