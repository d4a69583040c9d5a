/*
 * Tandem chat widget (web/widget.js): the entry, and all an owner embeds.
 *
 * Embed it on any page with one tag:
 *
 *   <script src="https://support.example.com/widget.js" defer></script>
 *
 * Optional attributes on that tag: data-title="Support" (the name in the
 * header) and data-color="#23666f" (the accent colour).
 *
 * This file stays a classic script so that tag keeps working everywhere. It
 * reads the tag (document.currentScript is only set while this file first
 * runs), then imports the widget itself: the native ES modules in widget/
 * next to it, from the same server (which serves them to any site, with
 * CORS; see src/server/headers.rs). widget/main.js is the map of them.
 *
 * The widget speaks the visitor side of the wire protocol in
 * docs/protocol.md (GET /ws/visitor[?resume=TOKEN]); that page is the
 * contract, the modules only follow it. Because it runs on other people's
 * sites, it defines no globals, every CSS selector is scoped under
 * #tandem-root, and all chat text is rendered with textContent, never as
 * HTML.
 */
(function () {
  'use strict';

  // Included twice on one page: the first copy wins (widget/main.js also
  // checks, for two copies that load at the same time).
  if (document.getElementById('tandem-root')) return;

  const script = document.currentScript;
  const scriptUrl = new URL((script && script.src) || '/widget.js', location.href);
  const options = {
    src: scriptUrl.href,
    title: script && script.dataset.title,
    accent: script && script.dataset.color,
  };
  import(new URL('widget/main.js', scriptUrl).href).then(
    (widget) => widget.start(options),
    (err) => console.warn('[tandem] cannot load the chat widget', err),
  );
})();
