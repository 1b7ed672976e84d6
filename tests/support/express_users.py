"""Users of a running express_api, for tests that drive it as people do: the first admin comes from
ADMIN_USERNAME/ADMIN_PASSWORD (registration is closed by default), who creates the others."""
import requests

ADMIN = {"ADMIN_USERNAME": "root", "ADMIN_PASSWORD": "a long admin password"}
PASSWORD = "a long trading password"
TIMEOUT = 30


def login(base: str, username: str, password: str = PASSWORD) -> dict:
    """The Authorization header of a fresh login."""
    answer = requests.post(base + "/api/auth/login", json={"username": username, "password": password}, timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def admin_login(base: str) -> dict:
    return login(base, ADMIN["ADMIN_USERNAME"], ADMIN["ADMIN_PASSWORD"])


def create_user(base: str, admin: dict, username: str, role: str, password: str = PASSWORD) -> dict:
    """Created by the admin, then logged in: its Authorization header."""
    answer = requests.post(base + "/api/auth/users", json={"username": username, "password": password, "role": role},
                           headers=admin, timeout=TIMEOUT)
    assert answer.status_code == 201, answer.text
    return login(base, username, password)
