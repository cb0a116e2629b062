// The finish display: crossings from the live stream (Server-Sent Events)
// queue and show in turn; between them the idle messages rotate. Plain
// JavaScript, no build step. Configuration comes from the server-rendered page.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("display-config").textContent);
  var stage = document.getElementById("stage");
  var fields = {};
  ["bib", "name", "hometown", "division", "message", "idle-message", "queue",
    "connection", "clock"].forEach(function (id) { fields[id] = document.getElementById(id); });

  var queue = [];
  var showing = false;
  var lastEventId = null;
  var source = null;
  var idleIndex = 0;
  var retryTimer = null;

  function text(el, value) { el.textContent = value || ""; }

  function runnerLines(read) {
    var r = read.runner;
    if (!r) {
      return { name: "Bib " + read.bib, hometown: "", division: "" };
    }
    var name = [r.first_name, r.last_name].filter(Boolean).join(" ") || "Bib " + read.bib;
    var place = [r.city, r.state].filter(Boolean).join(", ");
    if (r.country && ["US", "USA"].indexOf(r.country.toUpperCase()) < 0) {
      place = place ? place + " · " + r.country : r.country;
    }
    var division = r.division || [r.gender, r.age].filter(function (v) {
      return v !== null && v !== undefined && v !== "";
    }).join(" ");
    return { name: name, hometown: place, division: division, message: r.message };
  }

  function show(read) {
    var lines = runnerLines(read);
    text(fields.bib, read.bib);
    text(fields.name, lines.name);
    text(fields.hometown, lines.hometown);
    text(fields.division, lines.division);
    text(fields.message, lines.message || config.crossingMessage);
    stage.dataset.mode = "runner";
    stage.dataset.readId = read.id;
  }

  function next() {
    var read = queue.shift();
    updateQueue();
    if (!read) {
      showing = false;
      stage.dataset.mode = "idle";
      return;
    }
    showing = true;
    show(read);
    // A surge at the line: shorten each runner's turn so the screen keeps up.
    var hold = queue.length >= 3 ? config.minHoldMs : config.holdMs;
    setTimeout(next, hold);
  }

  function updateQueue() {
    text(fields.queue, queue.length ? queue.length + " more crossing" +
      (queue.length === 1 ? "" : "s") : "");
  }

  function enqueue(read) {
    queue.push(read);
    updateQueue();
    if (!showing) { next(); }
  }

  function rotateIdle() {
    if (showing || !config.messages.length) { return; }
    idleIndex = (idleIndex + 1) % config.messages.length;
    text(fields["idle-message"], config.messages[idleIndex]);
  }

  function setConnection(state, label) {
    fields.connection.className = "connection " + state;
    text(fields.connection, label);
    document.body.dataset.connection = state;
  }

  function connect() {
    retryTimer = null;
    var url = config.streamUrl;
    if (lastEventId !== null) {
      // A new EventSource cannot send Last-Event-ID itself: say it in the URL.
      url += (url.indexOf("?") < 0 ? "?" : "&") + "last_event_id=" +
        encodeURIComponent(lastEventId);
    }
    source = new EventSource(url);
    var recycled = false;  // the server ended the stream on purpose: back in 250 ms
    source.addEventListener("open", function () {
      recycled = false;
      setConnection("online", "Live");
    });
    source.addEventListener("recycle", function () { recycled = true; });
    source.addEventListener("read", function (event) {
      lastEventId = event.lastEventId;
      try {
        enqueue(JSON.parse(event.data));
      } catch (err) {
        if (window.console) { console.error("bad read event", err); }
      }
    });
    source.addEventListener("error", function () {
      if (!recycled || source.readyState === EventSource.CLOSED) {
        setConnection("offline", "Offline — reconnecting…");
      }
      if (source.readyState === EventSource.CLOSED && retryTimer === null) {
        // The browser gave up (an HTTP error, not a dropped connection): retry ourselves.
        source.close();
        retryTimer = setTimeout(connect, config.reconnectMs);
      }
    });
  }

  function tick() {
    var now = new Date();
    text(fields.clock, now.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit",
      second: "2-digit" }));
  }

  tick();
  setInterval(tick, 1000);
  setInterval(rotateIdle, config.rotateMs);
  connect();
}());
