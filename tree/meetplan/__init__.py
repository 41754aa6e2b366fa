"""From advice to meetplan: the document a team leader takes to the team and the municipality.

Pure Python (no Streamlit): :mod:`.answers` (what the team tells the plan step, and its link
form), :mod:`.plan` (moments, roles and effort computed from the databank's facts),
:mod:`.document` (the plan as blocks and files) and :mod:`.guidance` (sourced general guidance).
"""

from .answers import CARRIERS, PURPOSES, READERS, PlanAnswers, from_params, to_params
from .plan import Plan, PlanItem, build_plan, default_carrier, default_instruments, role_of

__all__ = [
    "CARRIERS", "PURPOSES", "READERS", "Plan", "PlanAnswers", "PlanItem", "build_plan", "default_carrier",
    "default_instruments", "from_params", "role_of", "to_params",
]
