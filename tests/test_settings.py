"""Settings: defaults from ARCHITECTURE.md, and a bad value stops start-up naming the variable."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from python_service import create_app
from python_service.settings import Settings, SettingsError, mask_url, mask_urls_in


def test_defaults_are_the_documented_ones():
    settings = Settings.from_env({})

    assert settings.base_url == "https://api.binance.com"
    assert settings.futures_base_url == "https://fapi.binance.com"
    assert (settings.timeout_s, settings.max_attempts, settings.port) == (5.0, 3, 5001)
    assert settings.fallback_data_dir == "fallback_data"
    assert settings.proxy_url is None and settings.cache_redis_url is None and not settings.testnet


def test_testnet_switches_both_roots_unless_a_root_is_given_explicitly():
    testnet = Settings.from_env({"BINANCE_TESTNET": "true"})
    explicit = Settings.from_env({"BINANCE_TESTNET": "true", "BINANCE_BASE_URL": "http://127.0.0.1:9100/"})

    assert (testnet.base_url, testnet.futures_base_url) == ("https://testnet.binance.vision",
                                                            "https://testnet.binancefuture.com")
    assert explicit.base_url == "http://127.0.0.1:9100" and explicit.testnet


@pytest.mark.parametrize("name, value", [
    ("BINANCE_BASE_URL", "not a url"), ("BINANCE_BASE_URL", "ftp://api.binance.com"),
    ("BINANCE_FUTURES_BASE_URL", "http://"), ("BINANCE_TESTNET", "maybe"),
    ("BINANCE_PROXY_URL", "ftp://proxy:21"), ("BINANCE_PROXY_URL", "socks5://proxy"),
    ("BINANCE_PROXY_URL", "http://u:p@proxy:notaport"), ("BINANCE_TIMEOUT_S", "-1"),
    ("BINANCE_TIMEOUT_S", "fast"), ("BINANCE_TIMEOUT_S", "nan"), ("BINANCE_MAX_ATTEMPTS", "0"),
    ("BINANCE_MAX_ATTEMPTS", "2.5"), ("CACHE_REDIS_URL", "http://localhost:6379"), ("GATEWAY_PORT", "70000"),
])
def test_a_bad_value_raises_an_error_naming_the_variable(name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_an_error_about_a_proxy_url_never_shows_its_password():
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"BINANCE_PROXY_URL": "ftp://bob:hunter2@proxy:21"})

    assert "hunter2" not in str(caught.value) and "bob" not in str(caught.value)
    assert "***@proxy" in str(caught.value)


def test_create_app_with_a_bad_setting_fails_naming_the_variable():
    with pytest.raises(SettingsError, match="BINANCE_TIMEOUT_S"):
        create_app({"BINANCE_TIMEOUT_S": "-5"})


@pytest.mark.parametrize("url, shown", [
    ("socks5h://bob:s3cr@t/x@proxy:1080", "socks5h://***@proxy:1080"),
    ("http://proxy:3128", "http://proxy:3128"),
    ("http://:onlypass@proxy:3128", "http://***@proxy:3128"),
    ("http://TOKEN-in-the-user-name@proxy:3128", "http://***@proxy:3128"),  # many providers put the key here
    (None, None),
])
def test_mask_url_hides_the_whole_userinfo_even_with_odd_characters(url, shown):
    assert mask_url(url) == shown


CONTROLS = ["\n", "\r", "\t", "\x00", "\x1b", "\x1f", "\x7f", "\x85", "\x9f", "\u2028", "\u2029"]


@pytest.mark.parametrize("control", CONTROLS)
def test_a_url_with_a_control_character_stops_start_up_without_showing_the_password(control):
    with pytest.raises(SettingsError, match="BINANCE_PROXY_URL must not contain control characters") as caught:
        Settings.from_env({"BINANCE_PROXY_URL": f"socks5h://bob:hun{control}ter2@proxy:1080"})

    assert "hun" not in str(caught.value) and "bob" not in str(caught.value)
    with pytest.raises(SettingsError, match="CACHE_REDIS_URL must not contain control characters"):
        Settings.from_env({"CACHE_REDIS_URL": f"redis://:hun{control}ter2@cache:6379/0"})


# What a user name or password may hold: anything but control characters, which the settings refuse.
CREDENTIAL = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1)


# the settings accept each (after '/', '?' or '#' urlsplit sees a host "bob" and a port 1)
@pytest.mark.parametrize("password", ["p ss", "p@ss", "p'ss", "1/p ss", "1#p ss", "1?p@s s/x#y'z"])
def test_every_password_the_settings_accept_is_masked_in_messages_too(password):
    url = f"socks5h://bob:{password}@127.0.0.1:1080"
    assert Settings.from_env({"BINANCE_PROXY_URL": url}).proxy_url == url

    assert mask_url(url) == "socks5h://***@127.0.0.1:1080"
    assert mask_urls_in(f"ProxyError: {url} refused") == "ProxyError: socks5h://***@127.0.0.1:1080 refused"


@given(user=CREDENTIAL.filter(lambda user: ":" not in user), password=CREDENTIAL,
       before=st.text(st.characters(blacklist_characters=":@\r\n")),
       after=st.text(st.characters(blacklist_characters="@\r\n")))
def test_mask_url_and_mask_urls_in_never_show_a_user_name_or_password(user, password, before, after):
    url, shown = f"socks5h://{user}:{password}@127.0.0.1:1080", "socks5h://***@127.0.0.1:1080"

    assert mask_url(url) == shown
    assert mask_urls_in(f"{before}{url}{after}") == f"{before}{shown}{after}"
    assert mask_urls_in(f"{before}{url}\n{url}{after}") == f"{before}{shown}\n{shown}{after}"  # each line's own
