/*
 * shopops event collector for the store's own pages.
 *
 *   <script src="https://OPS-HOST/static/ingest/shopops-collect.js"
 *           data-key="pk_…" data-endpoint="https://OPS-HOST/api/collect" defer></script>
 *
 * Sends page_view on load (product_view when <body data-shopops-product="ID">), and
 * whatever the page tracks: shopops.track("add_to_cart", {product_id: "P1"}),
 * shopops.track("checkout"), shopops.track("purchase", {customer_id: "u1"}).
 * Visitor id lives in localStorage, the session in sessionStorage (30 min idle), UTM tags
 * of the landing URL are kept for the session. Events are batched and sent as text/plain
 * (no CORS preflight) with keepalive, or by sendBeacon when the page is hidden.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var KEY = script && script.getAttribute("data-key");
  var ENDPOINT = (script && script.getAttribute("data-endpoint")) || "/api/collect";
  var TYPES = ["page_view", "product_view", "add_to_cart", "favorite", "checkout", "purchase"];
  var queue = [];
  var timer = null;

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, function (c) {
      var r = (Math.random() * 16) | 0;
      return (c === "x" ? r : (r & 0x3) | 0x8).toString(16);
    });
  }

  function stored(storage, name, make) {
    try {
      var value = storage.getItem(name);
      if (!value) { value = make(); storage.setItem(name, value); }
      return value;
    } catch (e) { return make(); }
  }

  function session() {
    var now = Date.now();
    var raw = null;
    try { raw = JSON.parse(sessionStorage.getItem("shopops_session") || "null"); } catch (e) { raw = null; }
    if (!raw || now - raw.last > 30 * 60 * 1000) {
      var params = new URLSearchParams(location.search);
      raw = { id: uuid(), utm_source: params.get("utm_source"), utm_medium: params.get("utm_medium") };
    }
    raw.last = now;
    try { sessionStorage.setItem("shopops_session", JSON.stringify(raw)); } catch (e) { /* private mode */ }
    return raw;
  }

  function isoNow() {
    var d = new Date();
    var off = -d.getTimezoneOffset();
    var sign = off >= 0 ? "+" : "-";
    function pad(n) { return (n < 10 ? "0" : "") + n; }
    var local = new Date(d.getTime() + off * 60000).toISOString().slice(0, 19);
    return local + sign + pad(Math.floor(Math.abs(off) / 60)) + ":" + pad(Math.abs(off) % 60);
  }

  function flush(useBeacon) {
    if (!queue.length || !KEY) return;
    var body = JSON.stringify({ events: queue.splice(0, 500) });
    var url = ENDPOINT + (ENDPOINT.indexOf("?") < 0 ? "?" : "&") + "k=" + encodeURIComponent(KEY);
    if (useBeacon && navigator.sendBeacon) {
      navigator.sendBeacon(url, new Blob([body], { type: "text/plain" }));
    } else {
      fetch(url, { method: "POST", body: body, keepalive: true, headers: { "Content-Type": "text/plain" } })
        .catch(function () { /* analytics never breaks the page */ });
    }
    if (queue.length) flush(useBeacon);
  }

  function track(type, props) {
    if (TYPES.indexOf(type) < 0) throw new Error("shopops.track: unknown event type " + type);
    props = props || {};
    var s = session();
    queue.push({
      event_id: uuid(),
      type: type,
      visitor_id: stored(localStorage, "shopops_visitor", uuid),
      session_id: s.id,
      customer_id: props.customer_id || null,
      product_id: props.product_id || null,
      page: props.page || document.body.getAttribute("data-shopops-page") || null,
      utm_source: s.utm_source || null,
      utm_medium: s.utm_medium || null,
      url: location.href.slice(0, 2048),
      occurred_at: isoNow()
    });
    if (queue.length >= 50) flush(false);
    else if (!timer) timer = setTimeout(function () { timer = null; flush(false); }, 1000);
  }

  window.shopops = { track: track, flush: function () { flush(false); } };
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush(true);
  });
  function onLoad() {
    var product = document.body.getAttribute("data-shopops-product");
    track(product ? "product_view" : "page_view", { product_id: product });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", onLoad);
  else onLoad();
})();
