"""The Beslisboom engine: the decision tree, the instrument databank and the recommendation.

A plain Python library (no Streamlit): the web app, the CLI and the tests all drive it the
same way.
"""

from .databank import Databank, DatabankError, Problem, clear_cache, load_databank
from .recommend import Bundle, Fit, Match, Recommendation, Relaxation, count_fitting, recommend
from .schema import BRANCHES, Instrument, Taxonomy

__all__ = [
    "BRANCHES",
    "Bundle",
    "Databank",
    "DatabankError",
    "Fit",
    "Instrument",
    "Match",
    "Problem",
    "Recommendation",
    "Relaxation",
    "Taxonomy",
    "clear_cache",
    "count_fitting",
    "load_databank",
    "recommend",
]
