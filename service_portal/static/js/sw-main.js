// The service worker's own code, loaded by /sw.js (service_portal/pwa.py) after Workbox, idb
// and the outbox. What it keeps on the phone (docs/architecture.md, docs/security.md):
// - the portal's static files (stale-while-revalidate: the page shows at once, the new file
//   is fetched for the next time);
// - the pages the phone was told to keep (static/js/offline.js puts them in the "portal-pages"
//   cache: the agenda and today's and tomorrow's jobs): network first, the saved copy when
//   there is no signal. Any other page is never stored.
// Forms sent without signal are not its business: the page keeps them in the outbox. The
// worker only sends the outbox when Background Sync tells it the connection is back.
/* global workbox, PortalOutbox */
(function () {
  "use strict";

  var config = self.PORTAL_SW;
  workbox.setConfig({ modulePathPrefix: config.workboxPath, debug: false });
  // Workbox loads its modules when first read: all of them now, while the worker starts.
  var core = workbox.core;
  var routing = workbox.routing;
  var strategies = workbox.strategies;
  var cacheable = workbox.cacheableResponse;

  self.skipWaiting();
  core.clientsClaim();

  var onlyOk = new cacheable.CacheableResponsePlugin({ statuses: [200] });
  // Never keep a page reached through a redirect (the login page after a session ended)
  // under the address of a job.
  var noRedirects = {
    cacheWillUpdate: function (args) {
      return Promise.resolve(args.response.redirected ? null : args.response);
    },
  };
  var fragmentKeys = {
    cacheKeyWillBeUsed: function (args) {
      var fragment = args.request.headers.get("HX-Request") === "true";
      return Promise.resolve(PortalOutbox.cacheKey(args.request.url, fragment));
    },
  };

  routing.registerRoute(
    function (options) {
      return options.sameOrigin && options.url.pathname.indexOf(config.staticPrefix) === 0;
    },
    new strategies.StaleWhileRevalidate({ cacheName: PortalOutbox.STATIC_CACHE, plugins: [onlyOk] })
  );

  var keptPages = new strategies.NetworkFirst({
    cacheName: PortalOutbox.PAGES_CACHE,
    networkTimeoutSeconds: 10,
    plugins: [onlyOk, noRedirects, fragmentKeys],
  });

  // A GET of the portal: network first for the pages the phone keeps, network only for the
  // rest. The home address ("/", the installed app's start) redirects on the server; without
  // signal it opens the technician's saved home page.
  routing.registerRoute(
    function (options) {
      return options.sameOrigin && options.request.method === "GET"
        && options.url.pathname.indexOf(config.staticPrefix) !== 0;
    },
    function (options) {
      var request = options.request;
      var fragment = request.headers.get("HX-Request") === "true";
      var key = PortalOutbox.cacheKey(request.url, fragment);
      return caches.open(PortalOutbox.PAGES_CACHE).then(function (cache) {
        return cache.match(key).then(function (kept) {
          if (kept) return keptPages.handle(options);
          return fetch(request).catch(function (error) {
            if (new URL(request.url).pathname !== config.homeUrl || request.mode !== "navigate") throw error;
            return PortalOutbox.getMeta("home").then(function (home) {
              var copy = home && cache.match(PortalOutbox.cacheKey(home, false));
              return Promise.resolve(copy).then(function (response) {
                if (!response) throw error;
                return response;
              });
            });
          });
        });
      });
    }
  );

  // Background Sync (where the browser has it): send the outbox once the connection is back,
  // even when the portal's page is closed. The pages also send on "online" and on load.
  self.addEventListener("sync", function (event) {
    if (event.tag === PortalOutbox.SYNC_TAG) {
      event.waitUntil(PortalOutbox.flush().then(function () {
        return self.clients.matchAll({ type: "window" }).then(function (clients) {
          clients.forEach(function (client) { client.postMessage({ type: "outbox-changed" }); });
        });
      }));
    }
  });
})();
