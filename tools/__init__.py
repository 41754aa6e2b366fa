"""Helpers for developers: starting the app for browser tests, screenshots and load runs."""
