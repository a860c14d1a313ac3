// The page of pickterm serve: xterm.js (DOM renderer) on the server's websocket.
// Keys are batched for about 10 ms into one message, so a scanner's burst stays one burst
// however the network spreads the messages; mouse and taps never reach the app; the page
// reconnects by itself and says so.
(function () {
  "use strict";
  var BATCH_MS = 10;     // a pause this long ends a batch of keys
  var MAX_HOLD_MS = 150; // a key never waits longer than this
  var CELL_EM = 0.602;  // DejaVu Sans Mono's advance, in em
  var MIN_COLUMNS = 42; // 40 and a margin on a 360 px screen
  var body = document.body;
  var status = document.getElementById("status");
  var host = document.getElementById("terminal");

  function fontSize() {
    var width = window.innerWidth || 360;
    return Math.max(10, Math.min(18, Math.floor(width / (MIN_COLUMNS * CELL_EM))));
  }

  var term = new Terminal({
    fontFamily: '"DejaVu Sans Mono", monospace',
    fontSize: fontSize(),
    cursorBlink: false,
    scrollback: 0,
    allowProposedApi: false,
    macOptionIsMeta: true,
    theme: { background: "#000000" },
  });
  var fit = new FitAddon.FitAddon();
  term.loadAddon(fit);

  // Mouse off: the app's requests for mouse reports (DECSET 9, 1000-1006, 1015, 1016) are swallowed.
  var MOUSE_MODES = [9, 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1015, 1016];
  function mouseOnly(params) {
    for (var i = 0; i < params.length; i++) {
      var p = Array.isArray(params[i]) ? params[i][0] : params[i];
      if (MOUSE_MODES.indexOf(p) < 0) return false;
    }
    return params.length > 0;
  }
  term.parser.registerCsiHandler({ prefix: "?", final: "h" }, mouseOnly);
  term.parser.registerCsiHandler({ prefix: "?", final: "l" }, mouseOnly);

  var socket = null;
  var pending = "";
  var timer = null;
  var firstAt = 0;
  var retry = 0;
  var connected = false;
  var told = false;

  function show(text) {
    if (text) { status.textContent = text; status.hidden = false; }
    else { status.hidden = true; }
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function flush() {
    timer = null;
    firstAt = 0;
    if (pending) { send(["stdin", pending]); pending = ""; }
  }

  var MOUSE_REPORT = /\x1b\[<\d+;\d+;\d+[Mm]|\x1b\[M[\s\S]{3}/g;
  term.onData(function (data) {
    data = data.replace(MOUSE_REPORT, "");
    if (!data) return;
    // Sent once no key has come for BATCH_MS (at most MAX_HOLD_MS after the first one): the
    // keys of a scan (1-5 ms apart) and its Enter leave together in one message.
    pending += data;
    if (timer !== null) clearTimeout(timer);
    if (!firstAt) firstAt = Date.now();
    timer = setTimeout(flush, Date.now() - firstAt >= MAX_HOLD_MS ? 0 : BATCH_MS);
  });

  function resize() {
    term.options.fontSize = fontSize();
    try { fit.fit(); } catch (e) { /* not laid out yet */ }
    send(["resize", { width: term.cols, height: term.rows }]);
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss:" : "ws:";
    var url = scheme + "//" + location.host + "/ws?width=" + term.cols + "&height=" + term.rows;
    socket = new WebSocket(url);
    socket.binaryType = "arraybuffer";
    socket.onopen = function () {
      connected = true;
      retry = 0;
      show("");
      term.reset();
      term.focus();
      told = false;
    };
    socket.onmessage = function (event) {
      if (typeof event.data === "string") return;
      term.write(new Uint8Array(event.data));
      // The app starts unfocused; once it draws, it is told the page has the focus.
      if (!told) { told = true; setTimeout(function () { send([document.hasFocus() ? "focus" : "blur"]); }, 300); }
    };
    socket.onclose = function () {
      connected = false;
      socket = null;
      show(body.dataset.reconnecting);
      var delay = Math.min(5000, 300 * Math.pow(2, retry++));
      setTimeout(reconnect, delay);
    };
  }

  // Before a new websocket: still signed in? If not, back to the sign-in page.
  function reconnect() {
    fetch("/session", { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (response.status === 401) { show(body.dataset.ended); location.reload(); }
      else if (response.status === 503) { show(body.dataset.busy); setTimeout(reconnect, 5000); }
      else connect();
    }, function () {
      setTimeout(reconnect, Math.min(5000, 300 * Math.pow(2, retry++)));
    });
  }

  // Focus without a tap, and back to the terminal whenever the page comes back.
  function focus() { term.focus(); }
  window.addEventListener("focus", focus);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) focus(); });
  // Taps are not clicks: a touch or a mouse button only gives the terminal its focus back.
  ["mousedown", "mouseup", "click", "dblclick", "contextmenu", "touchstart", "touchend", "wheel"].forEach(function (name) {
    host.addEventListener(name, function (event) { event.preventDefault(); event.stopPropagation(); focus(); }, { capture: true, passive: false });
  });

  term.open(host);
  // The app knows whether it has the focus (its footer shows the keys only then).
  term.textarea.addEventListener("focus", function () { send(["focus"]); });
  term.textarea.addEventListener("blur", function () { send(["blur"]); });
  window.addEventListener("resize", resize);
  resize();
  focus();
  (document.fonts ? document.fonts.ready : Promise.resolve()).then(function () { resize(); connect(); });

  // For the tests and the benchmark: the terminal, and the socket (closing it is a dropped network).
  window.pickterm = {
    term: term,
    isConnected: function () { return connected; },
    socket: function () { return socket; },
  };
})();
