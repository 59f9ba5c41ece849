"""The browser tests' passkeys: Chromium's virtual authenticator (the DevTools protocol's
WebAuthn domain, through Playwright), one per page, that makes and uses passkeys as a device's
platform authenticator would (user verified), so the portal's pages and passkeys.mjs run as a
person's browser runs them.

The high-risk actions (unmasking, approving an anonymity application, overriding a disclosure
match, administering accounts) ask for a passkey at step-up: ``submit_with_passkey`` submits
such an action and answers the prompt, registering a passkey in the prompt first if the user has
none (what was typed is carried through, as the portal promises).

A user's passkeys are one device's, whichever page uses them: every passkey made on a page is
kept here (its private key, from the authenticator) and put into the authenticator of the page
that answers next, with the latest signature counter (a counter that went back would be refused
as a cloned authenticator, rightly).
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import CDPSession, Locator, Page, expect

from e2e.support.journeys import submit

PROMPT = "Confirm it is you with a passkey"
_AUTHENTICATORS: dict[int, tuple[CDPSession, str]] = {}
_KNOWN: dict[str, dict[str, Any]] = {}  # every passkey made, by credential id


def virtual_authenticator(page: Page) -> str:
    """Give ``page`` a virtual authenticator (once); returns its id."""
    known = _AUTHENTICATORS.get(id(page))
    if known is not None:
        return known[1]
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added: dict[str, Any] = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    _AUTHENTICATORS[id(page)] = (cdp, added["authenticatorId"])
    return str(added["authenticatorId"])


def credentials(page: Page) -> list[dict[str, Any]]:
    """The passkeys the page's virtual authenticator holds (with their sign counts)."""
    cdp, authenticator_id = _AUTHENTICATORS[id(page)]
    found: dict[str, Any] = cdp.send(
        "WebAuthn.getCredentials", {"authenticatorId": authenticator_id}
    )
    return list(found["credentials"])


def _learn(page: Page) -> None:
    for credential in credentials(page):
        _KNOWN.pop(credential["credentialId"], None)  # the latest learned comes last
        _KNOWN[credential["credentialId"]] = credential


def learn(page: Page) -> None:
    """Keep the page's passkeys and their counters after a test used one by hand, so the next
    page that answers for the same user does not offer a counter that went back."""
    _learn(page)


def _share(page: Page) -> None:
    """Put the user's passkeys made so far into this page's authenticator, counters up to date.
    A platform authenticator holds one discoverable passkey per site and user (adding a second
    is refused), so when a user registered more than one, the latest learned is the one given."""
    cdp, authenticator_id = _AUTHENTICATORS[id(page)]
    chosen: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for credential_id, credential in _KNOWN.items():
        chosen[(credential.get("rpId", ""), credential.get("userHandle", ""))] = (
            credential_id,
            credential,
        )
    for held in credentials(page):
        cdp.send(
            "WebAuthn.removeCredential",
            {"authenticatorId": authenticator_id, "credentialId": held["credentialId"]},
        )
    for _credential_id, credential in chosen.values():
        cdp.send(
            "WebAuthn.addCredential",
            {"authenticatorId": authenticator_id, "credential": credential},
        )


def answer_with_passkey(page: Page, button: str = "Use your passkey") -> None:
    """On a page that asks for a passkey (sign-in or a prompt): this page's authenticator gets
    the user's passkeys, the button is pressed, and the new counter is kept."""
    virtual_authenticator(page)
    _share(page)
    submit(page, page.get_by_role("button", name=button))
    _learn(page)


def register_on_account_page(page: Page) -> None:
    """Register a passkey on Your passkeys (the page is open)."""
    virtual_authenticator(page)
    submit(page, page.get_by_role("button", name="Register a passkey"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Passkey registered"
    )
    _learn(page)


def confirm_with_passkey(page: Page) -> bool:
    """On the passkey prompt: register one there if need be, then use it; True if asked."""
    if not page.get_by_role("heading", level=1, name=PROMPT).count():
        return False
    virtual_authenticator(page)
    register = page.get_by_role("button", name="Register a passkey")
    if register.count():
        submit(page, register)
        expect(page.get_by_role("heading", level=1)).to_have_text(PROMPT)
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            "Passkey registered"
        )
        _learn(page)
    _share(page)
    submit(page, page.get_by_role("button", name="Use your passkey"))
    _learn(page)
    return True


def submit_with_passkey(page: Page, control: Locator) -> None:
    """Submit a high-risk action, then answer its passkey prompt if it asks."""
    submit(page, control)
    confirm_with_passkey(page)
