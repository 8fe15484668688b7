// The operations page's live events: the server's event stream (/ops/stream), newest first. The browser
// reconnects by itself and sends the last position it saw, so nothing is missed or shown twice.
(function () {
  "use strict";
  var list = document.getElementById("events");
  if (!list || !window.EventSource) return;
  var KEEP = 50;
  var source = new EventSource("/ops/stream?after=" + encodeURIComponent(list.dataset.after || "0"));
  source.onmessage = function (message) {
    var e = JSON.parse(message.data);
    var item = document.createElement("li");
    item.dataset.position = e.position;
    item.className = "fresh";
    var at = document.createElement("time");
    at.textContent = e.at;
    var type = document.createElement("b");
    type.textContent = e.type;
    item.append(at, " ", type, " " + e.what);
    list.prepend(item);
    while (list.children.length > KEEP) list.lastElementChild.remove();
  };
})();
