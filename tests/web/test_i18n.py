"""English and Simplified Chinese: user setting, then visitor choice, then the browser."""
from tests.conftest import sign_in


def lang(page) -> str:
    text = page.get_data(as_text=True)
    return "zh" if 'lang="zh-Hans"' in text else "en"


def test_browser_language_is_used_for_visitors(client):
    """Visitors land on the sign-in page (sign in to read), in their browser's language."""
    assert lang(client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"})) == "zh"
    assert lang(client.get("/login", headers={"Accept-Language": "en-GB"})) == "en"
    assert lang(client.get("/login", headers={"Accept-Language": "fr"})) == "en"


def test_chinese_strings_come_from_the_compiled_catalog(client, login_as):
    login_as("employee")
    page = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "Share an idea" not in page
    assert "What would make us better?" not in page


def test_visitor_switches_language_in_the_session(client):
    client.post_form("/language", {"locale": "zh", "next": "/ideas"})
    assert lang(client.get("/login", headers={"Accept-Language": "en"})) == "zh"


def test_user_setting_wins_over_the_browser(client, factory):
    user = factory.user(locale="zh")
    sign_in(client, user)
    assert lang(client.get("/", headers={"Accept-Language": "en"})) == "zh"
    client.post_form("/language", {"locale": "en"})
    assert lang(client.get("/", headers={"Accept-Language": "zh-CN"})) == "en"


def test_wtforms_own_messages_follow_the_request_language(app, monkeypatch):
    """WTForms' built-in messages come from its catalog, loaded once per worker and language
    (ideaboard/catalog.py), not once per request, but chosen per request."""
    from babel.support import Translations
    from flask_wtf import FlaskForm
    from wtforms import StringField
    from wtforms.validators import DataRequired

    class NameForm(FlaskForm):
        class Meta:
            csrf = False
        name = StringField(validators=[DataRequired()])

    from ideaboard import catalog
    monkeypatch.setattr(catalog, "_wtforms_catalogs", {})
    loads = []
    load = Translations.load.__func__

    def counting_load(cls, dirname=None, locales=None, domain=None):
        if domain == "wtforms":
            loads.append(locales)
        return load(cls, dirname, locales, domain)

    monkeypatch.setattr(Translations, "load", classmethod(counting_load))
    for language, expected in (("zh-CN", "该字段是必填字段。"), ("en", "This field is required."),
                               ("zh-CN", "该字段是必填字段。"), ("en", "This field is required.")):
        with app.app_context(), app.test_request_context(  # a fresh g, as in a real request
                "/", method="POST", data={"name": ""}, headers={"Accept-Language": language}):
            app.preprocess_request()
            form = NameForm()
            assert not form.validate()
            assert form.name.errors == [expected]
    assert len(loads) == 2  # one per language, not one per request
