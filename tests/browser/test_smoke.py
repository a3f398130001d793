"""The login page renders in a real browser from local files only."""

from urllib.parse import urlsplit

BOOTSTRAP_CSS_PATH = "/static/vendor/bootstrap/bootstrap.min.css"


def test_login_page_renders_offline(page, live_server):
    requested = []
    page.on("requestfinished", lambda request: requested.append(request))

    response = page.goto(f"{live_server.url}/accounts/login/")
    page.wait_for_load_state("load")

    assert response is not None
    assert response.status == 200
    assert "Work Off Plans" in page.title()

    server = urlsplit(live_server.url).netloc
    outside = [r.url for r in requested if urlsplit(r.url).netloc != server]
    assert outside == []

    bootstrap = [r for r in requested if urlsplit(r.url).path == BOOTSTRAP_CSS_PATH]
    assert len(bootstrap) == 1
    assert bootstrap[0].response().status == 200
