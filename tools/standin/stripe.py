"""A Stripe stand-in inside the AI stand-in's process: the few API calls billing makes,
the pages a browser visits, and signed webhook events sent to the functions emulator.

API (form-encoded like Stripe, `Authorization: Bearer <secret key>`, Stripe's error
shape), under `/stripe` (the SDK's base URL is `http://127.0.0.1:8790/stripe`):

    POST /stripe/v1/customers                  (Idempotency-Key honoured)
    POST /stripe/v1/checkout/sessions          mode=subscription, one line item
    POST /stripe/v1/billing_portal/sessions
    GET  /stripe/v1/subscriptions/{id}         the subscription as it is now
    DELETE /stripe/v1/customers/{id}           the customer is deleted: its subscriptions
                                               end now (`canceled`), its open checkout
                                               sessions expire; {id, deleted: true}, then
                                               `customer.subscription.deleted` (each) and
                                               `customer.deleted` are sent; unknown or
                                               deleted before: 404

Pages (what Stripe's hosted pages do, in one click each):

    GET  /stripe/pay/{session}     a Pay button; POST pays: the subscription is created
                                   (active), `customer.subscription.created` and
                                   `checkout.session.completed` are sent, 303 success_url
    GET  /stripe/portal/{session}  a Cancel button; POST .../cancel sets
                                   cancel_at_period_end, sends `...updated`, 303 return_url

Control (`/_standin/stripe`), for tests that need what Stripe does on its own:

    GET    /_standin/stripe                          everything: objects, events, deliveries
    DELETE /_standin/stripe                          forget everything
    POST   /_standin/stripe/config                   {webhookUrl?, webhookSecret?, secretKey?}
    POST   /_standin/stripe/subscriptions/{id}       {status?, cancelAtPeriodEnd?, type?,
                                                     created?, hold?}: change it, send an event
    POST   /_standin/stripe/subscriptions/{id}/advance   the period ends: cancelled at period
                                                     end -> `canceled` + `...deleted`; else
                                                     renewed + `...updated`
    POST   /_standin/stripe/events                   {type, subscription?, object?, created?,
                                                     hold?}: any event
    POST   /_standin/stripe/deliver                  {eventIds, signature?: "valid"|"forged"|
                                                     "stale"}: (re)send, in that order

Every event-making route answers `{events: [...], deliveries: [...]}`; `hold: true` makes
the events without sending them (send them later, in any order, with /deliver). Events are
signed as Stripe signs them: `Stripe-Signature: t=<ts>,v1=<HMAC-SHA256 hex of
"<ts>.<body>">` with the webhook secret.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
import json
import re
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Final

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

# The local stack's values (tools/stack.py gives the functions the same ones): development
# values that open nothing but this stand-in.
LOCAL_SECRET_KEY: Final = "sk_test_aura_local_standin"  # noqa: S105
LOCAL_WEBHOOK_SECRET: Final = "whsec_aura_local_standin"  # noqa: S105
LOCAL_PRO_PRICE: Final = "price_aura_pro"  # functions/params.py STRIPE_PRO_PRICE default
API_VERSION: Final = "2026-10-28.endive"
PERIOD_S: Final = 30 * 86_400
DELIVERY_TIMEOUT_S: Final = 60
STALE_SIGNATURE_S: Final = 3_600  # "stale" deliveries are signed this long ago


def decode_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding back into JSON: `a[b][0][c]=v` -> {a: {b: [{c: v}]}}."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = [key.split("[", 1)[0], *re.findall(r"\[([^\]]*)\]", key)]
        node = root
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            node = child if isinstance(child, dict) else {}
        node[parts[-1]] = value
    decoded: dict[str, Any] = _lists(root)
    return decoded


def _lists(node: Any) -> Any:
    """Maps whose keys are all indexes become lists."""
    if not isinstance(node, dict):
        return node
    converted = {key: _lists(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


def sign(payload: bytes, secret: str, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def _id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


class StripeError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        kind: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.kind, self.code, self.param = (
            status,
            message,
            kind,
            code,
            param,
        )

    def response(self) -> JSONResponse:
        body = {
            "error": {
                "type": self.kind,
                "message": self.message,
                "code": self.code,
                "param": self.param,
            }
        }
        return JSONResponse(body, status_code=self.status)


@dataclass
class StripeState:
    """Everything the stand-in knows; one lock guards it."""

    secret_key: str = LOCAL_SECRET_KEY
    webhook_secret: str = LOCAL_WEBHOOK_SECRET
    webhook_url: str | None = None
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    checkout_sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    portal_sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    idempotency: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            for store in (
                self.customers,
                self.checkout_sessions,
                self.portal_sessions,
                self.subscriptions,
                self.events,
                self.idempotency,
            ):
                store.clear()
            self.deliveries.clear()

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return json.loads(
                json.dumps(
                    {
                        "webhookUrl": self.webhook_url,
                        "customers": self.customers,
                        "checkoutSessions": self.checkout_sessions,
                        "portalSessions": self.portal_sessions,
                        "subscriptions": self.subscriptions,
                        "events": list(self.events.values()),
                        "deliveries": self.deliveries,
                    }
                )
            )

    def new_event(
        self, event_type: str, obj: dict[str, Any], created: int | None = None
    ) -> dict[str, Any]:
        event = {
            "id": _id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()) if created is None else created,
            "data": {"object": json.loads(json.dumps(obj))},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": event_type,
        }
        with self.lock:
            self.events[event["id"]] = event
        return event


class StripeStandin:
    """The handlers; one per app."""

    def __init__(self, state: StripeState) -> None:
        self.state = state

    # --- plumbing ---------------------------------------------------------------------

    def _authorise(self, request: Request) -> None:
        given = request.headers.get("authorization", "")
        if given != f"Bearer {self.state.secret_key}":
            raise StripeError(401, "Invalid API Key provided.", code="api_key_invalid")

    async def _form(self, request: Request) -> dict[str, Any]:
        raw = (await request.body()).decode()
        return decode_form(urllib.parse.parse_qsl(raw, keep_blank_values=True))

    async def _api(self, request: Request, handler: Any) -> Response:
        try:
            self._authorise(request)
            key = request.headers.get("idempotency-key")
            if request.method == "POST" and key:
                scoped = f"{request.url.path}:{key}"
                with self.state.lock:
                    if scoped in self.state.idempotency:
                        return JSONResponse(
                            self.state.idempotency[scoped], headers={"idempotent-replayed": "true"}
                        )
            body = await handler(request)
            if request.method == "POST" and key:
                with self.state.lock:
                    body = self.state.idempotency.setdefault(scoped, body)
            return JSONResponse(body, headers={"request-id": _id("req")})
        except StripeError as exc:
            return exc.response()

    def _required(self, form: dict[str, Any], name: str) -> Any:
        if not form.get(name):
            raise StripeError(
                400, f"Missing required param: {name}.", code="parameter_missing", param=name
            )
        return form[name]

    def _customer(self, customer_id: str, param: str = "customer") -> dict[str, Any]:
        customer = self.state.customers.get(customer_id)
        if customer is None or customer.get("deleted"):
            raise StripeError(
                400, f"No such customer: '{customer_id}'", code="resource_missing", param=param
            )
        return customer

    # --- API --------------------------------------------------------------------------

    async def create_customer(self, request: Request) -> Response:
        async def handle(req: Request) -> dict[str, Any]:
            form = await self._form(req)
            customer = {
                "id": _id("cus"),
                "object": "customer",
                "email": form.get("email"),
                "metadata": form.get("metadata") or {},
                "created": int(time.time()),
                "livemode": False,
            }
            with self.state.lock:
                self.state.customers[customer["id"]] = customer
            return customer

        return await self._api(request, handle)

    async def create_checkout_session(self, request: Request) -> Response:
        async def handle(req: Request) -> dict[str, Any]:
            form = await self._form(req)
            if form.get("mode") != "subscription":
                raise StripeError(
                    400, "The stand-in only makes subscription sessions.", param="mode"
                )
            self._customer(str(self._required(form, "customer")))
            items = form.get("line_items") or []
            if not isinstance(items, list) or len(items) != 1 or not items[0].get("price"):
                raise StripeError(
                    400, "One line item with a price is required.", param="line_items"
                )
            for name in ("success_url", "cancel_url"):
                self._required(form, name)
            session_id = _id("cs_test")
            session = {
                "id": session_id,
                "object": "checkout.session",
                "mode": "subscription",
                "status": "open",
                "customer": form["customer"],
                "client_reference_id": form.get("client_reference_id"),
                "success_url": form["success_url"],
                "cancel_url": form["cancel_url"],
                "price": items[0]["price"],
                "subscription_metadata": (form.get("subscription_data") or {}).get("metadata")
                or {},
                "subscription": None,
                "url": f"{str(req.base_url).rstrip('/')}/stripe/pay/{session_id}",
                "livemode": False,
            }
            with self.state.lock:
                self.state.checkout_sessions[session_id] = session
            return session

        return await self._api(request, handle)

    async def create_portal_session(self, request: Request) -> Response:
        async def handle(req: Request) -> dict[str, Any]:
            form = await self._form(req)
            customer = str(self._required(form, "customer"))
            self._customer(customer)
            session_id = _id("bps")
            session = {
                "id": session_id,
                "object": "billing_portal.session",
                "customer": customer,
                "return_url": form.get("return_url"),
                "url": f"{str(req.base_url).rstrip('/')}/stripe/portal/{session_id}",
                "livemode": False,
            }
            with self.state.lock:
                self.state.portal_sessions[session_id] = session
            return session

        return await self._api(request, handle)

    async def retrieve_subscription(self, request: Request) -> Response:
        async def handle(req: Request) -> dict[str, Any]:
            sub_id = req.path_params["id"]
            with self.state.lock:
                found = self.state.subscriptions.get(sub_id)
                if found is None:
                    raise StripeError(
                        404,
                        f"No such subscription: '{sub_id}'",
                        code="resource_missing",
                        param="id",
                    )
                return json.loads(json.dumps(found))

        return await self._api(request, handle)

    async def delete_customer(self, request: Request) -> Response:
        """Delete a customer as Stripe does; the events are sent after the answer (Stripe's
        webhooks are asynchronous: the caller is never waiting on its own webhook)."""
        customer_id = request.path_params["id"]
        now = int(time.time())
        try:
            self._authorise(request)
            with self.state.lock:
                customer = self.state.customers.get(customer_id)
                if customer is None or customer.get("deleted"):
                    raise StripeError(
                        404,
                        f"No such customer: '{customer_id}'",
                        code="resource_missing",
                        param="id",
                    )
                ended = [
                    sub
                    for sub in self.state.subscriptions.values()
                    if sub["customer"] == customer_id
                    and sub["status"] not in ("canceled", "incomplete_expired")
                ]
                for sub in ended:
                    sub.update(status="canceled", canceled_at=now, ended_at=now)
                for session in self.state.checkout_sessions.values():
                    if session["customer"] == customer_id and session["status"] == "open":
                        session["status"] = "expired"
                gone = {**customer, "deleted": True}
                self.state.customers[customer_id] = {
                    "id": customer_id,
                    "object": "customer",
                    "deleted": True,
                }
        except StripeError as exc:
            return exc.response()
        made = [self.state.new_event("customer.subscription.deleted", sub) for sub in ended]
        made.append(self.state.new_event("customer.deleted", gone))
        return JSONResponse(
            {"id": customer_id, "object": "customer", "deleted": True},
            headers={"request-id": _id("req")},
            background=BackgroundTask(self.deliver, made),
        )

    async def unknown(self, request: Request) -> Response:
        return StripeError(
            404, f"Unrecognized request URL ({request.method}: {request.url.path})."
        ).response()

    # --- webhooks ---------------------------------------------------------------------

    def _post(self, event: dict[str, Any], signature: str) -> dict[str, Any]:
        payload = json.dumps(event, indent=2).encode()
        now = int(time.time())
        signed_at = now - STALE_SIGNATURE_S if signature == "stale" else now
        secret = "whsec_forged" if signature == "forged" else self.state.webhook_secret
        record: dict[str, Any] = {
            "eventId": event["id"],
            "type": event["type"],
            "signature": signature,
            "at": now,
        }
        url = self.state.webhook_url
        if not url:
            record.update(status=None, error="no webhook URL configured")
            return record
        req = urllib.request.Request(
            url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": sign(payload, secret, signed_at),
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            },
        )
        try:
            with urllib.request.urlopen(req, timeout=DELIVERY_TIMEOUT_S) as resp:
                record.update(status=resp.status, body=resp.read(2_000).decode(errors="replace"))
        except urllib.error.HTTPError as exc:
            record.update(status=exc.code, body=exc.read(2_000).decode(errors="replace"))
        except OSError as exc:
            record.update(status=None, error=str(exc))
        return record

    async def deliver(
        self, events: list[dict[str, Any]], signature: str = "valid"
    ) -> list[dict[str, Any]]:
        """Send each event in order (one at a time, as a test asks for)."""
        records = []
        for event in events:
            record = await asyncio.to_thread(self._post, event, signature)
            with self.state.lock:
                self.state.deliveries.append(record)
            records.append(record)
        return records

    async def _emit(self, made: list[dict[str, Any]], hold: bool) -> JSONResponse:
        deliveries = [] if hold else await self.deliver(made)
        return JSONResponse({"events": made, "deliveries": deliveries})

    # --- objects --------------------------------------------------------------------

    def _new_subscription(self, session: dict[str, Any], status: str) -> dict[str, Any]:
        now = int(time.time())
        return {
            "id": _id("sub"),
            "object": "subscription",
            "customer": session["customer"],
            "status": status,
            "cancel_at_period_end": False,
            "cancel_at": None,
            "canceled_at": None,
            "created": now,
            "metadata": dict(session["subscription_metadata"]),
            "items": {
                "object": "list",
                "data": [
                    {
                        "id": _id("si"),
                        "object": "subscription_item",
                        "price": {
                            "id": session["price"],
                            "object": "price",
                            "recurring": {"interval": "month"},
                        },
                        "quantity": 1,
                        "current_period_start": now,
                        "current_period_end": now + PERIOD_S,
                    }
                ],
            },
            "livemode": False,
        }

    def _subscription(self, sub_id: str) -> dict[str, Any]:
        found = self.state.subscriptions.get(sub_id)
        if found is None:
            raise StripeError(404, f"No such subscription: '{sub_id}'")
        return found

    # --- pages ------------------------------------------------------------------------

    async def pay_page(self, request: Request) -> Response:
        session = self.state.checkout_sessions.get(request.path_params["id"])
        if session is None:
            return HTMLResponse("<h1>No such checkout session</h1>", status_code=404)
        cancel = html.escape(session["cancel_url"], quote=True)
        return HTMLResponse(
            "<!doctype html><title>Stripe stand-in: checkout</title>"
            f"<h1>Aura pro</h1><p>Price {html.escape(session['price'])}, monthly.</p>"
            f'<form method="post"><button type="submit">Pay</button></form>'
            f'<p><a href="{cancel}">Cancel</a></p>'
        )

    async def pay(self, request: Request) -> Response:
        """Pay a checkout session: the subscription starts (`?status=trialing` for a
        trial), and Stripe's two events are sent. Paying twice changes nothing."""
        session_id = request.path_params["id"]
        status = request.query_params.get("status", "active")
        with self.state.lock:
            session = self.state.checkout_sessions.get(session_id)
            if session is None:
                return HTMLResponse("<h1>No such checkout session</h1>", status_code=404)
            first = session["status"] == "open"
            if first:
                subscription = self._new_subscription(session, status)
                self.state.subscriptions[subscription["id"]] = subscription
                session.update(
                    status="complete", subscription=subscription["id"], payment_status="paid"
                )
        if first:
            made = [
                self.state.new_event("customer.subscription.created", subscription),
                self.state.new_event("checkout.session.completed", session),
            ]
            await self.deliver(made)
        target = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)
        return RedirectResponse(target, status_code=303)

    async def portal_page(self, request: Request) -> Response:
        session = self.state.portal_sessions.get(request.path_params["id"])
        if session is None:
            return HTMLResponse("<h1>No such portal session</h1>", status_code=404)
        back = html.escape(session.get("return_url") or "/", quote=True)
        subs = [
            s for s in self.state.subscriptions.values() if s["customer"] == session["customer"]
        ]
        rows = "".join(
            f"<li>{html.escape(s['id'])}: {html.escape(s['status'])}"
            f"{' (cancels at period end)' if s['cancel_at_period_end'] else ''}</li>"
            for s in subs
        )
        return HTMLResponse(
            "<!doctype html><title>Stripe stand-in: billing portal</title>"
            f"<h1>Your plan</h1><ul>{rows}</ul>"
            f'<form method="post" action="{html.escape(str(request.url.path))}/cancel">'
            '<button type="submit">Cancel plan</button></form>'
            f'<p><a href="{back}">Return to Aura</a></p>'
        )

    async def portal_cancel(self, request: Request) -> Response:
        """Cancel the customer's live subscriptions at period end (as the portal does)."""
        session = self.state.portal_sessions.get(request.path_params["id"])
        if session is None:
            return HTMLResponse("<h1>No such portal session</h1>", status_code=404)
        made = []
        with self.state.lock:
            live = [
                s
                for s in self.state.subscriptions.values()
                if s["customer"] == session["customer"]
                and s["status"] in ("active", "trialing", "past_due")
                and not s["cancel_at_period_end"]
            ]
            for sub in live:
                sub["cancel_at_period_end"] = True
                sub["cancel_at"] = sub["items"]["data"][0]["current_period_end"]
                sub["canceled_at"] = int(time.time())
        made = [self.state.new_event("customer.subscription.updated", sub) for sub in live]
        await self.deliver(made)
        return RedirectResponse(session.get("return_url") or "/", status_code=303)

    # --- control ----------------------------------------------------------------------

    async def control_state(self, request: Request) -> Response:
        return JSONResponse(self.state.snapshot())

    async def control_reset(self, request: Request) -> Response:
        self.state.reset()
        return JSONResponse({"reset": True})

    async def control_config(self, request: Request) -> Response:
        body = await _json(request)
        with self.state.lock:
            if "webhookUrl" in body:
                self.state.webhook_url = body["webhookUrl"] or None
            if body.get("webhookSecret"):
                self.state.webhook_secret = str(body["webhookSecret"])
            if body.get("secretKey"):
                self.state.secret_key = str(body["secretKey"])
        return JSONResponse({"webhookUrl": self.state.webhook_url})

    async def control_subscription(self, request: Request) -> Response:
        body = await _json(request)
        try:
            with self.state.lock:
                sub = self._subscription(request.path_params["id"])
                if "status" in body:
                    sub["status"] = str(body["status"])
                if "cancelAtPeriodEnd" in body:
                    sub["cancel_at_period_end"] = bool(body["cancelAtPeriodEnd"])
            event_type = str(body.get("type") or "customer.subscription.updated")
            made = [self.state.new_event(event_type, sub, body.get("created"))]
        except StripeError as exc:
            return exc.response()
        return await self._emit(made, bool(body.get("hold")))

    async def control_advance(self, request: Request) -> Response:
        body = await _json(request)
        try:
            with self.state.lock:
                sub = self._subscription(request.path_params["id"])
                item = sub["items"]["data"][0]
                if sub["cancel_at_period_end"] or sub["status"] == "canceled":
                    sub.update(status="canceled", ended_at=item["current_period_end"])
                    event_type = "customer.subscription.deleted"
                else:
                    item["current_period_start"] = item["current_period_end"]
                    item["current_period_end"] += PERIOD_S
                    event_type = "customer.subscription.updated"
            made = [self.state.new_event(event_type, sub, body.get("created"))]
        except StripeError as exc:
            return exc.response()
        return await self._emit(made, bool(body.get("hold")))

    async def control_event(self, request: Request) -> Response:
        body = await _json(request)
        obj = body.get("object")
        if obj is None and body.get("subscription"):
            with self.state.lock:
                found = self.state.subscriptions.get(str(body["subscription"]))
            obj = found or {"id": body["subscription"], "object": "subscription"}
        if not isinstance(body.get("type"), str) or not isinstance(obj, dict):
            return JSONResponse({"error": "give type and subscription or object"}, status_code=400)
        made = [self.state.new_event(body["type"], obj, body.get("created"))]
        return await self._emit(made, bool(body.get("hold")))

    async def control_deliver(self, request: Request) -> Response:
        body = await _json(request)
        signature = str(body.get("signature") or "valid")
        with self.state.lock:
            missing = [i for i in body.get("eventIds") or [] if i not in self.state.events]
            events = [
                self.state.events[i] for i in body.get("eventIds") or [] if i in self.state.events
            ]
        if missing or signature not in ("valid", "forged", "stale"):
            return JSONResponse(
                {"error": f"unknown events {missing} or signature"}, status_code=400
            )
        return JSONResponse({"deliveries": await self.deliver(events, signature)})


