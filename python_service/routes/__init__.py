"""One blueprint per resource."""
from werkzeug.routing import PathConverter


class AnythingConverter(PathConverter):
    """Any text, slashes and newlines included, so that the view (not the router)
    rejects a malformed symbol with the error shape clients expect."""

    regex = r"[\s\S]+?"
    part_isolating = False
