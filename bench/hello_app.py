"""The bare Flask app every page is compared with: one route, no extension, no template."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    return "Hello, World!"
