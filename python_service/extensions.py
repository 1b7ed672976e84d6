"""Flask extensions, created unbound and bound to each app in create_app."""
from flask_caching import Cache

cache = Cache()
