/*! rapport.js 1.0.0: Segment-compatible tracking for Rapport. No dependencies. */
// Configured by its own <script> tag, since a strict CSP forbids inline config:
//   data-write-key        the website source's write key (required)
//   data-host             where events go; default: the origin this file came from
//   data-auto-page="true" send page() as soon as it loads
//   data-require-consent="true"  ask for consent even if the workspace does not
// Pages may queue calls before it loads: window.rapport = [["track", "Signed Up"]].
(function (w, d, nav) {
  "use strict";
  if (w.rapport && w.rapport.VERSION) return; // included twice

  var VERSION = "1.0.0",
    MAX = 200, // events kept at most, in memory or in localStorage; the oldest go
    BATCH = 20, // events per request; also sent at once when this many wait
    BYTES = 4e5, // characters per request, under the server's 500 KB per batch
    BEACON = 2e4, // characters per beacon (sendBeacon refuses bodies over 64 KB)
    YEAR = 31536000,
    AID = "rapport_aid",
    UID = "rapport_uid",
    CONSENT = "rapport_consent",
    tag = d.currentScript || d.querySelector("script[data-write-key]") || {},
    cfg = tag.dataset || {},
    key = cfg.writeKey || "",
    host = (cfg.host || (tag.src ? new URL(tag.src, location.href).origin : location.origin)).replace(/\/+$/, ""),
    PREFIX = "rapport_q_" + key + "_", // one localStorage entry per tab, so tabs do not overwrite each other
    QK = PREFIX + uuid().slice(0, 8),
    SK = "rapport_s_" + key,
    dnt = nav.doNotTrack == "1" || nav.globalPrivacyControl === true,
    aid = get(AID) || uuid(),
    uid = get(UID),
    consent = get(CONSENT), // "1" granted, "0" refused, "" not asked yet
    q = [],
    set = null, // the workspace's settings, once known
    open = 0, // 1 once events may be sent and stored
    busy = null, // the batch in flight
    timer = 0,
    fails = 0,
    retryAt = 0,
    waiting = [],
    api;

  function uuid() {
    var c = w.crypto, b, h;
    if (c.randomUUID) return c.randomUUID(); // only in secure contexts
    b = c.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; // version 4
    b[8] = (b[8] & 63) | 128; // RFC 4122 variant
    h = [].map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function get(name) {
    var m = d.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    try { return m ? decodeURIComponent(m[1]) : ""; } catch (e) { return ""; }
  }

  function cookie(name, value, age) {
    d.cookie = name + "=" + encodeURIComponent(value) + "; Max-Age=" + age + "; Path=/; SameSite=Lax" +
      (location.protocol == "https:" ? "; Secure" : "");
  }

  // Storage throws when it is switched off (some private modes, sandboxed frames).
  function st(area, fn) {
    try { return fn(w[area]); } catch (e) { return null; }
  }

  function save() {
    if (open) st("localStorage", function (s) { q.length ? s.setItem(QK, JSON.stringify(q)) : s.removeItem(QK); });
  }

  // Every tab's queue: taken over (fn = adopt) or wiped (consent refused, DNT).
  function stored(fn) {
    st("localStorage", function (s) {
      for (var i = s.length, k; i--; ) {
        k = s.key(i);
        if (k && k.indexOf(PREFIX) == 0 && k != QK) {
          if (fn) try { q = JSON.parse(s.getItem(k)).concat(q); } catch (e) { /* not ours to read */ }
          s.removeItem(k);
        }
      }
    });
  }

  function backoff(n) {
    return Math.min(6e4, 1e3 * Math.pow(2, n)) * (0.5 + Math.random() / 2); // exponential, jittered
  }

  // -1: send and store nothing; 0: hold in memory; 1: send.
  function gate() {
    if (consent == "0" || (dnt && set && set.respectDnt)) return -1;
    if (!set || (needsConsent() && consent != "1")) return 0;
    return 1;
  }

  function needsConsent() {
    return !!(set && set.requireConsent) || cfg.requireConsent == "true";
  }

  function state() {
    return {
      requireConsent: needsConsent(),
      dnt: !!(dnt && set && set.respectDnt),
      consent: consent ? consent == "1" : null,
      sending: gate() > 0
    };
  }

  function update() {
    var g = gate();
    if (g < 0) {
      q = [];
      st("localStorage", function (s) { s.removeItem(QK); });
      st("sessionStorage", function (s) { s.removeItem(SK); });
      stored();
    } else if (g > 0) {
      if (!open) {
        open = 1;
        cookie(AID, aid, YEAR); // written now, not before: no identifier without consent
        if (uid) cookie(UID, uid, YEAR);
        stored(1); // what earlier pages could not send
        if (q.length > MAX) q.splice(0, q.length - MAX);
      }
      save();
      flush();
    }
    while (set && waiting.length) waiting.shift()(state());
  }

  function settings(n) {
    var c = st("sessionStorage", function (s) { return JSON.parse(s.getItem(SK)); });
    // Cached for five minutes per tab: one request fewer on every page view.
    if (c && c.t > Date.now() - 3e5) return got(c.s);
    fetch(host + "/v1/projects/" + encodeURIComponent(key) + "/settings", { credentials: "omit" })
      .then(function (r) {
        if (r.status == 429 || r.status > 499) throw r;
        return r.ok ? r.json() : {}; // an unknown key: the defaults (its events are refused anyway)
      })
      .then(function (s) {
        got(s);
        // Kept only where tracking is allowed: nothing is stored for who says no.
        if (gate() > 0) st("sessionStorage", function (x) { x.setItem(SK, JSON.stringify({ t: Date.now(), s: s })); });
      }, function () { setTimeout(settings, backoff(n), n + 1); });
  }

  function got(s) {
    set = { requireConsent: s.requireConsent === true, respectDnt: s.respectDnt !== false };
    update();
  }

  function pageInfo() {
    var l = location;
    return { path: l.pathname, referrer: d.referrer, search: l.search, title: d.title, url: l.href.split("#")[0] };
  }

  function send(type, fields) {
    var camp = {}, utm = 0, e, k, g = gate(), ctx = {
      library: { name: "rapport.js", version: VERSION },
      page: pageInfo(),
      userAgent: nav.userAgent,
      locale: nav.language,
      screen: { width: w.screen.width, height: w.screen.height, density: w.devicePixelRatio }
    };
    if (g < 0) return;
    new URLSearchParams(location.search).forEach(function (v, k) {
      // utm_campaign is the campaign's name in the Segment spec.
      if (k.indexOf("utm_") == 0) camp[k == "utm_campaign" ? "name" : k.slice(4)] = v, utm = 1;
    });
    if (utm) ctx.campaign = camp;
    if (d.referrer) ctx.referrer = { type: "link", url: d.referrer };
    try { ctx.timezone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (x) { /* optional */ }
    e = { type: type, messageId: uuid(), timestamp: new Date().toISOString(), anonymousId: aid, context: ctx };
    if (uid) e.userId = uid;
    for (k in fields) if (fields[k] !== undefined) e[k] = fields[k];
    q.push(e);
    if (q.length > MAX) q.splice(0, q.length - MAX);
    if (g > 0) {
      save();
      if (q.length - (busy ? busy.length : 0) >= BATCH) flush();
      else if (!timer) timer = setTimeout(flush, 1e3);
    }
  }

  function body(batch) {
    return JSON.stringify({ batch: batch, sentAt: new Date().toISOString(), writeKey: key });
  }

  function drop(batch) {
    q = q.filter(function (e) { return batch.indexOf(e) < 0; });
    save();
  }

  function flush() {
    var now = Date.now(), batch = [], size = 0, i, n, ctl, t;
    clearTimeout(timer);
    timer = 0;
    if (gate() < 1 || busy || !q.length) return;
    if (now < retryAt) return void (timer = setTimeout(flush, retryAt - now));
    for (i = 0; i < q.length && batch.length < BATCH; i++) {
      n = JSON.stringify(q[i]).length;
      if (batch.length && size + n > BYTES) break;
      size += n;
      batch.push(q[i]);
    }
    busy = batch;
    ctl = w.AbortController && new AbortController();
    t = ctl && setTimeout(function () { ctl.abort(); }, 15e3);
    // A string body goes as text/plain: a simple request, no CORS preflight.
    fetch(host + "/v1/batch", { method: "POST", body: body(batch), credentials: "omit", signal: ctl && ctl.signal })
      .then(function (r) {
        if (r.status == 429 || r.status > 499) throw r;
        fails = 0;
        drop(batch); // accepted, or refused for good (another 4xx would be refused again)
      })
      .catch(function (r) {
        var after = r && r.headers && r.headers.get("Retry-After"),
          ms = after ? (isNaN(after) ? Date.parse(after) - Date.now() : after * 1e3) : 0;
        retryAt = Date.now() + (ms > 0 ? ms : backoff(fails));
        fails++;
      })
      .then(function () {
        clearTimeout(t);
        busy = null;
        // A full batch goes now; fewer wait for their timer (or go now if it fired meanwhile).
        if (!timer || q.length >= BATCH) flush();
      });
  }

  // The page is going away: what is not in flight leaves by beacon, which survives
  // the unload. Not while the server asks us to wait: those stay stored for the next page.
  function hide() {
    var chunk = [], size = 0, sent = [], rest;
    if (gate() < 1 || !nav.sendBeacon || Date.now() < retryAt) return;
    rest = q.filter(function (e) { return !busy || busy.indexOf(e) < 0; });
    rest.push(null);
    rest.forEach(function (e) {
      var n = e ? JSON.stringify(e).length : 0;
      if (chunk.length && (!e || size + n > BEACON)) {
        if (nav.sendBeacon(host + "/v1/batch", body(chunk))) sent = sent.concat(chunk);
        chunk = [];
        size = 0;
      }
      if (e) chunk.push(e), size += n;
    });
    drop(sent);
  }

  api = {
    VERSION: VERSION,
    page: function (name, props) {
      if (name && typeof name == "object") props = name, name = undefined;
      var p = pageInfo(), k;
      for (k in props) p[k] = props[k];
      send("page", { name: name, properties: p });
    },
    track: function (event, props) {
      send("track", { event: event, properties: props || {} });
    },
    identify: function (id, traits) {
      if (id && typeof id == "object") traits = id, id = null;
      if (id != null && id !== "") {
        uid = String(id);
        if (open) cookie(UID, uid, YEAR);
      }
      send("identify", { traits: traits || {} });
    },
    alias: function (id, previousId) {
      send("alias", { userId: String(id), previousId: previousId || uid || aid });
    },
    consent: function (granted) {
      consent = granted ? "1" : "0";
      cookie(CONSENT, consent, YEAR); // the answer itself is kept, so nobody is asked twice
      if (!granted) {
        open = 0;
        cookie(AID, "", 0);
        cookie(UID, "", 0);
      }
      update();
    },
    reset: function () {
      uid = "";
      aid = uuid();
      if (open) cookie(AID, aid, YEAR), cookie(UID, "", 0);
    },
    flush: flush,
    // Calls fn({requireConsent, dnt, consent, sending}) once the settings are known,
    // e.g. to decide whether to show a consent banner.
    ready: function (fn) {
      set ? fn(state()) : waiting.push(fn);
    },
    user: function () {
      return { anonymousId: aid, userId: uid || null };
    }
  };

  var early = w.rapport;
  w.rapport = api;
  if (key) settings(0); // first: settings cached by an earlier page are known at once
  if (Array.isArray(early)) early.forEach(function (c) { if (api[c[0]]) api[c[0]].apply(api, c.slice(1)); });
  if (cfg.autoPage == "true") api.page();
  w.addEventListener("pagehide", hide);
  d.addEventListener("visibilitychange", function () { if (d.visibilityState == "hidden") hide(); });
  w.addEventListener("online", function () { retryAt = 0; flush(); });
})(window, document, navigator);
