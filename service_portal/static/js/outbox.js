// The phone's outbox: forms submitted without signal, kept in IndexedDB (through `idb`, from
// npm) and sent in the order they were typed when the connection returns. Shared by the pages
// (static/js/offline.js) and the service worker (static/js/sw-main.js, Background Sync).
// The server's side: service_portal/offline.py. No user-visible text here: the pages show
// each entry's state with the translated words of their template.
(function (root) {
  "use strict";

  var DB_NAME = "portal-outbox";
  var ENTRIES = "entries";
  var META = "meta";
  var PAGES_CACHE = "portal-pages";
  var STATIC_CACHE = "portal-static";
  var LOCK = "portal-outbox-send";

  // One connection per page (or worker), closed before the database is deleted.
  var connection = null;
  function open() {
    if (!connection) {
      connection = root.idb.openDB(DB_NAME, 1, {
        upgrade: function (db) {
          db.createObjectStore(ENTRIES, { keyPath: "id", autoIncrement: true });
          db.createObjectStore(META);
        },
        // Another page (or the worker) deletes the database (logging out): let it.
        blocking: function () { close(); },
      });
    }
    return connection;
  }

  function close() {
    var closing = connection ? connection.then(function (db) { db.close(); }) : Promise.resolve();
    connection = null;
    return closing;
  }

  // Entries in the order they were typed (the key grows with each one).
  function list() {
    return open().then(function (db) { return db.getAll(ENTRIES); });
  }

  function add(entry) {
    return open().then(function (db) { return db.add(ENTRIES, entry); });
  }

  function save(entry) {
    return open().then(function (db) { return db.put(ENTRIES, entry); });
  }

  function remove(id) {
    return open().then(function (db) { return db.delete(ENTRIES, id); });
  }

  function getMeta(key) {
    return open().then(function (db) { return db.get(META, key); });
  }

  function setMeta(key, value) {
    return open().then(function (db) { return db.put(META, value, key); });
  }

  // The cache key of a page or of a fragment of it (htmx asks for the same URL with the
  // HX-Request header and gets a part of the page: kept apart).
  function cacheKey(url, fragment) {
    var key = new URL(url, root.location.href);
    if (fragment) key.searchParams.set("_fragment", "1");
    return key.href;
  }

  // Everything kept on this phone: pages, static files, the outbox (logging out, another user).
  function forgetEverything() {
    var steps = [caches.delete(PAGES_CACHE), caches.delete(STATIC_CACHE)];
    steps.push(close().then(function () {
      return new Promise(function (resolve) {
        var request = root.indexedDB.deleteDatabase(DB_NAME);
        request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
      });
    }));
    return Promise.all(steps);
  }

  function body(entry, csrfToken) {
    var data = new FormData();
    entry.fields.forEach(function (field) {
      if (field.file) data.append(field.name, field.file, field.filename);
      else data.append(field.name, field.value);
    });
    if (entry.version !== null && entry.version !== undefined) data.set("record_version", entry.version);
    if (csrfToken) data.set("csrfmiddlewaretoken", csrfToken);
    return data;
  }

  // One entry to the server. Resolves with {network: true} when there is no connection (the
  // entry stays as it is), otherwise with the server's outcome (service_portal/offline.py).
  function sendOne(entry, csrfToken) {
    var headers = { "X-Portal-Queue": "1", "X-Portal-Queue-User": String(entry.user) };
    var token = csrfToken || entry.csrfToken;
    if (token) headers["X-CSRFToken"] = token;
    return fetch(entry.url, {
      method: "POST",
      body: body(entry, token),
      headers: headers,
      credentials: "same-origin",
      redirect: "manual",
      cache: "no-store",
    }).then(function (response) {
      // A redirect is the login page: the session ended while the phone was offline.
      if (response.type === "opaqueredirect" || response.status === 0) {
        return { outcome: "signed_out", message: "" };
      }
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === 0) {
        return response.json().then(function (answer) {
          answer.status = response.status;
          return answer;
        });
      }
      if (response.status === 403) return { outcome: "signed_out", message: "" };
      return { outcome: "failed", message: "", status: response.status };
    }, function () {
      return { network: true };
    });
  }

  function locked(task) {
    if (root.navigator.locks) return root.navigator.locks.request(LOCK, task);
    return task();
  }

  // Send the waiting entries in order. A saved entry (or one the server had saved already:
  // the submission token) leaves the outbox; the next entries of the same job take the job's
  // new version. A refused or conflicting one stays, with the server's message, until the
  // technician retries or discards it. No connection: stop, everything stays waiting.
  function flush(options) {
    options = options || {};
    return locked(function () {
      var summary = { sent: 0, kept: 0, offline: false };
      return list().then(function (entries) {
        var chain = Promise.resolve();
        entries.forEach(function (entry) {
          chain = chain.then(function () {
            if (summary.offline || entry.state !== "waiting") return null;
            if (options.user !== undefined && String(entry.user) !== String(options.user)) return null;
            return sendOne(entry, options.csrfToken).then(function (result) {
              if (result.network) {
                summary.offline = true;
                return null;
              }
              if (result.outcome === "saved" || result.outcome === "already_saved") {
                summary.sent += 1;
                return remove(entry.id).then(function () {
                  return carryVersion(entries, entry, result.version);
                });
              }
              summary.kept += 1;
              entry.state = result.outcome === "conflict" ? "conflict" : "failed";
              entry.outcome = result.outcome;
              entry.message = result.message || "";
              entry.status = result.status || 0;
              return save(entry);
            });
          });
        });
        return chain.then(function () { return summary; });
      });
    });
  }

  // After one of this phone's own entries, the job's version moved on: the later entries of
  // the same job were typed on the same copy and are no conflict with it.
  function carryVersion(entries, sent, version) {
    if (version === null || version === undefined || sent.version === null) return null;
    var updates = [];
    entries.forEach(function (other) {
      if (other.id > sent.id && other.job === sent.job && other.version === sent.version) {
        other.version = version;
        updates.push(save(other));
      }
    });
    return Promise.all(updates);
  }

  root.PortalOutbox = {
    list: list,
    add: add,
    save: save,
    remove: remove,
    flush: flush,
    getMeta: getMeta,
    setMeta: setMeta,
    cacheKey: cacheKey,
    forgetEverything: forgetEverything,
    PAGES_CACHE: PAGES_CACHE,
    STATIC_CACHE: STATIC_CACHE,
    SYNC_TAG: "portal-outbox",
  };
})(self);
