"""Who is asking, as far as a rate limit needs to know: the browser's network address.

Behind a load balancer every request comes from the balancer, so the address it forwards is
used when ``BESLISBOOM_TRUST_PROXY=1`` says a trusted proxy sits in front (otherwise anyone could
send a made-up header to get a fresh budget). Without an address (AppTest) the session counts.
"""

from __future__ import annotations

import os

import streamlit as st


def client_id() -> str:
    if os.environ.get("BESLISBOOM_TRUST_PROXY") == "1":
        forwarded = st.context.headers.get("X-Forwarded-For", "") if st.context.headers else ""
        first = forwarded.split(",")[0].strip()
        if first:
            return first[:64]
    ip = getattr(st.context, "ip_address", None)
    if ip:
        return str(ip)
    if "_client_fallback" not in st.session_state:
        st.session_state._client_fallback = "sessie-" + os.urandom(6).hex()
    return st.session_state._client_fallback
