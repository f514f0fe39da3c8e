from ideaboard.services.api_tokens import create_personal_token


def test_pages(app, factory, client, login_as):
    admin = login_as("admin")
    for path in ["/account/tokens", "/admin/tokens", "/admin/scim", "/admin/webhooks", "/admin/webhooks/deliveries"]:
        r = client.get(path)
        assert r.status_code == 200, (path, r.get_data(as_text=True)[-2000:])
    r = client.post_form("/account/tokens", {"name": "Mine", "write": "y", "expires_in_days": "30"})
    assert "ibp_" in r.get_data(as_text=True)
    r = client.post_form("/admin/webhooks", {"name": "Chat", "url": "http://127.0.0.1:9/hook", "format": "feishu", "events": ["idea.posted", "idea.decided"], "locale": "zh", "secret": "", "active": "y"})
    assert r.status_code == 302, r.get_data(as_text=True)[-3000:]
    factory.idea(title="A posted idea")
    r = client.get("/admin/webhooks/deliveries")
    body = r.get_data(as_text=True)
    assert "A posted idea" in body, body[-3000:]
    r = client.get("/admin/webhooks/1")
    assert r.status_code == 200
    r = client.get("/admin/webhooks/deliveries/1")
    print(r.get_data(as_text=True)[-1500:])
    r = client.post_form("/admin/scim", {"name": "Okta"})
    assert "ibs_" in r.get_data(as_text=True)
    r = client.get("/account/profile")
    assert "company directory" in r.get_data(as_text=True)
