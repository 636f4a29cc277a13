// Working without signal, the page's side (docs/architecture.md, "Working without signal"):
// - registers the service worker (/sw.js) and keeps on the phone the pages listed by the
//   server (the agenda, today's and tomorrow's jobs, with the files they use);
// - a form of a job page (inside [data-offline-queue]) submitted without signal goes to the
//   outbox (static/js/outbox.js) with what was typed, files included, its submission token
//   and the job's version; the form gets a new token for the next entry;
// - the outbox is sent on "online", on every page load and by Background Sync;
// - the list of what is waiting is always shown (#outbox), each entry with its state, the
//   server's reason when refused, and buttons to retry or discard it;
// - "Offline: saved copy from HH:MM" (#offline-banner) while there is no signal;
// - logging out deletes everything kept on the phone (after a warning when entries wait).
// Every text comes translated from the page (base.html: #offline-config, #outbox-entry).
/* global PortalOutbox */
(function () {
  "use strict";

  var configElement = document.getElementById("offline-config");
  if (!configElement || !("indexedDB" in window) || !window.PortalOutbox) return;
  var config = JSON.parse(configElement.textContent);
  var outboxBox = document.getElementById("outbox");
  var banner = document.getElementById("offline-banner");
  var entryTemplate = document.getElementById("outbox-entry");

  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function newToken() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  // --- The list of what waits ------------------------------------------------------------
  function show(element, visible) { if (element) element.hidden = !visible; }

  function render() {
    return PortalOutbox.list().then(function (entries) {
      entries = entries.filter(function (e) { return String(e.user) === String(config.user); });
      var list = document.getElementById("outbox-list");
      list.replaceChildren();
      entries.forEach(function (entry) {
        var item = entryTemplate.content.firstElementChild.cloneNode(true);
        item.dataset.entry = entry.id;
        item.dataset.state = entry.state;
        item.querySelector("[data-slot=label]").textContent = entry.label;
        item.querySelector("[data-slot=time]").textContent = new Date(entry.typedAt)
          .toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" });
        var job = item.querySelector("[data-slot=job]");
        if (entry.job) job.href = entry.job; else job.remove();
        item.querySelectorAll("[data-when]").forEach(function (part) {
          var when = part.getAttribute("data-when").split(" ");
          var matches = when.indexOf(entry.state) !== -1 || when.indexOf("outcome:" + entry.outcome) !== -1;
          show(part, matches);
        });
        item.querySelectorAll("[data-slot=message]").forEach(function (slot) {
          slot.textContent = entry.message || "";
        });
        list.appendChild(item);
      });
      document.getElementById("outbox-count").textContent = String(entries.length);
      show(outboxBox, entries.length > 0);
      reloadWhenAllSent(entries);
      return entries;
    });
  }

  // Everything that waited has gone, sent by this page or by the service worker's background
  // sync (whichever ran first): a saved copy of a job page now shows what was sent (unless the
  // technician is typing in it).
  var waiting = 0;
  function reloadWhenAllSent(entries) {
    var allSent = waiting > 0 && entries.length === 0;
    waiting = entries.length;
    var typing = document.activeElement && document.activeElement.matches("input, textarea, select");
    if (allSent && navigator.onLine && document.querySelector("[data-offline-queue]") && !typing) {
      window.location.reload();
    }
  }

  // --- Sending ----------------------------------------------------------------------------
  var sending = null;
  function send() {
    if (!navigator.onLine) return render();
    if (sending) return sending;
    sending = PortalOutbox.flush({ user: config.user, csrfToken: csrfToken() })
      .then(function (summary) {
        document.documentElement.dataset.outboxSent = String(summary.sent);
        return render();
      })
      .finally(function () { sending = null; });
    return sending;
  }

  function askForSync() {
    if (!("serviceWorker" in navigator)) return Promise.resolve();
    return navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) return registration.sync.register(PortalOutbox.SYNC_TAG);
      return null;
    }).catch(function () { return null; });
  }

  // --- Keeping forms without signal ---------------------------------------------------------
  function fieldsOf(form, submitter) {
    var fields = [];
    new FormData(form, submitter).forEach(function (value, name) {
      if (name === "record_version") return;
      if (value instanceof File) {
        if (!value.name && !value.size) return; // an empty file input: no file
        fields.push({ name: name, file: value, filename: value.name });
      } else {
        fields.push({ name: name, value: value });
      }
    });
    return fields;
  }

  function keep(form, submitter) {
    var job = form.closest("[data-offline-queue]");
    var what = (submitter && submitter.textContent.trim()) || form.getAttribute("aria-label") || "";
    var version = parseInt(job.getAttribute("data-record-version"), 10);
    var entry = {
      user: config.user,
      url: new URL(form.getAttribute("hx-post") || form.getAttribute("action") || window.location.href,
        window.location.href).href,
      fields: fieldsOf(form, submitter),
      version: isNaN(version) ? null : version,
      job: job.getAttribute("data-offline-job") || window.location.pathname,
      label: [job.getAttribute("data-offline-label"), what].filter(Boolean).join(" · "),
      csrfToken: csrfToken(),
      typedAt: Date.now(),
      state: "waiting",
    };
    return PortalOutbox.add(entry).then(function () {
      // The form is ready for the next entry, with a token of its own. A form that edits
      // what is on the page (the checklist) keeps what was typed in view.
      if (!form.hasAttribute("data-offline-keep-values")) form.reset();
      form.querySelectorAll("input[name$=submission_token]").forEach(function (input) {
        input.value = newToken();
      });
      return Promise.all([render(), askForSync()]);
    });
  }

  // A part of a form saved on its own ([data-offline-entry] with its hx-post: a checklist
  // item): only its fields go, to its address; what was typed stays in view, marked as kept
  // on the phone, and the part gets a new token for its next change.
  function keepEntry(part) {
    var job = part.closest("[data-offline-queue]");
    var version = parseInt(job.getAttribute("data-record-version"), 10);
    var fields = [];
    part.querySelectorAll("input[name], select[name], textarea[name]").forEach(function (field) {
      if (!field.disabled) fields.push({ name: field.name, value: field.value });
    });
    var entry = {
      user: config.user,
      url: new URL(part.getAttribute("hx-post"), window.location.href).href,
      fields: fields,
      version: isNaN(version) ? null : version,
      job: job.getAttribute("data-offline-job") || window.location.pathname,
      label: [job.getAttribute("data-offline-label"), part.getAttribute("data-offline-what")]
        .filter(Boolean).join(" · "),
      csrfToken: csrfToken(),
      typedAt: Date.now(),
      state: "waiting",
    };
    return PortalOutbox.add(entry).then(function () {
      part.querySelectorAll("input[name^='token-']").forEach(function (input) {
        input.value = newToken();
      });
      part.querySelectorAll("[data-state]").forEach(function (state) {
        state.hidden = state.getAttribute("data-state") !== "queued";
      });
      return Promise.all([render(), askForSync()]);
    });
  }

  function entryOf(element) {
    var part = element && element.closest("[data-offline-entry][hx-post]");
    return part && part.closest("[data-offline-queue]") ? part : null;
  }

  // Without signal, htmx does not even try: the part goes to the outbox.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var part = entryOf(event.detail.elt);
    if (navigator.onLine || !part || event.detail.elt !== part) return;
    event.preventDefault();
    keepEntry(part);
  });

  window.addEventListener("submit", function (event) {
    var form = event.target;
    if (navigator.onLine || !form.closest("[data-offline-queue]")) return;
    if ((form.getAttribute("method") || "").toLowerCase() !== "post") return;
    event.preventDefault();
    event.stopImmediatePropagation();
    keep(form, event.submitter);
  }, true);

  // Signal that looks present but carries nothing: htmx could not reach the portal.
  document.addEventListener("htmx:sendError", function (event) {
    var part = entryOf(event.detail.elt);
    if (part && event.detail.elt === part) {
      keepEntry(part);
      return;
    }
    var form = event.detail.elt && event.detail.elt.closest("form");
    if (form && form.closest("[data-offline-queue]") && event.detail.requestConfig
        && event.detail.requestConfig.verb === "post") {
      keep(form, event.detail.requestConfig.triggeringEvent && event.detail.requestConfig.triggeringEvent.submitter);
    }
  });

  // --- Retry, send anyway, discard ------------------------------------------------------------
  document.addEventListener("click", function (event) {
    var button = event.target.closest("#outbox [data-action]");
    if (button) {
      var id = parseInt(button.closest("[data-entry]").dataset.entry, 10);
      var action = button.getAttribute("data-action");
      PortalOutbox.list().then(function (entries) {
        var entry = entries.find(function (e) { return e.id === id; });
        if (!entry) return render();
        if (action === "discard") return PortalOutbox.remove(id).then(render);
        entry.state = "waiting";
        entry.message = "";
        entry.outcome = "";
        // "Send anyway", after seeing the office's change: no version check for this entry.
        if (action === "force") entry.version = null;
        return PortalOutbox.save(entry).then(send);
      });
      return;
    }
    if (event.target.closest("#outbox [data-outbox-send]")) send();
  });

  // --- Logging out forgets everything kept on this phone ---------------------------------------
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-logout]") || form.dataset.forgotten === "1") return;
    event.preventDefault();
    PortalOutbox.list().then(function (entries) {
      var mine = entries.filter(function (e) { return String(e.user) === String(config.user); });
      if (mine.length && !window.confirm(config.logoutWarning.replace("%(count)s", mine.length))) {
        delete form.dataset.submitted;
        form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
        return null;
      }
      return PortalOutbox.forgetEverything().then(function () {
        form.dataset.forgotten = "1";
        form.submit();
      });
    });
  });

  // --- Keeping the day's pages -------------------------------------------------------------
  function keepPages() {
    if (!navigator.onLine || !("caches" in window)) return Promise.resolve();
    return fetch(config.pagesUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (list) {
        if (!list) return null;
        return caches.open(PortalOutbox.PAGES_CACHE).then(function (cache) {
          var wanted = {};
          var jobs = list.pages.map(function (url) { return { url: url, fragment: false }; })
            .concat(list.fragments.map(function (url) { return { url: url, fragment: true }; }));
          var fetches = jobs.map(function (job) {
            var key = PortalOutbox.cacheKey(job.url, job.fragment);
            wanted[key] = true;
            var headers = job.fragment ? { "HX-Request": "true" } : {};
            return fetch(job.url, { credentials: "same-origin", headers: headers, cache: "no-store" })
              .then(function (response) {
                if (!response.ok || response.redirected) return null;
                return Promise.all([cache.put(key, response.clone()), keepFilesOf(response)]);
              });
          });
          return Promise.all(fetches).then(function () {
            // Yesterday's jobs leave the phone.
            return cache.keys().then(function (keys) {
              return Promise.all(keys.map(function (request) {
                return wanted[request.url] ? null : cache.delete(request);
              }));
            });
          });
        });
      })
      .then(keepFiles);
  }

  // The static files a kept page uses (a job page has scripts of its own): in the cache now,
  // not when the page is first opened without signal.
  function keepFilesOf(response) {
    return response.text().then(function (html) {
      var pattern = /(?:src|href)="([^"]+)"/g;
      var urls = [];
      var match;
      while ((match = pattern.exec(html)) !== null) {
        var url = new URL(match[1].replace(/&amp;/g, "&"), window.location.href);
        if (url.origin === window.location.origin && url.pathname.indexOf(config.staticPrefix) === 0) {
          urls.push(url.href);
        }
      }
      return caches.open(PortalOutbox.STATIC_CACHE).then(function (cache) {
        return Promise.all(urls.map(function (url) {
          return cache.match(url).then(function (found) {
            return found || cache.add(url).catch(function () { return null; });
          });
        }));
      });
    });
  }

  // The files this page used (styles, scripts, fonts, the company's theme), for the saved
  // pages to look the same without signal.
  function keepFiles() {
    var files = performance.getEntriesByType("resource").filter(function (resource) {
      var parsed = new URL(resource.name);
      return parsed.origin === window.location.origin
        && ["link", "css", "script", "img"].indexOf(resource.initiatorType) !== -1;
    }).map(function (resource) { return resource.name; });
    return Promise.all([caches.open(PortalOutbox.STATIC_CACHE), caches.open(PortalOutbox.PAGES_CACHE)])
      .then(function (opened) {
        return Promise.all(files.map(function (url) {
          // Static files in their cache; the few others (the company's theme, its logo) are
          // kept like the pages, so that the worker answers them from the phone too.
          var isStatic = new URL(url).pathname.indexOf(config.staticPrefix) === 0;
          var cache = isStatic ? opened[0] : opened[1];
          return cache.match(url).then(function (found) {
            return found || cache.add(url).catch(function () { return null; });
          });
        }));
      });
  }

  function updateBanner() { show(banner, !navigator.onLine); }

  window.addEventListener("online", function () { updateBanner(); send(); });
  window.addEventListener("offline", updateBanner);
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "outbox-changed") render();
    });
  }

  function start() {
    updateBanner();
    // Another person signed in on this phone: the previous one's saved pages go.
    return PortalOutbox.getMeta("user").then(function (previous) {
      var changed = previous !== undefined && String(previous) !== String(config.user);
      var cleared = changed ? Promise.all([caches.delete(PortalOutbox.PAGES_CACHE)]) : Promise.resolve();
      return cleared.then(function () {
        return Promise.all([PortalOutbox.setMeta("user", config.user), PortalOutbox.setMeta("home", config.homeUrl)]);
      });
    }).then(function () {
      // Without signal the worker already in charge serves this page: nothing to register.
      var registering = "serviceWorker" in navigator && navigator.onLine
        ? navigator.serviceWorker.register(config.swUrl, { scope: "/" }).then(function () {
          return navigator.serviceWorker.ready;
        })
        : Promise.resolve();
      return Promise.all([render().then(send), registering.then(keepPages)]);
    }).then(function () {
      document.documentElement.dataset.offlineReady = "yes";
    }, function () {
      document.documentElement.dataset.offlineReady = "failed";
    });
  }

  start();
})();
