"""The interactive API docs work in a browser with no network beyond the app (Swagger UI is vendored)."""

from playwright.sync_api import expect


def test_the_api_docs_load_from_the_app_alone(page, live_server, screenshot):
    # The page fixture fails the test on any console error (a CSP violation is one) or foreign request.
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Shenhe environmental remediation API")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/cases/{number}/dispatch/")).to_be_visible()
    screenshot(page, "api-docs")
