# The Beslisboom app as one container: `streamlit run app.py` on port 8501.
# compose.yaml runs two of these behind HAProxy with PostgreSQL; see README "Deploy / Hosting".
# tests/test_deploy.py checks this file against the repository (sources exist, not ignored,
# pinned requirements, health check, non-root user).

# Debian bookworm, as on the machines that run the tests (HAProxy 2.6, PostgreSQL 15).
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# git: curator saves are git commits when the databank volume is a git working copy, and
# BESLISBOOM_GIT_SYNC pushes them (see README "Curators"). Nothing else from Debian is needed:
# every Python dependency ships a wheel (psycopg's includes libpq).
RUN apt-get update \
    && apt-get install -y --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/*

# The app runs as this user, never as root. A fixed uid lets a host or an orchestrator
# (runAsNonRoot) see that, and lets an operator chown a bind mount to it.
RUN groupadd --gid 10001 app && useradd --uid 10001 --gid app --create-home --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so a code change does not reinstall them: the pinned runtime list, with
# every transitive dependency held to requirements.lock (uv pip compile), so two builds a month
# apart install the same versions.
COPY requirements.txt requirements.lock ./
RUN pip install --no-cache-dir -r requirements.txt -c requirements.lock

# The code and Streamlit's settings belong to root: the app user can read them, not change them.
COPY app.py ./
COPY .streamlit/config.toml .streamlit/config.toml
COPY pages/ pages/
COPY ui/ ui/
COPY tree/ tree/
# The shipped databank, owned by the app user: curators write to it. compose.yaml mounts a
# volume here, which Docker fills from this folder on first start and keeps from then on.
COPY --chown=app:app instruments/ instruments/

# Bytecode once, at build time (the code folder is not writable at run time). Then the folders
# the app writes: the open data (served at /app/static/open-data/) and the SQLite room store
# (used only without BESLISBOOM_DATABASE_URL).
RUN python -m compileall -q app.py pages ui tree \
    && mkdir -p static/open-data var \
    && chown app:app static/open-data var

ENV PYTHONDONTWRITEBYTECODE=1
USER 10001:10001
EXPOSE 8501

# Streamlit's own health endpoint answers "ok" once the server is up; HAProxy checks the same one.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=2).read() != b'ok')"]

# Check the deployment first (databank, room store with its migrations, curator access, open
# data folder): a replica with a broken set-up exits with one line per problem instead of taking
# traffic. Then write the open data, so it is there before the first visitor opens a page (the
# app keeps it current from then on).
CMD ["sh", "-c", "python -m tree check-config --upgrade || exit 1; python -m tree open-data; exec streamlit run app.py --server.port=8501 --server.address=0.0.0.0 --browser.gatherUsageStats=false"]
