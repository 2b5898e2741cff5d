// Casebook: progressive enhancement. Every page works without this file; with it, search
// results and facets update as you type and click, suggestions appear under the search box,
// and on phones the filters fold behind a button. No inline script anywhere (strict CSP).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  // Suggestions for every search box that asks for them.
  function attachSuggestions(input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) return;
    var last = "";
    var load = debounce(function () {
      var text = input.value.trim();
      if (text.length < 2 || text === last) return;
      last = text;
      fetch("/api/suggest?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (data) {
          list.replaceChildren();
          (data.suggestions || []).forEach(function (s) {
            var option = document.createElement("option");
            option.value = s.text;
            list.appendChild(option);
          });
        })
        .catch(function () {});
    }, 150);
    input.addEventListener("input", load);
  }
  document.querySelectorAll("input[data-suggest]").forEach(attachSuggestions);

  // Live search on the search page.
  var form = document.getElementById("search-form");
  var region = document.getElementById("results-region");
  if (!form || !region) return;
  var pending = null;

  function query() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (String(value).trim() !== "") params.append(key, value);
    });
    return params;
  }

  function bindToggle() {
    var toggle = region.querySelector(".filters-toggle");
    var facets = region.querySelector(".facets");
    if (!toggle || !facets) return;
    toggle.addEventListener("click", function () {
      var open = facets.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // The map folds away on phones (it stays a plain open <details> without script).
  var phone = window.matchMedia ? window.matchMedia("(max-width: 48rem)") : null;
  function foldMap(open) {
    var details = region.querySelector(".map-foldable");
    if (!details) return;
    if (open === undefined) open = !(phone && phone.matches);
    details.open = open;
  }

  // While the visitor types, results follow each pause, but only the search they settle
  // on is counted in the insights: keystroke refreshes say `typing=1`, and a HEAD request
  // without it follows once typing has stopped for a while.
  var settle = debounce(function () {
    var params = query();
    params.append("partial", "1");
    fetch("/search?" + params.toString(), { method: "HEAD" }).catch(function () {});
  }, 1500);

  function refresh(typing) {
    var params = query();
    var url = "/search" + (params.toString() ? "?" + params.toString() : "");
    var wasOpen = region.querySelector(".facets.open") !== null;
    var map = region.querySelector(".map-foldable");
    var mapOpen = map ? map.open : undefined;
    if (pending) pending.abort();
    pending = new AbortController();
    params.append("partial", "1");
    if (typing === true) {
      params.append("typing", "1");
      settle();
    }
    fetch("/search?" + params.toString(), { signal: pending.signal, headers: { Accept: "text/html" } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
      .then(function (html) {
        region.innerHTML = html;
        bindToggle();
        foldMap(mapOpen);
        if (wasOpen) {
          var facets = region.querySelector(".facets");
          var toggle = region.querySelector(".filters-toggle");
          if (facets) facets.classList.add("open");
          if (toggle) toggle.setAttribute("aria-expanded", "true");
        }
        history.replaceState(null, "", url);
      })
      .catch(function (error) { if (error.name !== "AbortError") form.submit(); });
  }

  var typed = debounce(function () { refresh(true); }, 250);
  form.addEventListener("input", function (event) {
    if (event.target && event.target.name === "q") typed();
  });
  // Facet controls live outside the form element and join it with form="search-form".
  region.addEventListener("change", function (event) {
    if (event.target && event.target.form === form) refresh(false);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    refresh(false);
  });
  bindToggle();
  foldMap();
})();

// Showcase editing: drag and drop reorders the cases, then posts the order form (the
// up/down buttons do the same without script).
(function () {
  "use strict";
  var list = document.getElementById("edit-items");
  var orderForm = document.getElementById("order-form");
  var orderInput = document.getElementById("order-input");
  if (!list || !orderForm || !orderInput) return;
  var dragged = null;
  Array.prototype.forEach.call(list.children, function (item) {
    item.setAttribute("draggable", "true");
    item.addEventListener("dragstart", function (event) {
      dragged = item;
      item.classList.add("dragging");
      if (event.dataTransfer) event.dataTransfer.effectAllowed = "move";
    });
    item.addEventListener("dragend", function () { item.classList.remove("dragging"); });
    item.addEventListener("dragover", function (event) {
      event.preventDefault();
      if (!dragged || dragged === item) return;
      var rect = item.getBoundingClientRect();
      var after = event.clientY > rect.top + rect.height / 2;
      list.insertBefore(dragged, after ? item.nextSibling : item);
    });
    item.addEventListener("drop", function (event) {
      event.preventDefault();
      var ids = Array.prototype.map.call(list.children, function (li) { return li.getAttribute("data-case"); });
      orderInput.value = ids.join(",");
      orderForm.submit();
    });
  });
})();

// The submission form: a live preview of the case text (rendered and sanitised by the
// server, as on the case page) while it is typed; without script, the Preview button does
// the same with a page load.
(function () {
  "use strict";
  var body = document.querySelector("textarea[data-preview]");
  var preview = document.getElementById(body ? body.getAttribute("data-preview") : "");
  if (!body || !preview) return;
  var section = preview.closest(".preview");
  var pending = null;
  var last = null;
  var render = function () {
    var text = body.value;
    if (text === last) return;
    last = text;
    if (pending) pending.abort();
    pending = new AbortController();
    fetch("/submit/preview", {
      method: "POST",
      signal: pending.signal,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ body: text }).toString()
    })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
      .then(function (html) {
        preview.innerHTML = html;
        if (section) section.removeAttribute("data-empty");
      })
      .catch(function () {});
  };
  var timer = null;
  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(render, 300);
  });
  if (body.value.trim() !== "") render();
})();