async def _json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw) if raw else {}
    except ValueError:
        body = None
    return body if isinstance(body, dict) else {}


def routes(state: StripeState) -> list[Route]:
    """The stand-in's Stripe routes, for `tools.standin.server.create_app`."""
    s = StripeStandin(state)
    any_method = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    return [
        Route("/stripe/v1/customers", s.create_customer, methods=["POST"]),
        Route("/stripe/v1/customers/{id}", s.delete_customer, methods=["DELETE"]),
        Route("/stripe/v1/checkout/sessions", s.create_checkout_session, methods=["POST"]),
        Route("/stripe/v1/billing_portal/sessions", s.create_portal_session, methods=["POST"]),
        Route("/stripe/v1/subscriptions/{id}", s.retrieve_subscription, methods=["GET"]),
        Route("/stripe/v1/{path:path}", s.unknown, methods=any_method),
        Route("/stripe/pay/{id}", s.pay_page, methods=["GET"]),
        Route("/stripe/pay/{id}", s.pay, methods=["POST"]),
        Route("/stripe/portal/{id}", s.portal_page, methods=["GET"]),
        Route("/stripe/portal/{id}/cancel", s.portal_cancel, methods=["POST"]),
        Route("/_standin/stripe", s.control_state, methods=["GET"]),
        Route("/_standin/stripe", s.control_reset, methods=["DELETE"]),
        Route("/_standin/stripe/config", s.control_config, methods=["POST"]),
        Route("/_standin/stripe/subscriptions/{id}", s.control_subscription, methods=["POST"]),
        Route("/_standin/stripe/subscriptions/{id}/advance", s.control_advance, methods=["POST"]),
        Route("/_standin/stripe/events", s.control_event, methods=["POST"]),
        Route("/_standin/stripe/deliver", s.control_deliver, methods=["POST"]),
    ]
