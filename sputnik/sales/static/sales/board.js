/* The deals board: drag cards between stages and within a column (SortableJS); each drop
 * is posted through htmx and saved by the server, which answers with the new column
 * figures or refuses with a message, and then the card goes back where it was. A drop on
 * a "lost" column first asks for the reason in a dialog. No inline code (CSP). */
(function () {
  "use strict";

  function showMessage(text) {
    var box = document.getElementById("board-message");
    if (!box) {
      return;
    }
    box.textContent = text;
    box.classList.toggle("d-none", !text);
  }

  function updateFigures(columns) {
    Object.keys(columns || {}).forEach(function (stageId) {
      var count = document.querySelector('[data-column-count="' + stageId + '"]');
      var total = document.querySelector('[data-column-total="' + stageId + '"]');
      if (count) {
        count.textContent = columns[stageId].count;
      }
      if (total) {
        total.textContent = columns[stageId].total;
      }
    });
  }

  function cardsOf(list) {
    return Array.prototype.filter.call(list.children, function (el) {
      return el.classList.contains("deal-card");
    });
  }

  // Put a dropped card back at its old place in its old column.
  function putBack(evt) {
    var item = evt.item;
    var from = evt.from;
    item.remove();
    var cards = cardsOf(from);
    var before = cards[evt.oldDraggableIndex] || from.querySelector(".board-more");
    from.insertBefore(item, before || null);
  }

  function parse(xhr) {
    try {
      return JSON.parse(xhr.responseText || "{}");
    } catch (e) {
      return {};
    }
  }

  function askLostReason(card) {
    var modal = document.getElementById("deal-modal");
    var url = card.getAttribute("data-lose-url") + "?next=board";
    window.htmx
      .ajax("GET", url, { target: "#deal-modal-content", swap: "innerHTML" })
      .then(function () {
        window.bootstrap.Modal.getOrCreateInstance(modal).show();
      });
  }

  function onDrop(evt) {
    var item = evt.item;
    var target = evt.to;
    if (evt.from === target && evt.oldDraggableIndex === evt.newDraggableIndex) {
      return;
    }
    showMessage("");
    if (target.getAttribute("data-stage-kind") === "lost") {
      putBack(evt);
      askLostReason(item);
      return;
    }
    item.classList.add("is-saving");
    window.htmx.ajax("POST", item.getAttribute("data-move-url"), {
      source: item,
      values: { stage: target.getAttribute("data-stage-id"), position: evt.newDraggableIndex },
      handler: function (elt, info) {
        item.classList.remove("is-saving");
        var body = parse(info.xhr);
        if (info.xhr.status >= 200 && info.xhr.status < 300 && body.ok) {
          updateFigures(body.columns);
          if (target.getAttribute("data-stage-kind") !== "open") {
            item.classList.add("deal-card-closed");
          }
          return;
        }
        putBack(evt);
        if (body.needs_reason) {
          askLostReason(item);
          return;
        }
        showMessage(body.message || info.xhr.statusText || "Error");
      },
    });
  }

  function init() {
    var board = document.getElementById("board");
    if (!board || !window.Sortable || board.getAttribute("data-can-move") !== "1") {
      return;
    }
    board.querySelectorAll(".board-cards").forEach(function (list) {
      var open = list.getAttribute("data-stage-kind") === "open";
      window.Sortable.create(list, {
        group: { name: "deals", pull: open, put: true },
        sort: open,
        draggable: ".deal-card",
        filter: ".board-more, a",
        preventOnFilter: false,
        animation: 120,
        // Pointer-driven dragging instead of the HTML5 drag API: the same behaviour with a
        // mouse, a finger on a tablet and an automated browser.
        forceFallback: true,
        fallbackOnBody: true,
        onEnd: onDrop,
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
