// The finish display: crossings from the live stream (Server-Sent Events)
// queue and show in turn; between them the idle messages rotate. Plain
// JavaScript, no build step. Configuration comes from the server-rendered page.
//
// Never far behind the mat: a runner's turn is cut to minHoldMs as soon as
// someone is waiting, and when the queue would take longer than surgeMs in such
// turns the screen switches to a list of the latest finishers (every crossing
// goes straight onto it), and back to one runner at a time after calmMs without
// a crossing. So a crossing reaches the screen within about surgeMs + minHoldMs.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("display-config").textContent);
  var stage = document.getElementById("stage");
  var fields = {};
  ["bib", "name", "hometown", "division", "message", "idle-message", "queue",
    "connection", "clock"].forEach(function (id) { fields[id] = document.getElementById(id); });

  var queue = [];
  var showing = false;
  var listing = false;  // the surge layout is on
  var turnTimer = null;
  var shownAt = 0;  // when the current runner's turn began (ms)
  var lastArrival = 0;
  var rows = Array.prototype.slice.call(document.querySelectorAll("#finishers .finisher"));
  var listed = [];  // the reads on the list, newest first
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

  var readShown = null;

  function show(read) {
    readShown = read;
    var lines = runnerLines(read);
    text(fields.bib, read.bib);
    text(fields.name, lines.name);
    text(fields.hometown, lines.hometown);
    text(fields.division, lines.division);
    text(fields.message, lines.message || config.crossingMessage);
    stage.dataset.mode = "runner";
    stage.dataset.readId = read.id;
  }

  function schedule(delay) {
    if (turnTimer !== null) { clearTimeout(turnTimer); }
    turnTimer = setTimeout(function () { turnTimer = null; next(); }, Math.max(0, delay));
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
    shownAt = Date.now();
    show(read);
    // Someone waiting: this turn is the short one; otherwise the full hold.
    schedule(queue.length ? config.minHoldMs : config.holdMs);
  }

  function updateQueue() {
    text(fields.queue, queue.length ? queue.length + " more crossing" +
      (queue.length === 1 ? "" : "s") : "");
  }

  function fillRows() {
    rows.forEach(function (row, i) {
      var read = listed[i];
      var lines = read ? runnerLines(read) : { name: "", hometown: "", division: "" };
      text(row.children[0], read ? read.bib : "");
      text(row.children[1], lines.name);
      text(row.children[2], lines.hometown);
      text(row.children[3], lines.division);
      row.dataset.readId = read ? read.id : "";
    });
  }

  function addToList(read) {
    listed.unshift(read);
    listed.length = Math.min(listed.length, rows.length);
  }

  function startList() {
    listing = true;
    if (turnTimer !== null) { clearTimeout(turnTimer); turnTimer = null; }
    queue.forEach(addToList);  // oldest first, so the newest ends on top
    queue = [];
    updateQueue();
    fillRows();
    showing = true;
    stage.dataset.mode = "list";
    setTimeout(calmCheck, config.calmMs);
  }

  function calmCheck() {
    var quiet = Date.now() - lastArrival;
    if (quiet < config.calmMs) { setTimeout(calmCheck, config.calmMs - quiet); return; }
    listing = false;
    listed = [];
    showing = false;
    stage.dataset.mode = "idle";
  }

  function enqueue(read) {
    lastArrival = Date.now();
    if (listing) {
      addToList(read);
      fillRows();
      return;
    }
    queue.push(read);
    if (rows.length && queue.length * config.minHoldMs > config.surgeMs) {
      if (showing && stage.dataset.mode === "runner") {
        addToList(readShown);  // the runner on screen heads the list too
      }
      startList();
      return;
    }
    updateQueue();
    if (!showing) {
      next();
    } else if (queue.length === 1) {
      // The runner on screen gets the short turn now that someone is waiting.
      schedule(shownAt + config.minHoldMs - Date.now());
    }
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
    var clock = { hour: "2-digit", minute: "2-digit", second: "2-digit" };
    // A race's own address shows the race's wall clock, wherever the screen is set up.
    if (config.timeZone) { clock.timeZone = config.timeZone; }
    text(fields.clock, now.toLocaleTimeString([], clock));
  }

  tick();
  setInterval(tick, 1000);
  setInterval(rotateIdle, config.rotateMs);
  connect();
}());
