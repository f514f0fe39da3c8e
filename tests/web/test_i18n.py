"""English and Simplified Chinese: user setting, then visitor choice, then the browser."""
from tests.conftest import sign_in


def lang(page) -> str:
    text = page.get_data(as_text=True)
    return "zh" if 'lang="zh-Hans"' in text else "en"


def test_browser_language_is_used_for_visitors(client):
    assert lang(client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})) == "zh"
    assert lang(client.get("/", headers={"Accept-Language": "en-GB"})) == "en"
    assert lang(client.get("/", headers={"Accept-Language": "fr"})) == "en"


def test_chinese_strings_come_from_the_compiled_catalog(client):
    page = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "Share an idea" not in page
    assert "What would make us better?" not in page


def test_visitor_switches_language_in_the_session(client):
    client.post_form("/language", {"locale": "zh", "next": "/ideas"})
    assert lang(client.get("/", headers={"Accept-Language": "en"})) == "zh"


def test_user_setting_wins_over_the_browser(client, factory):
    user = factory.user(locale="zh")
    sign_in(client, user)
    assert lang(client.get("/", headers={"Accept-Language": "en"})) == "zh"
    client.post_form("/language", {"locale": "en"})
    assert lang(client.get("/", headers={"Accept-Language": "zh-CN"})) == "en"
