"""The baseline of ``make bench``: a bare Flask "hello world", served by the same gunicorn and loaded by
the same wrk as the portal in the same run, so each page's requests/s reads as a share of it."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, world!"
