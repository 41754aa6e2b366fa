"""The Streamlit shell shared by the pages: state, frame and the reusable views.

Everything here asks, calls ``tree`` and shows; decisions live in ``tree``.
"""
